using Microsoft.DurableTask.Client;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// Waits briefly for an instance to show the effect of what the inbox just did (a start, an event),
/// so the page the browser is redirected to already shows it.
/// </summary>
internal static class InstanceWatch
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reads the instance (with its custom status) every 100 ms for up to 5 s until
    /// <paramref name="probe"/> answers; null when it never did.
    /// </summary>
    public static async Task<T?> UntilAsync<T>(
        DurableTaskClient client, string instanceId, Func<OrchestrationMetadata?, T?> probe, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (probe(metadata) is { } answer)
                return answer;
        }
        return null;
    }
}
