namespace Coordinator.Core.Ports;

/// <summary>A target's cursor as the relay leased it.</summary>
/// <param name="Position">The last audit <c>seq</c> the target took (delivered, refused for good, or of another workflow).</param>
/// <param name="Failures">Failed deliveries in a row of the event after <see cref="Position"/>.</param>
public sealed record EventCursor(long Position, int Failures);

/// <summary>Rows of the audit registry after a cursor, in registry order.</summary>
/// <param name="ScannedThrough">How far the registry was read: the cursor may move there once every row is taken.</param>
public sealed record RegistryPage(IReadOnlyList<(long Seq, AuditEntry Entry)> Rows, long ScannedThrough);

/// <summary>
/// The relay's durable state and its reading of the audit registry (PostgreSQL: <c>PostgresEventRelayStore</c> in
/// Coordinator.Persistence, migration 0015; the CloudEvents relay of Coordinator.Events uses it). A target is leased by one host at a time; only the holder moves its cursor.
/// </summary>
public interface IEventRelayStore
{
    /// <summary>Takes or renews the lease (creating the cursor at the registry's end); null when another host holds it or the back-off is not over.</summary>
    Task<EventCursor?> TryLeaseAsync(string target, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The rows of <paramref name="workflows"/> after <paramref name="after"/>, at most <paramref name="max"/>.</summary>
    Task<RegistryPage> ReadAsync(long after, IReadOnlyCollection<string> workflows, int max, CancellationToken cancellationToken);

    /// <summary>Moves the cursor and renews the lease; false when the lease was lost.</summary>
    Task<bool> AdvanceAsync(string target, string owner, long position, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Counts a failure, lets go of the lease and holds every host off for <paramref name="delay"/>; answers the failures in a row.</summary>
    Task<int> PostponeAsync(string target, string owner, TimeSpan delay, string error, CancellationToken cancellationToken);

    Task ReleaseAsync(string target, string owner, CancellationToken cancellationToken);
}
