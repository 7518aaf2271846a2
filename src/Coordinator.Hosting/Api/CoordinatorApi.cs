using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;
using Coordinator.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Api;

/// <summary>
/// The coordinator's HTTP API, shared by every host: start instances, read them, report events.
/// Handlers are plain static methods so the Azure Functions app calls the same code.
/// </summary>
public static class CoordinatorApi
{
    /// <summary>Largest accepted request body.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly SemaphoreSlim[] StartGates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private static readonly OrchestrationRuntimeStatus[] AnyStatus =
    [
        OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed,
        OrchestrationRuntimeStatus.Terminated, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended,
    ];

    /// <summary>Maps the API under <c>/api</c>, protected by the API key.</summary>
    public static RouteGroupBuilder MapCoordinatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter<ApiKeyFilter>();
        api.MapGet("/workflows", (WorkflowRegistry registry) => Results.Ok(ListWorkflows(registry)))
            .WithName("ListWorkflows").WithTags("Workflows").WithSummary("The workflows this coordinator serves (latest versions first loaded).")
            .Produces<IReadOnlyList<WorkflowView>>().DescribedAsApi();
        api.MapPost("/workflows/{workflowId}/instances", StartInstanceAsync)
            .WithName("StartInstance").WithTags("Instances").WithSummary("Starts an instance; the same business key twice returns the existing instance (200).")
            .TakesJson<StartInstanceRequest>()
            .Produces<StartInstanceResponse>(StatusCodes.Status202Accepted).Produces<StartInstanceResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).DescribedAsApi();
        api.MapGet("/instances", ListInstancesAsync)
            .WithName("ListInstances").WithTags("Instances").WithSummary("Lists instances (at most 1000), optionally filtered by workflow and status.")
            .Produces<IReadOnlyList<InstanceSummary>>().ProducesValidationProblem().DescribedAsApi();
        api.MapGet("/instances/{instanceId}", GetInstanceAsync)
            .WithName("GetInstance").WithTags("Instances").WithSummary("An instance with every step's status, owner, times, next reminder and escalation level.")
            .Produces<InstanceView>().ProducesProblem(StatusCodes.Status404NotFound).DescribedAsApi();
        api.MapPost("/instances/{instanceId}/steps/{stepId}/events", PostEventAsync)
            .WithName("PostStepEvent").WithTags("Step events")
            .WithSummary("Reports done, progress, blocked, decide or reassign on a step and waits for its outcome (5 s, or ?wait=0..30 seconds): 200 applied, 409 rejected with the engine's reason, 202 when the instance has not taken it up within the wait.")
            .TakesJson<StepEventRequest>()
            .Produces<StepEventOutcome>().Produces<StepEventOutcome>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).DescribedAsApi();
        return api;
    }

    public static IReadOnlyList<WorkflowView> ListWorkflows(WorkflowRegistry registry) =>
        registry.All.Select(d => new WorkflowView(d.Id, d.Version, d.Title, d.ContentHash, d.BusinessKey, d.Steps.Select(s => s.Id).ToArray())).ToArray();

    public static async Task<IResult> StartInstanceAsync(
        string workflowId, HttpRequest request, WorkflowRegistry registry, DurableTaskClient client, HostClock clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = registry.Latest(workflowId);
        if (definition is null)
            return NotFound("Unknown workflow", $"There is no workflow '{workflowId}'. GET /api/workflows lists the ones this coordinator serves.");

        var (body, problem) = await ReadJsonObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return problem;

        string? businessKey = null;
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in body!.Value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "businessKey":
                    if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                        return Invalid("businessKey", "businessKey must be a string.");
                    businessKey = property.Value.GetString();
                    break;
                case "context":
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        return Invalid("context", "context must be a JSON object of field names to values.");
                    foreach (var field in property.Value.EnumerateObject())
                    {
                        var value = field.Value.ValueKind switch
                        {
                            JsonValueKind.String => field.Value.GetString(),
                            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => field.Value.GetRawText(),
                            _ => null,
                        };
                        if (value is null)
                            return Invalid($"context.{field.Name}", $"context.{field.Name} must be a string, number or boolean.");
                        context[field.Name] = value;
                    }
                    break;
                default:
                    return Invalid(property.Name, $"Unknown field '{property.Name}'; a start request has 'businessKey' and 'context'.");
            }
        }

        var outcome = await StartAsync(definition, businessKey, context, client, clock, cancellationToken).ConfigureAwait(false);
        if (!outcome.Accepted)
            return Invalid(outcome.Problem.Field, outcome.Problem.Message);
        var statusUri = StatusUri(request, outcome.InstanceId);
        return outcome.AlreadyExisted
            ? Results.Ok(new StartInstanceResponse(outcome.InstanceId, statusUri, AlreadyExisted: true))
            : Results.Accepted(statusUri, new StartInstanceResponse(outcome.InstanceId, statusUri, AlreadyExisted: false));
    }

    /// <summary>
    /// Validates a start and starts the instance once: the business key and every context name and
    /// value by <see cref="TextRules"/> (an id of at most 200 characters, values of at most 2,000, the
    /// whole context at most 32 KiB; no control characters), the business key (given, or taken from the
    /// context field the definition names; equal to that field when both are given), then the context
    /// fields the definition needs. The instance id is a function of
    /// (workflow, business key), so a second start with the same key finds the first instance
    /// (<see cref="StartOutcome.AlreadyExisted"/>) instead of starting another. Every channel that
    /// starts instances (the API, the web inbox) goes through here.
    /// </summary>
    public static async Task<StartOutcome> StartAsync(
        WorkflowDefinition definition, string? businessKey, IReadOnlyDictionary<string, string> context,
        DurableTaskClient client, HostClock clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(clock);
        var workflowId = definition.Id;
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
        // Duplicate starts: the backend refuses a second instance with the same id (dedupe on every
        // status); the striped lock spares this host the race between its own concurrent requests.
        var gate = StartGates[(instanceId.GetHashCode(StringComparison.Ordinal) & int.MaxValue) % StartGates.Length];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await client.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is not null)
                return StartOutcome.Existing(instanceId, businessKey);
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(CoordinatorOrchestrator),
                input,
                new StartOrchestrationOptions(instanceId).WithDedupeStatuses(AnyStatus),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return StartOutcome.Existing(instanceId, businessKey);
        }
        finally
        {
            gate.Release();
        }
        return StartOutcome.Started(instanceId, businessKey);
    }

    public static async Task<IResult> GetInstanceAsync(string instanceId, WorkflowRegistry registry, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || metadata.Name != nameof(CoordinatorOrchestrator))
            return NotFound("Unknown instance", $"There is no instance '{instanceId}'. GET /api/instances lists them.");
        return Results.Ok(ToView(metadata, registry));
    }

    public static async Task<IResult> ListInstancesAsync(
        string? workflow, string? status, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        OrchestrationRuntimeStatus[]? statuses = null;
        if (!string.IsNullOrEmpty(status))
        {
            // By name only: Enum.TryParse would also take "999" or "running, failed" (whose values it ORs together).
            statuses = AnyStatus.Where(s => string.Equals(StatusName(s), status, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (statuses.Length == 0)
                return Invalid("status", $"Unknown status '{status}'; use running, completed, failed, terminated, pending or suspended.");
        }
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = string.IsNullOrEmpty(workflow) ? null : InstanceIds.PrefixOf(workflow),
            Statuses = statuses,
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        var list = new List<InstanceSummary>();
        await foreach (var metadata in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (metadata.Name != nameof(CoordinatorOrchestrator))
                continue;
            var input = metadata.ReadInputAs<CoordinatorInput>();
            list.Add(new InstanceSummary(
                metadata.InstanceId, input?.Definition.Id ?? "", input?.BusinessKey, StatusName(metadata.RuntimeStatus),
                metadata.CreatedAt, metadata.LastUpdatedAt, StatusUri(request, metadata.InstanceId)));
            if (list.Count >= 1000)
                break;
        }
        return Results.Ok(list);
    }

    /// <param name="wait">Whole seconds to wait for the event's outcome, 0 to 30 (default 5); query parameter <c>wait</c>.</param>
    public static async Task<IResult> PostEventAsync(
        string instanceId, string stepId, [FromQuery] string? wait, HttpRequest request, WorkflowRegistry registry, DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ReadWait(wait) is not { } patience)
            return Invalid("wait", $"wait is how many seconds to wait for the event's outcome: a whole number from 0 to {MaxEventOutcomeWait.TotalSeconds:0} (default {EventOutcomeWait.TotalSeconds:0}).");
        var (body, problem) = await ReadJsonObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return problem;
        var parsed = ParseHumanEvent(stepId, body!.Value);
        if (parsed.Problem is not null)
            return parsed.Problem;

        var submitted = await SubmitEventAsync(instanceId, parsed.Event!, registry, client, cancellationToken).ConfigureAwait(false);
        if (submitted.Problem is not null)
            return submitted.Problem;
        var type = body.Value.GetProperty("type").GetString()!;
        var outcome = submitted.Known
            ?? await WaitForOutcomeAsync(client, instanceId, submitted.EventId!, patience, cancellationToken).ConfigureAwait(false);
        var statusUri = StatusUri(request, instanceId);
        if (outcome is null)
            return Results.Accepted(statusUri, new StepEventOutcome(instanceId, stepId, type, submitted.EventId!, "accepted", null, null));
        if (!outcome.Applied)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Event rejected", detail: outcome.Reason ?? "The coordinator rejected the event.",
                extensions: new Dictionary<string, object?> { ["eventId"] = submitted.EventId, ["sequence"] = outcome.Sequence });
        return Results.Ok(new StepEventOutcome(instanceId, stepId, type, submitted.EventId!, "applied", outcome.Sequence, outcome.At));
    }

    /// <summary>How long <c>POST .../events</c> waits for the instance to apply or reject the event before answering 202, unless <c>?wait=</c> says otherwise.</summary>
    public static readonly TimeSpan EventOutcomeWait = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait a client may ask for with <c>?wait=</c>.</summary>
    public static readonly TimeSpan MaxEventOutcomeWait = TimeSpan.FromSeconds(30);

    /// <summary>The <c>wait</c> query parameter (whole seconds, 0 to 30); the default when absent; null when malformed.</summary>
    private static TimeSpan? ReadWait(string? wait)
    {
        if (wait is null)
            return EventOutcomeWait;
        return int.TryParse(wait, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds <= MaxEventOutcomeWait.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    /// <summary>
    /// Waits until the instance has applied or rejected the event with id <paramref name="eventId"/>
    /// (its status keeps the latest outcomes), reading it every 50 ms to 200 ms; null when the wait
    /// ran out first or the instance stopped running.
    /// </summary>
    public static async Task<EventOutcome?> WaitForOutcomeAsync(
        DurableTaskClient client, string instanceId, string eventId, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var deadline = DateTimeOffset.UtcNow + wait;
        var interval = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (metadata?.ReadCustomStatusAs<CoordinatorStatus>()?.OutcomeOf(eventId) is { } outcome)
                return outcome;
            if (metadata is null || metadata.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending)
                || DateTimeOffset.UtcNow + interval > deadline)
                return null;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromMilliseconds(Math.Min(200, interval.TotalMilliseconds * 1.5));
        }
    }

    /// <summary>
    /// Checks a parsed event against the instance's current state and raises it when the engine
    /// would accept it, stamped with the time it was accepted and a new event id (the instance applies
    /// it at that time, and reports its outcome under that id: <see cref="WaitForOutcomeAsync"/>).
    /// Returns the event id when raised, else the problem (404 unknown instance or step, 409 rejected
    /// with the engine's reason, 503 instance still starting). Every channel that reports human events
    /// (the API, the web inbox) goes through here.
    /// </summary>
    public static async Task<EventSubmission> SubmitEventAsync(
        string instanceId, HumanEvent humanEvent, WorkflowRegistry registry, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(humanEvent);
        ArgumentNullException.ThrowIfNull(client);
        var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || metadata.Name != nameof(CoordinatorOrchestrator))
            return Refused(NotFound("Unknown instance", $"There is no instance '{instanceId}'."));
        if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Running && metadata.RuntimeStatus != OrchestrationRuntimeStatus.Pending)
            return Refused(Conflict($"Instance '{instanceId}' is {StatusName(metadata.RuntimeStatus)}; it takes no more events."));
        var (definition, _, context, status) = FactsOf(metadata, registry);
        if (status is null)
            return Refused(Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Instance is starting",
                detail: $"Instance '{instanceId}' has not finished its first turn yet; retry in a moment."));
        if (definition.FindStep(humanEvent.StepId) is null)
            return Refused(NotFound("Unknown step", $"Workflow '{definition.Id}' has no step '{humanEvent.StepId}'."));

        // Sent again after a lost answer: the instance took it up already; answer what happened then.
        if (humanEvent.EventId is { } given && status.OutcomeOf(given) is { } known)
            return new EventSubmission(null, given) { Known = known };

        // With an id of the client's, the instance is the judge: it may be a resend of an event it
        // took up long ago (an older one than the status lists), whose outcome only it still knows.
        var validation = CoordinationEngine.Validate(definition, status.InstanceWith(context), humanEvent);
        if (!validation.Accepted && humanEvent.EventId is null)
            return Refused(Conflict(validation.Reason ?? "The coordinator rejected the event."));

        var eventId = humanEvent.EventId ?? Guid.NewGuid().ToString("N");
        var stamped = humanEvent with { AcceptedAt = DateTimeOffset.UtcNow, EventId = eventId };
        await client.RaiseEventAsync(instanceId, CoordinatorEvents.HumanEvent, stamped, cancellationToken).ConfigureAwait(false);
        return new EventSubmission(null, eventId);

        static EventSubmission Refused(IResult problem) => new(problem, null);
    }

    /// <summary>
    /// Parses an event body: <c>{ "type": "done|progress|blocked|decide|reassign", "by": "...", "text"?, "reason"?, "option"?, "to"? }</c>.
    /// A <c>decide</c> without <c>option</c> resumes a block that offers no alternatives; where an option is needed the engine says so (409).
    /// Texts follow <see cref="TextRules"/>: <c>by</c>, <c>to</c>, <c>option</c> and the step id are ids (200 characters),
    /// <c>text</c> and <c>reason</c> notes (4,000 characters, tabs and line breaks allowed); a 400 names the field.
    /// </summary>
    public static (HumanEvent? Event, IResult? Problem) ParseHumanEvent(string stepId, JsonElement body)
    {
        string? type = null, by = null, text = null, reason = null, option = null, to = null, id = null;
        foreach (var property in body.EnumerateObject())
        {
            if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return (null, Invalid(property.Name, $"{property.Name} must be a string."));
            var value = property.Value.GetString();
            switch (property.Name)
            {
                case "type": type = value; break;
                case "by": by = value; break;
                case "text": text = value; break;
                case "reason": reason = value; break;
                case "option": option = value; break;
                case "to": to = value; break;
                case "id": id = value; break;
                default:
                    return (null, Invalid(property.Name, $"Unknown field '{property.Name}'; an event has type, by, and text, reason, option, to or id."));
            }
        }
        HumanEventType kind;
        switch (type)
        {
            case null or "": return (null, Invalid("type", "type is required: done, progress, blocked, decide or reassign."));
            case "done": kind = HumanEventType.Done; break;
            case "progress": kind = HumanEventType.Progress; break;
            case "blocked": kind = HumanEventType.Blocked; break;
            case "decide": kind = HumanEventType.Decide; break;
            case "reassign": kind = HumanEventType.Reassign; break;
            default: return (null, Invalid("type", $"Unknown event type '{type}'; use done, progress, blocked, decide or reassign."));
        }
        if (string.IsNullOrWhiteSpace(by))
            return (null, Invalid("by", "by is required: the person id of who reports the event."));
        if (kind == HumanEventType.Blocked && string.IsNullOrWhiteSpace(reason))
            return (null, Invalid("reason", "A blocked event needs a reason: what blocks the step."));
        if (kind == HumanEventType.Reassign && string.IsNullOrWhiteSpace(to))
            return (null, Invalid("to", "A reassign event needs 'to': the person id of the new owner."));
        // What enters the instance (TextRules, the same for every channel), checked before trimming.
        var humanEvent = new HumanEvent(stepId, kind, by, text, reason, option, to);
        if (TextRules.ValidateEvent(humanEvent) is { } problem)
            return (null, Invalid(problem.Field, problem.Message));
        if (id is not null && !IsEventId(id))
            return (null, Invalid("id", "id names the event so that sending it again is harmless: 1 to 200 letters, digits, '.', '_', ':' or '-'."));
        return (humanEvent with { By = by.Trim(), EventId = id }, null);
    }

    private static bool IsEventId(string id) =>
        id.Length is > 0 and <= 200 && id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    /// <summary>
    /// What the API needs of an instance: its pinned definition, business key and status. The
    /// definition comes from the registry when the status names a loaded (id, version, hash), which
    /// spares deserializing the instance input on every call; otherwise from the input itself.
    /// </summary>
    private static (WorkflowDefinition Definition, string? BusinessKey, IReadOnlyDictionary<string, string> Context, CoordinatorStatus? Status) FactsOf(
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

    internal static string StatusName(OrchestrationRuntimeStatus status) => status.ToString().ToLowerInvariant();

    private static string StatusUri(HttpRequest request, string instanceId) =>
        $"{request.Scheme}://{request.Host}/api/instances/{Uri.EscapeDataString(instanceId)}";

    private static bool IsAlreadyExists(Exception e) =>
        e is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.AlreadyExists }
        || e.GetBaseException() is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.AlreadyExists }
        || e.GetType().Name.Contains("AlreadyExists", StringComparison.Ordinal);

    /// <summary>Reads the body as one JSON object, refusing bodies over <see cref="MaxBodyBytes"/> (413) and bad JSON (400).</summary>
    public static async Task<(JsonElement? Body, IResult? Problem)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
            return (null, TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                    return (null, TooLarge());
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            // Bad framing (chunk sizes, a body shorter than its Content-Length): Kestrel's reason, as a 400.
            // Kestrel reports a chunk size that overflows as a plain IOException; so does a client that went
            // away, which is past hearing any answer.
            return (null, Results.Problem(statusCode: e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest,
                title: "Unreadable request body", detail: $"The request body could not be read: {e.Message} Send a well-formed HTTP request."));
        }
        if (buffer.Length == 0)
            return (null, Invalid("body", "The request needs a JSON object body."));
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, Invalid("body", "The body must be a JSON object."));
            if (CheckStrings(document.RootElement, "body") is { } bad)
                return (null, bad);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (null, Invalid("body", $"The body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>
    /// Refuses what <see cref="JsonDocument"/> accepts but no handler can read: a string or field name
    /// that is not valid UTF-8, or whose escapes make a lone surrogate (<c>"\ud800"</c>), and a field given
    /// twice in one object (which one would count?). The problem names the field: <c>text</c>,
    /// <c>context.deal_owner</c>; <c>body</c> for a field name at the top.
    /// </summary>
    private static IResult? CheckStrings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Invalid(path, $"A field name in {path} {NotText(JsonMarshal.GetRawUtf8PropertyName(property))}");
                    }
                    var field = path == "body" ? name : $"{path}.{name}";
                    if (!names.Add(name))
                        return Invalid(field, $"{field} is given twice; send each field once.");
                    if (CheckStrings(property.Value, field) is { } problem)
                        return problem;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (CheckStrings(item, $"{path}[{index++}]") is { } problem)
                        return problem;
                }
                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return Invalid(path, $"{path} {NotText(JsonMarshal.GetRawUtf8Value(element))}");
                }
            default:
                return null;
        }
    }

    /// <summary>Why a JSON string that does not decode is not text: raw bytes that are not UTF-8, or (valid bytes, so) an escaped lone surrogate.</summary>
    private static string NotText(ReadOnlySpan<byte> raw) => Utf8.IsValid(raw)
        ? "contains a lone surrogate escape (such as \\ud800 without the \\udc00-\\udfff that must follow it): it is not valid Unicode text."
        : "is not valid UTF-8; send JSON bodies as UTF-8 text.";

    private static IResult TooLarge() => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
        detail: $"Request bodies are limited to {MaxBodyBytes / 1024} KiB.");

    internal static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "Invalid request");

    private static IResult NotFound(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    private static IResult Conflict(string reason) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Event rejected", detail: reason);
}

/// <summary>The host-wide time scale new instances start with (<c>--time-scale</c>).</summary>
public sealed record HostClock(double TimeScale);
