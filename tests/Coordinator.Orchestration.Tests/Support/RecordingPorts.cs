using System.Collections.Concurrent;
using Coordinator.Core.Ports;

namespace Coordinator.Orchestration.Tests.Support;

/// <summary>
/// A thread-safe record of side effects by idempotency key: how often each key was attempted, and
/// the first record stored under it (later attempts with the same key are not performed again).
/// </summary>
public sealed class KeyedRecorder<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, int> attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<T> performed = new();
    private readonly ConcurrentDictionary<string, byte> keys = new(StringComparer.Ordinal);

    /// <summary>Records an attempt; performs (stores) the item only the first time its key is seen.</summary>
    public SideEffectOutcome Record(string key, T item)
    {
        attempts.AddOrUpdate(key, 1, static (_, n) => n + 1);
        if (!keys.TryAdd(key, 0))
            return SideEffectOutcome.AlreadyPerformed;
        performed.Enqueue(item);
        return SideEffectOutcome.Performed;
    }

    /// <summary>How many times a key was attempted (1 = exactly once).</summary>
    public int AttemptsFor(string key) => attempts.GetValueOrDefault(key);

    /// <summary>The attempt counts of the keys that start with a prefix (an instance id and a colon).</summary>
    public IReadOnlyDictionary<string, int> AttemptsWithPrefix(string prefix) =>
        attempts.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The performed items, in the order they were performed.</summary>
    public IReadOnlyList<T> Items => [.. performed];
}

public sealed class RecordingNotificationSender : INotificationSender
{
    private readonly ConcurrentDictionary<string, int> failuresToInject = new(StringComparer.Ordinal);

    public KeyedRecorder<Notification> Sent { get; } = new();

    /// <summary>Makes the next <paramref name="failures"/> sends of the instance throw, as a flaky channel would.</summary>
    public void FailNext(string instanceId, int failures) => failuresToInject[instanceId] = failures;

    private readonly ConcurrentDictionary<string, int> failuresInjected = new(StringComparer.Ordinal);

    /// <summary>How many sends of an instance failed on purpose.</summary>
    public int FailuresInjectedFor(string instanceId) => failuresInjected.GetValueOrDefault(instanceId);

    public string Channel => "recording";

    public Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (failuresToInject.TryGetValue(notification.InstanceId, out var left) && left > 0
            && failuresToInject.TryUpdate(notification.InstanceId, left - 1, left))
        {
            failuresInjected.AddOrUpdate(notification.InstanceId, 1, static (_, n) => n + 1);
            throw new InvalidOperationException($"Injected channel failure for {notification.IdempotencyKey}.");
        }
        return Task.FromResult(Sent.Record(notification.IdempotencyKey, notification));
    }

    public IReadOnlyList<Notification> For(string instanceId) =>
        [.. Sent.Items.Where(n => n.InstanceId == instanceId).OrderBy(n => n.Action.Sequence)];
}

public sealed class RecordingAuditLog : IAuditLog
{
    private readonly Lock gate = new();

    public KeyedRecorder<AuditEntry> Entries { get; } = new();

    public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        int appended = 0, skipped = 0;
        lock (gate)
        {
            foreach (var entry in entries)
            {
                if (Entries.Record(entry.IdempotencyKey, entry) == SideEffectOutcome.Performed)
                    appended++;
                else
                    skipped++;
            }
        }
        return Task.FromResult(new AuditAppendResult(appended, skipped, Entries.Items.Count));
    }

    /// <summary>The audited actions of an instance, in append order.</summary>
    public IReadOnlyList<AuditEntry> For(string instanceId) => [.. Entries.Items.Where(e => e.InstanceId == instanceId)];
}

public sealed class RecordingCrmUpdater : ICrmUpdater
{
    public KeyedRecorder<CrmUpdate> Updates { get; } = new();

    public Task<SideEffectOutcome> UpdateAsync(CrmUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Task.FromResult(Updates.Record(update.IdempotencyKey, update));
    }

    public IReadOnlyList<CrmUpdate> For(string instanceId) => [.. Updates.Items.Where(u => u.InstanceId == instanceId).OrderBy(u => u.IdempotencyKey, StringComparer.Ordinal)];
}

public sealed class RecordingMemoryStore : IMemoryStore
{
    public KeyedRecorder<MemoryRecord> Records { get; } = new();

    public Task<SideEffectOutcome> RecordAsync(MemoryRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Task.FromResult(Records.Record(record.IdempotencyKey, record));
    }

    public IReadOnlyList<MemoryRecord> For(string instanceId) => [.. Records.Items.Where(r => r.InstanceId == instanceId).OrderBy(r => r.IdempotencyKey, StringComparer.Ordinal)];
}

/// <summary>The read model of open work as the orchestrator writes it: every snapshot received, and the latest kept per instance (an older version never replaces a newer one).</summary>
public sealed class RecordingWorkProjection : IWorkProjection
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, InstanceWork> latest = new(StringComparer.Ordinal);
    private readonly List<InstanceWork> received = [];

    public Task<bool> ProjectAsync(InstanceWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (gate)
        {
            received.Add(work);
            if (latest.TryGetValue(work.Instance.InstanceId, out var stored) && stored.Version > work.Version)
                return Task.FromResult(false);
            latest[work.Instance.InstanceId] = work;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<WorkInstance>> WithdrawAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var withdrawn = new List<WorkInstance>();
        lock (gate)
        {
            foreach (var instanceId in instanceIds)
            {
                if (!latest.TryGetValue(instanceId, out var stored) || stored.Completed)
                    continue;
                latest[instanceId] = stored with { Completed = true, Version = long.MaxValue, Waiting = [], Items = [], People = new Dictionary<string, IReadOnlyList<string>>() };
                withdrawn.Add(stored.Instance);
            }
        }
        return Task.FromResult<IReadOnlyList<WorkInstance>>(withdrawn);
    }

    /// <summary>The instance's latest snapshot; null when it projected nothing yet.</summary>
    public InstanceWork? Latest(string instanceId)
    {
        lock (gate)
            return latest.GetValueOrDefault(instanceId);
    }

    /// <summary>Every snapshot of the instance received, in arrival order.</summary>
    public IReadOnlyList<InstanceWork> Received(string instanceId)
    {
        lock (gate)
            return [.. received.Where(w => w.Instance.InstanceId == instanceId)];
    }
}
