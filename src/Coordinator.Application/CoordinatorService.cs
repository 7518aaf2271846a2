using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;
using Coordinator.Core.Ports;
using Coordinator.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Coordinator.Application;

/// <summary>
/// The coordinator's use cases, the one core every channel calls (the HTTP API of both hosts, the
/// web inbox; the chat channels next): start an instance (idempotent by business key), submit a
/// human event and learn its outcome, read an instance, and what waits for a person (from the read
/// model of open work: a few indexed reads, never a scan of the instances). Results are plain records; each channel
/// renders them (problem details, a page, a chat reply). Cheap to create: the Functions app makes
/// one per call with the client its trigger is bound to.
/// </summary>
public sealed class CoordinatorService(WorkflowRegistry registry, DurableTaskClient client, HostClock clock, IWorkQueries work, IStartClaims starts)
{
    /// <summary>The most open items <see cref="WaitingForAsync"/> returns.</summary>
    public const int MaxWorkItems = 500;

    /// <summary>How long <see cref="SubmitEventAsync"/> waits for the instance to apply or reject an event unless told otherwise.</summary>
    public static readonly TimeSpan EventOutcomeWait = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait a channel may ask for.</summary>
    public static readonly TimeSpan MaxEventOutcomeWait = TimeSpan.FromSeconds(30);

    /// <summary>How long a start that lost the claim to another request waits for that request's instance to show.</summary>
    public static readonly TimeSpan ClaimedStartWait = TimeSpan.FromSeconds(10);

    internal static readonly OrchestrationRuntimeStatus[] AnyStatus =
    [
        OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed,
        OrchestrationRuntimeStatus.Terminated, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended,
    ];

    public WorkflowRegistry Registry { get; } = registry ?? throw new ArgumentNullException(nameof(registry));

    /// <summary>The Durable client the service reads and raises through.</summary>
    public DurableTaskClient Client { get; } = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>
    /// Validates a start and starts the instance once: the business key and every context name and
    /// value by <see cref="TextRules"/> (an id of at most 200 characters, values of at most 2,000, the
    /// whole context at most 32 KiB; no control characters), the business key (given, or taken from the
    /// context field the definition names; equal to that field when both are given), then the context
    /// fields the definition needs. The instance id is a function of (workflow, business key), so a
    /// second start with the same key finds the first instance (<see cref="StartOutcome.AlreadyExisted"/>)
    /// instead of starting another.
    /// </summary>
    public async Task<StartOutcome> StartAsync(
        string workflowId, string? businessKey, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Registry.Latest(workflowId) is not { } definition)
            return StartOutcome.Refuse(StartProblemKind.UnknownWorkflow, "workflowId", $"There is no workflow '{workflowId}'. GET /api/workflows lists the ones this coordinator serves.");
        // What enters the instance is checked before anything else (TextRules: the same for every channel).
        if (TextRules.Validate("businessKey", businessKey, TextKind.Id) is { } badKey)
            return StartOutcome.Refuse(StartProblemKind.InvalidText, "businessKey", badKey);
        if (TextRules.ValidateContext(context) is { } badContext)
            return StartOutcome.Refuse(StartProblemKind.InvalidText, badContext.Field, badContext.Message);
        var fields = new Dictionary<string, string>(context, StringComparer.Ordinal);

        if (string.IsNullOrWhiteSpace(businessKey) && definition.BusinessKey is { } keyField)
        {
            if (!fields.TryGetValue(keyField, out businessKey) || string.IsNullOrWhiteSpace(businessKey))
                return StartOutcome.Refuse(StartProblemKind.MissingBusinessKey, "businessKey", $"Workflow '{workflowId}' names its instances by '{keyField}': send businessKey, or context.{keyField}.");
            // The business key taken from the context: an id, so the id rules (200 characters), named by its field.
            if (TextRules.Validate($"context.{keyField}", businessKey, TextKind.Id) is { } badContextKey)
                return StartOutcome.Refuse(StartProblemKind.InvalidText, $"context.{keyField}", badContextKey + " It names the instance (the workflow's business key).");
        }
        if (definition.BusinessKey is { } namedField && businessKey is not null)
        {
            if (fields.TryGetValue(namedField, out var inContext) && inContext != businessKey)
                return StartOutcome.Refuse(StartProblemKind.BusinessKeyMismatch, "businessKey", $"businessKey '{businessKey}' differs from context.{namedField} '{inContext}'; they name the same thing, send one or make them equal.");
            fields[namedField] = businessKey;
        }
        if (TextRules.ValidateContext(fields) is { } tooLarge)
            return StartOutcome.Refuse(StartProblemKind.InvalidText, tooLarge.Field, tooLarge.Message);

