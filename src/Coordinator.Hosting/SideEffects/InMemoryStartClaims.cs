using System.Collections.Concurrent;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.SideEffects;

/// <summary>Start claims of one process (no database: one host only), lost when it stops, like the in-memory audit.</summary>
public sealed class InMemoryStartClaims : IStartClaims
{
    private readonly ConcurrentDictionary<string, string> _claims = new(StringComparer.Ordinal);

    public Task<bool> ClaimAsync(string instanceId, string workflowId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_claims.TryAdd(instanceId, workflowId));
}
