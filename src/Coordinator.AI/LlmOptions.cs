using System.Net;
using Microsoft.Extensions.Options;

namespace Coordinator.AI;

/// <summary>
/// The language model that writes the coordinator's messages (<c>Coordinator:Llm</c>; environment
/// <c>Coordinator__Llm__Provider</c>, <c>__Endpoint</c>, <c>__Model</c>, <c>__ApiKey</c>, ...). With <c>none</c>, the default,
/// there is no model and templates write every message.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Coordinator:Llm";

    /// <summary>none (default) | openai | azure-openai | openai-compatible | anthropic | ollama.</summary>
    public string Provider { get; set; } = LlmProviders.None;

    /// <summary>
    /// The provider's address: required for openai-compatible (ending with <c>/v1</c>), azure-openai
    /// (<c>https://&lt;resource&gt;.openai.azure.com/</c>) and ollama (<c>http://localhost:11434</c>); an optional override for openai and anthropic.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The model name (for azure-openai: the deployment name). Required unless the provider is none.</summary>
    public string? Model { get; set; }

    /// <summary>The API key: required for openai, anthropic and openai-compatible (unless its endpoint is loopback); for azure-openai, this or <see cref="UseManagedIdentity"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>azure-openai only: authenticate with the host's managed identity (Microsoft Entra ID) instead of an API key.</summary>
    public bool UseManagedIdentity { get; set; }

    /// <summary>azure-openai with <see cref="UseManagedIdentity"/>: the client id of a user-assigned identity; empty = the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>How long one call to the model may take before it fails (and the caller falls back to templates), 1..300 seconds.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>How many times a failed call (connection error, timeout, 429, 5xx) is retried, 0..5. Each retry can add up to <see cref="TimeoutSeconds"/>.</summary>
    public int MaxRetries { get; set; } = 1;

    /// <summary>tool-rate-limit: the most model calls one instance may cause in an hour, shared by every host (1..10000, default 60); past it, templates.</summary>
    public int MaxCallsPerInstancePerHour { get; set; } = 60;

    /// <summary>tool-rate-limit: the most model calls one host makes in a minute (1..100000, default 120); past it, templates.</summary>
    public int MaxCallsPerMinute { get; set; } = 120;

    internal TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    internal string NormalizedProvider => (Provider ?? LlmProviders.None).Trim().ToLowerInvariant() is { Length: > 0 } p ? p : LlmProviders.None;

    /// <summary>For the host's start-up line: provider, model and endpoint host, never the key.</summary>
    public string ModelDescription => NormalizedProvider == LlmProviders.None
        ? "model: none (templates write every message)"
        : $"model: {NormalizedProvider} {Model} at {EndpointHost}";

    private string EndpointHost => Endpoint is { IsAbsoluteUri: true } e ? e.Authority : NormalizedProvider switch
    {
        LlmProviders.OpenAI => "api.openai.com",
        LlmProviders.Anthropic => "api.anthropic.com",
        _ => "(no endpoint)",
    };
}

/// <summary>The values of <see cref="LlmOptions.Provider"/>.</summary>
public static class LlmProviders
{
    public const string None = "none";
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";
    public const string OpenAICompatible = "openai-compatible";
    public const string Anthropic = "anthropic";
    public const string Ollama = "ollama";

    public static IReadOnlyList<string> All { get; } = [None, OpenAI, AzureOpenAI, OpenAICompatible, Anthropic, Ollama];
}

