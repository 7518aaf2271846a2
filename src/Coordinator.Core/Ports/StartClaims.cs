namespace Coordinator.Core.Ports;

/// <summary>
/// Who starts an instance: the one request, across every host, that claims its id first. The Durable
/// backend refuses a second instance with the same id, but two hosts racing on one id may both be
/// told they created it; the claim makes exactly one of them the starter (and the only <c>202</c>).
/// </summary>
public interface IStartClaims
{
    /// <summary>
    /// Claims <paramref name="instanceId"/>: true for the first claim ever (the caller starts it), false
    /// when another request claimed it before (the caller finds the instance, or waits for it to show).
    /// </summary>
    Task<bool> ClaimAsync(string instanceId, string workflowId, CancellationToken cancellationToken = default);
}
