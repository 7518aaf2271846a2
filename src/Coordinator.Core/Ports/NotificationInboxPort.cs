namespace Coordinator.Core.Ports;

/// <summary>
/// The read side of the built-in channel: the notifications delivered to people's inboxes (the web
/// inbox shows them; the durability tests check them). The write side is <see cref="INotificationSender"/>.
/// </summary>
public interface INotificationInbox
{
    /// <summary>The latest notifications addressed to <paramref name="personId"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Notification>> ForAsync(string personId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every notification delivered for an instance, in delivery order.</summary>
    Task<IReadOnlyList<Notification>> OfInstanceAsync(string instanceId, CancellationToken cancellationToken = default);
}
