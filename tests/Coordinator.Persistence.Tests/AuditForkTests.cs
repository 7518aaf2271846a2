using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Migrations;
using Coordinator.Persistence.Tests.Infrastructure;
using Npgsql;

namespace Coordinator.Persistence.Tests;

/// <summary>
/// The fork rule: two different actions with the same (instance, <c>detail.sequence</c>) are never
/// both recorded; the first stays, the second becomes an <c>action.superseded</c> row.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditForkTests(PostgresCluster cluster)
{
    private static readonly AuditEntry Blocked = AuditEntries.EngineAction("claim-1", 3, "step.blocked");
    private static readonly AuditEntry Completed = AuditEntries.EngineAction("claim-1", 3, "step.completed");

    [Fact]
    public async Task AppendAsync_SecondActionWithTheSameActionNumber_KeepsTheFirstAndAppendsActionSuperseded()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        await log.AppendAsync([Blocked]);

        var result = await log.AppendAsync([Completed]);

        Assert.Equal(new AuditAppendResult(0, 0, 2, Superseded: 1) { SupersededKeys = [Completed.IdempotencyKey] }, result);
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE idempotency_key = '{Blocked.IdempotencyKey}'"));
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE idempotency_key = '{Completed.IdempotencyKey}'"));
        Assert.Equal(0L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM (SELECT instance_id, detail->>'sequence' FROM audit_log WHERE detail ? 'sequence' GROUP BY 1, 2 HAVING count(*) > 1) f"));

        var row = await SupersededRowAsync(db);
        Assert.Equal(2, row.Seq);
        Assert.Equal("WARN", row.Verdict);
        Assert.Equal(AuditEntry.CoordinatorActor, row.Actor);
        Assert.Equal("claim-1", row.InstanceId);
        Assert.Equal("legal-review", row.StepId);
        Assert.Equal(Completed.IdempotencyKey + ":superseded", row.IdempotencyKey);
        using var detail = JsonDocument.Parse(row.Detail);
        var d = detail.RootElement;
        Assert.Equal("claim-1", d.GetProperty("instanceId").GetString());
        Assert.Equal(3, d.GetProperty("actionSequence").GetInt64());
        Assert.Equal(1, d.GetProperty("keptSeq").GetInt64());
        Assert.Equal(Blocked.IdempotencyKey, d.GetProperty("keptIdempotencyKey").GetString());
        Assert.Equal("step.blocked", d.GetProperty("keptAction").GetString());
        Assert.Equal(Completed.IdempotencyKey, d.GetProperty("refusedIdempotencyKey").GetString());
        Assert.Equal("step.completed", d.GetProperty("refusedAction").GetString());
        Assert.Equal(3, d.GetProperty("refusedDetail").GetProperty("sequence").GetInt64());
        Assert.False(d.TryGetProperty("sequence", out _), "an action.superseded row must not claim an action number itself");
        Assert.True((await Verifier(db).VerifyAsync()).IsOk);
    }

    [Fact]
    public async Task AppendAsync_RecordedKeyWithOtherContent_IsRefusedAsSupersededAndAnswersWithTheKeptDetail()
    {
        // A re-executed turn proposes another note under the key of the recorded one (same number, type and step).
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        var recorded = Note("first draft");
        var other = Note("second draft");
        var next = AuditEntries.EngineAction("claim-1", 5, "step.completed");
        await log.AppendAsync([recorded]);

        var result = await log.AppendAsync([other, next]);
        var replay = await log.AppendAsync([recorded]);

        Assert.Equal(new AuditAppendResult(0, 0, 2, Superseded: 2) { SupersededKeys = [recorded.IdempotencyKey, next.IdempotencyKey] }, result);
        Assert.Equal("first draft", result.KeptDetails[0].GetProperty("text").GetString());
        Assert.Equal("first draft", await db.ScalarAsync<string>($"SELECT detail->>'text' FROM audit_log WHERE idempotency_key = '{recorded.IdempotencyKey}'"));
        using var supersession = JsonDocument.Parse((await SupersededRowAsync(db)).Detail);
        Assert.Equal(recorded.IdempotencyKey, supersession.RootElement.GetProperty("keptIdempotencyKey").GetString());
        Assert.Equal("second draft", supersession.RootElement.GetProperty("refusedDetail").GetProperty("text").GetString());
        Assert.Equal(new AuditAppendResult(0, 1, 2), replay);
        Assert.Empty(replay.KeptDetails);
    }

    [Fact]
    public async Task AppendAsync_RecordedKeyWithoutActionNumberAndOtherContent_IsSkippedAsRecorded()
    {
        // Side-effect outcomes carry no action number: a retry with another error text is the same fact.
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        var failed = AuditEntries.EngineAction("claim-1", 3, "side_effect.failed") with { Detail = JsonSerializer.SerializeToElement(new { error = "timeout" }) };
        await log.AppendAsync([failed]);

        var again = await log.AppendAsync([failed with { Detail = JsonSerializer.SerializeToElement(new { error = "connection refused" }) }]);

        Assert.Equal(new AuditAppendResult(0, 1, 1), again);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'action.superseded'"));
    }

    [Fact]
    public async Task AppendAsync_RefusedActionAppendedAgain_RecordsTheSupersessionOnce()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        await log.AppendAsync([Blocked]);
        await log.AppendAsync([Completed]);

        var replay = await log.AppendAsync([Blocked, Completed]);

        Assert.Equal(new AuditAppendResult(0, 1, 2, Superseded: 1) { SupersededKeys = [Completed.IdempotencyKey] }, replay);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'action.superseded'"));
    }

    [Fact]
    public async Task AppendAsync_TwoActionsWithOneNumberInOneBatch_KeepsTheFirstAndWithholdsTheRestOfTheTurn()
    {
        // The step.activated follows from the refused step.completed: recording it would record a consequence without its cause.
        await using var db = await cluster.CreateDatabaseAsync();
        var next = AuditEntries.EngineAction("claim-1", 4, "step.activated", "payout");
        var otherInstance = AuditEntries.EngineAction("claim-2", 4, "step.activated", "payout");

        var result = await new PostgresAuditLog(db.Application).AppendAsync([Blocked, Completed, next, otherInstance]);

        Assert.Equal(new AuditAppendResult(2, 0, 3, Superseded: 2) { SupersededKeys = [Completed.IdempotencyKey, next.IdempotencyKey] }, result);
        Assert.Equal(JsonValueKind.Undefined, result.KeptDetails[1].ValueKind);
        Assert.Equal(
            ["step.blocked", "action.superseded", "step.activated"],
            await ActionsInOrderAsync(db));
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE idempotency_key = '{next.IdempotencyKey}'"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE idempotency_key = '{otherInstance.IdempotencyKey}'"));
    }

    [Fact]
    public async Task AppendAsync_SameActionNumberInAnotherInstance_IsAppended()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        await log.AppendAsync([Blocked]);

        var result = await log.AppendAsync([AuditEntries.EngineAction("claim-2", 3, "step.completed")]);

        Assert.Equal(new AuditAppendResult(1, 0, 2), result);
    }

    [Fact]
    public async Task AppendAsync_EntriesWithoutActionNumber_AreNotSubjectToTheForkRule()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var failure = AuditEntries.Entry("claim-1", 1) with
        {
            IdempotencyKey = "claim-1/side_effect.failed/notify/000003",
            Action = "side_effect.failed",
            Detail = JsonSerializer.SerializeToElement(new { effect = "notify", idempotencyKey = Blocked.IdempotencyKey }),
        };

        var result = await new PostgresAuditLog(db.Application).AppendAsync(
            [Blocked, failure, failure with { IdempotencyKey = "claim-1/side_effect.failed/notify/000003/2" }]);

        Assert.Equal(new AuditAppendResult(3, 0, 3), result);
    }

    [Fact]
    public async Task AppendAsync_EightWritersRaceForOneActionNumber_OneKeptAndSevenSuperseded()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        using var start = new Barrier(8);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await log.AppendAsync([AuditEntries.EngineAction("claim-1", 3, $"step.completed-{w}")]);
        })));

        Assert.Equal(1, results.Sum(r => r.Appended));
        Assert.Equal(7, results.Sum(r => r.Superseded));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE detail ? 'sequence'"));
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'action.superseded'"));
        var verified = await Verifier(db).VerifyAsync();
        Assert.True(verified.IsOk, verified.Message);
        Assert.Equal(8, verified.RowsChecked);
    }

    [Fact]
    public async Task ForkIndex_SecondActionNumberInsertedByTheOwnerBypassingTheFunction_IsRefused()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        await new PostgresAuditLog(db.Application).AppendAsync([Blocked]);

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.completed", Completed.IdempotencyKey)));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("audit_log_action_number_key", error.ConstraintName);
    }

    [Fact]
    public async Task VerifyAsync_RefusedFork_ReportsOkWithTheSupersessionAsAWarning()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        await log.AppendAsync([Blocked]);
        await log.AppendAsync([Completed]);

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.Ok, result.Status);
        Assert.Empty(result.Forks);
        var supersession = Assert.Single(result.Supersessions);
        Assert.Equal(new AuditSupersession(2, "claim-1", "3", Blocked.IdempotencyKey, Completed.IdempotencyKey, "step.completed"), supersession);
        Assert.Contains("action.superseded", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_RegistryForkedBeforeTheForkRule_ReportsTheForkAsAnError()
    {
        await using var db = await cluster.CreateDatabaseAsync(lastMigration: 5);
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 2, "step.activated", "claim-1/000002:step.activated:legal-review"));
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.blocked", Blocked.IdempotencyKey));
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.completed", Completed.IdempotencyKey));
        await new MigrationRunner(db.Superuser).ApplyAsync();

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.Forked, result.Status);
        Assert.False(result.IsOk);
        Assert.Equal(3, result.FirstBadSeq);
        Assert.Equal(3, result.RowsChecked);
        var fork = Assert.Single(result.Forks);
        Assert.Equal("claim-1", fork.InstanceId);
        Assert.Equal("3", fork.Sequence);
        Assert.Equal([2L, 3L], fork.Seqs);
        Assert.Equal([Blocked.IdempotencyKey, Completed.IdempotencyKey], fork.IdempotencyKeys);
        Assert.Equal(["step.blocked", "step.completed"], fork.Actions);
        Assert.Contains("action number 3", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ForkWrittenByTheOwnerWithoutTheForkIndex_ReportsTheForkAsAnError()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        await new PostgresAuditLog(db.Application).AppendAsync([Blocked]);
        await db.ExecuteAsync("DROP INDEX audit_log_action_number_key");
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.completed", Completed.IdempotencyKey));

        var result = await Verifier(db).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.Forked, result.Status);
        Assert.Equal(2, result.FirstBadSeq);
        Assert.Equal([1L, 2L], Assert.Single(result.Forks).Seqs);
    }

    [Fact]
    public async Task VerifyInstanceAsync_ForkedInstance_ReportsItsForkAndNotOthers()
    {
        await using var db = await cluster.CreateDatabaseAsync(lastMigration: 5);
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.blocked", Blocked.IdempotencyKey));
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.completed", Completed.IdempotencyKey));
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-2", 3, "step.blocked", "claim-2/000003:step.blocked:legal-review"));
        await new MigrationRunner(db.Superuser).ApplyAsync();

        var forked = await Verifier(db).VerifyInstanceAsync("claim-1");
        var intact = await Verifier(db).VerifyInstanceAsync("claim-2");

        Assert.Equal(AuditVerificationStatus.Forked, forked.Status);
        Assert.Equal("claim-1", Assert.Single(forked.Forks).InstanceId);
        Assert.True(intact.IsOk, intact.Message);
        Assert.Empty(intact.Forks);
    }

    private static async Task<AuditRecord> SupersededRowAsync(TestDatabase db)
    {
        var rows = new List<AuditRecord>();
        await foreach (var record in new AuditReader(db.Auditor).ReadAsync(AuditQuery.ForInstance("claim-1")))
        {
            rows.Add(record);
        }

        return Assert.Single(rows, r => r.Action == "action.superseded");
    }

    private static async Task<List<string>> ActionsInOrderAsync(TestDatabase db)
    {
        var actions = new List<string>();
        await using var command = db.Auditor.CreateCommand("SELECT action FROM audit_log ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            actions.Add(reader.GetString(0));
        }

        return actions;
    }

    private static AuditChainVerifier Verifier(TestDatabase db) =>
        new(db.Auditor, new FileAuditAnchorStore(Path.Combine(Path.GetTempPath(), "coordinator-anchors-" + db.Name)));

    private static AuditEntry Note(string text) => AuditEntries.EngineAction("claim-1", 4, "step.progress") with
    {
        Detail = JsonSerializer.SerializeToElement(new { sequence = 4, key = "000004:step.progress:legal-review", text }),
    };
}
