using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

/// <summary>
/// HubSpot (<c>Coordinator:Crm:HubSpot</c>; environment <c>Coordinator__Crm__HubSpot__AccessToken</c>, ...), and the public
/// URL HubSpot calls (<c>Coordinator:PublicBaseUrl</c>, top level: the webhook's v3 signature covers it, and the instance
/// links written into the CRM start with it).
/// </summary>
public sealed class HubSpotOptions
{
    public const string Section = "Coordinator:Crm:HubSpot";

    /// <summary>The top-level setting with the host's public URL.</summary>
    public const string PublicBaseUrlSetting = "Coordinator:PublicBaseUrl";

    /// <summary>A private app's access token (<c>pat-...</c>), sent as <c>Authorization: Bearer</c>.</summary>
    public string? AccessToken { get; set; }

    /// <summary>The app's client secret: the key of the webhooks' <c>X-HubSpot-Signature-v3</c>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Where HubSpot's API is; tests point it at a loopback server.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.hubapi.com");

    /// <summary>
    /// Requests per 10 seconds for the app, shared by every host (HubSpot's published limit: 100 for public apps; private
    /// apps on Professional and Enterprise get 190).
    /// </summary>
    public int RequestsPer10Seconds { get; set; } = 100;

    /// <summary>How often a dispatcher with nothing to do looks for due updates (each enqueue wakes it on its own host).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The wait after a record's first failure; it doubles after each further one, up to 30 minutes.</summary>
    public TimeSpan FirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a dispatcher holds a record while it applies its updates.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Taken from <c>Coordinator:PublicBaseUrl</c>: the webhook is <c>{PublicBaseUrl}/api/webhooks/hubspot</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Whether any HubSpot setting is given: then HubSpot is on, and its settings must be complete.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccessToken) || !string.IsNullOrWhiteSpace(ClientSecret);

    /// <summary>The webhook's URL as HubSpot signs it.</summary>
    internal Uri WebhookUrl => new(PublicBaseUrl!.TrimEnd('/') + HubSpotWebhook.Route);

    /// <summary>The link to an instance written into the CRM (the web inbox's instance page).</summary>
    internal string InstanceUrl(string instanceId) => $"{PublicBaseUrl!.TrimEnd('/')}/inbox/instances/{Uri.EscapeDataString(instanceId)}";
}

/// <summary>Checks the HubSpot settings at start-up, with what to do about each problem.</summary>
public sealed class HubSpotOptionsValidator : IValidateOptions<HubSpotOptions>
{
    public ValidateOptionsResult Validate(string? name, HubSpotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AccessToken))
            problems.Add("Coordinator__Crm__HubSpot__AccessToken is missing: create a private app in HubSpot (Settings → Integrations → Private apps) with the CRM scopes of docs/hubspot.md and copy its access token.");
        if (string.IsNullOrWhiteSpace(options.ClientSecret))
            problems.Add("Coordinator__Crm__HubSpot__ClientSecret is missing: copy the app's client secret (its Auth tab); HubSpot signs its webhooks with it.");
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl) || !Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && !url.IsLoopback))
            problems.Add("Coordinator__PublicBaseUrl must be this host's public https:// URL (such as https://coordinator.example.com): HubSpot signs its webhook over it, and the deals link to the instances with it.");
        if (!options.ApiBaseUrl.IsAbsoluteUri || (options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && !options.ApiBaseUrl.IsLoopback))
            problems.Add($"Coordinator__Crm__HubSpot__ApiBaseUrl must be an https:// URL (it is {options.ApiBaseUrl}); leave it out for https://api.hubapi.com.");
        if (options.RequestsPer10Seconds is < 1 or > 1000)
            problems.Add($"Coordinator__Crm__HubSpot__RequestsPer10Seconds must be between 1 and 1000 (HubSpot's limit for the app: 100, or 190 for private apps on Professional and Enterprise); it is {options.RequestsPer10Seconds}.");
        if (options.PollInterval <= TimeSpan.Zero || options.FirstRetryInterval <= TimeSpan.Zero || options.Lease < TimeSpan.FromSeconds(10))
            problems.Add("Coordinator__Crm__HubSpot__PollInterval and __FirstRetryInterval must be positive and __Lease at least 00:00:10.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
