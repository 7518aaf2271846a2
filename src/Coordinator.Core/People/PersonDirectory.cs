using System.Collections.Frozen;
using System.Globalization;
using Coordinator.Core.Definitions;

namespace Coordinator.Core.People;

/// <summary>
/// Who the people of the workflows are and where they are reached: by person id for outbound
/// messages, by channel handle to tell who sent a reply.
/// </summary>
public interface IPersonDirectory
{
    /// <summary>Whether a directory file was loaded; without one, everybody is reached in the inbox.</summary>
    bool IsConfigured { get; }

    IReadOnlyList<Person> People { get; }

    /// <summary>The person with this id; null when the directory does not list them (they get the inbox).</summary>
    Person? Find(string personId);

    /// <summary>
    /// The person a channel handle belongs to: a Slack user id, a WhatsApp number (E.164), a Telegram
    /// chat id, a Teams conversation id or user id. Null for an unknown sender.
    /// </summary>
    Person? FindByHandle(ChannelKind channel, string handle);
}

/// <summary>The loaded people directory (immutable; the loader guarantees that ids and handles are unique).</summary>
public sealed class PersonDirectory : IPersonDirectory
{
    private readonly FrozenDictionary<string, Person> byId;
    private readonly FrozenDictionary<(ChannelKind, string), Person> byHandle;

    public PersonDirectory(IEnumerable<Person> people, SourceMap? source = null)
    {
        ArgumentNullException.ThrowIfNull(people);
        People = [.. people];
        Source = source;
        byId = People.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        byHandle = People.SelectMany(p => HandlesOf(p).Select(h => (h, p)))
            .DistinctBy(e => e.h)
            .ToFrozenDictionary(e => e.h, e => e.p);
    }

    /// <summary>No directory: nobody is listed, everybody gets the inbox.</summary>
    public static PersonDirectory None { get; } = new([]) { IsConfigured = false };

    public bool IsConfigured { get; private init; } = true;

    public IReadOnlyList<Person> People { get; }

    /// <summary>Where each person sits in the file (<c>people.it.engineer.slack</c>), when loaded from one.</summary>
    public SourceMap? Source { get; }

    public Person? Find(string personId) => byId.GetValueOrDefault(personId);

    public Person? FindByHandle(ChannelKind channel, string handle) =>
        byHandle.GetValueOrDefault((channel, channel == ChannelKind.WhatsApp ? WithoutPrefix(handle) : handle));

    /// <summary>The handles that identify a person on each channel (what must be unique across the directory).</summary>
    internal static IEnumerable<(ChannelKind Channel, string Handle)> HandlesOf(Person person)
    {
        // The chat endpoint knows the person from their key: the handle is the id.
        yield return (ChannelKind.Chat, person.Id);
        if (person.Slack is { } slack)
            yield return (ChannelKind.Slack, slack);
        if (person.WhatsApp is { } number)
            yield return (ChannelKind.WhatsApp, number);
        if (person.Telegram is { } chat)
            yield return (ChannelKind.Telegram, chat.ToString(CultureInfo.InvariantCulture));
        if (person.Teams is { } teams)
        {
            yield return (ChannelKind.Teams, teams.Conversation);
            if (teams.User is { } user)
                yield return (ChannelKind.Teams, user);
        }
    }

    /// <summary>Twilio writes WhatsApp senders as <c>whatsapp:+39...</c>; the directory holds the number.</summary>
    private static string WithoutPrefix(string handle) =>
        handle.StartsWith("whatsapp:", StringComparison.OrdinalIgnoreCase) ? handle["whatsapp:".Length..] : handle;
}
