using Coordinator.Core.Engine;
using Coordinator.Orchestration.Activities;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Moq;
using Moq.Protected;

namespace Coordinator.Orchestration.Tests.Support;

/// <summary>
/// A mocked <see cref="TaskOrchestrationContext"/> (Moq, as durabletask-dotnet's own tests do) that
/// plays one execution of an orchestration episode: the clock reads <see cref="Now"/>, the waiter
/// hands out the scripted events (then never completes), timers fire when <see cref="FiresTimer"/>
/// says so, and activities answer at once (or fail, as <see cref="Fails"/> says) while every call is
/// recorded in order. When nothing more can complete, the orchestrator simply stays suspended, as it
/// does at the end of an episode, and the test reads what it scheduled.
/// </summary>
internal sealed class ScriptedContext
{
    private readonly Queue<HumanEvent> events;
    private TaskCompletionSource<HumanEvent?>? waiter;

    public ScriptedContext(string instanceId, DateTimeOffset now, params HumanEvent[] events)
    {
        this.events = new Queue<HumanEvent>(events);
        Now = now;
        Mock = new Mock<TaskOrchestrationContext>(MockBehavior.Loose) { CallBase = true };
        Mock.SetupGet(c => c.InstanceId).Returns(instanceId);
        Mock.SetupGet(c => c.CurrentUtcDateTime).Returns(() => Now.UtcDateTime);
        Mock.SetupGet(c => c.IsReplaying).Returns(false);
        Mock.Protected().SetupGet<ILoggerFactory>("LoggerFactory").Returns(() => Logs);
        Mock.Setup(c => c.WaitForExternalEvent<HumanEvent?>(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                if (this.events.Count > 0)
                    return Task.FromResult<HumanEvent?>(this.events.Dequeue());
                waiter = new TaskCompletionSource<HumanEvent?>();
                return waiter.Task;
            });
        Mock.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns((DateTime fireAt, CancellationToken _) =>
            {
                var at = new DateTimeOffset(DateTime.SpecifyKind(fireAt, DateTimeKind.Utc));
                Timers.Add(at);
                var fires = FiresTimer(at);
                OnTimer?.Invoke(at, fires);
                return fires ? Task.CompletedTask : new TaskCompletionSource().Task;
            });
        Mock.Setup(c => c.SetCustomStatus(It.IsAny<object?>())).Callback((object? status) =>
        {
            LastStatus = status as CoordinatorStatus;
            if (LastStatus is not null)
                OnStatus?.Invoke(LastStatus);
        });
        Mock.Setup(c => c.ContinueAsNew(It.IsAny<object?>(), It.IsAny<bool>())).Callback((object? next, bool _) =>
        {
            ContinuedAsNew = true;
            ContinuedWith = next as CoordinatorInput;
        });
        Setup(request =>
        {
            var audit = (AppendAuditEntriesRequest)request!;
            return Audit?.Invoke(audit, Calls.Count(c => c.Name == nameof(AppendAuditEntries)) - 1)
                ?? new AppendAuditEntriesResult(1, 0, Supersedes(audit.Entries.Select(e => e.IdempotencyKey).ToArray())) { Fingerprint = audit.Fingerprint };
        });
        Setup(request => new NotifyPeopleResult(Core.Ports.SideEffectOutcome.Performed, 1) { IdempotencyKey = ((NotifyPeopleRequest)request!).Notification.IdempotencyKey });
        Setup(request => new UpdateCrmResult(Core.Ports.SideEffectOutcome.Performed) { IdempotencyKey = ((UpdateCrmRequest)request!).Update.IdempotencyKey });
        Setup(request => new RecordMemoryResult(Core.Ports.SideEffectOutcome.Performed) { IdempotencyKey = ((RecordMemoryRequest)request!).Record.IdempotencyKey });
        Setup(request => new ProjectWorkResult(true) { IdempotencyKey = ((ProjectWorkRequest)request!).IdempotencyKey });
    }

    public Mock<TaskOrchestrationContext> Mock { get; }

    /// <summary>What the orchestrator logged through its replay-safe logger.</summary>
    public RecordingLoggerFactory Logs { get; } = new();

    /// <summary>What <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/> returns now.</summary>
    public DateTimeOffset Now { get; set; }

    /// <summary>Whether a timer due at the given time fires (default: none does).</summary>
    public Func<DateTimeOffset, bool> FiresTimer { get; set; } = static _ => false;

    /// <summary>Called when a timer is created (its due time, whether it fires), e.g. to move <see cref="Now"/> on as a later episode would.</summary>
    public Action<DateTimeOffset, bool>? OnTimer { get; set; }

    /// <summary>Whether an activity call fails (activity name, its request, how many calls of that name came before).</summary>
    public Func<string, object?, int, bool> Fails { get; set; } = static (_, _, _) => false;

