using Coordinator.Channels;
using Coordinator.Core.Ports;

namespace Coordinator.Crm.HubSpot;

/// <summary>Wakes the <see cref="HubSpotDispatcher"/>: an update was kept.</summary>
public sealed class HubSpotDispatchSignal : WakeSignal;

/// <summary>
/// The CRM port on HubSpot: an update is kept in the outbox (PostgreSQL, idempotent on its key) and applied by the
/// <see cref="HubSpotDispatcher"/>, so HubSpot being away or slow delays the record, never the instance's turn.
/// </summary>
public sealed class HubSpotCrmUpdater(ICrmOutbox outbox, HubSpotDispatchSignal signal) : ICrmUpdater
{
    public async Task<SideEffectOutcome> UpdateAsync(CrmUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        // Nothing to show: an old instance's progress change that writes no note (its properties need a standing).
        if (update.Standing is null && !HubSpotRecord.WritesNote(update.Change))
            return SideEffectOutcome.Performed;
        var kept = await outbox.EnqueueAsync(update, HubSpotRecord.WritesNote(update.Change), cancellationToken).ConfigureAwait(false);
        if (kept)
            signal.Notify();
        return kept ? SideEffectOutcome.Performed : SideEffectOutcome.AlreadyPerformed;
    }
}