/// <summary>Checks the model's settings at start-up, saying which setting to set and how.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    private const string Var = "Coordinator__Llm__";

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var provider = options.NormalizedProvider;
        if (!LlmProviders.All.Contains(provider, StringComparer.Ordinal))
            return ValidateOptionsResult.Fail($"{Var}Provider '{options.Provider}' is not a provider: set {Var}Provider to one of {string.Join(", ", LlmProviders.All)} (none = no model, templates write every message).");
        if (provider == LlmProviders.None)
            return ValidateOptionsResult.Success;

        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Model))
            problems.Add($"{Var}Model is required when {Var}Provider is {provider}: set {ModelHint(provider)}.");

        if (options.Endpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
                problems.Add($"{Var}Endpoint '{endpoint}' is not an absolute http(s) URL: set {Var}Endpoint to {EndpointHint(provider)}.");
        }
        else if (provider is LlmProviders.OpenAICompatible or LlmProviders.AzureOpenAI or LlmProviders.Ollama)
        {
            problems.Add($"{Var}Endpoint is required when {Var}Provider is {provider}: set {Var}Endpoint to {EndpointHint(provider)}.");
        }

        var hasKey = !string.IsNullOrWhiteSpace(options.ApiKey);
        switch (provider)
        {
            case LlmProviders.OpenAI or LlmProviders.Anthropic when !hasKey:
                problems.Add($"{Var}ApiKey is required when {Var}Provider is {provider}: set {Var}ApiKey to your {(provider == LlmProviders.OpenAI ? "OpenAI API key (sk-...)" : "Anthropic API key (sk-ant-...)")}, preferably from a secret store.");
                break;
            case LlmProviders.OpenAICompatible when !hasKey && !IsLoopback(options.Endpoint):
                problems.Add($"{Var}ApiKey is required when {Var}Provider is openai-compatible and {Var}Endpoint is not on this machine: set {Var}ApiKey to the key your endpoint issued (only a loopback endpoint such as http://127.0.0.1:1234/v1 may go without one).");
                break;
            case LlmProviders.AzureOpenAI when hasKey == options.UseManagedIdentity:
                problems.Add(hasKey
                    ? $"{Var}ApiKey and {Var}UseManagedIdentity=true are both set for azure-openai: keep one, either {Var}ApiKey (the resource's key) or {Var}UseManagedIdentity=true (the host's managed identity, with the Cognitive Services OpenAI User role)."
                    : $"azure-openai needs credentials: set {Var}ApiKey to the Azure OpenAI resource's key, or {Var}UseManagedIdentity=true to use the host's managed identity (give it the Cognitive Services OpenAI User role).");
                break;
        }
        if (options.UseManagedIdentity && provider != LlmProviders.AzureOpenAI)
            problems.Add($"{Var}UseManagedIdentity applies only to azure-openai: remove it, or set {Var}Provider=azure-openai.");

        if (options.TimeoutSeconds is < 1 or > 300)
            problems.Add($"{Var}TimeoutSeconds {options.TimeoutSeconds} is out of range: set {Var}TimeoutSeconds to 1..300 (default 30).");
        if (options.MaxRetries is < 0 or > 5)
            problems.Add($"{Var}MaxRetries {options.MaxRetries} is out of range: set {Var}MaxRetries to 0..5 (default 1).");
        if (options.MaxCallsPerInstancePerHour is < 1 or > 10_000)
            problems.Add($"{Var}MaxCallsPerInstancePerHour {options.MaxCallsPerInstancePerHour} is out of range: set {Var}MaxCallsPerInstancePerHour to 1..10000 (default 60).");
        if (options.MaxCallsPerMinute is < 1 or > 100_000)
            problems.Add($"{Var}MaxCallsPerMinute {options.MaxCallsPerMinute} is out of range: set {Var}MaxCallsPerMinute to 1..100000 (default 120).");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    internal static bool IsLoopback(Uri? endpoint) =>
        endpoint is { IsAbsoluteUri: true } e && (e.IsLoopback || (IPAddress.TryParse(e.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static string ModelHint(string provider) => provider switch
    {
        LlmProviders.OpenAI => $"{Var}Model to an OpenAI model, e.g. gpt-4o-mini",
        LlmProviders.AzureOpenAI => $"{Var}Model to the deployment name in your Azure OpenAI resource, e.g. gpt-4o-mini",
        LlmProviders.OpenAICompatible => $"{Var}Model to the model name your endpoint serves, e.g. mistral-small-latest",
        LlmProviders.Anthropic => $"{Var}Model to an Anthropic model, e.g. claude-sonnet-4-5",
        _ => $"{Var}Model to a model you have pulled (ollama list), e.g. llama3.2",
    };

    private static string EndpointHint(string provider) => provider switch
    {
        LlmProviders.OpenAICompatible => "the server's OpenAI-compatible base URL, ending with /v1, e.g. https://api.mistral.ai/v1 or http://localhost:8000/v1",
        LlmProviders.AzureOpenAI => "your resource's endpoint, e.g. https://my-resource.openai.azure.com/",
        LlmProviders.Ollama => "the Ollama server, e.g. http://localhost:11434",
        LlmProviders.Anthropic => "an Anthropic API base URL, e.g. https://api.anthropic.com (or leave it unset)",
        _ => "an OpenAI API base URL, e.g. https://api.openai.com/v1 (or leave it unset)",
    };
}