    /// <summary>
    /// Answers the audit activity instead of the default (request, how many audit calls came before):
    /// for example the real activity over a registry shared by two executions; null to fall back.
    /// </summary>
    public Func<AppendAuditEntriesRequest, int, AppendAuditEntriesResult?>? Audit { get; set; }

    /// <summary>Which keys of an audit batch the registry refuses as forks (default: none).</summary>
    public Func<IReadOnlyList<string>, IReadOnlyList<string>?> Supersedes { get; set; } = static _ => null;

    /// <summary>Every activity call in order: its name and request.</summary>
    public List<(string Name, object? Request)> Calls { get; } = [];

    public List<DateTimeOffset> Timers { get; } = [];

    public CoordinatorStatus? LastStatus { get; private set; }

    /// <summary>Called with every status the orchestrator sets.</summary>
    public Action<CoordinatorStatus>? OnStatus { get; set; }

    public bool ContinuedAsNew { get; private set; }

    /// <summary>The input the orchestrator continued as new with.</summary>
    public CoordinatorInput? ContinuedWith { get; private set; }

    /// <summary>
    /// What the calls did, as comparable lines: one per audit entry (key, action, time) and one per
    /// effect (activity and idempotency key).
    /// </summary>
    public IReadOnlyList<string> Scheduled() => Calls.SelectMany(static call => call.Request switch
    {
        AppendAuditEntriesRequest audit => audit.Entries.Select(e => $"audit {e.IdempotencyKey} {e.Action} {e.At:o}"),
        NotifyPeopleRequest notify => [$"{call.Name} {notify.Notification.IdempotencyKey}"],
        UpdateCrmRequest crm => [$"{call.Name} {crm.Update.IdempotencyKey}"],
        RecordMemoryRequest memory => [$"{call.Name} {memory.Record.IdempotencyKey}"],
        ProjectWorkRequest work => [$"{call.Name} {work.IdempotencyKey}"],
        _ => [$"{call.Name} ?"],
    }).ToArray();

    /// <summary>
    /// Delivers an event later, as the backend does with a message that stayed invisible for a while.
    /// The orchestrator's continuation runs synchronously, up to its next wait (activities answer at once).
    /// </summary>
    public void Deliver(HumanEvent humanEvent)
    {
        var pending = waiter ?? throw new InvalidOperationException("The orchestrator is not waiting for an event.");
        waiter = null;
        pending.SetResult(humanEvent);
    }

    /// <summary>Whether an effect activity answers as if for another request (activity name, how many calls of that name came before): the completion of a lost execution's activity.</summary>
    public Func<string, int, bool> AnswersStale { get; set; } = static (_, _) => false;

    /// <summary>
    /// Whether an effect activity's completion cannot be read as its result (activity name, how many calls of that name came
    /// before): the data converter's <see cref="System.Text.Json.JsonException"/>, as for the result of another activity that a
    /// lost or concurrent execution scheduled under the same task id.
    /// </summary>
    public Func<string, int, bool> AnswersUnreadable { get; set; } = static (_, _) => false;

    /// <summary>Starts the orchestrator on this context; it runs until nothing more can complete.</summary>
    public Task<CoordinatorResult> Run(CoordinatorInput input) => new CoordinatorOrchestrator().RunAsync(Mock.Object, input);

    private static TResult Stale<TResult>(TResult answer) => answer switch
    {
        NotifyPeopleResult notify => (TResult)(object)(notify with { IdempotencyKey = "another-instance:000001:step.activated:x" }),
        UpdateCrmResult crm => (TResult)(object)(crm with { IdempotencyKey = "another-instance:000001:step.activated:x" }),
        RecordMemoryResult memory => (TResult)(object)(memory with { IdempotencyKey = "another-instance:000001:step.activated:x" }),
        ProjectWorkResult work => (TResult)(object)(work with { IdempotencyKey = "another-instance:work/1" }),
        AppendAuditEntriesResult audit => (TResult)(object)(audit with { Fingerprint = "0000000000000000" }),
        _ => answer,
    };

    private void Setup<TResult>(Func<object?, TResult> result) =>
        Mock.Setup(c => c.CallActivityAsync<TResult>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? request, TaskOptions? _) =>
            {
                var before = Calls.Count(c => c.Name == name.Name);
                Calls.Add((name.Name, request));
                if (AnswersUnreadable(name.Name, before))
                    return Task.FromException<TResult>(new System.Text.Json.JsonException($"The JSON value could not be converted to {typeof(TResult).FullName}. Path: $ | LineNumber: 0 | BytePositionInLine: 2."));
                if (!Fails(name.Name, request, before))
                {
                    var answer = result(request);
                    return Task.FromResult(AnswersStale(name.Name, before) ? Stale(answer) : answer);
                }
                var details = new TaskFailureDetails("Npgsql.NpgsqlException", $"{name.Name} failed: connection refused", null, null, null);
                return Task.FromException<TResult>(new TaskFailedException(name.Name, Calls.Count, details));
            });
}
