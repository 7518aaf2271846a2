using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// Keeps audit entries in memory when no PostgreSQL is configured (quick tries only: nothing is
/// kept after the host stops, and nothing is hash-chained). Behaves like the real registry:
/// idempotent by key, and an entry whose instance's action number (<c>detail.sequence</c>) is
/// already held by another action, or whose key is recorded with other content, is refused and
/// recorded as <c>action.superseded</c>, and the instance's later actions in the batch are withheld.
/// </summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    public const string SupersededAction = "action.superseded";

    private readonly Dictionary<string, int> _positionByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<(string InstanceId, string Sequence), int> _positionByNumber = [];
    private readonly List<AuditEntry> _inOrder = [];
    private readonly Lock _gate = new();

    public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        int appended = 0;
        var superseded = new List<string>();
        var keptDetails = new List<JsonElement>();
        lock (_gate)
        {
            var refusedIn = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var number = ActionNumber(entry);
                if (number is not null && refusedIn.Contains(entry.InstanceId))
                {
                    // Withheld: the rest of a refused turn is not recorded either.
                    superseded.Add(entry.IdempotencyKey);
                    keptDetails.Add(default);
                    continue;
                }
                if (_positionByKey.TryGetValue(entry.IdempotencyKey, out var recorded))
                {
                    if (number is null || SameContent(_inOrder[recorded], entry))
                        continue;
                }
                if (number is not null)
                {
                    if (_positionByNumber.TryGetValue((entry.InstanceId, number), out var kept))
                    {
                        superseded.Add(entry.IdempotencyKey);
                        keptDetails.Add(_inOrder[kept].Detail ?? default);
                        refusedIn.Add(entry.InstanceId);
                        var refusal = Supersession(entry, _inOrder[kept], kept + 1);
                        if (!_positionByKey.ContainsKey(refusal.IdempotencyKey))
                            Add(refusal);
                        continue;
                    }

                    _positionByNumber[(entry.InstanceId, number)] = _inOrder.Count;
                }

                Add(entry);
                appended++;
            }

            return Task.FromResult(new AuditAppendResult(appended, entries.Count - appended - superseded.Count, _inOrder.Count, superseded.Count) { SupersededKeys = superseded, KeptDetails = keptDetails });
        }
    }

    public IReadOnlyList<AuditEntry> All
    {
        get
        {
            lock (_gate)
                return [.. _inOrder];
        }
    }

    private void Add(AuditEntry entry)
    {
        _positionByKey[entry.IdempotencyKey] = _inOrder.Count;
        _inOrder.Add(entry);
    }

    /// <summary>Whether an entry under a recorded key says what the recorded one says (PostgreSQL compares the same columns).</summary>
    private static bool SameContent(AuditEntry recorded, AuditEntry entry) =>
        recorded.At == entry.At && recorded.StepId == entry.StepId && recorded.Action == entry.Action && recorded.Actor == entry.Actor
        && recorded.Verdict == entry.Verdict
        && (recorded.Detail, entry.Detail) switch
        {
            (null, null) => true,
            ({ } a, { } b) => JsonElement.DeepEquals(a, b),
            _ => false,
        };

    /// <summary>The top-level <c>sequence</c> of the detail as PostgreSQL's <c>detail->>'sequence'</c> reads it; null when absent.</summary>
    private static string? ActionNumber(AuditEntry entry) =>
        entry.Detail is { ValueKind: JsonValueKind.Object } detail && detail.TryGetProperty("sequence", out var sequence)
            ? sequence.ValueKind switch
            {
                JsonValueKind.String => sequence.GetString(),
                JsonValueKind.Null => null,
                _ => sequence.GetRawText(),
            }
            : null;

    /// <summary>The <c>action.superseded</c> entry PostgreSQL's <c>audit_append()</c> writes for a refused entry.</summary>
    private static AuditEntry Supersession(AuditEntry refused, AuditEntry kept, int keptSeq) => new()
    {
        IdempotencyKey = refused.IdempotencyKey + ":superseded",
        At = refused.At,
        InstanceId = refused.InstanceId,
        WorkflowId = refused.WorkflowId,
        WorkflowVersion = refused.WorkflowVersion,
        BusinessKey = refused.BusinessKey,
        StepId = refused.StepId,
        Action = SupersededAction,
        Actor = AuditEntry.CoordinatorActor,
        Verdict = AuditVerdict.Warn,
        Detail = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["instanceId"] = refused.InstanceId,
            ["actionSequence"] = refused.Detail?.GetProperty("sequence"),
            ["keptSeq"] = keptSeq,
            ["keptIdempotencyKey"] = kept.IdempotencyKey,
            ["keptAction"] = kept.Action,
            ["refusedIdempotencyKey"] = refused.IdempotencyKey,
            ["refusedAction"] = refused.Action,
            ["refusedActor"] = refused.Actor,
            ["refusedDetail"] = refused.Detail,
        }),
    };
}
