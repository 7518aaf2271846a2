using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.AI.Tests;

/// <summary>Builds a service provider from Coordinator:Llm settings the way a host would.</summary>
internal static class ModelFactory
{
    public static ServiceProvider Provider(IDictionary<string, string?> llm, out bool registered) => Provider(llm, null, out registered);

    public static ServiceProvider Provider(IDictionary<string, string?> llm, Action<IServiceCollection>? configure, out bool registered)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(llm.Select(kv => KeyValuePair.Create($"{LlmOptions.Section}:{kv.Key}", kv.Value)))
            .Build();
        var services = new ServiceCollection();
        configure?.Invoke(services);
        registered = services.AddCoordinatorModel(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>
    /// The settings of an OpenAI-compatible model served by a loopback server: a 2 s budget and no retries, so a test of a
    /// failure fails fast; <paramref name="overrides"/> replace or add settings.
    /// </summary>
    public static Dictionary<string, string?> Loopback(Uri server, IDictionary<string, string?>? overrides = null)
    {
        var llm = new Dictionary<string, string?>
        {
            ["Provider"] = "openai-compatible",
            ["Endpoint"] = $"{server}v1",
            ["Model"] = "mistral-small-latest",
            ["TimeoutSeconds"] = "2",
            ["MaxRetries"] = "0",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            llm[key] = value;
        return llm;
    }

    public static IChatClient Client(ServiceProvider provider) => provider.GetRequiredService<IChatClient>();

    /// <summary>What start-up validation says about these settings; null when they are valid.</summary>
    public static string? ValidationError(IDictionary<string, string?> llm)
    {
        using var provider = Provider(llm, out _);
        try
        {
            _ = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex.Message;
        }
    }
}