        var missing = CoordinationEngine.MissingContext(definition, fields);
        if (missing.Count > 0)
        {
            return StartOutcome.Refuse(
                StartProblemKind.MissingContext, $"context.{missing[0]}",
                $"The start context lacks {string.Join(", ", missing)}, which workflow '{workflowId}' needs (roles taken from the context, conditions).",
                missing);
        }

        var instanceId = InstanceIds.For(workflowId, businessKey);
        var input = CoordinatorInput.Create(definition, fields, clock.TimeScale, businessKey, requestedAt: DateTimeOffset.UtcNow);
        // Duplicate starts, on any host: the instance id is a function of (workflow, business key); the
        // first request to claim it starts it, every other one finds it. The backend's own dedupe (on every
        // status) stays the last word, but two hosts racing on one id can both be told they created it.
        if (await Client.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is not null)
            return StartOutcome.Existing(instanceId, businessKey);
        if (!await starts.ClaimAsync(instanceId, workflowId, cancellationToken).ConfigureAwait(false))
        {
            // Claimed by another request, which is starting it: its instance shows in a moment.
            if (await ShowsWithinAsync(instanceId, ClaimedStartWait, cancellationToken).ConfigureAwait(false))
                return StartOutcome.Existing(instanceId, businessKey);
            // It never did (its host stopped between the claim and the start): start it here.
        }
        try
        {
            await Client.ScheduleNewOrchestrationInstanceAsync(
                nameof(CoordinatorOrchestrator),
                input,
                new StartOrchestrationOptions(instanceId).WithDedupeStatuses(AnyStatus),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return StartOutcome.Existing(instanceId, businessKey);
        }
        return StartOutcome.Started(instanceId, businessKey);
    }

    /// <summary>Whether the instance exists, or comes to exist within <paramref name="wait"/>.</summary>
    private async Task<bool> ShowsWithinAsync(string instanceId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            if (await Client.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is not null)
                return true;
            if (DateTimeOffset.UtcNow >= deadline)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Submits a human event and waits (up to <paramref name="wait"/>) for its outcome. The event is
    /// checked against the instance's current state first and raised only when the engine would accept
    /// it, stamped with the time it was accepted and an event id (the instance applies it at that time
    /// and reports its outcome under that id). An event with the client's id that the instance took up
    /// already is not raised again: its first outcome is the answer. Refused before raising: an unknown
    /// instance or step, an instance that takes no more events or has not finished its first turn, and
    /// (for events without a client id) what the engine rejects now.
    /// </summary>
    public async Task<EventResult> SubmitEventAsync(string instanceId, HumanEvent humanEvent, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(humanEvent);
        var result = await SubmitAsync(instanceId, humanEvent, wait, cancellationToken).ConfigureAwait(false);
        // Counted here, once per request: applied and refused events (a resend answered from the instance's memory counts as asked).
        var counter = result.Kind switch
        {
            EventResultKind.Applied => CoordinatorTelemetry.EventsAccepted,
            EventResultKind.Rejected => CoordinatorTelemetry.EventsRejected,
            _ => null,
        };
        // The workflow tag is one the registry knows (an unknown instance id is never a tag value: it is unbounded).
        var workflow = Registry.All.FirstOrDefault(d => instanceId.StartsWith(InstanceIds.PrefixOf(d.Id), StringComparison.Ordinal))?.Id ?? "unknown";
        counter?.Add(1, new("workflow", workflow), new("type", humanEvent.Type.ToString().ToLowerInvariant()));
        return result;
    }

    private async Task<EventResult> SubmitAsync(string instanceId, HumanEvent humanEvent, TimeSpan wait, CancellationToken cancellationToken)
    {
        var metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || metadata.Name != nameof(CoordinatorOrchestrator))
            return new EventResult(EventResultKind.UnknownInstance, null, $"There is no instance '{instanceId}'.");
        if (metadata.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending))
            return new EventResult(EventResultKind.Rejected, null, $"Instance '{instanceId}' is {StatusName(metadata.RuntimeStatus)}; it takes no more events.");
        var (definition, _, context, status) = FactsOf(metadata, Registry);
        if (status is null)
            return new EventResult(EventResultKind.Starting, null, $"Instance '{instanceId}' has not finished its first turn yet; retry in a moment.");
        if (definition.FindStep(humanEvent.StepId) is null)
            return new EventResult(EventResultKind.UnknownStep, null, $"Workflow '{definition.Id}' has no step '{humanEvent.StepId}'.");

