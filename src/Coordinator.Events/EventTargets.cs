using Coordinator.Core.Definitions;
using Microsoft.Extensions.Configuration;

namespace Coordinator.Events;

/// <summary>
/// One receiver of CloudEvents and the workflows whose instances it gets.
/// </summary>
/// <param name="Name">The target's name in the cursor table and the audit (<c>events:&lt;name&gt;</c>): <c>webhook</c> for the host-wide one, <c>workflow:&lt;id&gt;</c> for a definition's.</param>
/// <param name="Key">The secret's key bytes (the Base64 of <c>whsec_...</c> decoded).</param>
/// <param name="Workflows">The workflow ids whose rows go to this target.</param>
public sealed record EventTarget(string Name, Uri Url, byte[] Key, IReadOnlyList<string> Workflows);

/// <summary>
/// Which receiver gets which workflow's events: a served workflow whose latest definition has <c>crm.webhook</c> gets
/// its own target (its secret read from the setting the definition names, never from the YAML); the host-wide webhook
/// gets every other served workflow. Rows of workflows the host does not serve (the channels' and the relay's own) go
/// nowhere.
/// </summary>
public static class EventTargets
{
    public const string HostWide = "webhook";

    /// <summary>
    /// The targets for <paramref name="served"/>. Throws, naming the setting and what to set, when a definition's secret
    /// setting is missing or not a <c>whsec_</c> secret, or when events go out without <c>Coordinator:PublicBaseUrl</c>:
    /// a start-up error, never a silent gap in the stream.
    /// </summary>
    public static IReadOnlyList<EventTarget> Resolve(EventsOptions options, IConfiguration configuration, IReadOnlyList<WorkflowDefinition> served)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(served);
        var targets = new List<EventTarget>();
        var rest = new List<string>();
        var problems = new List<string>();
        foreach (var definition in served.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            if (definition.Crm?.Webhook is not { } webhook)
            {
                rest.Add(definition.Id);
                continue;
            }
            var key = SettingKey(webhook.SecretSetting);
            var secret = configuration[key];
            if (EventsOptionsValidator.SecretProblem($"The secret of workflow '{definition.Id}''s crm.webhook (setting {webhook.SecretSetting})", SettingVariable(webhook.SecretSetting), secret) is { } problem)
                problems.Add(problem);
            else
                targets.Add(new EventTarget("workflow:" + definition.Id, webhook.Url, StandardWebhooks.ParseSecret(secret)!, [definition.Id]));
        }
        if (options.Url is { } url && StandardWebhooks.ParseSecret(options.Secret) is { } hostKey)
            targets.Insert(0, new EventTarget(HostWide, url, hostKey, rest));
        if (targets.Count > 0 && options.PublicBaseUrl is null)
            problems.Add("Coordinator:PublicBaseUrl is missing, and every CloudEvent names it as its source: set Coordinator__PublicBaseUrl to the address this coordinator is reached at, such as https://coordinator.example.com.");
        if (problems.Count > 0)
            throw new InvalidOperationException("The CloudEvents webhooks cannot start: " + string.Join(" ", problems));
        return targets;
    }

    /// <summary>The configuration key of a setting given as an environment variable name (<c>Coordinator__Events__Onboarding__Secret</c> → <c>Coordinator:Events:Onboarding:Secret</c>) or as a key already.</summary>
    public static string SettingKey(string setting)
    {
        ArgumentException.ThrowIfNullOrEmpty(setting);
        return setting.Replace("__", ":", StringComparison.Ordinal);
    }

    private static string SettingVariable(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);
}
