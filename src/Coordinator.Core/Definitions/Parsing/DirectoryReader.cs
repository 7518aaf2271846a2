using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Coordinator.Core.People;

namespace Coordinator.Core.Definitions.Parsing;

/// <summary>
/// Reads the people directory (<c>schema: coordinator/people-v1</c>) with the same strictness as a
/// definition: known and unique keys, typed values, well-formed handles that belong to one person
/// only, a preferred channel the person can be reached on, a time zone and language the host knows.
/// </summary>
internal sealed partial class DirectoryReader(string fileName, DiagnosticBag bag) : NodeReader(fileName, bag)
{
    internal static readonly string[] RootKeys = ["schema", "people"];
    internal static readonly string[] PersonKeys = ["name", "channel", "slack", "teams", "whatsapp", "telegram", "email", "hubspot_owner", "language", "time_zone", "quiet_hours"];
    internal static readonly string[] TeamsKeys = ["conversation", "service_url", "user"];
    internal static readonly string[] QuietHoursKeys = ["from", "to", "weekends"];

    private static readonly Dictionary<string, ChannelKind> Channels =
        Enum.GetValues<ChannelKind>().Where(static kind => kind != ChannelKind.Chat).ToDictionary(ChannelNames.Of, kind => kind, StringComparer.Ordinal);

