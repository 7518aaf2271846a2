using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Telegram;

/// <summary>The Telegram bot (<c>Coordinator:Channels:Telegram</c>; environment <c>Coordinator__Channels__Telegram__BotToken</c>, ...).</summary>
public sealed class TelegramOptions
{
    public const string Section = "Coordinator:Channels:Telegram";

    /// <summary>The bot's token as @BotFather gives it: <c>&lt;bot id&gt;:&lt;35 characters&gt;</c>.</summary>
    public string? BotToken { get; set; }

    /// <summary>
    /// The <c>secret_token</c> given to <c>setWebhook</c> (1-256 characters of <c>A-Z a-z 0-9 _ -</c>): Telegram sends it
    /// in <c>X-Telegram-Bot-Api-Secret-Token</c> with every update, and the webhook refuses requests without it.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where the Bot API is (scheme and authority only; the path is <c>/bot&lt;token&gt;/&lt;method&gt;</c>); tests point it at a loopback server.</summary>
    public Uri ApiBaseUrl { get; set; } = new(DefaultApiBaseUrl);

    /// <summary>Messages per second to one chat (Telegram: avoid more than one per second in a chat).</summary>
    public double PerChatPerSecond { get; set; } = 1;

    /// <summary>Messages a chat may take at once before the per-second limit applies.</summary>
    public int ChatBurst { get; set; } = 1;

    /// <summary>Messages per second for the whole bot (Telegram: about 30 per second to different chats).</summary>
    public double PerBotPerSecond { get; set; } = 30;

    /// <summary>Messages the bot may send at once.</summary>
    public int BotBurst { get; set; } = 30;

    /// <summary>Whether any Telegram setting is given: then the channel is on, and its settings must be complete.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(BotToken) || !string.IsNullOrWhiteSpace(WebhookSecret);

    internal const string DefaultApiBaseUrl = "https://api.telegram.org";
}

/// <summary>Checks the Telegram settings at start-up, with what to do about each problem.</summary>
public sealed partial class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BotToken))
            problems.Add("Coordinator:Channels:Telegram:BotToken is missing: set Coordinator__Channels__Telegram__BotToken to the token @BotFather gave when the bot was created (/newbot; /token shows it again), such as 123456789:AAE... .");
        else if (!TokenFormat().IsMatch(options.BotToken))
            problems.Add("Coordinator:Channels:Telegram:BotToken is not a bot token: @BotFather's tokens are the bot's number, a colon and 35 characters of A-Z a-z 0-9 _ - (123456789:AAE...); copy it whole from @BotFather (/token), without quotes or spaces.");
        if (string.IsNullOrWhiteSpace(options.WebhookSecret))
            problems.Add("Coordinator:Channels:Telegram:WebhookSecret is missing: set Coordinator__Channels__Telegram__WebhookSecret to a random secret of 1-256 characters of A-Z a-z 0-9 _ - and give the same value as secret_token to setWebhook; without it updates cannot be authenticated.");
        else if (!SecretFormat().IsMatch(options.WebhookSecret))
            problems.Add("Coordinator:Channels:Telegram:WebhookSecret is not a valid secret_token: Telegram allows 1-256 characters of A-Z a-z 0-9 _ - only (for example the output of `openssl rand -hex 32`); set Coordinator__Channels__Telegram__WebhookSecret and setWebhook's secret_token to the same such value.");
        if (!options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
            problems.Add($"Coordinator:Channels:Telegram:ApiBaseUrl '{options.ApiBaseUrl}' is not an http(s) URL; leave it unset for {TelegramOptions.DefaultApiBaseUrl} (or give a local Bot API server, such as http://localhost:8081).");
        else if (options.ApiBaseUrl.AbsolutePath != "/" || options.ApiBaseUrl.Query.Length > 0)
            problems.Add($"Coordinator:Channels:Telegram:ApiBaseUrl '{options.ApiBaseUrl}' has a path; the Bot API's methods are always at <scheme>://<host>/bot<token>/<method>, so give the scheme and host only (such as {TelegramOptions.DefaultApiBaseUrl}), or leave it unset.");
        if (options.PerChatPerSecond is <= 0 or > 100 || options.PerBotPerSecond is <= 0 or > 1000)
            problems.Add("Coordinator:Channels:Telegram:PerChatPerSecond and PerBotPerSecond must be above 0 (at most 100 and 1000); Telegram allows about 1 message per second in a chat and 30 per second for the bot.");
        if (options.ChatBurst is < 1 or > 100 || options.BotBurst is < 1 or > 1000)
            problems.Add("Coordinator:Channels:Telegram:ChatBurst and BotBurst must be at least 1 (at most 100 and 1000).");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{35}$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenFormat();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretFormat();
}
