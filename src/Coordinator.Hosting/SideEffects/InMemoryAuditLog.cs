using System.Collections.Concurrent;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// Keeps audit entries in memory when no PostgreSQL is configured (quick tries only: nothing is
/// kept after the host stops, and nothing is hash-chained). Idempotent by key, like the real registry.
/// </summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly ConcurrentDictionary<string, AuditEntry> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AuditEntry> _inOrder = new();
    private readonly Lock _gate = new();

    public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var appended = 0;
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                if (_byKey.TryAdd(entry.IdempotencyKey, entry))
                {
                    _inOrder.Enqueue(entry);
                    appended++;
                }
            }
        }
        return Task.FromResult(new AuditAppendResult(appended, entries.Count - appended, _byKey.Count));
    }

    public IReadOnlyList<AuditEntry> All => _inOrder.ToArray();
}
