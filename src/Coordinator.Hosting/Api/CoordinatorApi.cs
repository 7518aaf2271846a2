using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Coordinator.Application;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;
using Coordinator.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).DescribedAsApi();
        api.MapGet("/people/{personId}/work", GetPersonWorkAsync)
            .WithName("GetPersonWork").WithTags("People")
            .WithSummary("What waits for a person: the steps they own (active or blocked), the decision steps they own and the blocks they decide, in running instances, soonest due first (at most 500).")
            .ProducesValidationProblem().DescribedAsApi();
        return api;
    }

    /// <summary>What waits for <paramref name="personId"/>, from the core's read model of open work.</summary>
    public static async Task<Results<Ok<PersonWorkResponse>, ValidationProblem>> GetPersonWorkAsync(
        string personId, HttpRequest request, CoordinatorService coordinator, HostClock clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(clock);
        if (TextRules.Validate("personId", personId, TextKind.Id) is { } bad)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["personId"] = [bad] });
        var work = await coordinator.WaitingForAsync(personId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(new PersonWorkResponse(personId, work.IsKnown, [.. work.Items.Select(w =>
        {
            var (instance, item) = (w.Instance, w.Item);
            var workflowNow = new WorkflowClock(instance.StartedAt, instance.TimeScale).ToWorkflowTime(now);
            return new WorkItemView(
                instance.InstanceId, instance.WorkflowId, instance.WorkflowTitle, instance.BusinessKey, item.StepId, item.Title,
                item.Kind.ToString().ToLowerInvariant(), item.Status, item.Due, item.Due < workflowNow, item.EscalationLevel,
                item.BlockReason, item.BlockedBy, [.. item.Options.Select(static o => new OptionView(o.Id, o.Title))],
                $"{StatusUri(request, instance.InstanceId)}/steps/{Uri.EscapeDataString(item.StepId)}/events");
        })]));
    }

    public static IReadOnlyList<WorkflowView> ListWorkflows(WorkflowRegistry registry) =>
        registry.All.Select(d => new WorkflowView(d.Id, d.Version, d.Title, d.ContentHash, d.BusinessKey, d.Steps.Select(s => s.Id).ToArray())).ToArray();

    /// <summary>Starts an instance through the core: 202 started, 200 found already there, 404 unknown workflow, 400 naming the field.</summary>
    public static async Task<Results<Accepted<StartInstanceResponse>, Ok<StartInstanceResponse>, ProblemHttpResult>> StartInstanceAsync(
        string workflowId, HttpRequest request, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(coordinator);
        if (coordinator.Registry.Latest(workflowId) is null)
            return NotFound("Unknown workflow", $"There is no workflow '{workflowId}'. GET /api/workflows lists the ones this coordinator serves.");
        var (start, problem) = await JsonBody.ReadAsync<StartInstanceRequest>(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return problem;

        var outcome = await coordinator.StartAsync(workflowId, start!.BusinessKey, start.Context ?? EmptyContext, cancellationToken).ConfigureAwait(false);
        if (!outcome.Accepted)
            return JsonBody.Invalid(outcome.Problem.Field, outcome.Problem.Message);
        var statusUri = StatusUri(request, outcome.InstanceId);
        return outcome.AlreadyExisted
            ? TypedResults.Ok(new StartInstanceResponse(outcome.InstanceId, statusUri, AlreadyExisted: true))
            : TypedResults.Accepted(statusUri, new StartInstanceResponse(outcome.InstanceId, statusUri, AlreadyExisted: false));
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyContext = new Dictionary<string, string>();

    public static async Task<IResult> GetInstanceAsync(string instanceId, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        return await coordinator.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is { } view
            ? Results.Ok(view)
            : NotFound("Unknown instance", $"There is no instance '{instanceId}'. GET /api/instances lists them.");
    }

    public static async Task<IResult> ListInstancesAsync(
        string? workflow, string? status, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        OrchestrationRuntimeStatus[]? statuses = null;
        if (!string.IsNullOrEmpty(status))
        {
            // By name only: Enum.TryParse would also take "999" or "running, failed" (whose values it ORs together).
            statuses = CoordinatorService.AnyStatus.Where(s => string.Equals(CoordinatorService.StatusName(s), status, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (statuses.Length == 0)
                return JsonBody.Invalid("status", $"Unknown status '{status}'; use running, completed, failed, terminated, pending or suspended.");
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
                metadata.InstanceId, input?.Definition.Id ?? "", input?.BusinessKey, CoordinatorService.StatusName(metadata.RuntimeStatus),
                metadata.CreatedAt, metadata.LastUpdatedAt, StatusUri(request, metadata.InstanceId)));
            if (list.Count >= 1000)
                break;
        }
        return Results.Ok(list);
    }

    /// <param name="wait">Whole seconds to wait for the event's outcome, 0 to 30 (default 5); query parameter <c>wait</c>.</param>
    public static async Task<Results<Ok<StepEventOutcome>, Accepted<StepEventOutcome>, ProblemHttpResult>> PostEventAsync(
        string instanceId, string stepId, [FromQuery] string? wait, HttpRequest request, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(coordinator);
        if (ReadWait(wait) is not { } patience)
            return JsonBody.Invalid("wait", $"wait is how many seconds to wait for the event's outcome: a whole number from 0 to {CoordinatorService.MaxEventOutcomeWait.TotalSeconds:0} (default {CoordinatorService.EventOutcomeWait.TotalSeconds:0}).");
        var (body, problem) = await JsonBody.ReadAsync<StepEventRequest>(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return problem;
        var (humanEvent, invalid) = HumanEventFields.Parse(stepId, body!.Fields());
        if (invalid is not null)
            return JsonBody.Invalid(invalid.Field, invalid.Message);

        var result = await coordinator.SubmitEventAsync(instanceId, humanEvent!, patience, cancellationToken).ConfigureAwait(false);
        var type = body.Type;
        return result.Kind switch
        {
            EventResultKind.Applied => TypedResults.Ok(new StepEventOutcome(instanceId, stepId, type, result.EventId!, "applied", result.Sequence, result.AppliedAt)),
            EventResultKind.Accepted => TypedResults.Accepted(
                StatusUri(request, instanceId), new StepEventOutcome(instanceId, stepId, type, result.EventId!, "accepted", null, null)),
            EventResultKind.UnknownInstance => NotFound("Unknown instance", result.Reason!),
            EventResultKind.UnknownStep => NotFound("Unknown step", result.Reason!),
            EventResultKind.Starting => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Instance is starting", detail: result.Reason),
            _ => result.EventId is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Event rejected", detail: result.Reason)
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Event rejected", detail: result.Reason,
                    extensions: new Dictionary<string, object?> { ["eventId"] = result.EventId, ["sequence"] = result.Sequence }),
        };
    }

    /// <summary>The <c>wait</c> query parameter (whole seconds, 0 to 30); the default when absent; null when malformed.</summary>
    private static TimeSpan? ReadWait(string? wait)
    {
        if (wait is null)
            return CoordinatorService.EventOutcomeWait;
        return int.TryParse(wait, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds <= CoordinatorService.MaxEventOutcomeWait.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private static string StatusUri(HttpRequest request, string instanceId) =>
        $"{request.Scheme}://{request.Host}/api/instances/{Uri.EscapeDataString(instanceId)}";

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);
}
