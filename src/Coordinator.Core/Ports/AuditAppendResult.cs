namespace Coordinator.Core.Ports;

/// <summary>What an append did.</summary>
/// <param name="Appended">Entries written as new rows.</param>
/// <param name="AlreadyRecorded">Entries skipped because their idempotency key was already recorded.</param>
/// <param name="HeadSeq">The sequence number of the newest row after the append (0 when the registry is empty).</param>
public sealed record AuditAppendResult(int Appended, int AlreadyRecorded, long HeadSeq);
