using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Orchestration;
using Coordinator.Orchestration.Activities;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Functions.Tests.Support;

/// <summary>
/// The Functions app composed by <see cref="FunctionsServiceCollectionExtensions.AddCoordinatorFunctions"/>
/// (with recording ports), and an in-process Durable Task host (real gRPC sidecar, in-memory backend, real
/// replay) whose orchestrator and activities are the Functions app's trigger methods, so an instance
/// started through <see cref="ApiFunctions"/> runs through <see cref="OrchestratorFunctions"/> and
/// <see cref="ActivityFunctions"/>.
/// </summary>
public sealed class FunctionsAppFixture : IAsyncLifetime
{
    /// <summary>One workflow day is 2.4 s of real time: no timer of the test workflow fires while a test runs.</summary>
    public const double TimeScale = 36_000;

    /// <summary>How long any single wait may take before the test fails (generous: the machine may be busy).</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private DurableTaskTestHost? _host;

    public RecordingPorts Ports { get; } = new();

    public ServiceProvider Services { get; }

    public ApiFunctions Api { get; }

    public DurableTaskClient Client => (_host ?? throw new InvalidOperationException("The Durable test host is not started.")).Client;

    public FunctionsAppFixture()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:DefinitionsPath"] = "test-definitions",
            ["Coordinator:AllowInMemoryAudit"] = "true", // the test's recording ports replace the audit
            ["Coordinator:TimeScale"] = TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        Services = new ServiceCollection()
            .AddLogging()
            .AddCoordinatorFunctions(configuration)
            .AddSingleton<INotificationSender>(Ports)
            .AddSingleton<IAuditLog>(Ports)
            .AddSingleton<ICrmUpdater>(Ports)
            .AddSingleton<IMemoryStore>(Ports)
            .AddSingleton<IWorkProjection>(Ports)
            .BuildServiceProvider();
        Api = ActivatorUtilities.CreateInstance<ApiFunctions>(Services);
    }

    public async Task InitializeAsync() => _host = await StartDurableHostAsync(Services);

    /// <summary>
    /// An in-process Durable Task host (real gRPC sidecar, in-memory backend, real replay) whose orchestrator and
    /// activities are the Functions app's trigger methods, composed from <paramref name="services"/>.
    /// </summary>
    public static Task<DurableTaskTestHost> StartDurableHostAsync(IServiceProvider services)
    {
        // The Functions worker creates the activity function class per invocation from DI; so does this host.
        ActivityFunctions Activities() => ActivatorUtilities.CreateInstance<ActivityFunctions>(services);
        return DurableTaskTestHost.StartAsync(registry => registry
            .AddOrchestratorFunc<CoordinatorInput, CoordinatorResult>(
                CoordinatorOrchestrator.Name, (context, input) => OrchestratorFunctions.RunCoordinator(context, input!))
            .AddActivityFunc<NotifyPeopleRequest, NotifyPeopleResult>(
                nameof(NotifyPeople), (context, request) => Activities().NotifyPeople(request!, context.InstanceId))
            .AddActivityFunc<AppendAuditEntriesRequest, AppendAuditEntriesResult>(
                nameof(AppendAuditEntries), (context, request) => Activities().AppendAuditEntries(request!, context.InstanceId))
            .AddActivityFunc<UpdateCrmRequest, UpdateCrmResult>(
                nameof(UpdateCrm), (context, request) => Activities().UpdateCrm(request!, context.InstanceId))
            .AddActivityFunc<RecordMemoryRequest, RecordMemoryResult>(
                nameof(RecordMemory), (context, request) => Activities().RecordMemory(request!, context.InstanceId))
            .AddActivityFunc<ProjectWorkRequest, ProjectWorkResult>(
                nameof(ProjectWork), (context, request) => Activities().ProjectWork(request!, context.InstanceId)));
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
        await Services.DisposeAsync();
    }

    public HttpRequest Request(string method, string path, string? json = null, string? query = null) =>
        HttpCall.Request(Services, method, path, json, query);

    /// <summary>Starts a draft-review instance through the StartInstance function; returns its id.</summary>
    public async Task<string> StartDraftReviewAsync(string ticket)
    {
        var request = Request("POST", "/api/workflows/draft-review/instances", $$"""{ "businessKey": "{{ticket}}", "context": { "author": "ann.author" } }""");
        var response = await HttpCall.RunAsync(await Api.StartInstance(request, "draft-review", Client, CancellationToken.None), request);
        Assert.Equal(StatusCodes.Status202Accepted, response.StatusCode);
        return response.Body.GetProperty("instanceId").GetString()!;
    }

    /// <summary>Reads the instance through the GetInstance function until <paramref name="condition"/> holds; fails on timeout.</summary>
    public async Task<JsonElement> WaitForInstanceAsync(string instanceId, Func<JsonElement, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        JsonElement? last = null;
        while (true)
        {
            var request = Request("GET", $"/api/instances/{instanceId}");
            var response = await HttpCall.RunAsync(await Api.GetInstance(request, instanceId, Client, timeout.Token), request);
            if (response.StatusCode == StatusCodes.Status200OK)
            {
                last = response.Body;
                if (condition(response.Body))
                    return response.Body;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Instance {instanceId} did not reach '{what}' within {WaitLimit}. Last view: {last}");
            }
        }
    }

    /// <summary>The status of one step in an instance view.</summary>
    public static string StepStatus(JsonElement instance, string stepId) =>
        instance.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty("status").GetString()!;
}

[CollectionDefinition(Name)]
public sealed class FunctionsAppCollection : ICollectionFixture<FunctionsAppFixture>
{
    public const string Name = "Functions app";
}
