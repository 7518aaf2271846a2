using Coordinator.Core.Definitions;

namespace Coordinator.Core.Ports;

/// <summary>An update waiting in the CRM outbox, with how far its timeline note got.</summary>
/// <param name="Id">The outbox row.</param>
/// <param name="Note">The note's state: <see cref="CrmNoteState"/>.</param>
public sealed record CrmPendingUpdate(long Id, CrmUpdate Update, CrmNoteState Note);

/// <summary>How far the timeline note of an update got (notes are written once per action: see <see cref="ICrmOutbox"/>).</summary>
public enum CrmNoteState
{
    /// <summary>The update writes no note (only property changes).</summary>
    None,

    /// <summary>Not posted yet.</summary>
    Pending,

    /// <summary>A post was attempted and its answer lost: whether the note exists must be looked up before posting again.</summary>
    Attempted,

    /// <summary>Posted.</summary>
    Sent,
}

/// <summary>One CRM record's pending updates, claimed by one dispatcher at a time, oldest action first.</summary>
/// <param name="Failures">Failed attempts in a row on this record (reset by a success).</param>
/// <param name="FirstFailedAt">When the current run of failures began; null without failures.</param>
public sealed record CrmClaim(CrmObjectType Object, string ObjectId, int Failures, DateTimeOffset? FirstFailedAt, IReadOnlyList<CrmPendingUpdate> Updates);

/// <summary>
/// The CRM outbox: what the instances asked the CRM to show, kept in PostgreSQL until the CRM took it, per record in
/// action order. One dispatcher at a time holds a record (its updates are applied in order, and a retry of an old one
/// never overwrites a newer standing); a CRM that is away delays the record's updates, never an instance.
/// </summary>
public interface ICrmOutbox
{
    /// <summary>Keeps an update (idempotent on <see cref="CrmUpdate.IdempotencyKey"/>); true when it was new. <paramref name="writesNote"/>: it also becomes a timeline note.</summary>
    Task<bool> EnqueueAsync(CrmUpdate update, bool writesNote, CancellationToken cancellationToken = default);

    /// <summary>The record whose updates are due longest, leased for <paramref name="lease"/>; null when none is due.</summary>
    Task<CrmClaim?> ClaimAsync(TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>When the next record is due (null: nothing pending).</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default);

    /// <summary>A note is about to be posted: if the answer is lost, the next attempt looks for it first.</summary>
    Task NoteAttemptedAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The note is on the timeline (<paramref name="noteId"/> is the CRM's id of it).</summary>
    Task NoteSentAsync(long id, string noteId, CancellationToken cancellationToken = default);

    /// <summary>These updates are applied: done, the record's failures reset, its lease released.</summary>
    Task CompleteAsync(CrmClaim claim, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);

    /// <summary>The record is tried again after <paramref name="delay"/>; <paramref name="failed"/> counts it as a failure (a 429 does not).</summary>
    Task RetryLaterAsync(CrmClaim claim, TimeSpan delay, string error, bool failed, CancellationToken cancellationToken = default);

    /// <summary>The CRM refused these updates for good (the record is gone, a property is invalid): they are closed as failed.</summary>
    Task RefuseAsync(CrmClaim claim, IReadOnlyCollection<long> ids, string error, CancellationToken cancellationToken = default);
}

/// <summary>A start asked for by a CRM event (kept by the webhook, performed just after its acknowledgement).</summary>
/// <param name="Source">The system: <c>hubspot</c>.</param>
/// <param name="EventId">The provider's event id (deliveries of one event are one row per workflow).</param>
/// <param name="PropertyValue">The value the event says the property took; null for a creation event.</param>
public sealed record CrmStartRequest(string Source, string EventId, string WorkflowId, CrmObjectType Object, string ObjectId, string? PropertyValue);

/// <summary>A start request claimed by a worker.</summary>
public sealed record ClaimedCrmStart(long Id, CrmStartRequest Request, int Attempts);

/// <summary>The starts CRM webhooks asked for, until the application core performed them.</summary>
public interface ICrmStarts
{
    /// <summary>Keeps the requests, each once per (source, event id, workflow); answers how many were new.</summary>
    Task<int> AcceptAsync(IReadOnlyList<CrmStartRequest> requests, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ClaimedCrmStart>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Done: started (or found) <paramref name="instanceId"/>, or nothing to start (<paramref name="instanceId"/> null, <paramref name="outcome"/> says why).</summary>
    Task CompleteAsync(long id, string? instanceId, string outcome, CancellationToken cancellationToken = default);

    Task RetryLaterAsync(long id, TimeSpan delay, string error, CancellationToken cancellationToken = default);
}
