using Coordinator.Application;
using Coordinator.Core.Input;

namespace Coordinator.Hosting.Inbox;

/// <summary>What became of an event sent from the inbox.</summary>
/// <param name="Accepted">True when the coordinator took the event.</param>
/// <param name="Reason">Why it was refused (the engine's reason, or the API's problem detail).</param>
/// <param name="Processed">True when the instance had applied the event before the answer (the page shows its effect).</param>
internal sealed record InboxEventOutcome(bool Accepted, string? Reason, bool Processed);

/// <summary>
/// Sends an inbox form's event through the application core, as every channel does:
/// <see cref="HumanEventFields.Parse"/> checks the fields, <see cref="CoordinatorService.SubmitEventAsync"/>
/// lets the engine validate it against the instance's state, raises it and waits briefly for the
/// instance to apply it, so the page the browser is redirected to already shows the result.
/// </summary>
internal static class InboxEvents
{
    /// <summary>How long the inbox waits for the instance to apply an event before redirecting.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>The texts of the event forms, with the labels the page gives them.</summary>
    private static readonly (string Field, string Label, TextKind Kind)[] FormTexts =
    [
        ("by", "The person id", TextKind.Id), ("text", "The progress note", TextKind.Note),
        ("reason", "The block reason", TextKind.Note), ("option", "The option", TextKind.Id),
    ];

    public static async Task<InboxEventOutcome> SendAsync(
        CoordinatorService coordinator, string instanceId, string stepId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        // The text rules, checked first so the message names the form's fields (HumanEventFields checks them again).
        foreach (var (field, label, kind) in FormTexts)
        {
            if (fields.TryGetValue(field, out var value) && TextRules.Validate(label, value, kind) is { } message)
                return new InboxEventOutcome(false, message + " Nothing was sent; fix it and repeat the action.", Processed: false);
        }
        var (humanEvent, problem) = HumanEventFields.Parse(stepId, fields.ToDictionary(f => f.Key, f => (string?)f.Value, StringComparer.Ordinal));
        if (problem is not null)
            return new InboxEventOutcome(false, problem.Message, Processed: false);
        var result = await coordinator.SubmitEventAsync(instanceId, humanEvent!, Patience, cancellationToken).ConfigureAwait(false);
        return result.Kind switch
        {
            EventResultKind.Applied => new InboxEventOutcome(true, null, Processed: true),
            EventResultKind.Accepted => new InboxEventOutcome(true, null, Processed: false),
            // Rejected by the instance after it was raised: the state changed in between.
            EventResultKind.Rejected when result.EventId is not null => new InboxEventOutcome(
                false, $"The instance changed before the event arrived and the coordinator rejected it: {result.Reason} Look at the step again.", Processed: true),
            _ => new InboxEventOutcome(false, result.Reason ?? "The coordinator refused the event.", Processed: false),
        };
    }
}
