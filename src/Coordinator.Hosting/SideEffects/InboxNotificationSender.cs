using System.Collections.Concurrent;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// The built-in channel: notifications land in each recipient's inbox (the web inbox reads them).
/// Idempotent by <see cref="Notification.IdempotencyKey"/>: a retried or replayed activity never
/// delivers the same notification twice.
/// </summary>
public sealed class InboxNotificationSender : INotificationSender
{
    private readonly ConcurrentDictionary<string, Notification> _delivered = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Notification> _inOrder = new();

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
}
