using System.Collections.Concurrent;
using Coordinator.Core.Ports;

namespace Coordinator.Functions.Tests.Support;

/// <summary>Records every side effect once per idempotency key, like the real ports.</summary>
public sealed class RecordingPorts : INotificationSender, IAuditLog, ICrmUpdater, IMemoryStore, IWorkProjection
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);

    public ConcurrentQueue<Notification> Notifications { get; } = new();
    public ConcurrentQueue<AuditEntry> Audit { get; } = new();
    public ConcurrentQueue<CrmUpdate> Crm { get; } = new();
    public ConcurrentQueue<MemoryRecord> Memory { get; } = new();
    public ConcurrentQueue<InstanceWork> Work { get; } = new();

    public Task<bool> ProjectAsync(InstanceWork work, CancellationToken cancellationToken = default)
    {
        Work.Enqueue(work);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<WorkInstance>> WithdrawAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<WorkInstance>>([.. Work.Where(w => instanceIds.Contains(w.Instance.InstanceId)).Select(w => w.Instance).Distinct()]);

    public string Channel => "recording";

    public Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default) =>
        Task.FromResult(Record(notification.IdempotencyKey, notification, Notifications));

    public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        var appended = entries.Count(entry => Record(entry.IdempotencyKey, entry, Audit) == SideEffectOutcome.Performed);
        return Task.FromResult(new AuditAppendResult(appended, entries.Count - appended, Audit.Count));
    }

    public Task<SideEffectOutcome> UpdateAsync(CrmUpdate update, CancellationToken cancellationToken = default) =>
        Task.FromResult(Record(update.IdempotencyKey, update, Crm));

    public Task<SideEffectOutcome> RecordAsync(MemoryRecord record, CancellationToken cancellationToken = default) =>
        Task.FromResult(Record(record.IdempotencyKey, record, Memory));

    private SideEffectOutcome Record<T>(string key, T item, ConcurrentQueue<T> into)
    {
        if (!_keys.TryAdd($"{typeof(T).Name}:{key}", 0))
            return SideEffectOutcome.AlreadyPerformed;
        into.Enqueue(item);
        return SideEffectOutcome.Performed;
    }
}
