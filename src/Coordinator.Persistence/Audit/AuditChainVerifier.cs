using System.Data;
using Coordinator.Persistence.Audit.Anchors;
using Npgsql;
using NpgsqlTypes;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// Recomputes the hash chain. The full check finds the anchors of this database whatever its chain
/// head says, streams every row (binary COPY, one snapshot), compares the end against the chain head
/// and the latest external anchor, and checks the fork rule (one action per instance and action
/// number; <c>action.superseded</c> rows are reported as warnings); the per-instance check recomputes
/// the instance's rows and their links to both neighbours, and checks its forks.
/// </summary>
public sealed class AuditChainVerifier(NpgsqlDataSource dataSource, IAuditAnchorStore anchors)
{
    private static readonly string ExportSql =
        "COPY (SELECT " + AuditColumns.SelectList() + " FROM audit_log ORDER BY seq) TO STDOUT (FORMAT BINARY)";

    // The row's columns (AuditColumns.SelectList, read by AuditColumns.Read), then the links from ordinal AuditColumns.Count on.
    private static readonly string InstanceSql = $"""
        SELECT {AuditColumns.SelectList("a")},
               p.hash AS before_hash, n.seq IS NOT NULL AS has_after, n.prev_hash AS after_prev_hash
        FROM audit_log a
        LEFT JOIN audit_log p ON p.seq = a.seq - 1
        LEFT JOIN audit_log n ON n.seq = a.seq + 1
        WHERE a.instance_id = $1
        ORDER BY a.seq
        """;

    private static readonly int BeforeHashOrdinal = AuditColumns.Count;
    private static readonly int HasAfterOrdinal = AuditColumns.Count + 1;
    private static readonly int AfterPrevHashOrdinal = AuditColumns.Count + 2;

    /// <summary>Verifies the whole chain. <paramref name="progress"/> receives the rows checked so far every 100,000 rows.</summary>
    public async Task<AuditVerificationResult> VerifyAsync(IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // In this order: the head's record of the anchors, then the anchors, then the snapshot. So
        // every anchor the head records was stored before the store was listed, and every row an
        // anchor records is in the snapshot.
        var recorded = await AuditChainHead.ReadAsync(connection, null, cancellationToken).ConfigureAwait(false);
        var identity = await AuditDatabaseIdentity.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var latestOfEveryChain = await anchors.ReadLatestOfEveryChainAsync(cancellationToken).ConfigureAwait(false);

        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var head = await AuditChainHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var anchor = latestOfEveryChain.FirstOrDefault(a => a.ChainId == head.ChainId);
        if (await CheckAnchorsFoundAsync(connection, transaction, head, recorded, identity, anchor, latestOfEveryChain, cancellationToken).ConfigureAwait(false) is { } lost)
        {
            return lost;
        }

        var scan = new ChainScan(head, anchor, recorded.AnchoredSeq);

        await using (var export = await connection.BeginBinaryExportAsync(ExportSql, cancellationToken).ConfigureAwait(false))
        {
            var hasher = new AuditRowHasher();
            var computed = new byte[AuditRowHasher.HashSize];
            var row = new AuditRowContent();
            while (await export.StartRowAsync(cancellationToken).ConfigureAwait(false) != -1)
            {
                await AuditColumns.ReadAsync(export, row, cancellationToken).ConfigureAwait(false);
                var prevHash = await export.ReadAsync<byte[]>(NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                var hash = await export.ReadAsync<byte[]>(NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                hasher.ComputeHash(prevHash, row, computed);
                if (scan.Check(row.Seq, prevHash, hash, computed) is { } failure)
                {
                    await export.CancelAsync().ConfigureAwait(false);
                    return failure;
                }

                if (scan.RowsChecked % 100_000 == 0)
                {
                    progress?.Report(scan.RowsChecked);
                }
            }
        }

        var chain = scan.Finish();
        if (!chain.IsOk)
        {
            return chain;
        }

        var (forks, supersessions) = await AuditForkScan.ReadAsync(connection, transaction, null, cancellationToken).ConfigureAwait(false);
        return AuditForkScan.Apply(chain, forks, supersessions);
    }

    /// <summary>Verifies the rows of one instance and their links to the neighbouring rows of the chain.</summary>
    public async Task<AuditVerificationResult> VerifyInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var head = await AuditChainHead.ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        await using var command = new NpgsqlCommand(InstanceSql, connection, transaction) { Parameters = { new() { Value = instanceId } } };
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        var hasher = new AuditRowHasher();
        var computed = new byte[AuditRowHasher.HashSize];
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = AuditColumns.Read(reader);
            var prevHash = reader.GetFieldValue<byte[]>(AuditColumns.PrevHashOrdinal);
            var hash = reader.GetFieldValue<byte[]>(AuditColumns.HashOrdinal);
            var beforeHash = reader.IsDBNull(BeforeHashOrdinal) ? null : reader.GetFieldValue<byte[]>(BeforeHashOrdinal);
            var hasAfter = reader.GetBoolean(HasAfterOrdinal);
            var afterPrevHash = reader.IsDBNull(AfterPrevHashOrdinal) ? null : reader.GetFieldValue<byte[]>(AfterPrevHashOrdinal);
            rows++;

            hasher.ComputeHash(prevHash, row, computed);
            if (!computed.AsSpan().SequenceEqual(hash))
            {
                return Failure(AuditVerificationStatus.RowAltered, row.Seq, rows, head, null, AlteredMessage(row.Seq));
            }

            if (row.Seq == 1 ? !prevHash.AsSpan().SequenceEqual(AuditRowHasher.GenesisHash) : beforeHash is not null && !beforeHash.AsSpan().SequenceEqual(prevHash))
            {
                return Failure(AuditVerificationStatus.BrokenLink, row.Seq, rows, head, null, BrokenLinkMessage(row.Seq));
            }

            if (row.Seq > 1 && beforeHash is null)
            {
                return Failure(AuditVerificationStatus.MissingRow, row.Seq - 1, rows, head, null,
                    $"Row seq {row.Seq - 1}, just before this instance's row {row.Seq}, is missing: rows were deleted.");
            }

            if (row.Seq < head.Seq && !hasAfter)
            {
                return Failure(AuditVerificationStatus.MissingRow, row.Seq + 1, rows, head, null,
                    $"Row seq {row.Seq + 1}, just after this instance's row {row.Seq}, is missing: rows were deleted.");
            }

            if (afterPrevHash is not null && !afterPrevHash.AsSpan().SequenceEqual(hash))
            {
                return Failure(AuditVerificationStatus.BrokenLink, row.Seq + 1, rows, head, null, BrokenLinkMessage(row.Seq + 1));
            }
        }

        // The connection runs one command at a time: close the reader before the fork checks (disposing twice is harmless).
        await reader.DisposeAsync().ConfigureAwait(false);
        var message = rows == 0
            ? $"No audit rows for instance '{instanceId}'. (Gaps elsewhere are found by verifying the whole chain.)"
            : $"OK: {rows} rows of instance '{instanceId}' hash correctly and link to their neighbours. Chain head seq {head.Seq}, hash {head.HashHex}.";
        var (forks, supersessions) = await AuditForkScan.ReadAsync(connection, transaction, instanceId, cancellationToken).ConfigureAwait(false);
        return AuditForkScan.Apply(
            new AuditVerificationResult { Status = AuditVerificationStatus.Ok, RowsChecked = rows, Head = head, Message = message },
            forks,
            supersessions);
    }

