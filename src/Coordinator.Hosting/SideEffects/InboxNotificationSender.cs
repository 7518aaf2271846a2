using System.Collections.Concurrent;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// The built-in channel kept in memory (when no PostgreSQL is configured; nothing is kept after the
/// host stops): notifications land in each recipient's inbox (the web inbox reads them).
/// Idempotent by <see cref="Notification.IdempotencyKey"/>: a retried or replayed activity never
/// delivers the same notification twice. <see cref="PostgresNotificationInbox"/> is the durable one.
/// </summary>
public sealed class InboxNotificationSender : INotificationSender, INotificationInbox
{
    private readonly ConcurrentDictionary<string, Notification> _delivered = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Notification> _inOrder = new();

    /// <summary>The built-in web inbox.</summary>
    public string Channel => "inbox";

    public Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!_delivered.TryAdd(notification.IdempotencyKey, notification))
            return Task.FromResult(SideEffectOutcome.AlreadyPerformed);
        _inOrder.Enqueue(notification);
        return Task.FromResult(SideEffectOutcome.Performed);
    }

    /// <summary>Every notification delivered, in delivery order.</summary>
    public IReadOnlyList<Notification> All => _inOrder.ToArray();

    /// <summary>The notifications addressed to a person, newest first.</summary>
    public IReadOnlyList<Notification> For(string personId) =>
        _inOrder.Where(n => n.Recipients.Contains(personId, StringComparer.Ordinal)).Reverse().ToArray();

    public Task<IReadOnlyList<Notification>> ForAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Task.FromResult<IReadOnlyList<Notification>>([.. For(personId).Take(limit)]);
    }

    public Task<IReadOnlyList<Notification>> OfInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return Task.FromResult<IReadOnlyList<Notification>>([.. _inOrder.Where(n => string.Equals(n.InstanceId, instanceId, StringComparison.Ordinal))]);
    }
}
