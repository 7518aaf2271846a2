using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

/// <summary>
/// A superuser can bypass the triggers; these tests do exactly that and check that
/// <see cref="AuditChainVerifier"/> finds the damage and names the sequence number.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TamperDetectionTests(PostgresCluster cluster) : IDisposable
{
    private const int Rows = 100;
    private readonly string _anchorDirectory = Directory.CreateTempSubdirectory("coordinator-anchors-").FullName;

    public void Dispose() => Directory.Delete(_anchorDirectory, recursive: true);

    [Fact]
    public async Task VerifyAsync_IntactChain_ReportsOkWithRowCountAndHead()
    {
        await using var db = await SeededAsync();
        var anchor = await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.Ok, result.Status);
        Assert.Equal(Rows, result.RowsChecked);
        Assert.Equal(Rows, result.Head.Seq);
        Assert.Equal(anchor, result.Anchor);
        Assert.Contains(result.Head.HashHex, result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE audit_log SET actor = 'person-mallory' WHERE seq = 42")]
    [InlineData("UPDATE audit_log SET detail = jsonb_set(detail, '{channel}', '\"slacK\"') WHERE seq = 42")]
    [InlineData("UPDATE audit_log SET at = at + interval '1 microsecond' WHERE seq = 42")]
    [InlineData("UPDATE audit_log SET hash = set_byte(hash, 7, get_byte(hash, 7) # 1) WHERE seq = 42")]
    [InlineData("UPDATE audit_log SET prev_hash = set_byte(prev_hash, 0, get_byte(prev_hash, 0) # 1) WHERE seq = 42")]
    [InlineData("UPDATE audit_log SET verdict = 'ALLOW', business_key = NULL WHERE seq = 42")]
    public async Task VerifyAsync_OneByteOfARowModified_ReportsThatSeq(string tamper)
    {
        await using var db = await SeededAsync();
        await TamperAsync(db, tamper);

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.RowAltered, result.Status);
        Assert.Equal(42, result.FirstBadSeq);
        Assert.Contains("seq 42", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_MiddleRowDeleted_ReportsTheMissingSeq()
    {
        await using var db = await SeededAsync();
        await TamperAsync(db, "DELETE FROM audit_log WHERE seq = 50");

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.MissingRow, result.Status);
        Assert.Equal(50, result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyAsync_TailTruncated_ReportsTheFirstMissingSeq()
    {
        await using var db = await SeededAsync();
        await TamperAsync(db, "DELETE FROM audit_log WHERE seq > 90");

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.TruncatedTail, result.Status);
        Assert.Equal(91, result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyAsync_TailTruncatedAndHeadRewound_ReportsTheFirstMissingSeqFromTheAnchor()
    {
        await using var db = await SeededAsync();
        await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        await TamperAsync(db,
            "DELETE FROM audit_log WHERE seq > 90; "
            + "ALTER TABLE audit_chain_head DISABLE TRIGGER USER; "
            + "UPDATE audit_chain_head SET seq = 90, hash = (SELECT hash FROM audit_log WHERE seq = 90);");

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.TruncatedTail, result.Status);
        Assert.Equal(91, result.FirstBadSeq);
        Assert.Contains("anchor", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ChainRehashedAfterAnEdit_ReportsTheAnchoredSeq()
    {
        await using var db = await SeededAsync();
        await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        await db.ExecuteAsync(ChainForgery.EditAndRehash("UPDATE audit_log SET actor = 'person-mallory' WHERE seq = 42", 42, Rows));

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.AnchorMismatch, result.Status);
        Assert.Equal(Rows, result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyAsync_ChainIdChangedAndRowsTruncated_ReportsTheReplacedChain()
    {
        await using var db = await SeededAsync();
        var anchor = await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        await db.ExecuteAsync(ChainForgery.NewChainIdThen(ChainForgery.Truncate));

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.ChainReplaced, result.Status);
        Assert.False(result.IsOk);
        Assert.Equal(1, result.FirstBadSeq);
        Assert.Equal(anchor, result.Anchor);
        Assert.Contains(anchor!.ChainId.ToString(), result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No anchor yet", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ChainIdChangedRowsKept_ReportsTheReplacedChainAsTheSameChainRelabelled()
    {
        await using var db = await SeededAsync();
        await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        await db.ExecuteAsync(ChainForgery.NewChainIdThen("SELECT 1"));

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.ChainReplaced, result.Status);
        Assert.Contains("the same chain under a new chain_id", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ChainIdChangedAndChainRewritten_ReportsTheReplacedChain()
    {
        await using var db = await SeededAsync();
        await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        await db.ExecuteAsync(ChainForgery.NewChainIdThen(
            ChainForgery.EditAndRehash(
                "UPDATE audit_log SET actor = 'person-mallory' WHERE seq = 1; UPDATE audit_log a SET hash = audit_row_hash(a) WHERE seq = 1", 2, Rows)));

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.ChainReplaced, result.Status);
        Assert.Contains("Its row 1 is not the anchored chain's row 1", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_AnchoredButTheAnchorStoreHasNoAnchorOfTheChain_ReportsAnchorMissing()
    {
        await using var db = await SeededAsync();
        await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        var elsewhere = Directory.CreateTempSubdirectory("coordinator-anchors-empty-").FullName;
        try
        {
            var result = await new AuditChainVerifier(db.Auditor, new FileAuditAnchorStore(elsewhere)).VerifyAsync();

            Assert.Equal(AuditVerificationStatus.AnchorMissing, result.Status);
            Assert.Equal(Rows, result.FirstBadSeq);
            Assert.Contains("anchored up to seq 100", result.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_AnchorStoreBehindTheHeadsRecord_ReportsOkAndThatTheStoreIsBehind()
    {
        await using var db = await SeededAsync();
        await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        await new PostgresAuditLog(db.Application).AppendAsync([AuditEntries.Entry("claim-1", Rows)]);
        var later = Directory.CreateTempSubdirectory("coordinator-anchors-later-").FullName;
        try
        {
            await new AuditAnchorWriter(db.Application, new FileAuditAnchorStore(later), TimeProvider.System).AnchorAsync();

            var result = await Verifier(db).VerifyAsync();

            Assert.True(result.IsOk, result.Message);
            Assert.Equal(Rows, result.Anchor!.Seq);
            Assert.Contains("later anchor, seq 101", result.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(later, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_AnchorsOfOtherDatabasesInTheSameStore_AreIgnored()
    {
        await using var first = await SeededAsync();
        await using var second = await SeededAsync();
        var firstAnchor = await new AuditAnchorWriter(first.Application, AnchorStore, TimeProvider.System).AnchorAsync();
        var secondAnchor = await new AuditAnchorWriter(second.Application, AnchorStore, TimeProvider.System).AnchorAsync();

        var firstResult = await Verifier(first).VerifyAsync();
        var secondResult = await Verifier(second).VerifyAsync();

        Assert.True(firstResult.IsOk, firstResult.Message);
        Assert.Equal(firstAnchor, firstResult.Anchor);
        Assert.True(secondResult.IsOk, secondResult.Message);
        Assert.Equal(secondAnchor, secondResult.Anchor);
    }

    [Fact]
    public async Task AnchorAsync_IntactChain_AnchorCarriesTheDatabaseAndFirstRowAndTheHeadRecordsIt()
    {
        await using var db = await SeededAsync();

        var anchor = await new AuditAnchorWriter(db.Application, AnchorStore, TimeProvider.System).AnchorAsync();

        Assert.NotNull(anchor);
        Assert.Equal(db.Name, anchor.DatabaseName);
        Assert.Equal(await db.ScalarAsync<string>("SELECT system_identifier::text FROM pg_control_system()"), anchor.SystemIdentifier);
        Assert.Equal(await db.ScalarAsync<string>("SELECT encode(hash, 'hex') FROM audit_log WHERE seq = 1"), anchor.FirstHash);
        Assert.Equal((long)Rows, await db.ScalarAsync<long>("SELECT anchored_seq FROM audit_chain_head"));
        Assert.Equal(anchor, await AnchorStore.ReadLatestAsync(anchor.ChainId));
    }

    [Fact]
    public async Task VerifyInstanceAsync_RowOfTheInstanceModified_ReportsThatSeq()
    {
        await using var db = await SeededAsync();
        await TamperAsync(db, "UPDATE audit_log SET actor = 'person-mallory' WHERE seq = 42");

        var result = await Verifier(db).VerifyInstanceAsync("claim-2");

        Assert.Equal(AuditVerificationStatus.RowAltered, result.Status);
        Assert.Equal(42, result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyInstanceAsync_NeighbourOfAnInstanceRowDeleted_ReportsTheMissingSeq()
    {
        await using var db = await SeededAsync();
        await TamperAsync(db, "DELETE FROM audit_log WHERE seq = 43");

        var result = await Verifier(db).VerifyInstanceAsync("claim-2");

        Assert.Equal(AuditVerificationStatus.MissingRow, result.Status);
        Assert.Equal(43, result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyInstanceAsync_IntactInstance_ReportsOkWithItsRowCount()
    {
        await using var db = await SeededAsync();

        var result = await Verifier(db).VerifyInstanceAsync("claim-2");

        Assert.True(result.IsOk, result.Message);
        Assert.Equal(50, result.RowsChecked);
    }

    private FileAuditAnchorStore AnchorStore => new(_anchorDirectory);

    private AuditChainVerifier Verifier(TestDatabase db) => new(db.Auditor, AnchorStore);

    /// <summary>Rows 1..100 alternating between instances claim-1 (odd seq) and claim-2 (even seq).</summary>
    private async Task<TestDatabase> SeededAsync()
    {
        var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        for (var i = 0; i < Rows; i++)
        {
            await log.AppendAsync([AuditEntries.Entry(i % 2 == 0 ? "claim-1" : "claim-2", i)]);
        }

        return db;
    }

    private static Task TamperAsync(TestDatabase db, string sql) =>
        db.ExecuteAsync($"ALTER TABLE audit_log DISABLE TRIGGER USER; {sql}");
}
