using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Slack;

/// <summary>The Slack app (<c>Coordinator:Channels:Slack</c>; environment <c>Coordinator__Channels__Slack__BotToken</c>, ...).</summary>
public sealed class SlackOptions
{
    public const string Section = "Coordinator:Channels:Slack";

    /// <summary>The bot user OAuth token (<c>xoxb-...</c>), with the <c>chat:write</c> and <c>im:write</c> scopes.</summary>
    public string? BotToken { get; set; }

    /// <summary>The app's signing secret (Basic Information → App Credentials): the webhooks check every request with it.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Where Slack's Web API is; tests point it at a loopback server.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>Messages per second to one conversation (Slack: about one per second per channel).</summary>
    public double PerConversationPerSecond { get; set; } = 1;

    /// <summary>Messages a conversation may take at once before the per-second limit applies.</summary>
    public int ConversationBurst { get; set; } = 1;

    /// <summary>Messages per second for the whole workspace.</summary>
    public double PerWorkspacePerSecond { get; set; } = 20;

    /// <summary>Messages the workspace may take at once.</summary>
    public int WorkspaceBurst { get; set; } = 20;

    /// <summary>Whether any Slack setting is given: then the channel is on, and its settings must be complete.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(BotToken) || !string.IsNullOrWhiteSpace(SigningSecret);
}

/// <summary>Checks the Slack settings at start-up, with what to do about each problem.</summary>
public sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BotToken))
            problems.Add("Coordinator:Channels:Slack:BotToken is missing: set Coordinator__Channels__Slack__BotToken to the app's bot token (OAuth & Permissions → Bot User OAuth Token, xoxb-...).");
        else if (!options.BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
            problems.Add("Coordinator:Channels:Slack:BotToken is not a bot token: it starts with 'xoxb-' (OAuth & Permissions → Bot User OAuth Token); user tokens (xoxp-) and app tokens (xapp-) do not work here.");
        if (string.IsNullOrWhiteSpace(options.SigningSecret))
            problems.Add("Coordinator:Channels:Slack:SigningSecret is missing: set Coordinator__Channels__Slack__SigningSecret to the app's signing secret (Basic Information → App Credentials); without it replies cannot be authenticated.");
        if (!options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
            problems.Add($"Coordinator:Channels:Slack:ApiBaseUrl '{options.ApiBaseUrl}' is not an http(s) URL; leave it unset for https://slack.com/api/.");
        if (options.PerConversationPerSecond is <= 0 or > 100 || options.PerWorkspacePerSecond is <= 0 or > 1000)
            problems.Add("Coordinator:Channels:Slack:PerConversationPerSecond and PerWorkspacePerSecond must be above 0 (at most 100 and 1000); Slack allows about 1 message per second per conversation.");
        if (options.ConversationBurst is < 1 or > 100 || options.WorkspaceBurst is < 1 or > 1000)
            problems.Add("Coordinator:Channels:Slack:ConversationBurst and WorkspaceBurst must be at least 1 (at most 100 and 1000).");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
