using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.AI.Tests;

public sealed class LlmOptionsValidationTests
{
    public static TheoryData<Dictionary<string, string?>, string[]> Invalid => new()
    {
        { new() { ["Provider"] = "gemini" }, ["Coordinator__Llm__Provider 'gemini'", "none, openai, azure-openai, openai-compatible, anthropic, ollama"] },
        { new() { ["Provider"] = "openai-compatible", ["Endpoint"] = "https://api.mistral.ai/v1", ["ApiKey"] = "k" }, ["Coordinator__Llm__Model is required when Coordinator__Llm__Provider is openai-compatible", "e.g. mistral-small-latest"] },
        { new() { ["Provider"] = "openai-compatible", ["Model"] = "m", ["ApiKey"] = "k" }, ["Coordinator__Llm__Endpoint is required when Coordinator__Llm__Provider is openai-compatible", "/v1"] },
        { new() { ["Provider"] = "openai-compatible", ["Endpoint"] = "https://api.mistral.ai/v1", ["Model"] = "m" }, ["Coordinator__Llm__ApiKey is required when Coordinator__Llm__Provider is openai-compatible"] },
        { new() { ["Provider"] = "openai", ["Model"] = "gpt-4o-mini" }, ["Coordinator__Llm__ApiKey is required when Coordinator__Llm__Provider is openai"] },
        { new() { ["Provider"] = "openai", ["ApiKey"] = "k" }, ["Coordinator__Llm__Model is required when Coordinator__Llm__Provider is openai"] },
        { new() { ["Provider"] = "anthropic", ["Model"] = "claude-sonnet-4-5" }, ["Coordinator__Llm__ApiKey is required when Coordinator__Llm__Provider is anthropic"] },
        { new() { ["Provider"] = "azure-openai", ["Model"] = "d", ["ApiKey"] = "k" }, ["Coordinator__Llm__Endpoint is required when Coordinator__Llm__Provider is azure-openai"] },
        { new() { ["Provider"] = "azure-openai", ["Endpoint"] = "https://r.openai.azure.com/", ["Model"] = "d" }, ["Coordinator__Llm__ApiKey", "Coordinator__Llm__UseManagedIdentity=true"] },
        { new() { ["Provider"] = "azure-openai", ["Endpoint"] = "https://r.openai.azure.com/", ["Model"] = "d", ["ApiKey"] = "k", ["UseManagedIdentity"] = "true" }, ["both set"] },
        { new() { ["Provider"] = "ollama", ["Model"] = "llama3.2" }, ["Coordinator__Llm__Endpoint is required when Coordinator__Llm__Provider is ollama", "http://localhost:11434"] },
        { new() { ["Provider"] = "ollama", ["Endpoint"] = "http://localhost:11434" }, ["Coordinator__Llm__Model is required when Coordinator__Llm__Provider is ollama"] },
        { new() { ["Provider"] = "ollama", ["Endpoint"] = "localhost:11434/x", ["Model"] = "m" }, ["Coordinator__Llm__Endpoint 'localhost:11434/x' is not an absolute http(s) URL"] },
        { new() { ["Provider"] = "ollama", ["Endpoint"] = "http://localhost:11434", ["Model"] = "m", ["TimeoutSeconds"] = "0" }, ["Coordinator__Llm__TimeoutSeconds 0", "1..300"] },
        { new() { ["Provider"] = "ollama", ["Endpoint"] = "http://localhost:11434", ["Model"] = "m", ["TimeoutSeconds"] = "301" }, ["Coordinator__Llm__TimeoutSeconds 301"] },
        { new() { ["Provider"] = "openai", ["Model"] = "m", ["ApiKey"] = "k", ["UseManagedIdentity"] = "true" }, ["UseManagedIdentity applies only to azure-openai"] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidCombination_FailsNamingTheSetting(Dictionary<string, string?> settings, string[] expected)
    {
        var error = ModelFactory.ValidationError(settings);

        Assert.NotNull(error);
        foreach (var part in expected)
            Assert.Contains(part, error, StringComparison.Ordinal);
    }

    public static TheoryData<Dictionary<string, string?>> Valid => new()
    {
        new() { ["Provider"] = "openai", ["Model"] = "gpt-4o-mini", ["ApiKey"] = "sk-x" },
        new() { ["Provider"] = "OpenAI-Compatible", ["Endpoint"] = "http://127.0.0.1:1234/v1", ["Model"] = "qwen" },
        new() { ["Provider"] = "openai-compatible", ["Endpoint"] = "http://localhost:8000/v1", ["Model"] = "qwen" },
        new() { ["Provider"] = "azure-openai", ["Endpoint"] = "https://r.openai.azure.com/", ["Model"] = "d", ["UseManagedIdentity"] = "true" },
        new() { ["Provider"] = "anthropic", ["Model"] = "claude-sonnet-4-5", ["ApiKey"] = "sk-ant" },
        new() { ["Provider"] = "ollama", ["Endpoint"] = "http://localhost:11434", ["Model"] = "llama3.2" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Validate_ValidCombination_SucceedsAndBuildsClient(Dictionary<string, string?> settings)
    {
        Assert.Null(ModelFactory.ValidationError(settings));
        using var provider = ModelFactory.Provider(settings, out var registered);
        Assert.True(registered);
        Assert.NotNull(provider.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void AddCoordinatorModel_ProviderNone_RegistersNoChatClient()
    {
        using var provider = ModelFactory.Provider(new Dictionary<string, string?> { ["Provider"] = "none" }, out var registered);

        Assert.False(registered);
        Assert.Null(provider.GetService<IChatClient>());
        Assert.Equal("model: none (templates write every message)", provider.GetRequiredService<IOptions<LlmOptions>>().Value.ModelDescription);
    }

    [Fact]
    public void AddCoordinatorModel_NoSettings_DefaultsToNone()
    {
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>(), out var registered);

        Assert.False(registered);
        Assert.Null(provider.GetService<IChatClient>());
    }

    [Fact]
    public void AddCoordinatorModel_InvalidSettings_FailStartupValidation()
    {
        using var provider = ModelFactory.Provider(new Dictionary<string, string?> { ["Provider"] = "openai" }, out _);

        // What the host runs at start (ValidateOnStart).
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Coordinator__Llm__ApiKey is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelDescription_OpenAICompatible_NamesProviderModelAndHostButNotKey()
    {
        var options = new LlmOptions { Provider = "openai-compatible", Endpoint = new Uri("https://api.mistral.ai/v1"), Model = "mistral-small-latest", ApiKey = "secret-key" };

        Assert.Equal("model: openai-compatible mistral-small-latest at api.mistral.ai", options.ModelDescription);
        Assert.DoesNotContain("secret-key", options.ModelDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelDescription_AnthropicWithoutEndpoint_NamesDefaultHost()
    {
        var options = new LlmOptions { Provider = "anthropic", Model = "claude-sonnet-4-5", ApiKey = "k" };

        Assert.Equal("model: anthropic claude-sonnet-4-5 at api.anthropic.com", options.ModelDescription);
    }
}