    /// <summary>Slack user ids: <c>U024BE7LH</c>, or <c>W...</c> on Enterprise Grid.</summary>
    [GeneratedRegex("^[UW][A-Z0-9]{2,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlackUserPattern();

    /// <summary>E.164: a plus, a country code that does not start with 0, at most 15 digits in all.</summary>
    [GeneratedRegex("^\\+[1-9][0-9]{6,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164Pattern();

    [GeneratedRegex("^[0-9]{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigitsPattern();

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ClockPattern();

    /// <summary>Every handle read so far (<c>slack:U024BE7LH</c>, <c>email:...</c> in lower case), with its person.</summary>
    private readonly Dictionary<string, (string Person, SourceLocation At)> handles = new(StringComparer.Ordinal);

    /// <summary>The people as far as they could be read; null when the root is not a mapping.</summary>
    public List<Person>? Read(SyntaxNode root)
    {
        if (IsAbsent(root))
        {
            diagnostics.Error(DiagnosticCodes.NotOneDocument, root.Location, $"the document is empty; the people directory starts with 'schema: {PeopleDirectoryLoader.SchemaV1}' and lists 'people:'.");
            return null;
        }
        var fields = Open(root, "", "the people directory", RootKeys);
        if (fields is null)
            return null;
        var schema = RequiredText(fields, "schema");
        if (schema is not null && schema != PeopleDirectoryLoader.SchemaV1)
        {
            var hint = schema == WorkflowDefinition.SchemaV1
                ? " This file is named like the people directory but holds a workflow definition; rename it."
                : "";
            diagnostics.Error(DiagnosticCodes.UnsupportedSchema, fields["schema"]!.Location,
                $"unsupported schema '{schema}'; the people directory is read as '{PeopleDirectoryLoader.SchemaV1}' (write 'schema: {PeopleDirectoryLoader.SchemaV1}').{hint}");
        }

        var people = new List<Person>();
        var node = fields["people"];
        if (IsAbsent(node))
        {
            Missing(fields, "people", "a mapping from person id to their name and channels, e.g. 'it.engineer: { name: Marco Ferri, channel: slack, slack: U024BE7LH }'");
            return people;
        }
        if (node is not MappingNode mapping)
        {
            WrongType(node!, "'people'", "a mapping from person id to their name and channels");
            return people;
        }
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Entries)
        {
            if (keyNode is not ScalarNode { IsNull: false } key)
            {
                diagnostics.Error(DiagnosticCodes.WrongType, keyNode.Location, "a person id must be a plain name such as 'it.engineer'.");
                continue;
            }
            var id = key.Value;
            if (seen.TryGetValue(id, out var first))
            {
                diagnostics.Error(DiagnosticCodes.DuplicateKey, key.Location, $"person '{id}' is listed twice (first at line {first.Line}); merge the two entries.");
                continue;
            }
            seen[id] = key.Location;
            var path = SourcePaths.Child("people", id);
            locations[path] = key.Location;
            if (!Identifiers.IsPerson(id))
            {
                diagnostics.Error(DiagnosticCodes.InvalidId, key.Location, $"'{id}' is not a valid person id; use letters, digits, '.', '_', '-' or '@', such as 'csm.lead'.");
                continue;
            }
            if (ReadPerson(id, value, path) is { } person)
                people.Add(person);
        }
        return people;
    }

    private Person? ReadPerson(string id, SyntaxNode node, string path)
    {
        var what = $"person '{id}'";
        var fields = Open(node, path, what, PersonKeys);
        if (fields is null)
        {
            if (IsAbsent(node))
                diagnostics.Error(DiagnosticCodes.MissingRequired, node.Location, $"{what} is empty; give at least their 'name'.");
            return null;
        }
        var name = RequiredText(fields, "name");
        var slack = Handle(fields, "slack", id, SlackUserPattern(), "a Slack user id such as U024BE7LH (in Slack: the person's profile, More, Copy member ID)");
        var whatsApp = Handle(fields, "whatsapp", id, E164Pattern(), "a phone number in E.164 form, with '+' and the country code and no spaces, such as \"+393471234567\"");
        var telegram = TelegramChat(fields, id);
        var teams = ReadTeams(fields, id);
        var email = Email(fields, id);
        var hubSpotOwner = Handle(fields, "hubspot_owner", id, DigitsPattern(), "a HubSpot owner id (digits, such as \"12345\")");
        var channel = ReadChannel(fields);
        var language = ReadLanguage(fields);
        var timeZone = ReadTimeZone(fields);
        var quiet = ReadQuietHours(fields);
        if (name is null)
            return null;
        var person = new Person
        {
            Id = id,
            Name = name,
            Channel = channel ?? ChannelKind.Inbox,
            Slack = slack,
            Teams = teams,
            WhatsApp = whatsApp,
            Telegram = telegram,
            Email = email,
            HubSpotOwner = hubSpotOwner,
            Language = language ?? PersonLanguages.Default,
            TimeZone = timeZone ?? "UTC",
            QuietHours = quiet,
        };
        if (channel is { } preferred && !person.CanBeReachedOn(preferred))
        {
            // A handle given but malformed (or another's) is reported already.
            var key = ChannelKey(preferred);
            if (!fields.Has(key))
            {
                diagnostics.Error(DiagnosticCodes.ChannelWithoutHandle, fields["channel"]!.Location,
                    $"{what} prefers {key} but has no '{key}' handle; add '{key}: {HandleExample(preferred)}', or choose a channel they have a handle for (or inbox).");
            }
        }
        return person;
    }

    private ChannelKind? ReadChannel(MappingFields fields)
    {
        if (OptionalText(fields, "channel") is not { } text)
            return null;
        if (Channels.TryGetValue(text, out var channel))
            return channel;
        diagnostics.Error(DiagnosticCodes.InvalidValue, fields["channel"]!.Location,
            $"'{text}' is not a channel.{Suggestions.DidYouMean(text, Channels.Keys)} Channels: {string.Join(", ", Channels.Keys)}.");
        return null;
    }

    private string? ReadLanguage(MappingFields fields)
    {
        if (OptionalText(fields, "language") is not { } text)
            return null;
        if (PersonLanguages.All.Contains(text, StringComparer.Ordinal))
            return text;
        diagnostics.Error(DiagnosticCodes.UnknownLanguage, fields["language"]!.Location,
            $"'{text}' is not a language messages are written in; use one of {string.Join(", ", PersonLanguages.All)}.");
        return null;
    }

    private string? ReadTimeZone(MappingFields fields)
    {
        if (OptionalText(fields, "time_zone") is not { } text)
            return null;
        if (TimeZones.TryFind(text, out _))
            return text;
        var suggestion = text.Contains('/', StringComparison.Ordinal) ? "" : " Write the IANA name, such as Europe/Rome or America/New_York.";
        diagnostics.Error(DiagnosticCodes.UnknownTimeZone, fields["time_zone"]!.Location,
            $"'{text}' is not a time zone this host knows.{suggestion} (IANA names: https://www.iana.org/time-zones)");
        return null;
    }

    private QuietHours? ReadQuietHours(MappingFields person)
    {
        var fields = Open(person["quiet_hours"], person.PathOf("quiet_hours"), $"the quiet hours of {person.What}", QuietHoursKeys);
        if (fields is null)
            return null;
        var from = Clock(fields, "from");
        var to = Clock(fields, "to");
        var weekends = false;
        if (fields["weekends"] is { } node && !IsAbsent(node))
        {
            if (node is ScalarNode { IsPlain: true, Value: "true" or "false" } flag)
                weekends = flag.Value == "true";
            else
                diagnostics.Error(DiagnosticCodes.WrongType, node.Location, $"'weekends' must be true or false, found {node.Describe()}.");
        }
        if (from is null || to is null)
            return null;
        if (from == to)
        {
            diagnostics.Error(DiagnosticCodes.InvalidQuietHours, fields["to"]!.Location,
                $"quiet hours from {from:HH\\:mm} to {to:HH\\:mm} are empty (or the whole day); give two different times, such as from \"20:00\" to \"08:00\".");
            return null;
        }
        return new QuietHours(from.Value, to.Value, weekends);
    }

    private TimeOnly? Clock(MappingFields fields, string key)
    {
        if (IsAbsent(fields[key]))
        {
            Missing(fields, key, "a time of day such as \"20:00\"");
            return null;
        }
        var text = Text(fields[key]!, $"'{key}'");
        if (text is null)
            return null;
        if (ClockPattern().IsMatch(text))
            return TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture);
        diagnostics.Error(DiagnosticCodes.InvalidQuietHours, fields[key]!.Location,
            $"'{text}' is not a time of day; write 24-hour hours and minutes in quotes, such as \"20:00\" or \"08:30\".");
        return null;
    }

    /// <summary>A channel handle: well formed (<paramref name="pattern"/>) and not another person's.</summary>
    private string? Handle(MappingFields fields, string key, string person, Regex pattern, string expected)
    {
        if (OptionalText(fields, key) is not { } text)
            return null;
        var location = fields[key]!.Location;
        if (!pattern.IsMatch(text))
        {
            diagnostics.Error(DiagnosticCodes.InvalidHandle, location, $"'{text}' is not a valid '{key}' handle of person '{person}'; write {expected}.");
            return null;
        }
        return Unique(key, text, key, person, location) ? text : null;
    }

    private long? TelegramChat(MappingFields fields, string person)
    {
        if (IsAbsent(fields["telegram"]))
            return null;
        var node = fields["telegram"]!;
        if (node is ScalarNode scalar && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat) && chat != 0)
        {
            var text = chat.ToString(CultureInfo.InvariantCulture);
            return Unique("telegram", text, "telegram", person, node.Location) ? chat : null;
        }
        diagnostics.Error(DiagnosticCodes.InvalidHandle, node.Location,
            $"{node.Describe()} is not a Telegram chat id of person '{person}'; write the number the bot sees as the chat id, such as 123456789 (the person sends /start to the bot first).");
        return null;
    }

    private TeamsAddress? ReadTeams(MappingFields person, string id)
    {
        var fields = Open(person["teams"], person.PathOf("teams"), $"the Teams address of person '{id}'", TeamsKeys);
        if (fields is null)
            return null;
        var conversation = RequiredText(fields, "conversation");
        var serviceText = RequiredText(fields, "service_url");
        Uri? serviceUrl = null;
        if (serviceText is not null)
        {
            if (Uri.TryCreate(serviceText, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
                serviceUrl = uri;
            else
                diagnostics.Error(DiagnosticCodes.InvalidHandle, fields["service_url"]!.Location,
                    $"'{serviceText}' is not a Bot Connector service URL; write the https URL the bot received with the person's first message, such as https://smba.trafficmanager.net/emea/.");
        }
        var user = OptionalText(fields, "user");
        if (conversation is not null && !Unique("teams", conversation, "teams.conversation", id, fields["conversation"]!.Location))
            return null;
        if (user is not null && !Unique("teams", user, "teams.user", id, fields["user"]!.Location))
            return null;
        return conversation is null || serviceUrl is null ? null : new TeamsAddress(conversation, serviceUrl, user);
    }

    private string? Email(MappingFields fields, string person)
    {
        if (OptionalText(fields, "email") is not { } text)
            return null;
        var location = fields["email"]!.Location;
        if (!MailAddress.TryCreate(text, out var address) || address.Address != text || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            diagnostics.Error(DiagnosticCodes.InvalidHandle, location, $"'{text}' is not an e-mail address of person '{person}'; write it as name@example.com.");
            return null;
        }
        return Unique("email", text.ToLowerInvariant(), "email", person, location) ? text : null;
    }

    /// <summary>Whether the handle is nobody else's (a Teams conversation and a Teams user id share the kind <c>teams</c>); reported when it is.</summary>
    private bool Unique(string kind, string handle, string key, string person, SourceLocation location)
    {
        if (handles.TryGetValue($"{kind}:{handle}", out var owner))
        {
            DuplicateHandle(key, handle, person, owner, location);
            return false;
        }
        handles[$"{kind}:{handle}"] = (person, location);
        return true;
    }

    private void DuplicateHandle(string key, string handle, string person, (string Person, SourceLocation At) owner, SourceLocation location) =>
        diagnostics.Error(DiagnosticCodes.DuplicateHandle, location,
            $"'{handle}' ({key}) of person '{person}' is already the handle of '{owner.Person}' (line {owner.At.Line}); a handle identifies one person, so replies could not be told apart. Keep it on one of them.");

    private static string ChannelKey(ChannelKind channel) => ChannelNames.Of(channel);

    private static string HandleExample(ChannelKind channel) => channel switch
    {
        ChannelKind.Slack => "U024BE7LH",
        ChannelKind.Teams => "{ conversation: \"a:1Xk...\", service_url: \"https://smba.trafficmanager.net/emea/\" }",
        ChannelKind.WhatsApp => "\"+393471234567\"",
        ChannelKind.Telegram => "123456789",
        _ => "",
    };
}
