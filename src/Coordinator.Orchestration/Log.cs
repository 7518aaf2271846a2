using Microsoft.Extensions.Logging;

namespace Coordinator.Orchestration;

/// <summary>Source-generated log messages of the orchestration layer (written through the replay-safe logger).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Instance {InstanceId} ({WorkflowId} v{Version}) started at workflow time {StartedAt:o}, time scale {TimeScale}")]
    public static partial void InstanceStarted(ILogger logger, string instanceId, string workflowId, int version, DateTimeOffset startedAt, double timeScale);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug,
        Message = "Instance {InstanceId} turn {Turn} at workflow time {WorkflowNow:o}: {ActionCount} action(s), next wake-up {NextWakeUp:o}")]
    public static partial void TurnCompleted(ILogger logger, string instanceId, int turn, DateTimeOffset workflowNow, int actionCount, DateTimeOffset? nextWakeUp);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Instance {InstanceId} rejected a {EventType} event on step '{StepId}' by '{By}': {Reason}")]
    public static partial void EventRejected(ILogger logger, string instanceId, string eventType, string stepId, string by, string? reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Instance {InstanceId} ignored a '{EventName}' event without payload; send a HumanEvent JSON object")]
    public static partial void EmptyEventIgnored(ILogger logger, string instanceId, string eventName);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information,
        Message = "Instance {InstanceId} continues as new after {Turns} turn(s) (generation {Generation} starts)")]
    public static partial void ContinuingAsNew(ILogger logger, string instanceId, int turns, int generation);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information,
        Message = "Instance {InstanceId} completed at workflow time {CompletedAt:o} after {ActionCount} action(s) and {EventsProcessed} human event(s)")]
    public static partial void InstanceCompleted(ILogger logger, string instanceId, DateTimeOffset completedAt, long actionCount, int eventsProcessed);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning,
        Message = "Instance {InstanceId} waits for the audit store (attempt {Attempts} failed, next in {Delay}): {Error}")]
    public static partial void AuditStoreUnavailable(ILogger logger, string instanceId, int attempts, TimeSpan delay, string error);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information,
        Message = "Instance {InstanceId} reached the audit store again after {Attempts} failed attempt(s) since {Since:o}")]
    public static partial void AuditStoreBack(ILogger logger, string instanceId, int attempts, DateTimeOffset since);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning,
        Message = "Instance {InstanceId}: {Kind} effect {Key} failed ({Failures} time(s)); retried at {NextAttemptAt:o}: {Error}")]
    public static partial void EffectFailed(ILogger logger, string instanceId, string kind, string key, int failures, DateTimeOffset nextAttemptAt, string error);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information,
        Message = "Instance {InstanceId}: {Kind} effect {Key} succeeded after {Failures} failure(s)")]
    public static partial void EffectRecovered(ILogger logger, string instanceId, string kind, string key, int failures);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error,
        Message = "Instance {InstanceId}: {Kind} effect {Key} given up after {Failures} failure(s): {Error}")]
    public static partial void EffectAbandoned(ILogger logger, string instanceId, string kind, string key, int failures, string error);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error,
        Message = "Instance {InstanceId} failed: {ErrorType}: {ErrorMessage}")]
    public static partial void InstanceFailed(ILogger logger, string instanceId, string errorType, string errorMessage, Exception exception);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information,
        Message = "Instance {InstanceId} ignored event {EventId}, sent again: it was taken up before (action {Sequence})")]
    public static partial void ResentEventIgnored(ILogger logger, string instanceId, string eventId, long sequence);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning,
        Message = "Instance {InstanceId}: the audit registry refused action {Key} (another action holds its number, recorded as action.superseded); none of its effects is performed")]
    public static partial void ActionSuperseded(ILogger logger, string instanceId, string key);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning,
        Message = "Instance {InstanceId}: the audit registry holds another turn at action {Sequence} (a lost execution decided it first: {Recorded}); this execution's turn ({Undone}) is undone and the recorded one followed")]
    public static partial void FollowingRecordedTurn(ILogger logger, string instanceId, long sequence, string recorded, string undone);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning,
        Message = "Instance {InstanceId}: activity {Activity} answered another request ({Answered} instead of {Asked}), the completion of an activity a lost execution scheduled; asking again")]
    public static partial void StaleActivityResult(ILogger logger, string instanceId, string activity, string answered, string asked);
}