    /// <summary>
    /// Anchors are found for the database whatever its chain head says: anchors of this database (its
    /// name and cluster) under another chain id mean the chain was replaced; a head that records
    /// anchors the store does not have means they disappeared.
    /// </summary>
    private static async Task<AuditVerificationResult?> CheckAnchorsFoundAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, AuditChainHead head, AuditChainHead recorded,
        AuditDatabaseIdentity identity, AuditAnchor? anchor, IReadOnlyList<AuditAnchor> latestOfEveryChain, CancellationToken cancellationToken)
    {
        var replaced = latestOfEveryChain
            .Where(a => a.ChainId != head.ChainId && identity.Matches(a))
            .OrderByDescending(a => a.AnchoredAt)
            .FirstOrDefault();
        if (replaced is not null)
        {
            string? firstHash;
            await using (var command = new NpgsqlCommand("SELECT hash FROM audit_log WHERE seq = 1", connection, transaction))
            {
                firstHash = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] hash ? Convert.ToHexStringLower(hash) : null;
            }

            var how = replaced.FirstHash is null || firstHash is null ? ""
                : string.Equals(replaced.FirstHash, firstHash, StringComparison.Ordinal) ? " Its row 1 is the anchored chain's row 1: the same chain under a new chain_id."
                : " Its row 1 is not the anchored chain's row 1: another chain.";
            return Failure(AuditVerificationStatus.ChainReplaced, 1, 0, head, replaced,
                $"The anchor store holds anchors of {identity} under another chain id: chain {replaced.ChainId}, latest seq {replaced.Seq} (hash {replaced.Hash}, anchored {replaced.AnchoredAt:O}), "
                + $"but audit_chain_head names chain {head.ChainId}. The audit chain was replaced (its chain_id was changed, or the registry recreated), so the anchored rows cannot be checked.{how} "
                + "If the database was deliberately recreated, give the new one its own anchor store and keep the old store for the old chain.");
        }

        if (anchor is null && recorded.AnchoredSeq > 0)
        {
            return Failure(AuditVerificationStatus.AnchorMissing, recorded.AnchoredSeq, 0, head, null,
                $"The chain head records that chain {head.ChainId} was anchored up to seq {recorded.AnchoredSeq}, but the anchor store holds no anchor of this chain: "
                + "the anchors were deleted, or this is not the chain's anchor store (check --anchor-path or Coordinator:Audit:AnchorStore).");
        }

        return null;
    }

    private static string AlteredMessage(long seq) =>
        $"Row seq {seq} was altered: its stored hash does not match the hash recomputed from its content.";

    private static string BrokenLinkMessage(long seq) =>
        $"Row seq {seq} does not link to its predecessor: its prev_hash differs from the hash of row {seq - 1}.";

    private static AuditVerificationResult Failure(
        AuditVerificationStatus status, long seq, long rows, AuditChainHead head, AuditAnchor? anchor, string message) =>
        new() { Status = status, FirstBadSeq = seq, RowsChecked = rows, Head = head, Anchor = anchor, Message = message };

    /// <summary>The state of a full, in-order scan.</summary>
    private sealed class ChainScan(AuditChainHead head, AuditAnchor? anchor, long recordedAnchorSeq)
    {
        private byte[] _prevHash = AuditRowHasher.GenesisHash.ToArray();
        private long _lastSeq;

        public long RowsChecked { get; private set; }

        public AuditVerificationResult? Check(long seq, byte[] prevHash, byte[] hash, byte[] computed)
        {
            var expected = _lastSeq + 1;
            if (seq != expected)
            {
                var missing = seq - 1 == expected ? $"Row seq {expected} is missing" : $"Rows seq {expected}..{seq - 1} are missing";
                return Failure(AuditVerificationStatus.MissingRow, expected, RowsChecked, head, anchor,
                    $"{missing} from the chain (the next row present is {seq}): rows were deleted.");
            }

            RowsChecked++;
            if (!computed.AsSpan().SequenceEqual(hash))
            {
                return Failure(AuditVerificationStatus.RowAltered, seq, RowsChecked, head, anchor, AlteredMessage(seq));
            }

            if (!prevHash.AsSpan().SequenceEqual(_prevHash))
            {
                return Failure(AuditVerificationStatus.BrokenLink, seq, RowsChecked, head, anchor, BrokenLinkMessage(seq));
            }

            if (anchor is not null && anchor.Seq == seq && !string.Equals(anchor.Hash, Convert.ToHexStringLower(hash), StringComparison.Ordinal))
            {
                return Failure(AuditVerificationStatus.AnchorMismatch, seq, RowsChecked, head, anchor,
                    $"Row seq {seq} hashes to {Convert.ToHexStringLower(hash)}, but the anchor written at {anchor.AnchoredAt:O} recorded {anchor.Hash}: the chain was rewritten up to here.");
            }

            _prevHash = hash;
            _lastSeq = seq;
            return null;
        }

        public AuditVerificationResult Finish()
        {
            if (head.Seq > _lastSeq)
            {
                return Failure(AuditVerificationStatus.TruncatedTail, _lastSeq + 1, RowsChecked, head, anchor,
                    $"The chain ends at seq {_lastSeq}, but the chain head records seq {head.Seq}: rows {_lastSeq + 1}..{head.Seq} were removed from the end.");
            }

            if (anchor is not null && anchor.Seq > _lastSeq)
            {
                return Failure(AuditVerificationStatus.TruncatedTail, _lastSeq + 1, RowsChecked, head, anchor,
                    $"The chain ends at seq {_lastSeq}, but the anchor written at {anchor.AnchoredAt:O} records seq {anchor.Seq}: rows {_lastSeq + 1}..{anchor.Seq} were removed from the end.");
            }

            if (head.Seq != _lastSeq || !head.Hash.AsSpan().SequenceEqual(_prevHash))
            {
                return Failure(AuditVerificationStatus.HeadMismatch, _lastSeq, RowsChecked, head, anchor,
                    $"The chain head (seq {head.Seq}, hash {head.HashHex}) does not match the newest row (seq {_lastSeq}, hash {Convert.ToHexStringLower(_prevHash)}).");
            }

            var anchored = anchor is null
                ? "No anchor yet (run `coordinator audit anchor`)."
                : $"Latest anchor seq {anchor.Seq} ({anchor.AnchoredAt:O}) matches."
                    + (recordedAnchorSeq > anchor.Seq
                        ? $" (The chain head records a later anchor, seq {recordedAnchorSeq}: this anchor store, or this copy of it, is behind.)"
                        : "");
            return new AuditVerificationResult
            {
                Status = AuditVerificationStatus.Ok,
                RowsChecked = RowsChecked,
                Head = head,
                Anchor = anchor,
                Message = $"OK: {RowsChecked} rows, chain head seq {head.Seq}, hash {head.HashHex}. {anchored}",
            };
        }
    }
}
