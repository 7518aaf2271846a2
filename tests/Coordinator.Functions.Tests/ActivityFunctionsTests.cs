using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Functions.Tests.Support;
using Coordinator.Orchestration.Activities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Functions.Tests;

/// <summary>The activity triggers called directly, with the activity classes resolved by the app's composition and recording ports.</summary>
public sealed class ActivityFunctionsTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    private readonly RecordingPorts _ports = new();
    private readonly ServiceProvider _services;
    private readonly ActivityFunctions _functions;

    public ActivityFunctionsTests()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddCoordinatorFunctions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Coordinator:DefinitionsPath"] = "test-definitions",
                ["Coordinator:AllowInMemoryAudit"] = "true", // the test's recording ports replace the audit
            }).Build())
            .AddSingleton<INotificationSender>(_ports)
            .AddSingleton<IAuditLog>(_ports)
            .AddSingleton<ICrmUpdater>(_ports)
            .AddSingleton<IMemoryStore>(_ports)
            .AddSingleton<IWorkProjection>(_ports)
            .BuildServiceProvider();
        _functions = ActivatorUtilities.CreateInstance<ActivityFunctions>(_services);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task NotifyPeople_NewNotification_SendsItThroughThePortAndCountsRecipients()
    {
        var notification = new Notification
        {
            IdempotencyKey = "i-1/3/step-activated",
            InstanceId = "i-1",
            WorkflowId = "draft-review",
            WorkflowTitle = "Draft and review",
            StepTitle = "Write the draft",
            Recipients = ["ann.author", "pat.owner"],
            Action = new CoordinationAction { Type = CoordinationActionType.StepActivated, At = At, Sequence = 3, Key = "i-1/3", StepId = "draft" },
        };

        var result = await _functions.NotifyPeople(new NotifyPeopleRequest(notification), "i-1");

        Assert.Equal(new NotifyPeopleResult(SideEffectOutcome.Performed, 2) { IdempotencyKey = notification.IdempotencyKey }, result);
        Assert.Equal(notification, Assert.Single(_ports.Notifications));
    }

    [Fact]
    public async Task NotifyPeople_SameNotificationAgain_ReportsAlreadyPerformed()
    {
        var notification = new Notification
        {
            IdempotencyKey = "i-2/1/instance-started",
            InstanceId = "i-2",
            WorkflowId = "draft-review",
            WorkflowTitle = "Draft and review",
            Recipients = ["pat.owner"],
            Action = new CoordinationAction { Type = CoordinationActionType.InstanceStarted, At = At, Sequence = 1, Key = "i-2/1" },
        };
        await _functions.NotifyPeople(new NotifyPeopleRequest(notification), "i-2");

        var again = await _functions.NotifyPeople(new NotifyPeopleRequest(notification), "i-2");

        Assert.Equal(SideEffectOutcome.AlreadyPerformed, again.Outcome);
        Assert.Single(_ports.Notifications);
    }

    [Fact]
    public async Task AppendAuditEntries_BatchWithAnEntryAlreadyRecorded_AppendsOnlyTheNewOnesInOrder()
    {
        AuditEntry Entry(int sequence, string action) => new()
        {
            IdempotencyKey = $"i-3/{sequence}",
            At = At.AddMinutes(sequence),
            InstanceId = "i-3",
            WorkflowId = "draft-review",
            WorkflowVersion = 1,
            Action = action,
            Actor = AuditEntry.CoordinatorActor,
        };
        await _functions.AppendAuditEntries(new AppendAuditEntriesRequest([Entry(1, "instance_started")]), "i-3");

        var result = await _functions.AppendAuditEntries(
            new AppendAuditEntriesRequest([Entry(1, "instance_started"), Entry(2, "step_activated"), Entry(3, "reminder")]), "i-3");

        Assert.Equal(new AppendAuditEntriesResult(Appended: 2, AlreadyRecorded: 1), result);
        Assert.Equal(["instance_started", "step_activated", "reminder"], _ports.Audit.Select(e => e.Action));
    }

    [Fact]
    public async Task UpdateCrm_NewUpdate_MirrorsItThroughThePort()
    {
        var update = new CrmUpdate
        {
            IdempotencyKey = "i-4/2/crm",
            InstanceId = "i-4",
            WorkflowId = "draft-review",
            BusinessKey = "T-4",
            Change = "step_activated",
            At = At,
            StepId = "draft",
            Owners = ["ann.author"],
        };

        var result = await _functions.UpdateCrm(new UpdateCrmRequest(update), "i-4");

        Assert.Equal(SideEffectOutcome.Performed, result.Outcome);
        Assert.Equal(update, Assert.Single(_ports.Crm));
    }

    [Fact]
    public async Task RecordMemory_NewRecord_StoresItThroughThePort()
    {
        var record = new MemoryRecord
        {
            IdempotencyKey = "i-5/4/memory",
            InstanceId = "i-5",
            WorkflowId = "draft-review",
            StepId = "draft",
            Kind = "block",
            By = "ann.author",
            At = At,
            Text = "Waiting for the customer's logo files",
        };

        var result = await _functions.RecordMemory(new RecordMemoryRequest(record), "i-5");

        Assert.Equal(SideEffectOutcome.Performed, result.Outcome);
        Assert.Equal(record, Assert.Single(_ports.Memory));
    }
}
