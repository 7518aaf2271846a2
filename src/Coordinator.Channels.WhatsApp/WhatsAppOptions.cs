using System.Text.RegularExpressions;
using Coordinator.Channels.Rendering;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.WhatsApp;

/// <summary>
/// WhatsApp through Twilio (<c>Coordinator:Channels:WhatsApp</c>; environment
/// <c>Coordinator__Channels__WhatsApp__AccountSid</c>, ...), and the public URL Twilio calls
/// (<c>Coordinator:PublicBaseUrl</c>, top level: the webhook's signature covers it).
/// </summary>
public sealed class WhatsAppOptions
{
    public const string Section = "Coordinator:Channels:WhatsApp";

    /// <summary>The top-level setting with the host's public URL, which WhatsApp's webhook signature is computed over.</summary>
    public const string PublicBaseUrlSetting = "Coordinator:PublicBaseUrl";

    /// <summary>The Twilio account (Console → Account Info): <c>AC</c> and 32 hexadecimal digits.</summary>
    public string? AccountSid { get; set; }

    /// <summary>The account's Auth Token: the REST API's password, and the key of the webhooks' <c>X-Twilio-Signature</c>.</summary>
    public string? AuthToken { get; set; }

    /// <summary>The WhatsApp sender, <c>whatsapp:+E.164</c> (the sandbox's is <c>whatsapp:+14155238886</c>).</summary>
    public string? From { get; set; }

    /// <summary>Where Twilio's REST API is; tests point it at a loopback server.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.twilio.com");

    /// <summary>
    /// Content templates approved by WhatsApp, by message kind (the template file names: <c>step-assigned</c>,
    /// <c>reminder</c>, ...; or with <c>_</c>: <c>step_assigned</c>) → <c>HX...</c> Content SID. A kind listed here is sent as <c>ContentSid</c> and
    /// <c>ContentVariables</c> (1: headline, 2: facts, 3: choices), which WhatsApp delivers outside the 24-hour window
    /// that free-form text needs.
    /// </summary>
    public Dictionary<string, string> ContentSids { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Messages per second to one person (one conversation).</summary>
    public double PerConversationPerSecond { get; set; } = 1;

    /// <summary>Messages one person may get at once before the per-second limit applies.</summary>
    public int ConversationBurst { get; set; } = 1;

    /// <summary>Messages per second for the sender number (Twilio's default WhatsApp sender throughput is 80 MPS).</summary>
    public double PerSenderPerSecond { get; set; } = 80;

    /// <summary>Messages the sender may send at once.</summary>
    public int SenderBurst { get; set; } = 80;

    /// <summary>
    /// The public URL of this host as Twilio calls it (behind a proxy the request's own URL differs), taken from
    /// <c>Coordinator:PublicBaseUrl</c>; the webhook is <c>{PublicBaseUrl}/api/webhooks/twilio</c>.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Whether any WhatsApp setting is given: then the channel is on, and its settings must be complete.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid) || !string.IsNullOrWhiteSpace(AuthToken) || !string.IsNullOrWhiteSpace(From);

    /// <summary>The Content SID configured for <paramref name="kind"/>, its name written with <c>-</c> or <c>_</c> (shells refuse <c>-</c> in variable names).</summary>
    internal string? ContentSidFor(MessageKind kind)
    {
        foreach (var (name, sid) in ContentSids)
        {
            if (string.Equals(name.Replace('_', '-'), kind.FileName(), StringComparison.OrdinalIgnoreCase))
                return sid;
        }
        return null;
    }

    /// <summary>The webhook's URL as Twilio signs it (without the query string).</summary>
    internal string WebhookUrl => PublicBaseUrl!.TrimEnd('/') + WhatsAppWebhook.Route;
}

/// <summary>Checks the WhatsApp settings at start-up, with what to do about each problem.</summary>
public sealed partial class WhatsAppOptionsValidator : IValidateOptions<WhatsAppOptions>
{
    public ValidateOptionsResult Validate(string? name, WhatsAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AccountSid))
            problems.Add("Coordinator:Channels:WhatsApp:AccountSid is missing: set Coordinator__Channels__WhatsApp__AccountSid to the Twilio account SID (Twilio Console → Account Info, AC...).");
        else if (!AccountSidPattern().IsMatch(options.AccountSid))
            problems.Add("Coordinator:Channels:WhatsApp:AccountSid is not an account SID: it is 'AC' and 32 hexadecimal digits (Twilio Console → Account Info); API key SIDs (SK...) do not work here.");
        if (string.IsNullOrWhiteSpace(options.AuthToken))
            problems.Add("Coordinator:Channels:WhatsApp:AuthToken is missing: set Coordinator__Channels__WhatsApp__AuthToken to the account's Auth Token (Twilio Console → Account Info); it also authenticates Twilio's webhooks.");
        if (string.IsNullOrWhiteSpace(options.From))
            problems.Add("Coordinator:Channels:WhatsApp:From is missing: set Coordinator__Channels__WhatsApp__From to the WhatsApp sender, such as whatsapp:+14155238886 (the sandbox) or your approved sender.");
        else if (!FromPattern().IsMatch(options.From))
            problems.Add($"Coordinator:Channels:WhatsApp:From '{options.From}' is not a WhatsApp sender: write it as whatsapp: and the number in E.164, such as whatsapp:+14155238886.");
        if (!options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
            problems.Add($"Coordinator:Channels:WhatsApp:ApiBaseUrl '{options.ApiBaseUrl}' is not an http(s) URL; leave it unset for https://api.twilio.com.");
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
            problems.Add("Coordinator:PublicBaseUrl is missing: set Coordinator__PublicBaseUrl to this host's public URL as Twilio calls it (such as https://coordinator.example.com); Twilio signs every webhook over that URL, so replies cannot be authenticated without it.");
        else if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(publicUrl.Query) || !string.IsNullOrEmpty(publicUrl.Fragment))
            problems.Add($"Coordinator:PublicBaseUrl '{options.PublicBaseUrl}' is not an http(s) URL without query: set Coordinator__PublicBaseUrl to the scheme, host and path prefix Twilio calls, such as https://coordinator.example.com.");
        foreach (var (kind, sid) in options.ContentSids)
        {
            if (!MessageKinds.TryParse(kind.Replace('_', '-').ToLowerInvariant(), out _))
                problems.Add($"Coordinator:Channels:WhatsApp:ContentSids:{kind} is not a message kind: use {string.Join(", ", MessageKinds.All.Select(k => k.FileName()))}.");
            if (!ContentSidPattern().IsMatch(sid ?? ""))
                problems.Add($"Coordinator:Channels:WhatsApp:ContentSids:{kind} '{sid}' is not a Content SID: it is 'HX' and 32 hexadecimal digits (Content Template Builder).");
        }
        if (options.PerConversationPerSecond is <= 0 or > 100 || options.PerSenderPerSecond is <= 0 or > 1000)
            problems.Add("Coordinator:Channels:WhatsApp:PerConversationPerSecond and PerSenderPerSecond must be above 0 (at most 100 and 1000); Twilio's WhatsApp senders take 80 messages per second by default.");
        if (options.ConversationBurst is < 1 or > 100 || options.SenderBurst is < 1 or > 1000)
            problems.Add("Coordinator:Channels:WhatsApp:ConversationBurst and SenderBurst must be at least 1 (at most 100 and 1000).");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex(@"^whatsapp:\+[1-9][0-9]{6,14}$")]
    private static partial Regex FromPattern();

    [GeneratedRegex("^HX[0-9a-fA-F]{32}$")]
    private static partial Regex ContentSidPattern();
}
