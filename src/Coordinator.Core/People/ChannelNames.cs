namespace Coordinator.Core.People;

/// <summary>The channels' names in configuration, the directory, the database and metrics: <c>inbox</c>, <c>slack</c>, <c>teams</c>, <c>whatsapp</c>, <c>telegram</c>, <c>chat</c>.</summary>
public static class ChannelNames
{
    public static string Of(ChannelKind kind) => kind switch
    {
        ChannelKind.Inbox => "inbox",
        ChannelKind.Slack => "slack",
        ChannelKind.Teams => "teams",
        ChannelKind.WhatsApp => "whatsapp",
        ChannelKind.Telegram => "telegram",
        ChannelKind.Chat => "chat",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a channel"),
    };

    public static ChannelKind Parse(string name) => name switch
    {
        "inbox" => ChannelKind.Inbox,
        "slack" => ChannelKind.Slack,
        "teams" => ChannelKind.Teams,
        "whatsapp" => ChannelKind.WhatsApp,
        "telegram" => ChannelKind.Telegram,
        "chat" => ChannelKind.Chat,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a channel name"),
    };
}
