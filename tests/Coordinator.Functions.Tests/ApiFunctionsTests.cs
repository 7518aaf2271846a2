using System.Reflection;
using Coordinator.Functions.Tests.Support;
using Coordinator.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Coordinator.Functions.Tests;

/// <summary>The HTTP triggers called directly, against a real in-process Durable Task host running the app's orchestrator and activity triggers.</summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class ApiFunctionsTests(FunctionsAppFixture app)
{
    private static string Ticket() => $"T-{Guid.NewGuid():N}";

    private async Task<ApiResponse> StartAsync(string workflowId, string json)
    {
        var request = app.Request("POST", $"/api/workflows/{workflowId}/instances", json);
        return await HttpCall.RunAsync(await app.Api.StartInstance(request, workflowId, app.Client, CancellationToken.None), request);
    }

    private async Task<ApiResponse> PostEventAsync(string instanceId, string stepId, string json, int? wait = null)
    {
        var request = app.Request("POST", $"/api/instances/{instanceId}/steps/{stepId}/events", json, wait is { } seconds ? $"?wait={seconds}" : null);
        return await HttpCall.RunAsync(await app.Api.PostStepEvent(request, instanceId, stepId, app.Client, CancellationToken.None), request);
    }

    [Fact]
    public async Task Readyz_DefinitionsLoadedAndTheBackendAnswering_Returns200WithEveryCheckAndNoSecrets()
    {
        var request = app.Request("GET", "/api/readyz");

        var response = await HttpCall.RunAsync(await app.Api.Readyz(request, app.Client, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        Assert.Equal("ready", response.Body.GetProperty("status").GetString());
        var checks = response.Body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["definitions"] = "ready", ["database"] = "ready", ["durable"] = "ready" }, checks);
        Assert.Contains("draft-review v1", response.Body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListWorkflows_Always_Returns200WithTheLoadedDefinitions()
    {
        var request = app.Request("GET", "/api/workflows");

        var response = await HttpCall.RunAsync(app.Api.ListWorkflows(request), request);

        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        var workflow = Assert.Single(response.Body.EnumerateArray());
        Assert.Equal("draft-review", workflow.GetProperty("id").GetString());
        Assert.Equal(["draft", "review"], workflow.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task StartInstance_NewBusinessKey_Returns202AndTheOrchestratorActivatesTheFirstStep()
    {
        var ticket = Ticket();

        var response = await StartAsync("draft-review", $$"""{ "businessKey": "{{ticket}}", "context": { "author": "ann.author" } }""");

        Assert.Equal(StatusCodes.Status202Accepted, response.StatusCode);
        var instanceId = response.Body.GetProperty("instanceId").GetString()!;
        Assert.Equal($"draft-review.{ticket}", instanceId);
        Assert.Equal($"http://localhost:7071/api/instances/{instanceId}", response.Body.GetProperty("statusUri").GetString());
        Assert.Equal($"http://localhost:7071/api/instances/{instanceId}", response.Headers.Location.ToString());
        var view = await app.WaitForInstanceAsync(instanceId, v => FunctionsAppFixture.StepStatus(v, "draft") == "active", "draft active");
        Assert.Equal("pending", FunctionsAppFixture.StepStatus(view, "review"));
        Assert.Contains(app.Ports.Notifications, n => n.InstanceId == instanceId && n.Recipients.Contains("ann.author"));
        Assert.Contains(app.Ports.Audit, e => e.InstanceId == instanceId);
    }

    [Fact]
    public async Task StartInstance_SameBusinessKeyTwice_Returns200WithTheExistingInstance()
    {
        var body = $$"""{ "businessKey": "{{Ticket()}}", "context": { "author": "ann.author" } }""";
        var first = await StartAsync("draft-review", body);

        var second = await StartAsync("draft-review", body);

        Assert.Equal(StatusCodes.Status202Accepted, first.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, second.StatusCode);
        Assert.Equal(first.Body.GetProperty("instanceId").GetString(), second.Body.GetProperty("instanceId").GetString());
        Assert.True(second.Body.GetProperty("alreadyExisted").GetBoolean());
    }

    [Fact]
    public async Task StartInstance_UnknownField_Returns400NamingTheField()
    {
        var response = await StartAsync("draft-review", """{ "businessKey": "T-1", "contxt": {} }""");

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("contxt", response.ErrorFor("contxt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartInstance_MissingContextField_Returns400NamingTheContextField()
    {
        var response = await StartAsync("draft-review", $$"""{ "businessKey": "{{Ticket()}}", "context": {} }""");

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("author", response.ErrorFor("context.author"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "businessKey": "T-NUL\u0000", "context": { "author": "ann.author" } }""", "businessKey", "businessKey contains the control character U+0000")]
    [InlineData("""{ "businessKey": "T-SURROGATE", "context": { "author": "ann\udc00" } }""", "context.author", "context.author contains a lone surrogate escape")]
    [InlineData("""{ "businessKey": "T-DUPLICATE", "businessKey": "T-OTHER", "context": { "author": "ann.author" } }""", "businessKey", "businessKey is given twice")]
    public async Task StartInstance_TextBreakingTheRules_Returns400NamingTheFieldAndStartsNothing(string json, string field, string message)
    {
        var response = await StartAsync("draft-review", json);

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains(message, response.ErrorFor(field), StringComparison.Ordinal);
        var list = app.Request("GET", "/api/instances", query: "?workflow=draft-review");
        var listed = await HttpCall.RunAsync(await app.Api.ListInstances(list, app.Client, CancellationToken.None), list);
        Assert.DoesNotContain(listed.Body.EnumerateArray(), i => i.GetProperty("businessKey").GetString() is "T-SURROGATE" or "T-DUPLICATE" or "T-OTHER"
            || i.GetProperty("businessKey").GetString()?.StartsWith("T-NUL", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task StartInstance_InvalidUtf8_Returns400NamingTheField()
    {
        var request = app.Request("POST", "/api/workflows/draft-review/instances", "{}");
        byte[] body = [.. """{ "businessKey": "T-"""u8, 0xC0, 0xAF, .. "\", \"context\": { \"author\": \"ann.author\" } }"u8];
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;

        var response = await HttpCall.RunAsync(await app.Api.StartInstance(request, "draft-review", app.Client, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("businessKey is not valid UTF-8", response.ErrorFor("businessKey"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartInstance_UnknownWorkflow_Returns404()
    {
        var response = await StartAsync("no-such-workflow", """{ "businessKey": "T-1" }""");

        Assert.Equal(StatusCodes.Status404NotFound, response.StatusCode);
        Assert.Contains("no-such-workflow", response.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartInstance_BodyOver256KiB_Returns413()
    {
        var response = await StartAsync("draft-review", $$"""{ "businessKey": "{{new string('x', 300 * 1024)}}" }""");

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task GetInstance_UnknownInstance_Returns404()
    {
        var request = app.Request("GET", "/api/instances/draft-review.nobody");

        var response = await HttpCall.RunAsync(await app.Api.GetInstance(request, "draft-review.nobody", app.Client, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status404NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ListInstances_FilteredByWorkflow_ListsTheStartedInstance()
    {
        var instanceId = await app.StartDraftReviewAsync(Ticket());
        var request = app.Request("GET", "/api/instances", query: "?workflow=draft-review");

        var response = await HttpCall.RunAsync(await app.Api.ListInstances(request, app.Client, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        var listed = response.Body.EnumerateArray().Single(i => i.GetProperty("instanceId").GetString() == instanceId);
        Assert.Equal("draft-review", listed.GetProperty("workflowId").GetString());
    }

    [Fact]
    public async Task ListInstances_UnknownStatus_Returns400NamingStatus()
    {
        var request = app.Request("GET", "/api/instances", query: "?status=sleeping");

        var response = await HttpCall.RunAsync(await app.Api.ListInstances(request, app.Client, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("sleeping", response.ErrorFor("status"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("999")]
    [InlineData("running,failed")]
    public async Task ListInstances_StatusThatIsNotAName_Returns400NamingStatus(string status)
    {
        var request = app.Request("GET", "/api/instances", query: "?status=" + Uri.EscapeDataString(status));

        var response = await HttpCall.RunAsync(await app.Api.ListInstances(request, app.Client, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("use running, completed, failed, terminated, pending or suspended", response.ErrorFor("status"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "type": "progress", "by": "ann.author", "text": "a\u0000b" }""", "text", "text contains the control character U+0000 at position 2")]
    [InlineData("""{ "type": "blocked", "by": "ann.author", "reason": "\u001b[2J" }""", "reason", "reason contains the control character U+001B at position 1")]
    [InlineData("""{ "type": "done", "by": "ann\nauthor" }""", "by", "by contains the control character U+000A")]
    public async Task PostStepEvent_TextBreakingTheRules_Returns400NamingTheFieldAndRaisesNothing(string json, string field, string message)
    {
        var instanceId = await app.StartDraftReviewAsync(Ticket());
        await app.WaitForInstanceAsync(instanceId, v => FunctionsAppFixture.StepStatus(v, "draft") == "active", "draft active");

        var response = await PostEventAsync(instanceId, "draft", json);

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains(message, response.ErrorFor(field), StringComparison.Ordinal);
        // A note raised after the refused event is applied after it: once the note shows, nothing else was raised.
        var note = await PostEventAsync(instanceId, "draft", """{ "type": "progress", "by": "ann.author", "text": "first draft:\n\tsections 1-3" }""");
        Assert.True(note.StatusCode is >= 200 and < 300, note.Body.ToString());
        await app.WaitForInstanceAsync(instanceId, _ => app.Ports.Audit.Any(e => e.InstanceId == instanceId && e.Action == "step.progress"), "the note applied");
        Assert.Single(app.Ports.Audit, e => e.InstanceId == instanceId && e.Action == "step.progress");
        Assert.DoesNotContain(app.Ports.Audit, e => e.InstanceId == instanceId && e.Action is "step.blocked" or "step.completed");
    }

    [Fact]
    public async Task PostStepEvent_DoneByTheOwner_Returns200WhenAppliedAndTheNextStepIsAlreadyActive()
    {
        var instanceId = await app.StartDraftReviewAsync(Ticket());
        await app.WaitForInstanceAsync(instanceId, v => FunctionsAppFixture.StepStatus(v, "draft") == "active", "draft active");

        var response = await PostEventAsync(instanceId, "draft", """{ "type": "done", "by": "ann.author" }""", wait: 30);

        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        Assert.Equal("applied", response.Body.GetProperty("outcome").GetString());
        Assert.True(response.Body.GetProperty("sequence").GetInt64() > 0);
        // The answer came after the instance applied the event: the very next read shows its effect.
        var view = await app.WaitForInstanceAsync(instanceId, static _ => true, "the instance");
        Assert.Equal("done", FunctionsAppFixture.StepStatus(view, "draft"));
        Assert.Equal("active", FunctionsAppFixture.StepStatus(view, "review"));
    }

    [Fact]
    public async Task PostStepEvent_DoneByAPersonWhoDoesNotOwnTheStep_Returns409AndChangesNothing()
    {
        var instanceId = await app.StartDraftReviewAsync(Ticket());
        await app.WaitForInstanceAsync(instanceId, v => FunctionsAppFixture.StepStatus(v, "draft") == "active", "draft active");

        var response = await PostEventAsync(instanceId, "draft", """{ "type": "done", "by": "mallory" }""");

        Assert.Equal(StatusCodes.Status409Conflict, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(response.Body.GetProperty("detail").GetString()));
        var metadata = await app.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        var status = metadata!.ReadCustomStatusAs<CoordinatorStatus>()!;
        Assert.Equal(0, status.Progress.EventsProcessed);
        Assert.Equal(Core.Engine.StepStatus.Active, status.Instance.FindStep("draft")!.Status);
    }

    [Fact]
    public async Task PostStepEvent_WithoutBy_Returns400NamingBy()
    {
        var response = await PostEventAsync("draft-review.any", "draft", """{ "type": "done" }""");

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("by", response.ErrorFor("by"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostStepEvent_UnknownInstance_Returns404()
    {
        var response = await PostEventAsync("draft-review.nobody", "draft", """{ "type": "done", "by": "ann.author" }""");

        Assert.Equal(StatusCodes.Status404NotFound, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_Always_DescribesEveryHttpFunctionAtItsRouteWithFunctionKeys()
    {
        var request = app.Request("GET", "/api/openapi.json");

        var response = await HttpCall.RunAsync(app.Api.OpenApiDocument(request), request);

        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        var schemes = response.Body.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(["FunctionKey"], schemes.EnumerateObject().Select(p => p.Name));
        Assert.Equal("x-functions-key", schemes.GetProperty("FunctionKey").GetProperty("name").GetString());
        var documented = response.Body.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (op.Value.GetProperty("operationId").GetString()!, op.Name, path.Name)))
            .Order().ToArray();
        // Every HTTP function but the document itself and the probes (not part of the API: serve leaves them out of its document too), by its name, method and route under the api prefix.
        var functions = typeof(ApiFunctions).GetMethods().Concat(typeof(ChannelFunctions).GetMethods())
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)))
            .Where(f => f.Function is not null && f.Trigger is not null && f.Function.Name is not ("OpenApiDocument" or "Healthz" or "Readyz"))
            .Select(f => (f.Function!.Name, f.Trigger!.Methods!.Single(), "/api/" + f.Trigger.Route))
            .Order().ToArray();
        Assert.Equal(functions, documented);
    }

    [Fact]
    public async Task ExportAudit_NoPostgresRegistry_Returns503SayingWhatToConfigure()
    {
        var request = app.Request("GET", "/api/audit", query: "?instanceId=draft-review.T-1");

        var response = await HttpCall.RunAsync(await app.Api.ExportAudit(request, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.StatusCode);
        Assert.Contains("ConnectionStrings__Coordinator", response.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CoordinatorOrchestrator_EveryStepDone_CompletesWithTheResultAndRefusesFurtherEvents()
    {
        var ticket = Ticket();
        var instanceId = await app.StartDraftReviewAsync(ticket);
        await app.WaitForInstanceAsync(instanceId, v => FunctionsAppFixture.StepStatus(v, "draft") == "active", "draft active");
        Assert.Equal(StatusCodes.Status200OK, (await PostEventAsync(instanceId, "draft", """{ "type": "done", "by": "ann.author" }""", wait: 30)).StatusCode);
        await app.WaitForInstanceAsync(instanceId, v => FunctionsAppFixture.StepStatus(v, "review") == "active", "review active");

        Assert.Equal(StatusCodes.Status200OK, (await PostEventAsync(instanceId, "review", """{ "type": "done", "by": "rita.reviewer" }""", wait: 30)).StatusCode);

        using var timeout = new CancellationTokenSource(FunctionsAppFixture.WaitLimit);
        var metadata = await app.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        var result = metadata.ReadOutputAs<CoordinatorResult>()!;
        Assert.Equal("draft-review", result.DefinitionId);
        Assert.Equal(ticket, result.BusinessKey);
        Assert.Equal(["draft", "review"], result.CompletedSteps);
        var late = await PostEventAsync(instanceId, "review", """{ "type": "progress", "by": "rita.reviewer", "text": "late" }""");
        Assert.Equal(StatusCodes.Status409Conflict, late.StatusCode);
    }
}
