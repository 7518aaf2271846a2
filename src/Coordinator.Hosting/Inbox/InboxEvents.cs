using System.Text.Json;
using Coordinator.Core.Input;
using Coordinator.Hosting.Api;
using Coordinator.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Inbox;

/// <summary>What became of an event sent from the inbox.</summary>
/// <param name="Accepted">True when the coordinator took the event.</param>
/// <param name="Reason">Why it was refused (the engine's reason, or the API's problem detail).</param>
/// <param name="Processed">True when the instance had applied the event before the answer (the page shows its effect).</param>
internal sealed record InboxEventOutcome(bool Accepted, string? Reason, bool Processed);

/// <summary>
/// Sends an inbox form's event down the same path as <c>POST /api/instances/{id}/steps/{step}/events</c>:
/// <see cref="CoordinatorApi.ParseHumanEvent"/> parses it and <see cref="CoordinatorApi.SubmitEventAsync"/>
/// lets the engine validate it against the instance's state and raises it. Then it waits briefly for
/// the instance to apply the event, so the page the browser is redirected to already shows the result.
/// </summary>
internal static class InboxEvents
{
    /// <summary>The texts of the event forms, with the labels the page gives them.</summary>
    private static readonly (string Field, string Label, TextKind Kind)[] FormTexts =
    [
        ("by", "The person id", TextKind.Id), ("text", "The progress note", TextKind.Note),
        ("reason", "The block reason", TextKind.Note), ("option", "The option", TextKind.Id),
    ];

    public static async Task<InboxEventOutcome> SendAsync(
        HttpRequest origin, DurableTaskClient client, string instanceId, string stepId,
        IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        // The API's text rules, checked first so the message names the form's fields (ParseHumanEvent checks them again).
        foreach (var (field, label, kind) in FormTexts)
        {
            if (fields.TryGetValue(field, out var value) && TextRules.Validate(label, value, kind) is { } message)
                return new InboxEventOutcome(false, message + " Nothing was sent; fix it and repeat the action.", Processed: false);
        }
        var parsed = CoordinatorApi.ParseHumanEvent(stepId, JsonSerializer.SerializeToElement(fields));
        string? eventId = null;
        var refused = parsed.Problem;
        if (refused is null)
        {
            var submitted = await CoordinatorApi.SubmitEventAsync(
                instanceId, parsed.Event!, origin.HttpContext.RequestServices.GetRequiredService<WorkflowRegistry>(), client, cancellationToken).ConfigureAwait(false);
            refused = submitted.Problem;
            eventId = submitted.EventId;
        }
        if (refused is not null)
        {
            var reason = refused is IValueHttpResult { Value: ProblemDetails problem }
                ? problem.Detail ?? problem.Title
                : null;
            return new InboxEventOutcome(false, reason ?? "The coordinator refused the event.", Processed: false);
        }
        return await WaitUntilAppliedAsync(client, instanceId, eventId!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the instance to report the event's outcome under its id (applied, or rejected with the engine's reason).</summary>
    private static async Task<InboxEventOutcome> WaitUntilAppliedAsync(
        DurableTaskClient client, string instanceId, string eventId, CancellationToken cancellationToken) =>
        await InstanceWatch.UntilAsync(client, instanceId, metadata =>
        {
            if (metadata is null || metadata.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending))
                return new InboxEventOutcome(true, null, Processed: true);
            return metadata.ReadCustomStatusAs<CoordinatorStatus>()?.OutcomeOf(eventId) switch
            {
                null => null,
                { Applied: true } => new InboxEventOutcome(true, null, Processed: true),
                { Reason: var reason } => new InboxEventOutcome(
                    false, $"The instance changed before the event arrived and the coordinator rejected it: {reason} Look at the step again.", Processed: true),
            };
        }, cancellationToken).ConfigureAwait(false)
        ?? new InboxEventOutcome(true, null, Processed: false);
}
