namespace Coordinator.Core.People;

/// <summary>Where a person is reached. The web inbox always shows everything; the others are chat channels.</summary>
public enum ChannelKind
{
    Inbox,
    Slack,
    Teams,
    WhatsApp,
    Telegram,

    /// <summary>
    /// Any OpenAI-compatible chat client, through <c>/v1/chat/completions</c>: the person asks and the coordinator answers
    /// (the handle is the person's id, authenticated by their chat key). Not a preferred channel: nothing is pushed to it.
    /// </summary>
    Chat,
}

/// <summary>A person's personal chat with the Teams bot: the conversation and the Bot Connector service that hosts it.</summary>
/// <param name="User">The person's Teams user id, when known (replies then match it as well as the conversation).</param>
public sealed record TeamsAddress(string Conversation, Uri ServiceUrl, string? User = null);

/// <summary>
/// When a person is not to be disturbed, in their own time zone: every day from <see cref="From"/> to
/// <see cref="To"/> (across midnight when <c>To</c> is earlier), and all of Saturday and Sunday when
/// <see cref="Weekends"/>.
/// </summary>
public sealed record QuietHours(TimeOnly From, TimeOnly To, bool Weekends)
{
    /// <summary>Whether a local time of day and day of week falls inside the quiet hours.</summary>
    public bool Covers(DateTime local) =>
        (Weekends && local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) || InDailyWindow(TimeOnly.FromDateTime(local));

    /// <summary>
    /// When a message sent at <paramref name="now"/> is to be delivered to a person in <paramref name="zone"/>:
    /// <paramref name="now"/> itself outside the quiet hours, otherwise the end of them (the first local moment that
    /// is not quiet, such as 08:00 the next morning, or Monday 08:00 after a quiet weekend), converted back through the
    /// zone's rules on that day, so a daylight-saving change in between moves the instant, not the local hour. A local
    /// end that the clocks skip (spring forward) becomes the first instant after the gap.
    /// </summary>
    public DateTimeOffset DeliveryTime(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        if (!Covers(local))
            return now;
        // At most: the daily window's end, then (a weekend) Monday 00:00, then the window's end on Monday.
        for (var step = 0; step < 4 && Covers(local); step++)
        {
            if (Weekends && local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                var daysToMonday = local.DayOfWeek == DayOfWeek.Saturday ? 2 : 1;
                local = local.Date.AddDays(daysToMonday);
                continue;
            }
            var time = TimeOnly.FromDateTime(local);
            local = time < To ? local.Date + To.ToTimeSpan() : local.Date.AddDays(1) + To.ToTimeSpan();
        }
        return ToInstant(local, zone);
    }

    private bool InDailyWindow(TimeOnly time) =>
        From < To ? time >= From && time < To : time >= From || time < To;

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // Spring forward: the local time does not exist; the clocks show it again only after the gap.
        while (zone.IsInvalidTime(unspecified))
            unspecified = unspecified.AddMinutes(1);
        // Fall back: the first of the two instants that show this local time.
        var offset = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified).Max() : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }
}

/// <summary>One person of the directory (<c>workflow-definitions/people.yaml</c>, schema <c>coordinator/people-v1</c>).</summary>
public sealed record Person
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The preferred channel; its handle is present (the loader checks it).</summary>
    public ChannelKind Channel { get; init; } = ChannelKind.Inbox;

    /// <summary>Slack user id, such as <c>U024BE7LH</c>.</summary>
    public string? Slack { get; init; }

    public TeamsAddress? Teams { get; init; }

    /// <summary>WhatsApp number in E.164, such as <c>+393471234567</c>.</summary>
    public string? WhatsApp { get; init; }

    /// <summary>Telegram chat id.</summary>
    public long? Telegram { get; init; }

    public string? Email { get; init; }

    /// <summary>The person's HubSpot owner id (the CRM maps deal owners to people with it).</summary>
    public string? HubSpotOwner { get; init; }

    /// <summary><c>en</c> or <c>it</c>.</summary>
    public string Language { get; init; } = PersonLanguages.Default;

    /// <summary>IANA time zone id (the loader checks that the system knows it).</summary>
    public string TimeZone { get; init; } = "UTC";

    public QuietHours? QuietHours { get; init; }

    /// <summary>Whether the person has a handle on the channel (the inbox always).</summary>
    public bool CanBeReachedOn(ChannelKind channel) => channel switch
    {
        ChannelKind.Inbox => true,
        ChannelKind.Slack => Slack is not null,
        ChannelKind.Teams => Teams is not null,
        ChannelKind.WhatsApp => WhatsApp is not null,
        ChannelKind.Telegram => Telegram is not null,
        _ => false,
    };
}

/// <summary>The languages messages are written in.</summary>
public static class PersonLanguages
{
    public const string Default = "en";

    public static IReadOnlyList<string> All { get; } = ["en", "it"];
}
