using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Azure.AI.OpenAI;
using Azure.Identity;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OllamaSharp;
using OpenAI;

namespace Coordinator.AI;

public static class AIServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="LlmOptions"/> (<c>Coordinator:Llm</c>, checked at start-up) and, unless the provider is
    /// none, registers one singleton <see cref="IChatClient"/> for it and the <see cref="ModelMessageDrafter"/> over it.
    /// Returns whether a model is registered; without one templates write every message.
    /// </summary>
    public static bool AddCoordinatorModel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(LlmOptions.Section);
        services.AddOptions<LlmOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());

        var provider = section.Get<LlmOptions>()?.NormalizedProvider ?? LlmProviders.None;
        if (provider == LlmProviders.None)
            return false;

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LlmOptions>>().Value; // throws the validator's messages when invalid
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Coordinator.AI.Model") ?? NullLogger.Instance;
            return new MetadataOnlyLoggingChatClient(ChatClientFactory.Create(options), logger, options.NormalizedProvider, options.Model!);
        });
        services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<MetadataOnlyLoggingChatClient>());
        // The drafter needs the controls (AddCoordinatorControls) and the audit registry; the shared buckets when there is a database.
        services.TryAddSingleton(TimeProvider.System);
        // One minute window for every model call of the host (tool-rate-limit): drafts and interpretations.
        services.AddSingleton(sp => new HostCallWindow(sp.GetRequiredService<IOptions<LlmOptions>>().Value.MaxCallsPerMinute, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Core.Ports.IReplyInterpreter>(sp => new ModelReplyInterpreter(
            sp.GetRequiredService<IChatClient>(),
            sp.GetService<Core.Ports.IPiiDetector>() ?? throw Missing("the pii-detector (IPiiDetector)", "AddCoordinatorControls()"),
            sp.GetRequiredService<IOptions<LlmOptions>>(),
            sp.GetRequiredService<HostCallWindow>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<ModelReplyInterpreter>() ?? NullLogger<ModelReplyInterpreter>.Instance));
        services.AddSingleton<Core.Ports.IMessageDrafter>(sp => new ModelMessageDrafter(
            sp.GetRequiredService<IChatClient>(),
            sp.GetService<Core.Ports.IPiiDetector>() ?? throw Missing("the pii-detector (IPiiDetector)", "AddCoordinatorControls()"),
            sp.GetService<Core.Ports.ITopicGuardrail>() ?? throw Missing("the topic-guardrail (ITopicGuardrail)", "AddCoordinatorControls()"),
            sp.GetService<Core.Ports.IAuditLog>() ?? throw Missing("the audit registry (IAuditLog)", "the host's persistence"),
            sp.GetRequiredService<IOptions<LlmOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<ModelMessageDrafter>() ?? NullLogger<ModelMessageDrafter>.Instance,
            sp.GetService<Core.Ports.IRateLimitBuckets>(),
            sp.GetRequiredService<HostCallWindow>()));
        return true;
    }

    private static InvalidOperationException Missing(string what, string register) =>
        new($"The model's drafter needs {what}: register {register} before AddCoordinatorModel, or set Coordinator__Llm__Provider=none.");
}

/// <summary>Builds the provider's <see cref="IChatClient"/> from validated options.</summary>
internal static class ChatClientFactory
{
    public static IChatClient Create(LlmOptions options)
    {
        var model = options.Model!;
        return options.NormalizedProvider switch
        {
            LlmProviders.OpenAI or LlmProviders.OpenAICompatible => CreateOpenAI(options, model),
            LlmProviders.AzureOpenAI => CreateAzureOpenAI(options, model),
            LlmProviders.Anthropic => CreateAnthropic(options, model),
            LlmProviders.Ollama => CreateOllama(options, model),
            var other => throw new InvalidOperationException($"Coordinator__Llm__Provider '{other}' has no client."),
        };
    }

    private static IChatClient CreateOpenAI(LlmOptions options, string model)
    {
        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = options.Timeout,
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        };
        if (options.Endpoint is { } endpoint)
            clientOptions.Endpoint = endpoint;
        // A loopback openai-compatible server (LM Studio, vLLM, llama.cpp) may need no key; the SDK requires one, which it ignores.
        var key = string.IsNullOrWhiteSpace(options.ApiKey) ? "unused" : options.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient();
    }

    private static IChatClient CreateAzureOpenAI(LlmOptions options, string deployment)
    {
        var clientOptions = new AzureOpenAIClientOptions
        {
            NetworkTimeout = options.Timeout,
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        };
        var client = options.UseManagedIdentity
            ? new AzureOpenAIClient(options.Endpoint!, string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId)), clientOptions)
            : new AzureOpenAIClient(options.Endpoint!, new ApiKeyCredential(options.ApiKey!), clientOptions);
        return client.GetChatClient(deployment).AsIChatClient();
    }

    private static IChatClient CreateAnthropic(LlmOptions options, string model)
    {
        // The SDK sends the key as Authorization: Bearer and appends /v1/messages to the base URL (so the Endpoint has no /v1).
        IAnthropicClient client = new AnthropicClient
        {
            ApiKey = options.ApiKey!,
            Timeout = options.Timeout,
            MaxRetries = options.MaxRetries,
            // Set here so that ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE cannot turn on spans carrying prompts and answers.
            OpenTelemetry = false,
        };
        if (options.Endpoint is { } endpoint)
            client = client.WithOptions(o => o with { BaseUrl = endpoint.ToString().TrimEnd('/') });
        return client.AsIChatClient(model);
    }

    private static IChatClient CreateOllama(LlmOptions options, string model)
    {
        // Ollama's own client has no timeout setting: the HttpClient's is the call's.
        var http = new HttpClient { BaseAddress = options.Endpoint, Timeout = options.Timeout };
        return new OllamaApiClient(http, model);
    }
}
