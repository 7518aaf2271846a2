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
    /// <summary>Largest accepted request body.</summary>
    public const int MaxBodyBytes = 256 * 1024;

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

    public static async Task<IResult> StartInstanceAsync(string workflowId, HttpRequest request, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(coordinator);
        if (coordinator.Registry.Latest(workflowId) is null)
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

        var outcome = await coordinator.StartAsync(workflowId, businessKey, context, cancellationToken).ConfigureAwait(false);
        if (!outcome.Accepted)
            return Invalid(outcome.Problem.Field, outcome.Problem.Message);
        var statusUri = StatusUri(request, outcome.InstanceId);
        return outcome.AlreadyExisted
            ? Results.Ok(new StartInstanceResponse(outcome.InstanceId, statusUri, AlreadyExisted: true))
            : Results.Accepted(statusUri, new StartInstanceResponse(outcome.InstanceId, statusUri, AlreadyExisted: false));
    }

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
                metadata.InstanceId, input?.Definition.Id ?? "", input?.BusinessKey, CoordinatorService.StatusName(metadata.RuntimeStatus),
                metadata.CreatedAt, metadata.LastUpdatedAt, StatusUri(request, metadata.InstanceId)));
            if (list.Count >= 1000)
                break;
        }
        return Results.Ok(list);
    }

    /// <param name="wait">Whole seconds to wait for the event's outcome, 0 to 30 (default 5); query parameter <c>wait</c>.</param>
    public static async Task<IResult> PostEventAsync(
        string instanceId, string stepId, [FromQuery] string? wait, HttpRequest request, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(coordinator);
        if (ReadWait(wait) is not { } patience)
            return Invalid("wait", $"wait is how many seconds to wait for the event's outcome: a whole number from 0 to {CoordinatorService.MaxEventOutcomeWait.TotalSeconds:0} (default {CoordinatorService.EventOutcomeWait.TotalSeconds:0}).");
        var (body, problem) = await ReadJsonObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return problem;
        var parsed = ParseHumanEvent(stepId, body!.Value);
        if (parsed.Problem is not null)
            return parsed.Problem;

        var result = await coordinator.SubmitEventAsync(instanceId, parsed.Event!, patience, cancellationToken).ConfigureAwait(false);
        var type = body.Value.GetProperty("type").GetString()!;
        return result.Kind switch
        {
            EventResultKind.Applied => Results.Ok(new StepEventOutcome(instanceId, stepId, type, result.EventId!, "applied", result.Sequence, result.AppliedAt)),
            EventResultKind.Accepted => Results.Accepted(
                StatusUri(request, instanceId), new StepEventOutcome(instanceId, stepId, type, result.EventId!, "accepted", null, null)),
            EventResultKind.UnknownInstance => NotFound("Unknown instance", result.Reason!),
            EventResultKind.UnknownStep => NotFound("Unknown step", result.Reason!),
            EventResultKind.Starting => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Instance is starting", detail: result.Reason),
            _ => result.EventId is null
                ? Conflict(result.Reason!)
                : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Event rejected", detail: result.Reason,
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

    /// <summary>
    /// Parses an event body: <c>{ "type": "done|progress|blocked|decide|reassign", "by": "...", "text"?, "reason"?, "option"?, "to"?, "id"? }</c>,
    /// every member a string (or null); the fields are checked by <see cref="HumanEventFields.Parse"/>, the same for every channel; a 400 names the field.
    /// </summary>
    public static (HumanEvent? Event, IResult? Problem) ParseHumanEvent(string stepId, JsonElement body)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return (null, Invalid(property.Name, $"{property.Name} must be a string."));
            fields[property.Name] = property.Value.GetString();
        }
        var (humanEvent, problem) = HumanEventFields.Parse(stepId, fields);
        return problem is null ? (humanEvent, null) : (null, Invalid(problem.Field, problem.Message));
    }

    private static string StatusUri(HttpRequest request, string instanceId) =>
        $"{request.Scheme}://{request.Host}/api/instances/{Uri.EscapeDataString(instanceId)}";

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
