namespace Coordinator.Core.Ports;

/// <summary>What an append did. <c>Appended + AlreadyRecorded + Superseded</c> is the number of entries passed.</summary>
/// <param name="Appended">Entries written as new rows.</param>
/// <param name="AlreadyRecorded">Entries skipped because their idempotency key was already recorded (or repeated within the batch).</param>
/// <param name="HeadSeq">The sequence number of the newest row after the append (0 when the registry is empty).</param>
/// <param name="Superseded">
/// Entries refused because another action already holds their instance's action number
/// (<c>detail.sequence</c>), or because their idempotency key is recorded with other content (an
/// engine action decided differently by a re-executed turn): not recorded; an <c>action.superseded</c>
/// row (verdict WARN) records each refusal once. Counted with them: the instance's later engine
/// actions in the same batch, withheld (not recorded, no row) because they follow from the refused one.
/// </param>
public sealed record AuditAppendResult(int Appended, int AlreadyRecorded, long HeadSeq, int Superseded = 0)
{
    /// <summary>The idempotency keys of the entries counted in <see cref="Superseded"/>, in batch order.</summary>
    public IReadOnlyList<string> SupersededKeys { get; init; } = [];

    /// <summary>
    /// For each key of <see cref="SupersededKeys"/> (same index), the detail of the action the registry
    /// kept in its place: what was recorded first (its <c>turn</c> says what caused it); undefined for a withheld entry.
    /// </summary>
    public IReadOnlyList<System.Text.Json.JsonElement> KeptDetails { get; init; } = [];

    /// <summary>Value equality, the keys compared element by element.</summary>
    public bool Equals(AuditAppendResult? other) =>
        other is not null && Appended == other.Appended && AlreadyRecorded == other.AlreadyRecorded && HeadSeq == other.HeadSeq
        && Superseded == other.Superseded && SupersededKeys.SequenceEqual(other.SupersededKeys, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Appended, AlreadyRecorded, HeadSeq, Superseded, SupersededKeys.Count);
}
