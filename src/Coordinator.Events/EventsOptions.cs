using Microsoft.Extensions.Options;

namespace Coordinator.Events;

/// <summary>
/// The host-wide CloudEvents webhook (<c>Coordinator:Events:Webhook</c>; environment <c>Coordinator__Events__Webhook__Url</c>,
/// <c>__Secret</c>) and the relay's pace. The secret signs the outbound events and authenticates the inbound ones.
/// </summary>
public sealed class EventsOptions
{
    public const string Section = "Coordinator:Events:Webhook";

    /// <summary>Where every instance's events go (those of a workflow with its own <c>crm.webhook</c> go there instead); null = no host-wide receiver.</summary>
    public Uri? Url { get; set; }

    /// <summary>The Standard Webhooks secret, <c>whsec_&lt;Base64 key&gt;</c>: signs what is sent to <see cref="Url"/> and authenticates <c>POST /api/webhooks/events</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// The coordinator's public URL (<c>Coordinator:PublicBaseUrl</c>, top level, shared with the channels): every
    /// outbound event's <c>source</c>. Required when events are sent.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>The top-level setting <see cref="PublicBaseUrl"/> is read from.</summary>
    public const string PublicBaseUrlSetting = "Coordinator:PublicBaseUrl";

    /// <summary>How often an idle relay looks for new rows of the audit registry.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait after a target's first failure; it doubles with each failure in a row up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a receiver may take to answer one event.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The lease a relay holds on a target: longer than a request may take, so only a stalled host loses it mid-delivery.</summary>
    internal TimeSpan Lease => RequestTimeout + TimeSpan.FromSeconds(30);
}

/// <summary>Checks the host-wide webhook's settings at start-up, with what to do about each problem.</summary>
public sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        // The secret is needed to send (Url) and to receive; a host whose only receivers are definitions' needs none.
        if ((options.Url is not null || options.Secret is not null)
            && SecretProblem("Coordinator:Events:Webhook:Secret", "Coordinator__Events__Webhook__Secret", options.Secret) is { } secret)
            problems.Add(secret);
        if (options.Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http")))
            problems.Add($"Coordinator:Events:Webhook:Url '{url}' is not an http(s) URL: set Coordinator__Events__Webhook__Url to the receiver's full address, such as https://tickets.example.com/hooks/coordinator.");
        if (options.Url is not null && options.PublicBaseUrl is null)
            problems.Add("Coordinator:PublicBaseUrl is missing, and every CloudEvent sent to Coordinator:Events:Webhook:Url names it as its source: set Coordinator__PublicBaseUrl to the address people and systems reach this coordinator at, such as https://coordinator.example.com.");
        else if (options.PublicBaseUrl is { IsAbsoluteUri: false } publicUrl)
            problems.Add($"Coordinator:PublicBaseUrl '{publicUrl}' is not an absolute URL: set Coordinator__PublicBaseUrl to https://<host> (the CloudEvents' source).");
        if (options.PollInterval <= TimeSpan.Zero || options.RetryInitialDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryInitialDelay || options.RequestTimeout <= TimeSpan.Zero)
            problems.Add("Coordinator:Events:Webhook: PollInterval, RetryInitialDelay and RequestTimeout must be above 0 and RetryMaxDelay at least RetryInitialDelay (defaults 00:00:01, 00:00:05, 00:00:30 and 00:05:00).");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>What is wrong with a Standard Webhooks secret named <paramref name="key"/> (set as <paramref name="variable"/>); null when it is one.</summary>
    public static string? SecretProblem(string key, string variable, string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
            return $"{key} is missing: set {variable} to a Standard Webhooks secret, whsec_ followed by a random key in Base64 (for example: echo whsec_$(openssl rand -base64 32)), and give the receiver the same value.";
        if (!secret.StartsWith(StandardWebhooks.SecretPrefix, StringComparison.Ordinal))
            return $"{key} does not start with whsec_: Standard Webhooks secrets are whsec_ followed by the key in Base64 (whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw); set {variable} to such a value, the same the receiver verifies with.";
        if (StandardWebhooks.ParseSecret(secret) is null)
            return $"{key} is whsec_ followed by something that is not Base64 (or is empty): the part after whsec_ must be the key in standard Base64 with its = padding (echo whsec_$(openssl rand -base64 32)); set {variable} again, without quotes or spaces.";
        return null;
    }
}