        // Sent again after a lost answer: the instance took it up already; answer what happened then.
        if (humanEvent.EventId is { } given && status.OutcomeOf(given) is { } known)
            return ResultOf(given, known);

        // With an id of the client's, the instance is the judge: it may be a resend of an event it
        // took up long ago (an older one than the status lists), whose outcome only it still knows.
        var validation = CoordinationEngine.Validate(definition, status.InstanceWith(context), humanEvent);
        if (!validation.Accepted && humanEvent.EventId is null)
            return new EventResult(EventResultKind.Rejected, null, validation.Reason ?? "The coordinator rejected the event.");

        var eventId = humanEvent.EventId ?? Guid.NewGuid().ToString("N");
        var stamped = humanEvent with
        {
            AcceptedAt = DateTimeOffset.UtcNow,
            EventId = eventId,
            TraceParent = System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } request ? request.Id : null,
        };
        await Client.RaiseEventAsync(instanceId, CoordinatorEvents.HumanEvent, stamped, cancellationToken).ConfigureAwait(false);
        return await WaitForOutcomeAsync(instanceId, eventId, wait, cancellationToken).ConfigureAwait(false) is { } outcome
            ? ResultOf(eventId, outcome)
            : new EventResult(EventResultKind.Accepted, eventId, null);
    }

    /// <summary>
    /// What waits for <paramref name="personId"/>: the steps they own (active or blocked), the decision
    /// steps they own and the blocks they decide, in running instances, soonest due first, at most
    /// <paramref name="limit"/> (≤ <see cref="MaxWorkItems"/>). Read from the projection every
    /// instance writes after each turn, so it trails the instance by that turn's activities.
    /// </summary>
    public async Task<PersonWork> WaitingForAsync(string personId, int limit = MaxWorkItems, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        // Not an id anyone can have (a control character, too long): nobody, and nothing to look up.
        if (TextRules.Validate("personId", personId, TextKind.Id) is not null)
            return new PersonWork(personId, false, []);
        var items = await work.WaitingOnAsync(personId, Math.Clamp(limit, 1, MaxWorkItems), cancellationToken).ConfigureAwait(false);
        var known = items.Count > 0 || Registry.All.Any(d => d.Roles.Any(r => r.People.Contains(personId, StringComparer.Ordinal)))
            || await work.NamesAsync(personId, cancellationToken).ConfigureAwait(false);
        return new PersonWork(personId, known, items);
    }

    /// <summary>Every person the loaded definitions' roles and the running instances name, by id, with their roles and open items.</summary>
    public async Task<IReadOnlyList<KnownPersonView>> PeopleAsync(CancellationToken cancellationToken = default)
    {
        var people = new SortedDictionary<string, (SortedSet<string> Roles, int Open)>(StringComparer.Ordinal);
        foreach (var definition in Registry.All)
        {
            foreach (var role in definition.Roles)
            {
                foreach (var person in role.People)
                {
                    if (!people.TryGetValue(person, out var entry))
                        people[person] = entry = (new SortedSet<string>(StringComparer.Ordinal), 0);
                    entry.Roles.Add(role.Id);
                }
            }
        }
        foreach (var named in await work.PeopleAsync(cancellationToken).ConfigureAwait(false))
        {
            var roles = people.TryGetValue(named.PersonId, out var entry) ? entry.Roles : new SortedSet<string>(StringComparer.Ordinal);
            roles.UnionWith(named.Roles);
            people[named.PersonId] = (roles, named.OpenItems);
        }
        return [.. people.Select(static p => new KnownPersonView(p.Key, [.. p.Value.Roles], p.Value.Open))];
    }

    /// <summary>The running instances and whom each waits on, most recently started first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<RunningWork>> RunningAsync(int limit, CancellationToken cancellationToken = default) =>
        work.RunningAsync(Math.Clamp(limit, 1, MaxWorkItems), cancellationToken);

    /// <summary>An instance as every channel shows it; null when there is none.</summary>
    public async Task<InstanceView?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return metadata is null || metadata.Name != nameof(CoordinatorOrchestrator) ? null : ToView(metadata, Registry);
    }

    /// <summary>
    /// Waits until the instance has applied or rejected the event with id <paramref name="eventId"/>
    /// (its status keeps the latest outcomes) and people's work lists show that turn (the projection of
    /// open work follows the turn's status: a channel that answers "done" then shows the person's next
    /// work as it is); null when the wait ran out before the outcome or the instance ended. An outcome
    /// whose projection is late (its store away) is still answered when the wait runs out.
    /// </summary>
    public async Task<EventOutcome?> WaitForOutcomeAsync(string instanceId, string eventId, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        EventOutcome? seen = null;
        var shown = await WatchAsync(instanceId, metadata =>
        {
            var status = metadata?.ReadCustomStatusAs<CoordinatorStatus>();
            if (status?.OutcomeOf(eventId) is not { } outcome)
                return null;
            seen = outcome;
            return status.WorkShows(outcome.Sequence) ? outcome : null;
        }, wait, cancellationToken).ConfigureAwait(false);
        return shown ?? seen;
    }

    /// <summary>
    /// Reads the instance (with its status) every 50 ms to 200 ms until <paramref name="probe"/> answers; null
    /// when <paramref name="wait"/> ran out first or the instance ended (completed, failed, terminated) without an answer.
    /// </summary>
    public async Task<T?> WatchAsync<T>(string instanceId, Func<OrchestrationMetadata?, T?> probe, TimeSpan wait, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTimeOffset.UtcNow + wait;
        var interval = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (probe(metadata) is { } answer)
                return answer;
            if (metadata is { RuntimeStatus: not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending) }
                || DateTimeOffset.UtcNow + interval > deadline)
                return null;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromMilliseconds(Math.Min(200, interval.TotalMilliseconds * 1.5));
        }
    }

    private static EventResult ResultOf(string eventId, EventOutcome outcome) => outcome.Applied
        ? new EventResult(EventResultKind.Applied, eventId, null, outcome.Sequence, outcome.At)
        : new EventResult(EventResultKind.Rejected, eventId, outcome.Reason ?? "The coordinator rejected the event.", outcome.Sequence);

    /// <summary>A runtime status as the API and the pages name it (<c>running</c>, <c>completed</c>, ...).</summary>
    public static string StatusName(OrchestrationRuntimeStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>
    /// What the core needs of an instance: its pinned definition, business key, context and status. The
    /// definition comes from the registry when the status names a loaded (id, version, hash), which
    /// spares deserializing the instance input on every call; otherwise from the input itself.
    /// </summary>
    internal static (WorkflowDefinition Definition, string? BusinessKey, IReadOnlyDictionary<string, string> Context, CoordinatorStatus? Status) FactsOf(
        OrchestrationMetadata metadata, WorkflowRegistry? registry)
    {
        var status = metadata.ReadCustomStatusAs<CoordinatorStatus>();
        if (status is { Instance: var state } && registry?.Find(state.DefinitionId, state.DefinitionVersion, state.DefinitionHash) is { } known)
        {
            var context = status.ContextOmitted ? StartContextOf(metadata) : state.Context;
            var businessKey = known.BusinessKey is { } field && context.TryGetValue(field, out var value) ? value : null;
            return (known, businessKey, context, status);
        }
        var input = metadata.ReadInputAs<CoordinatorInput>()!;
        return (input.Definition, input.BusinessKey, input.Context, status);
    }

    /// <summary>
    /// The start context from an instance's serialized input, reading only that member (the status
    /// leaves it out to stay small, see <see cref="CoordinatorStatus.Bounded"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> StartContextOf(OrchestrationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.SerializedInput is not { } json)
            return context;
        using var document = JsonDocument.Parse(json);
        foreach (var member in document.RootElement.EnumerateObject())
        {
            if (!member.NameEquals("context") && !member.NameEquals("Context"))
                continue;
            foreach (var field in member.Value.EnumerateObject())
                context[field.Name] = field.Value.GetString() ?? "";
        }
        return context;
    }

    /// <summary>An instance's view from its metadata (the registry spares reading the input when it holds the instance's definition).</summary>
    public static InstanceView ToView(OrchestrationMetadata metadata, WorkflowRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var (definition, businessKey, context, status) = FactsOf(metadata, registry);
        var steps = definition.Steps.Select(step =>
        {
            var s = status?.Instance.FindStep(step.Id);
            return new StepView(
                step.Id, step.Title, s is null ? "pending" : StepStatusNames.Of(s.Status), s?.Owners ?? [],
                s?.ActivatedAt, s?.DueAt, s?.FinishedAt, s?.LastActivityAt, s?.NextReminderAt, s?.EscalationsFired ?? 0,
                s?.BlockReason, s?.Outcome);
        }).ToArray();
        var failure = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? FailureOf(metadata) : null;
        return new InstanceView(
            metadata.InstanceId, definition.Id, definition.Version, businessKey, context, StatusName(metadata.RuntimeStatus),
            metadata.CreatedAt, metadata.LastUpdatedAt, status?.Progress.WorkflowNow, status?.NextWakeUp, steps)
        {
            Failure = failure,
            WaitingFor = status?.WaitingFor,
            PendingEffectCount = status?.PendingEffectCount ?? 0,
            PendingEffects = status?.PendingEffects ?? [],
            WorkListed = status is not null && status.WorkShows(status.Instance.Sequence),
        };
    }

    /// <summary>
    /// Why an instance failed: the failure details, or, where a backend reports none (the embedded
    /// sidecar keeps them in the output), what the output says.
    /// </summary>
    private static FailureView FailureOf(OrchestrationMetadata metadata)
    {
        if (metadata.FailureDetails is { } details)
            return new FailureView(details.ErrorType, details.ErrorMessage);
        if (metadata.SerializedOutput is { Length: > 0 } output)
        {
            try
            {
                using var document = JsonDocument.Parse(output);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    string? Text(string name) => root.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
                    if (Text("errorMessage") is { } message)
                        return new FailureView(Text("errorType") ?? "unknown", message);
                }
                if (root.ValueKind == JsonValueKind.String)
                    return new FailureView("unknown", root.GetString()!);
            }
            catch (JsonException)
            {
                return new FailureView("unknown", output);
            }
        }
        return new FailureView("unknown", "The instance failed without saying why; the host's log has the details.");
    }

    /// <summary>The backend refused a second instance with the id: the gRPC client's AlreadyExists, or DurableTask's own exception (in-process backends).</summary>
    /// <summary>
    /// The backend refused a second instance with the id: the gRPC client (both hosts) says so with the
    /// SDK's <see cref="DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException"/>; an older sidecar
    /// with the bare <c>AlreadyExists</c> status.
    /// </summary>
    private static bool IsAlreadyExists(Exception e) =>
        e is DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException
        || e.GetBaseException() is DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException
            or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.AlreadyExists };
}
