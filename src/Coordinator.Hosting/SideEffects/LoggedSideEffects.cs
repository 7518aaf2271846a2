using Coordinator.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// Where no CRM connector or memory store is configured yet, the host writes the update to its log
/// (one line per idempotency key) and carries on; the HubSpot connector and the pgvector memory
/// replace these registrations when configured.
/// </summary>
public sealed partial class LoggedSideEffects(ILogger<LoggedSideEffects> logger) : ICrmUpdater, IMemoryStore
{
    public Task<SideEffectOutcome> UpdateAsync(CrmUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        CrmNotConfigured(logger, update.IdempotencyKey, update.Change, update.BusinessKey);
        return Task.FromResult(SideEffectOutcome.Performed);
    }

    public Task<SideEffectOutcome> RecordAsync(MemoryRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        MemoryNotConfigured(logger, record.IdempotencyKey, record.Kind);
        return Task.FromResult(SideEffectOutcome.Performed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No CRM configured: update {Key} ({Change}) for {BusinessKey} only logged")]
    private static partial void CrmNotConfigured(ILogger logger, string key, string change, string businessKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No memory store configured: record {Key} ({Kind}) only logged")]
    private static partial void MemoryNotConfigured(ILogger logger, string key, string kind);
}
