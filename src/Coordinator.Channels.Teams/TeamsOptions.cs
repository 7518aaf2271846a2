using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Teams;

/// <summary>The Azure Bot of Microsoft Teams (<c>Coordinator:Channels:Teams</c>; environment <c>Coordinator__Channels__Teams__AppId</c>, ...).</summary>
public sealed class TeamsOptions
{
    public const string Section = "Coordinator:Channels:Teams";

    /// <summary>The bot's Microsoft App ID (a GUID): the audience of the tokens Teams sends, the client id of ours.</summary>
    public string? AppId { get; set; }

    /// <summary>The bot's client secret (the App registration's Certificates &amp; secrets).</summary>
    public string? AppPassword { get; set; }

    /// <summary>Where the bot gets its token for the Bot Connector (client credentials).</summary>
    public Uri TokenEndpoint { get; set; } = new("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token");

    /// <summary>The scope of that token.</summary>
    public string Scope { get; set; } = "https://api.botframework.com/.default";

    /// <summary>The Bot Framework's OpenID metadata: where the keys that sign Teams' requests are published.</summary>
    public Uri OpenIdMetadataUrl { get; set; } = new("https://login.botframework.com/v1/.well-known/openidconfiguration");

    /// <summary>The issuer of the tokens Teams sends.</summary>
    public string Issuer { get; set; } = "https://api.botframework.com";

    /// <summary>
    /// Messages per second to one conversation. Teams allows a bot 7 messages a second in one conversation, 60 in 30
    /// seconds and 1,800 an hour; one a second keeps well inside all three.
    /// </summary>
    public double PerConversationPerSecond { get; set; } = 1;

    /// <summary>Messages a conversation may take at once.</summary>
    public int ConversationBurst { get; set; } = 3;

    /// <summary>Messages per second for the bot across all conversations (Teams: 50 requests a second per bot).</summary>
    public double PerBotPerSecond { get; set; } = 30;

    /// <summary>Messages the bot may send at once.</summary>
    public int BotBurst { get; set; } = 30;

    /// <summary>Whether any Teams credential is given: then the channel is on, and its settings must be complete.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(AppId) || !string.IsNullOrWhiteSpace(AppPassword);
}

/// <summary>Checks the Teams settings at start-up, with what to do about each problem.</summary>
public sealed class TeamsOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AppId))
            problems.Add("Coordinator:Channels:Teams:AppId is missing: set Coordinator__Channels__Teams__AppId to the Azure Bot's Microsoft App ID (Azure Bot → Configuration).");
        else if (!Guid.TryParse(options.AppId, out _))
            problems.Add($"Coordinator:Channels:Teams:AppId '{options.AppId}' is not a Microsoft App ID: set Coordinator__Channels__Teams__AppId to the GUID under Azure Bot → Configuration → Microsoft App ID.");
        if (string.IsNullOrWhiteSpace(options.AppPassword))
            problems.Add("Coordinator:Channels:Teams:AppPassword is missing: set Coordinator__Channels__Teams__AppPassword to a client secret of the bot's App registration (Certificates & secrets → New client secret).");
        foreach (var (setting, url) in new[] { ("TokenEndpoint", options.TokenEndpoint), ("OpenIdMetadataUrl", options.OpenIdMetadataUrl) })
        {
            if (!url.IsAbsoluteUri || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
                problems.Add($"Coordinator:Channels:Teams:{setting} '{url}' must be an https URL (http only on a loopback address, for tests); leave it unset for the Bot Framework's.");
        }
        if (string.IsNullOrWhiteSpace(options.Scope) || string.IsNullOrWhiteSpace(options.Issuer))
            problems.Add("Coordinator:Channels:Teams:Scope and Issuer must not be empty; leave them unset for the Bot Framework's.");
        if (options.PerConversationPerSecond is <= 0 or > 7 || options.PerBotPerSecond is <= 0 or > 50)
            problems.Add("Coordinator:Channels:Teams:PerConversationPerSecond must be above 0 and at most 7, PerBotPerSecond above 0 and at most 50 (Teams' published limits for a bot).");
        if (options.ConversationBurst is < 1 or > 7 || options.BotBurst is < 1 or > 50)
            problems.Add("Coordinator:Channels:Teams:ConversationBurst must be 1 to 7 and BotBurst 1 to 50.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
