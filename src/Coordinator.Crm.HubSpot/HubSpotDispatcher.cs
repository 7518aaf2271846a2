using Coordinator.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

/// <summary>
/// Applies the CRM outbox to HubSpot, on every host: it claims one record at a time (one dispatcher holds a record, so its
/// updates go in action order) and sends one <c>PATCH</c> with the newest standing among the record's pending updates (an
/// older one is never sent after a newer one: it is folded into it), then each pending note, oldest first. A note is
/// marked as attempted before it is posted and as sent after; a note whose answer was lost is looked for by its reference
/// before it is posted again, so each block, decision and completion is on the timeline once. Every request takes a token
/// of <see cref="HubSpotRateLimit"/>; a 429 empties it for <c>Retry-After</c>; HubSpot away backs the record off (5 s
/// doubling to 30 min), with <c>crm.update_delayed</c> after three failures and <c>crm.update_recovered</c> when it goes
/// through; a record HubSpot no longer has closes its updates with <c>crm.update_refused</c>.
/// </summary>
public sealed partial class HubSpotDispatcher(
    ICrmOutbox outbox,
    HubSpotClient client,
    HubSpotRateLimit limit,
    HubSpotAudit audit,
    HubSpotDispatchSignal signal,
    IOptions<HubSpotOptions> options,
    TimeProvider time,
    ILogger<HubSpotDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(30);

    /// <summary>The wait after <paramref name="failures"/> failures in a row (1 = the first): <paramref name="first"/> (<see cref="HubSpotOptions.FirstRetryInterval"/>) doubling, at most 30 min.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan first) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, first.TotalSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 20))));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                OutboxUnavailable(logger, e.Message);
            }
            if (!worked)
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Applies one due record's updates; false when none was due.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (await outbox.ClaimAsync(options.Value.Lease, cancellationToken).ConfigureAwait(false) is not { } claim)
            return false;
        if (claim.Updates.Count == 0)
        {
            await outbox.CompleteAsync(claim, [], cancellationToken).ConfigureAwait(false);
            return true;
        }
        var head = claim.Updates[0].Update;
        try
        {
            await ApplyAsync(claim, cancellationToken).ConfigureAwait(false);
            await outbox.CompleteAsync(claim, [.. claim.Updates.Select(static u => u.Id)], cancellationToken).ConfigureAwait(false);
            Applied(logger, claim.Object.ToString().ToLowerInvariant(), claim.ObjectId, claim.Updates.Count);
            if (claim.Failures >= HubSpotAudit.DelayedAfterFailures)
                await AuditAsync(audit.RecoveredAsync(head, claim.Failures, time.GetUtcNow() - (claim.FirstFailedAt ?? time.GetUtcNow()), cancellationToken)).ConfigureAwait(false);
        }
        catch (HubSpotBusyException e)
        {
            await outbox.RetryLaterAsync(claim, e.Wait, e.Message, failed: false, cancellationToken).ConfigureAwait(false);
        }
        catch (HubSpotException e) when (e.Failure == HubSpotFailure.RateLimited)
        {
            await limit.RateLimitedAsync(e.RetryAfter, cancellationToken).ConfigureAwait(false);
            await outbox.RetryLaterAsync(claim, e.RetryAfter, e.Message, failed: false, cancellationToken).ConfigureAwait(false);
            RateLimited(logger, e.RetryAfter.TotalSeconds);
        }
        catch (HubSpotException e) when (e.Failure == HubSpotFailure.Refused)
        {
            await outbox.RefuseAsync(claim, [.. claim.Updates.Select(static u => u.Id)], e.Message, cancellationToken).ConfigureAwait(false);
            Refused(logger, claim.Object.ToString().ToLowerInvariant(), claim.ObjectId, e.Message);
            await AuditAsync(audit.RefusedAsync(head, e.Message, cancellationToken)).ConfigureAwait(false);
        }
        catch (HubSpotException e)
        {
            var failures = claim.Failures + 1;
            var retry = Backoff(failures, options.Value.FirstRetryInterval);
            await outbox.RetryLaterAsync(claim, retry, e.Message, failed: true, cancellationToken).ConfigureAwait(false);
            if (e.Failure == HubSpotFailure.Misconfigured)
                Misconfigured(logger, e.Message);
            else
                Failed(logger, claim.Object.ToString().ToLowerInvariant(), claim.ObjectId, failures, retry.TotalSeconds, e.Message);
            if (failures == HubSpotAudit.DelayedAfterFailures)
                await AuditAsync(audit.DelayedAsync(head, failures, e.Message, retry, cancellationToken)).ConfigureAwait(false);
        }
        return true;
    }

    private async Task ApplyAsync(CrmClaim claim, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // The newest standing wins: one PATCH for the record however many turns it missed.
        if (claim.Updates.Where(static u => u.Update.Standing is not null).MaxBy(static u => u.Update.Sequence) is { } newest)
        {
            await TakeAsync(cancellationToken).ConfigureAwait(false);
            var properties = HubSpotRecord.Properties(newest.Update, newest.Update.Standing!, settings.InstanceUrl(newest.Update.InstanceId));
            await client.UpdateObjectAsync(claim.Object, claim.ObjectId, properties, cancellationToken).ConfigureAwait(false);
        }
        foreach (var pending in claim.Updates)
        {
            if (pending.Note is not (CrmNoteState.Pending or CrmNoteState.Attempted))
                continue;
            var update = pending.Update;
            if (pending.Note == CrmNoteState.Attempted)
            {
                // The last post's answer was lost: the note may be there. Look before posting it again.
                await TakeAsync(cancellationToken).ConfigureAwait(false);
                if (await client.FindNoteAsync(HubSpotRecord.Reference(update.IdempotencyKey), cancellationToken).ConfigureAwait(false) is { } found)
                {
                    await outbox.NoteSentAsync(pending.Id, found, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            await TakeAsync(cancellationToken).ConfigureAwait(false);
            await outbox.NoteAttemptedAsync(pending.Id, cancellationToken).ConfigureAwait(false);
            var noteId = await client.CreateNoteAsync(claim.Object, claim.ObjectId, HubSpotRecord.Note(update, settings.InstanceUrl(update.InstanceId)), update.At, cancellationToken).ConfigureAwait(false);
            await outbox.NoteSentAsync(pending.Id, noteId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TakeAsync(CancellationToken cancellationToken)
    {
        var wait = await limit.TakeAsync(cancellationToken).ConfigureAwait(false);
        if (wait > TimeSpan.Zero)
            throw new HubSpotBusyException(wait);
    }

    /// <summary>An audit row of a delivery; the audit being away does not hold the record (it is logged).</summary>
    private async Task AuditAsync(Task append)
    {
        try
        {
            await append.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AuditUnavailable(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "HubSpot {Object} {ObjectId}: {Count} update(s) applied")]
    private static partial void Applied(ILogger logger, string @object, string objectId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot answered 429: no request for {Seconds} s")]
    private static partial void RateLimited(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot refused the updates of {Object} {ObjectId} for good: {Reason}")]
    private static partial void Refused(ILogger logger, string @object, string objectId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot {Object} {ObjectId}: failure {Failures}, next try in {Seconds} s: {Error}")]
    private static partial void Failed(ILogger logger, string @object, string objectId, int failures, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "HubSpot refuses the coordinator's token or a property ({Error}): check Coordinator__Crm__HubSpot__AccessToken and its scopes, and run 'coordinator crm setup' (docs/hubspot.md); the updates wait")]
    private static partial void Misconfigured(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The CRM outbox is unreachable ({Error}); retrying")]
    private static partial void OutboxUnavailable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A HubSpot audit row could not be written ({Error}); the update went on")]
    private static partial void AuditUnavailable(ILogger logger, string error);
}
