using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coordinator.Channels.Rendering;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels.Replies;

/// <summary>What handling a reply came to: the answer to give in the conversation, and a line for the inbound row.</summary>
public sealed record ReplyHandling(string Outcome, string? Answer);

/// <summary>
/// Turns a reply into a human event, through the application core, and says what to answer: identifies the sender by
/// their handle, finds the step the reply is about (the message it answers, for WhatsApp the latest message sent to
/// them, else their only open item), reads the command (<see cref="ReplyParser"/>; a button is the action of that
/// number), and submits the event with an id derived from the delivery, so a reply handled twice raises one event.
/// Free text that is no command goes through the topic-guardrail against the topics of the sender's workflows: an
/// injection attempt is refused (<c>DENY</c>), off-topic text gets a polite refusal (<c>WARN</c>), each verdict an audit
/// row (<c>control.topic-guardrail</c>, keyed by the delivery, without the text). On-topic text is read by the model when
/// one is configured (<see cref="IReplyInterpreter"/>, its pii-detector verdict a <c>control.pii-detector</c> row): a note
/// or a question is added to the step; a done, a block or a choice is asked back ("Report IT set-up blocked: ...? yes /
/// no") and takes effect only on "yes", so the decision stays with the person. Without a model, the help.
/// </summary>
public sealed class ReplyHandler(
    IPersonDirectory directory,
    IChannelInbound inbound,
    IWorkQueries work,
    IHumanEventGateway gateway,
    MessageRenderer renderer,
    ChannelAudit audit,
    ITopicGuardrail guardrail,
    IServedWorkflows workflows,
    IReplyInterpreter? interpreter = null)
{
    private sealed record Target(string InstanceId, string StepId, string StepTitle, IReadOnlyList<MessageAction> Actions);

    public async Task<ReplyHandling> HandleAsync(InboundReply reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (directory.FindByHandle(reply.Channel, reply.Sender) is not { } person)
        {
            await audit.UnknownSenderAsync(reply.Channel, reply.DeliveryId, cancellationToken).ConfigureAwait(false);
            return new ReplyHandling("unknown sender", string.Format(CultureInfo.InvariantCulture, ReplyAnswers.UnknownSender, reply.Sender));
        }
        var answers = ReplyAnswers.For(person.Language);
        var parsed = reply.ActionNumber is { } pressed
            ? new ParsedReply(ReplyCommand.Choice, pressed.ToString(CultureInfo.InvariantCulture))
            : ReplyParser.Parse(reply.Text);
        if (parsed.Command == ReplyCommand.Help)
            return new ReplyHandling("help", answers.Help);
        if (parsed.Command == ReplyCommand.List)
            return await ListAsync(reply, person, answers, cancellationToken).ConfigureAwait(false);
        if (parsed.Command == ReplyCommand.Status)
            return await StatusAsync(reply, person, answers, parsed.Argument ?? "", cancellationToken).ConfigureAwait(false);
        PendingChoice? pending = null;
        if (parsed.Command is ReplyCommand.Unknown && reply.ActionNumber is null && reply.ReplyTo is null
            && ReplyParser.Confirmation(reply.Text) is { } yes
            && await inbound.FindChoiceAsync(reply.Channel, reply.Sender, cancellationToken).ConfigureAwait(false) is { Confirm: true } confirming)
        {
            // The answer to "shall I?": asked once, answered once.
            await inbound.RememberChoiceAsync(reply.Channel, reply.Sender, confirming, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (!yes)
                return new ReplyHandling("not confirmed", answers.NotConfirmed);
            (pending, parsed) = (confirming, new ParsedReply(ReplyCommand.Choice, "1"));
        }
        if (parsed.Command == ReplyCommand.Unknown)
            return await FreeTextAsync(reply, person, answers, cancellationToken).ConfigureAwait(false);

        Target? target;
        if (parsed.Command == ReplyCommand.Choice && reply.ActionNumber is null && reply.ReplyTo is null
            && (pending ?? await inbound.FindChoiceAsync(reply.Channel, reply.Sender, cancellationToken).ConfigureAwait(false)) is { } chosen)
        {
            pending = chosen;
            // A number answering "which one?": the item it names, and what the person had asked for then.
            string? problem;
            (target, problem) = await ChosenAsync(pending, parsed.Number ?? 0, person, answers, cancellationToken).ConfigureAwait(false);
            if (target is null)
                return new ReplyHandling("no step", problem);
            parsed = ReplyParser.Parse(pending.Text);
            if (parsed.Command is ReplyCommand.Help or ReplyCommand.Unknown or ReplyCommand.Choice)
                return new ReplyHandling("asked", Format(answers.AskWhat, target.StepTitle));
        }
        else
        {
            string? problem;
            (target, problem) = await TargetAsync(reply, parsed, person, answers, cancellationToken).ConfigureAwait(false);
            if (target is null)
                return new ReplyHandling("no step", problem);
        }

        var (humanEvent, question) = EventOf(parsed, target, person, answers);
        if (humanEvent is null)
            return new ReplyHandling("asked", question);
        var submitted = await gateway.SubmitAsync(target.InstanceId, humanEvent with { EventId = EventIdOf(reply) }, cancellationToken).ConfigureAwait(false);
        return submitted.Kind switch
        {
            SubmittedKind.Applied => new ReplyHandling($"applied: {humanEvent.Type} on {target.InstanceId}/{target.StepId}", Acknowledgement(humanEvent, target, answers)),
            SubmittedKind.Pending => new ReplyHandling($"raised: {humanEvent.Type} on {target.InstanceId}/{target.StepId}", Format(answers.Pending, target.StepTitle)),
            _ => new ReplyHandling($"rejected: {submitted.Reason}", Format(answers.Rejected, target.StepTitle, submitted.Reason ?? "")),
        };
    }

    /// <summary>
    /// Free text that is no command: classified by the topic-guardrail against the topics of the workflows the sender has
    /// work in (all served workflows when none), the verdict written to the audit, and the answer chosen by it. Nothing is
    /// raised whatever the verdict: the text is never taken as an instruction.
    /// </summary>
    private async Task<ReplyHandling> FreeTextAsync(InboundReply reply, Person person, ReplyAnswers answers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reply.Text))
            return new ReplyHandling("not a command", answers.Help);
        var open = await work.WaitingOnAsync(person.Id, MaxListed, cancellationToken).ConfigureAwait(false);
        var verdict = guardrail.CheckInbound(reply.Text, TopicsOf(open));
        await audit.InboundCheckedAsync(reply.Channel, reply.DeliveryId, person.Id, verdict, cancellationToken).ConfigureAwait(false);
        return verdict.Category switch
        {
            GuardrailCategory.Injection => new ReplyHandling($"refused by the topic-guardrail: {verdict.Reason}", answers.Refused + "\n" + answers.Help),
            GuardrailCategory.OffTopic => new ReplyHandling("off topic", answers.OffTopic + "\n" + answers.Help),
            _ when interpreter is not null && open.Count > 0 => await InterpretAsync(reply, person, answers, open, interpreter, cancellationToken).ConfigureAwait(false),
            _ => new ReplyHandling("not a command", answers.Help),
        };
    }

    /// <summary>
    /// On-topic free text read by the model as an intent on one of the person's open items: a note or a question goes to
    /// the step at once; a done, a block or a choice is asked back and kept (as a one-item question, for
    /// <see cref="ChoiceLifetime"/>) until the person answers yes or no. Unclear: the help.
    /// </summary>
    private async Task<ReplyHandling> InterpretAsync(
        InboundReply reply, Person person, ReplyAnswers answers, IReadOnlyList<PersonWorkItem> open, IReplyInterpreter model, CancellationToken cancellationToken)
    {
        var read = await model.InterpretAsync(new InterpretRequest
        {
            Text = reply.Text!,
            PersonId = person.Id,
            Language = person.Language,
            Items = [.. open.Select(o => new InterpretItem(o.Instance.InstanceId, o.Item.StepId, o.Item.Title, o.Instance.WorkflowTitle, o.Instance.BusinessKey,
                [.. o.Item.Options.Select(option => new InterpretOption(option.Id, option.Title))]))],
            People = [.. directory.People.Select(p => p.AsKnownPerson())],
        }, cancellationToken).ConfigureAwait(false);
        await audit.InboundRedactedAsync(reply.Channel, reply.DeliveryId, person.Id, read.Redacted, cancellationToken).ConfigureAwait(false);
        if (read is not { Item: { } number } || number < 1 || number > open.Count)
            return new ReplyHandling($"not understood: {read.Why}", answers.Help);

        var item = open[number - 1];
        var target = TargetOf(item, person);
        switch (read.Intent)
        {
            case InterpretedIntent.Progress or InterpretedIntent.Question:
                var note = read.Intent == InterpretedIntent.Question ? $"{(person.Language == "it" ? "Domanda" : "Question")}: {read.Text}" : read.Text;
                var humanEvent = new HumanEvent(target.StepId, HumanEventType.Progress, person.Id, Text: note) { EventId = EventIdOf(reply) };
                var submitted = await gateway.SubmitAsync(target.InstanceId, humanEvent, cancellationToken).ConfigureAwait(false);
                return submitted.Kind == SubmittedKind.Rejected
                    ? new ReplyHandling($"rejected: {submitted.Reason}", Format(answers.Rejected, target.StepTitle, submitted.Reason ?? ""))
                    : new ReplyHandling($"interpreted: progress on {target.InstanceId}/{target.StepId}", Format(answers.Note, target.StepTitle));
            case InterpretedIntent.Done or InterpretedIntent.Blocked or InterpretedIntent.Choose:
                var (command, question) = read.Intent switch
                {
                    InterpretedIntent.Done => (read.Text is { Length: > 0 } said ? $"done: {said}" : "done", Format(answers.ConfirmDone, target.StepTitle)),
                    InterpretedIntent.Blocked => ($"blocked: {read.Text}", Format(answers.ConfirmBlocked, target.StepTitle, read.Text ?? "")),
                    _ => ($"option {read.Option}", Format(answers.ConfirmChoice, target.StepTitle,
                        item.Item.Options.FirstOrDefault(o => o.Id == read.Option)?.Title ?? read.Option ?? "")),
                };
                await inbound.RememberChoiceAsync(reply.Channel, reply.Sender,
                    new PendingChoice(command, [new ChoiceItem(item.Instance.InstanceId, item.Item.StepId, item.Item.Title)], Confirm: true), ChoiceLifetime, cancellationToken).ConfigureAwait(false);
                return new ReplyHandling($"interpreted: asked to confirm {read.Intent.ToString().ToLowerInvariant()} on {target.InstanceId}/{target.StepId}", question);
            default:
                return new ReplyHandling($"not understood: {read.Why}", answers.Help);
        }
    }

    /// <summary>
    /// The topics free text is checked against: each workflow's topics (declared in <c>guardrails.topics</c>, else its
    /// title and its steps' titles) for the workflows of the person's open items, and the items' titles; all served
    /// workflows when nothing waits for the person.
    /// </summary>
    private List<string> TopicsOf(IReadOnlyList<PersonWorkItem> open)
    {
        var ids = open.Select(o => o.Instance.WorkflowId).ToHashSet(StringComparer.Ordinal);
        var definitions = workflows.Latest.Where(d => ids.Count == 0 || ids.Contains(d.Id));
        return [.. definitions.SelectMany(d => d.Topics)
            .Concat(open.Select(o => o.Instance.WorkflowTitle))
            .Concat(open.Select(o => o.Item.Title))
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The event's id: the channel and the provider's delivery id, so the instance recognises a reply handled twice.</summary>
    public static string EventIdOf(InboundReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var id = $"{ChannelNames.Of(reply.Channel)}-{reply.DeliveryId}";
        return id.Length <= 120 && id.All(c => c is > ' ' and < (char)127)
            ? id
            : $"{ChannelNames.Of(reply.Channel)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reply.DeliveryId)))}";
    }

    private async Task<(Target? Target, string? Problem)> TargetAsync(InboundReply reply, ParsedReply parsed, Person person, ReplyAnswers answers, CancellationToken cancellationToken)
    {
        var address = ChannelRouter.AddressOf(person, reply.Channel) ?? reply.Sender;
        SentMessage? sent = null;
        if (reply.ReplyTo is { } replyTo)
            sent = await inbound.FindSentAsync(reply.Channel, address, replyTo, cancellationToken).ConfigureAwait(false);
        else if (reply.Channel == ChannelKind.WhatsApp)
            sent = await inbound.LatestSentAsync(reply.Channel, address, cancellationToken).ConfigureAwait(false);
        if (sent is { Notification.Action.StepId: { } step } && renderer.Render(sent.Notification, person) is { } message)
            return (new Target(sent.Notification.InstanceId, step, sent.Notification.StepTitle ?? step, message.Actions), null);

        var open = await work.WaitingOnAsync(person.Id, parsed.Target is null ? MaxListed : 100, cancellationToken).ConfigureAwait(false);
        if (open.Count == 0)
            return (null, answers.NothingOpen);
        if (parsed.Target is { } named)
        {
            // "Mark ACME-9 contract done": the items the words name, by their reference, then by their title.
            var byReference = open.Where(o => Mentions(named, o.Instance.BusinessKey) || Mentions(named, o.Instance.InstanceId)).ToList();
            var candidates = byReference.Count > 0 ? byReference : [.. open];
            var byTitle = candidates.Where(o => named.Contains(o.Item.Title, StringComparison.OrdinalIgnoreCase)).ToList();
            var matching = byTitle.Count > 0 ? byTitle : byReference;
            if (matching.Count == 0)
                return (null, Format(answers.NothingNamed, Quoted(named)));
            if (matching.Count == 1)
                return (TargetOf(matching[0], person), null);
            open = [.. matching.Take(MaxListed)];
        }
        else if (open.Count == 1)
            return (TargetOf(open[0], person), null);
        // Several: ask which, numbered, and keep the question so that a reply with a number picks one.
        return (null, await NumberedAsync(reply, reply.Text ?? "", answers.WhichOne, open, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>"What is waiting for me?": the person's open items, numbered (a number then asks what to do with one).</summary>
    private async Task<ReplyHandling> ListAsync(InboundReply reply, Person person, ReplyAnswers answers, CancellationToken cancellationToken)
    {
        var open = await work.WaitingOnAsync(person.Id, MaxListed, cancellationToken).ConfigureAwait(false);
        return open.Count == 0
            ? new ReplyHandling("listed: nothing", answers.NothingOpen)
            : new ReplyHandling($"listed: {open.Count.ToString(CultureInfo.InvariantCulture)}", await NumberedAsync(reply, "", answers.Waiting, open, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// "Why is the claim 2024-0847 blocked?": where the instances that name the person and whose business key (or id) the
    /// question mentions stand: each running step, whom it waits on, a block's reason and who reported it, the due date
    /// or since when it is overdue. Only instances that name the person are looked at, so a reference to anyone else's
    /// work is answered as unknown (nothing says whether it exists).
    /// </summary>
    private async Task<ReplyHandling> StatusAsync(InboundReply reply, Person person, ReplyAnswers answers, string reference, CancellationToken cancellationToken)
    {
        var said = Quoted(reference);
        var mine = await work.NamingAsync(person.Id, MaxNamed, cancellationToken).ConfigureAwait(false);
        var matching = mine
            .Where(s => Mentions(reference, s.Instance.BusinessKey) || Mentions(reference, s.Instance.InstanceId))
            .Take(MaxStatus)
            .ToList();
        // "How are you?", "where is the VPN config?": a question that names no reference is free text, not a status question.
        if (matching.Count == 0 && !reference.Any(char.IsAsciiDigit) && !ReplyParser.IsExplicitStatus(reply.Text))
            return await FreeTextAsync(reply, person, answers, cancellationToken).ConfigureAwait(false);
        if (mine.Count == 0)
            return new ReplyHandling("status: names nobody", Format(answers.NoWorkOfYours, said));
        if (matching.Count == 0)
            return new ReplyHandling("status: no such reference", Format(answers.NoSuchReference, said,
                string.Join(", ", mine.Take(MaxListed).Select(static s => s.Instance.BusinessKey ?? s.Instance.InstanceId))));
        var words = Vocabulary.For(person.Language);
        var zone = TimeZones.TryFind(person.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        string Names(IEnumerable<string> ids) => string.Join(", ", ids.Select(id => directory.Find(id)?.Name ?? id));
        var lines = new List<string>();
        foreach (var standing in matching)
        {
            var instance = standing.Instance;
            // Due dates are in the instance's workflow time, which runs TimeScale times faster than real time (compared in
            // double: a year at a test's time scale is more ticks than a long holds).
            var elapsed = (reply.ReceivedAt - instance.StartedAt).Ticks * instance.TimeScale;
            bool Overdue(DateTimeOffset due) => (due - instance.StartedAt).Ticks < elapsed;
            lines.Add(Format(answers.StatusOf, instance.WorkflowTitle, instance.BusinessKey ?? instance.InstanceId, words.Moment(instance.StartedAt, zone)));
            if (standing.Waiting.Count == 0)
                lines.Add("• " + answers.NothingRunning);
            foreach (var step in standing.Waiting)
            {
                var due = step.Due is not { } at ? ""
                    : Overdue(at) ? Format(answers.OverdueSince, words.Moment(at, zone))
                    : Format(answers.DueOn, words.Moment(at, zone));
                var block = standing.Blocks.FirstOrDefault(b => b.StepId == step.StepId);
                lines.Add("• " + (step.Status, block) switch
                {
                    ("blocked", var blocked) => Format(answers.StepBlocked, step.Title, blocked?.Reason ?? "…",
                        blocked?.BlockedBy is { } by ? Format(answers.ReportedBy, Names([by])) : "", Names(step.People)),
                    ("decision", _) => Format(answers.StepDeciding, step.Title, due, Names(step.People)),
                    _ => Format(answers.StepActive, step.Title, due, Names(step.People)),
                });
            }
        }
        return new ReplyHandling($"status: {string.Join(", ", matching.Select(static s => s.Instance.InstanceId))}", string.Join('\n', lines));
    }

    /// <summary>Whether <paramref name="text"/> names <paramref name="reference"/> as a whole token (case-insensitive): "claim 2024-0847?" names 2024-0847, "2024-08470" does not.</summary>
    internal static bool Mentions(string text, string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
            return false;
        for (var at = text.IndexOf(reference, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(reference, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + reference.Length;
            if ((at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end])))
                return true;
        }
        return false;
    }

    /// <summary>The most instances one status question looks through, and answers about.</summary>
    private const int MaxNamed = 200;

    private const int MaxStatus = 3;

    /// <summary>The items under <paramref name="heading"/>, numbered, kept as the question a number answers (with <paramref name="text"/> to do).</summary>
    private async Task<string> NumberedAsync(InboundReply reply, string text, string heading, IReadOnlyList<PersonWorkItem> open, CancellationToken cancellationToken)
    {
        await inbound.RememberChoiceAsync(reply.Channel, reply.Sender,
            new PendingChoice(text, [.. open.Select(o => new ChoiceItem(o.Instance.InstanceId, o.Item.StepId, o.Item.Title))]), ChoiceLifetime, cancellationToken).ConfigureAwait(false);
        return heading + "\n" + string.Join('\n', open.Select((o, i) =>
            $"{(i + 1).ToString(CultureInfo.InvariantCulture)}. {o.Item.Title} · {o.Instance.WorkflowTitle} · {o.Instance.BusinessKey ?? o.Instance.InstanceId}"
            + (o.Item.BlockReason is { } why ? $" · ⚠ {why}" : "")));
    }

    /// <summary>How long a "which one?" question can be answered with a number.</summary>
    public static readonly TimeSpan ChoiceLifetime = TimeSpan.FromMinutes(30);

    /// <summary>The most open items a "which one?" question lists.</summary>
    private const int MaxListed = 10;

    /// <summary>Item <paramref name="number"/> of the question, if it still waits for the person.</summary>
    private async Task<(Target? Target, string? Problem)> ChosenAsync(PendingChoice pending, int number, Person person, ReplyAnswers answers, CancellationToken cancellationToken)
    {
        if (number < 1 || number > pending.Items.Count)
            return (null, Format(answers.NoSuchItem, number.ToString(CultureInfo.InvariantCulture), pending.Items.Count.ToString(CultureInfo.InvariantCulture)));
        var chosen = pending.Items[number - 1];
        var open = await work.WaitingOnAsync(person.Id, 100, cancellationToken).ConfigureAwait(false);
        var still = open.FirstOrDefault(o => o.Instance.InstanceId == chosen.InstanceId && o.Item.StepId == chosen.StepId);
        return still is null ? (null, Format(answers.NoLongerOpen, chosen.Title)) : (TargetOf(still, person), null);
    }

    /// <summary>An open item as a target: a step's Done / Blocked / Add a note, or a decision's options, numbered.</summary>
    private static Target TargetOf(PersonWorkItem open, Person person)
    {
        var (instance, item) = (open.Instance, open.Item);
        var words = Vocabulary.For(person.Language);
        IReadOnlyList<MessageAction> actions = item.Kind == WorkKind.Step
            ? [new(1, ReplyIntent.Done, words.Done), new(2, ReplyIntent.Block, words.Blocked), new(3, ReplyIntent.Note, words.AddNote)]
            : [.. item.Options.Select((o, i) => new MessageAction(i + 1, ReplyIntent.Choose, o.Title, o.Id))];
        return new Target(instance.InstanceId, item.StepId, item.Title, actions);
    }

    private static (HumanEvent? Event, string? Question) EventOf(ParsedReply parsed, Target target, Person person, ReplyAnswers answers)
    {
        HumanEvent Event(HumanEventType type, string? text = null, string? reason = null, string? option = null) =>
            new(target.StepId, type, person.Id, Text: text, Reason: reason, Option: option);
        switch (parsed.Command)
        {
            case ReplyCommand.Done:
                return (Event(HumanEventType.Done, text: parsed.Argument), null);
            case ReplyCommand.Blocked:
                return (Event(HumanEventType.Blocked, reason: parsed.Argument), null);
            case ReplyCommand.BlockedWithoutReason:
                return (null, Format(answers.AskReason, target.StepTitle));
            case ReplyCommand.Note:
                return (Event(HumanEventType.Progress, text: parsed.Argument), null);
            case ReplyCommand.Option:
                return (Event(HumanEventType.Decide, option: parsed.Argument), null);
            case ReplyCommand.Choice:
                var number = parsed.Number ?? 0;
                if (target.Actions.FirstOrDefault(a => a.Number == number) is not { } action)
                    return (null, Format(answers.NoSuchChoice, number.ToString(CultureInfo.InvariantCulture), target.Actions.Count.ToString(CultureInfo.InvariantCulture)));
                return action.Intent switch
                {
                    ReplyIntent.Done => (Event(HumanEventType.Done), null),
                    ReplyIntent.Block => (null, Format(answers.AskReason, target.StepTitle)),
                    ReplyIntent.Note => (null, Format(answers.AskNote, target.StepTitle)),
                    _ => (Event(HumanEventType.Decide, option: action.Option), null),
                };
            default:
                return (null, answers.Help);
        }
    }

    private static string Acknowledgement(HumanEvent humanEvent, Target target, ReplyAnswers answers) => humanEvent.Type switch
    {
        HumanEventType.Done => Format(answers.Done, target.StepTitle),
        HumanEventType.Blocked => Format(answers.Blocked, target.StepTitle, humanEvent.Reason ?? ""),
        HumanEventType.Progress => Format(answers.Note, target.StepTitle),
        _ => Format(answers.Decided, target.StepTitle,
            target.Actions.FirstOrDefault(a => a.Option == humanEvent.Option)?.Label ?? humanEvent.Option ?? ""),
    };

    /// <summary>The person's own words, as quoted back in an answer: at most 60 characters.</summary>
    private static string Quoted(string words) => words.Length <= 60 ? words : words[..60] + "…";

    private static string Format(string template, params object[] values) => string.Format(CultureInfo.InvariantCulture, template, values);
}
