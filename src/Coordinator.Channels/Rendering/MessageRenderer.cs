using System.Globalization;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels.Rendering;

/// <summary>
/// Writes a notification for one person: the kind of message its action is, the template of the workflow (or the
/// built-in one) in the person's language, times in the person's time zone, and the actions that fit (Done, Blocked,
/// Add a note on a step's owner's messages; one per option of a decision). Pure: the same notification, person and
/// templates always give the same message, so a retried send says the same thing.
/// </summary>
public sealed class MessageRenderer(TemplateSet templates, IPersonDirectory directory)
{
    /// <summary>The message for <paramref name="recipient"/>, or null when the action is nothing to tell anyone.</summary>
    public RenderedMessage? Render(Notification notification, Person recipient)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(recipient);
        var action = notification.Action;
        if (MessageKinds.Of(action) is not { } kind)
            return null;
        var words = Vocabulary.For(recipient.Language);
        var zone = TimeZones.TryFind(recipient.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var actions = Actions(kind, action, words);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["workflow"] = notification.WorkflowTitle,
            ["business_key"] = notification.BusinessKey ?? notification.InstanceId,
            ["step"] = notification.StepTitle ?? action.StepId ?? "",
            ["due"] = action.Due is { } due ? words.Moment(due, zone) : "",
            ["time_left"] = action.Due is { } left && left > action.At ? words.Duration(left - action.At) : "",
            ["late_by"] = action.Due is { } late && action.At > late ? words.Duration(action.At - late) : "",
            ["level"] = action.Level?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["silence"] = action.SilentFor is { } silence ? words.Duration(silence) : "",
            ["reason"] = action.Type == CoordinationActionType.DecisionMade ? "" : action.Reason ?? "",
            ["by"] = action.By is { } by ? NameOf(by) : "",
            ["option"] = action.Type == CoordinationActionType.DecisionMade ? action.Reason ?? OptionTitle(action) : "",
            ["options"] = Options(action, actions, words, zone),
            ["text"] = action.Text ?? "",
            ["steps"] = Steps(action, words, zone),
        };
        var text = templates.For(notification.WorkflowId, kind, recipient.Language).Render(values);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var headline = (newline < 0 ? text : text[..newline]).Trim('*', ' ');
        var facts = new List<KeyValuePair<string, string>>
        {
            new(words.Workflow, notification.WorkflowTitle),
            new(words.Reference, values["business_key"]),
        };
        if (values["step"].Length > 0)
            facts.Add(new(words.Step, values["step"]));
        if (values["due"].Length > 0)
            facts.Add(new(words.Due, values["due"]));
        return new RenderedMessage { Kind = kind, Language = words.Language, Headline = headline, Text = text, Facts = facts, Actions = actions };
    }

    /// <summary>
    /// The choices, numbered; when one of them moves the due date, each with its consequence ("2. Wait for the customer's
    /// IdP decision (due date 1 week later, Tue 16 Jun 2026, 17:00)", the others "due date unchanged"), so the decider
    /// sees what each choice costs.
    /// </summary>
    private static string Options(CoordinationAction action, List<MessageAction> actions, Vocabulary words, TimeZoneInfo zone)
    {
        var options = action.Options ?? [];
        DecisionOption? OptionOf(MessageAction choice) => options.FirstOrDefault(o => o.Id == choice.Option);
        var choices = actions.Where(static a => a.Intent == ReplyIntent.Choose).ToList();
        var anyMoves = choices.Any(c => OptionOf(c)?.ExtendDue is not null);
        return string.Join('\n', choices.Select(c =>
        {
            var line = $"{c.Number.ToString(CultureInfo.InvariantCulture)}. {c.Label}";
            if (!anyMoves)
                return line;
            var consequence = OptionOf(c)?.ExtendDue is not { } by ? words.DueUnchanged
                : action.Due is { } due ? string.Format(CultureInfo.InvariantCulture, words.DueMovesTo, words.Duration(by), words.Moment(due + by, zone))
                : string.Format(CultureInfo.InvariantCulture, words.DueMovesBy, words.Duration(by));
            return $"{line} ({consequence})";
        }));
    }

    /// <summary>The hint under numbered choices, in the person's language.</summary>
    public static string ReplyHint(Person recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return Vocabulary.For(recipient.Language).ReplyWithNumber;
    }

    private static List<MessageAction> Actions(MessageKind kind, CoordinationAction action, Vocabulary words)
    {
        var list = new List<MessageAction>();
        var options = action.Options ?? [];
        if (kind is MessageKind.DecisionRequested || kind is MessageKind.StepAssigned && options.Count > 0)
        {
            foreach (var option in options)
                list.Add(new MessageAction(list.Count + 1, ReplyIntent.Choose, option.Title, option.Id));
            return list;
        }
        // A decision on a block (its alternative's title in Reason) goes to the step's owners, whose step goes on.
        var ownersWork = kind is MessageKind.StepAssigned or MessageKind.StepReassigned or MessageKind.Reminder or MessageKind.Overdue
            || kind == MessageKind.DecisionMade && action.Reason is not null;
        if (ownersWork && action.StepId is not null)
        {
            list.Add(new MessageAction(1, ReplyIntent.Done, words.Done));
            list.Add(new MessageAction(2, ReplyIntent.Block, words.Blocked));
            list.Add(new MessageAction(3, ReplyIntent.Note, words.AddNote));
        }
        return list;
    }

    private static string OptionTitle(CoordinationAction action) =>
        action.Options?.FirstOrDefault(o => string.Equals(o.Id, action.Option, StringComparison.Ordinal))?.Title ?? action.Option ?? "";

    private string NameOf(string personId) => directory.Find(personId)?.Name ?? personId;

    private string Steps(CoordinationAction action, Vocabulary words, TimeZoneInfo zone)
    {
        if (action.Steps is not { Count: > 0 } steps)
            return "";
        return string.Join('\n', steps.Select(s =>
        {
            var owners = s.Owners.Count == 0 ? words.Nobody : string.Join(", ", s.Owners.Select(NameOf));
            var due = s.Due is { } d ? $" · {words.Due.ToLowerInvariant()} {words.Moment(d, zone)}" : "";
            return $"• {s.Title}: {words.Status(s.Status)}{due} · {owners}";
        }));
    }
}
