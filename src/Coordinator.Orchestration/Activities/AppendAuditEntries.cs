using System.Security.Cryptography;
using System.Text;
using Coordinator.Core.Ports;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration.Activities;

/// <summary>Input of <see cref="AppendAuditEntries"/>: the audit entries of one engine turn, in action order.</summary>
public sealed record AppendAuditEntriesRequest(IReadOnlyList<AuditEntry> Entries)
{
    /// <summary>
    /// What the orchestrator asked for (a hash of the keys and details), echoed in the result: a result
    /// that echoes another fingerprint answers a request of a lost execution (a re-executed turn can be
    /// handed the completion of an activity the lost execution scheduled under the same task id), and
    /// the orchestrator asks again. Null for requests of older instances.
    /// </summary>
    public string? Fingerprint { get; init; }

    /// <summary>The trace context of the step event whose turn asked for this effect (see <see cref="Core.Engine.HumanEvent.TraceParent"/>); null for timer turns and retries of older instances.</summary>
    public string? TraceParent { get; init; }

    /// <summary>This request with its <see cref="Fingerprint"/> (deterministic: it is computed in the orchestrator).</summary>
    public AppendAuditEntriesRequest WithFingerprint()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in Entries)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(entry.IdempotencyKey));
            sha.AppendData([0]);
            sha.AppendData(Encoding.UTF8.GetBytes(entry.Detail is { } detail ? detail.GetRawText() : ""));
            sha.AppendData([0]);
        }
        return this with { Fingerprint = Convert.ToHexString(sha.GetHashAndReset(), 0, 16) };
    }
}

/// <summary>Output of <see cref="AppendAuditEntries"/>.</summary>
/// <param name="Appended">Entries written now.</param>
/// <param name="AlreadyRecorded">Entries an earlier attempt had written (skipped by idempotency key).</param>
/// <param name="Superseded">
/// Keys of entries the registry refused because another action of the instance already holds their
/// action number (a fork, recorded as <c>action.superseded</c>); the orchestrator performs no effect of those actions.
/// </param>
public sealed record AppendAuditEntriesResult(int Appended, int AlreadyRecorded, IReadOnlyList<string>? Superseded = null)
{
    /// <summary>The <see cref="AppendAuditEntriesRequest.Fingerprint"/> of the request this answers.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>
    /// When the registry refused the batch's first entry: what caused the turn it recorded at that
    /// point instead (the first entry's <c>detail.turn</c>), which the orchestrator follows.
    /// </summary>
    public TurnCause? RecordedTurn { get; init; }
}

/// <summary>
/// Activity: appends the audit entries of one turn to <see cref="IAuditLog"/> in one ordered,
/// atomic batch, so the registry's sequence follows the actions' order.
/// </summary>
public sealed class AppendAuditEntries(IAuditLog auditLog) : TaskActivity<AppendAuditEntriesRequest, AppendAuditEntriesResult>
{
    public override async Task<AppendAuditEntriesResult> RunAsync(TaskActivityContext context, AppendAuditEntriesRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var span = CoordinatorTelemetry.StartEffect(nameof(AppendAuditEntries), input.TraceParent, input.Entries.Count > 0 ? input.Entries[0].WorkflowId : null);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await auditLog.AppendAsync(input.Entries).ConfigureAwait(false);
        if (input.Entries.Count > 0)
        {
            CoordinatorTelemetry.AuditAppendDuration.Record(
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("workflow", input.Entries[0].WorkflowId));
        }
        TurnCause? recorded = null;
        if (input.Entries.Count > 0 && result.SupersededKeys.Count > 0 && result.KeptDetails.Count > 0
            && string.Equals(result.SupersededKeys[0], input.Entries[0].IdempotencyKey, StringComparison.Ordinal))
        {
            recorded = TurnCause.Of(result.KeptDetails[0]);
        }
        return new AppendAuditEntriesResult(result.Appended, result.AlreadyRecorded, result.SupersededKeys.Count == 0 ? null : result.SupersededKeys)
        {
            Fingerprint = input.Fingerprint,
            RecordedTurn = recorded,
        };
    }
}
