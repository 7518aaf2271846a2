using System.Globalization;
using Coordinator.Core.Engine;

namespace Coordinator.Channels.Rendering;

/// <summary>
/// The words and formats of one language: labels, day and month names, durations. Written out rather than taken from
/// CultureInfo: the hosts run with invariant globalization, and a message must read the same on every host.
/// </summary>
public sealed class Vocabulary
{
    public static Vocabulary English { get; } = new()
    {
        Language = "en",
        Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        Units = [("week", "weeks"), ("day", "days"), ("hour", "hours"), ("minute", "minutes")],
        Done = "Done",
        Blocked = "Blocked",
        AddNote = "Add a note",
        Workflow = "Workflow",
        Step = "Step",
        Due = "Due",
        Reference = "Reference",
        ReplyWithNumber = "Reply with the number of your choice.",
        Statuses = ["pending", "in progress", "blocked", "done", "skipped"],
        Nobody = "nobody",
        DueMovesBy = "due date {0} later",
        DueMovesTo = "due date {0} later, {1}",
        DueUnchanged = "due date unchanged",
    };

    public static Vocabulary Italian { get; } = new()
    {
        Language = "it",
        Days = ["dom", "lun", "mar", "mer", "gio", "ven", "sab"],
        Months = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
        Units = [("settimana", "settimane"), ("giorno", "giorni"), ("ora", "ore"), ("minuto", "minuti")],
        Done = "Fatto",
        Blocked = "Bloccato",
        AddNote = "Aggiungi una nota",
        Workflow = "Processo",
        Step = "Attività",
        Due = "Scadenza",
        Reference = "Riferimento",
        ReplyWithNumber = "Rispondi con il numero della tua scelta.",
        Statuses = ["in attesa", "in corso", "bloccata", "completata", "saltata"],
        Nobody = "nessuno",
        DueMovesBy = "scadenza spostata di {0}",
        DueMovesTo = "scadenza spostata di {0}, al {1}",
        DueUnchanged = "scadenza invariata",
    };

    /// <summary>The vocabulary of a language (<c>en</c>, <c>it</c>); English for anything else.</summary>
    public static Vocabulary For(string? language) =>
        string.Equals(language, "it", StringComparison.Ordinal) ? Italian : English;

    public required string Language { get; init; }

    /// <summary>An alternative's consequence: the due date moves by {0} (to {1}), or stays.</summary>
    public required string DueMovesBy { get; init; }
    public required string DueMovesTo { get; init; }
    public required string DueUnchanged { get; init; }
    public required string[] Days { get; init; }
    public required string[] Months { get; init; }
    public required (string One, string Many)[] Units { get; init; }
    public required string Done { get; init; }
    public required string Blocked { get; init; }
    public required string AddNote { get; init; }
    public required string Workflow { get; init; }
    public required string Step { get; init; }
    public required string Due { get; init; }
    public required string Reference { get; init; }
    public required string ReplyWithNumber { get; init; }
    public required string[] Statuses { get; init; }
    public required string Nobody { get; init; }

    /// <summary>A moment in the person's zone, such as <c>Tue 9 Jun 2026, 17:00</c> (<c>mar 9 giu 2026, 17:00</c>); UTC is named.</summary>
    public string Moment(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{Days[(int)local.DayOfWeek]} {local.Day} {Months[local.Month - 1]} {local.Year}, {local:HH\\:mm}");
        return zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC" ? text + " UTC" : text;
    }

    /// <summary>A duration in its two largest units, such as <c>2 days 3 hours</c> (<c>2 giorni 3 ore</c>); under a minute is one minute.</summary>
    public string Duration(TimeSpan span)
    {
        var minutes = Math.Max(1, (long)Math.Round(Math.Abs(span.TotalMinutes)));
        long[] size = [7 * 24 * 60, 24 * 60, 60, 1];
        var parts = new List<string>(2);
        for (var i = 0; i < size.Length && parts.Count < 2; i++)
        {
            var n = minutes / size[i];
            if (n == 0)
            {
                if (parts.Count > 0)
                    break; // "2 days", not "2 days 0 hours 5 minutes"
                continue;
            }
            minutes -= n * size[i];
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? Units[i].One : Units[i].Many)}"));
        }
        return string.Join(' ', parts);
    }

    public string Status(StepStatus status) => Statuses[(int)status];
}
