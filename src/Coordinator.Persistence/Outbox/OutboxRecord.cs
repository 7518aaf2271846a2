namespace Coordinator.Persistence.Outbox;

public enum OutboxStatus
{
    /// <summary>Recorded; the side effect has not succeeded yet (it may have been attempted).</summary>
    Pending,

    /// <summary>The side effect happened; never perform it again.</summary>
    Succeeded,

    /// <summary>Given up; will not be attempted again.</summary>
    Failed,
}

/// <summary>A side effect (notification, CRM update) keyed by its deterministic idempotency key.</summary>
/// <param name="Payload">JSON, as PostgreSQL renders the stored jsonb.</param>
/// <param name="Result">JSON recorded on success (for example the message id the channel returned).</param>
public sealed record OutboxRecord(
    string Key,
    string Kind,
    OutboxStatus Status,
    string Payload,
    string? Result,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt);
