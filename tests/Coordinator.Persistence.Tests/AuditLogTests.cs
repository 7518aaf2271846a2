using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AuditLogTests(PostgresCluster cluster)
{
    [Fact]
    public async Task AppendAsync_SameEntriesAppendedTwice_EachRowPresentExactlyOnce()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        var entries = AuditEntries.For("claim-1", 50);

        var first = await log.AppendAsync(entries);
        var replay = await log.AppendAsync(entries);
        var replayWithinBatch = await log.AppendAsync([.. AuditEntries.For("claim-1", 10, first: 45), .. AuditEntries.For("claim-1", 10, first: 45)]);

        Assert.Equal(new AuditAppendResult(50, 0, 50), first);
        Assert.Equal(new AuditAppendResult(0, 50, 50), replay);
        Assert.Equal(new AuditAppendResult(5, 15, 55), replayWithinBatch);
        Assert.Equal(55L, await db.ScalarAsync<long>("SELECT count(DISTINCT idempotency_key) FROM audit_log"));
        Assert.Equal(55L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.True((await Verifier(db).VerifyAsync()).IsOk);
    }

    [Fact]
    public async Task AppendAsync_EightConcurrentWriters_ChainIsGaplessAndForkFree()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        const int writers = 8;
        const int rowsPerWriter = 2_000;
        const int batchSize = 25;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var first = 0; first < rowsPerWriter; first += batchSize)
            {
                await log.AppendAsync(AuditEntries.For($"writer-{w}", batchSize, first));
            }
        })));

        const long total = writers * rowsPerWriter;
        Assert.Equal(total, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(total, await db.ScalarAsync<long>("SELECT max(seq) FROM audit_log"));
        Assert.Equal(total, await db.ScalarAsync<long>("SELECT count(DISTINCT prev_hash) FROM audit_log"));
        Assert.Equal(0L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log a JOIN audit_log p ON p.seq = a.seq - 1 WHERE a.prev_hash <> p.hash"));
        var result = await Verifier(db).VerifyAsync();
        Assert.True(result.IsOk, result.Message);
        Assert.Equal(total, result.RowsChecked);
        Assert.Equal(total, result.Head.Seq);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("quote \" backslash \\ slash /")]
    [InlineData("control \b\f\n\r\t \u0001 \u001f end")]
    [InlineData("unicode é ß 東京 🚀 \u2028")]
    [InlineData("")]
    public async Task AppendAsync_TrickyText_HashMatchesTheSqlDefinitionOfTheCanonicalRow(string text)
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var entry = AuditEntries.Entry("claim-unicode", 1) with
        {
            Actor = "person " + text,
            BusinessKey = null,
            StepId = text,
            At = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(2)).AddTicks(1234567),
            Detail = JsonDocument.Parse(
                """{"zeta": 1.0, "a": [1e2, -0, 3.25], "nested": {"b": null, "a": true}, "text": """ + JsonSerializer.Serialize(text) + "}").RootElement,
        };
        await new PostgresAuditLog(db.Application).AppendAsync([entry]);

        Assert.True(await db.ScalarAsync<bool>("SELECT bool_and(hash = audit_row_hash(a)) FROM audit_log a"));
        Assert.True(await db.ScalarAsync<bool>(
            "SELECT hash = sha256(prev_hash || convert_to(json_build_array(seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
            + "instance_id, workflow_id, workflow_version, business_key, step_id, action, actor, verdict, detail, idempotency_key)::text, 'UTF8')) FROM audit_log"));
        Assert.Equal("2024-12-31T21:59:59.123456Z", await db.ScalarAsync<string>(
            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM audit_log"));

        // And the C# hasher, over the row read through AuditColumns, writes the same canonical row and hash.
        await using var command = db.Superuser.CreateCommand($"SELECT {AuditColumns.SelectList("a")}, audit_canonical_row(a) FROM audit_log a");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var row = AuditColumns.Read(reader);
        var hasher = new AuditRowHasher();
        Assert.Equal(reader.GetString(AuditColumns.Count), hasher.CanonicalText(row));
        Assert.Equal(reader.GetFieldValue<byte[]>(AuditColumns.HashOrdinal), hasher.ComputeHash(reader.GetFieldValue<byte[]>(AuditColumns.PrevHashOrdinal), row));
    }

    [Fact]
    public async Task AppendAsync_RandomStrings_EveryHashMatchesTheSqlDefinitionOfTheCanonicalRow()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var strings = ArbMap.Default.GeneratorFor<string>()
            .Where(s => s is not null && !s.Contains('\0', StringComparison.Ordinal) && !HasLoneSurrogate(s))
            .Sample(50, 200);
        var entries = strings.Select((s, i) => AuditEntries.Entry("claim-random", i) with
        {
            Actor = "person " + s,
            StepId = s,
            Detail = JsonSerializer.SerializeToElement(new Dictionary<string, string> { [s] = s, ["k"] = s }),
        }).ToList();

        await new PostgresAuditLog(db.Application).AppendAsync(entries);

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log a WHERE hash <> audit_row_hash(a)"));
        Assert.True((await Verifier(db).VerifyAsync()).IsOk);
    }

    [Fact]
    public async Task AppendAsync_EntryWithoutActor_ThrowsAndWritesNothing()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            log.AppendAsync([AuditEntries.Entry("claim-2", 1), AuditEntries.Entry("claim-2", 2) with { Actor = " " }]));

        Assert.Contains("Actor", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static AuditChainVerifier Verifier(TestDatabase db) =>
        new(db.Auditor, new FileAuditAnchorStore(Path.Combine(Path.GetTempPath(), "coordinator-anchors-" + db.Name)));
}
