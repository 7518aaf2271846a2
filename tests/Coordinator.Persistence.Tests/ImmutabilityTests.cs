using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Tests.Infrastructure;
using Npgsql;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ImmutabilityTests(PostgresCluster cluster)
{
    public static TheoryData<string> Changes => new()
    {
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
        "TRUNCATE audit_log",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Change_AsApplicationRole_IsRefused(string sql)
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.Application, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Change_AsSuperuserInReplicationMode_IsRefusedByAlwaysEnabledTrigger(string sql)
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync(db.Superuser, "SET session_replication_role = replica; " + sql));

        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    [Fact]
    public async Task Insert_AsAuditorRole_IsRefused()
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            new PostgresAuditLog(db.Auditor).AppendAsync(AuditEntries.For("claim-9", 1)));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Select_AsAuditorRole_ReadsTheRegistry()
    {
        await using var db = await SeededAsync();

        await using var command = db.Auditor.CreateCommand("SELECT count(*) FROM audit_log WHERE business_key = '2024-0847'");

        Assert.Equal(5L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ChainHead_MovedBackwardsAsSuperuser_IsRefused()
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync(db.Superuser, "UPDATE audit_chain_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)"));

        Assert.Contains("only move forward", error.MessageText, StringComparison.Ordinal);
    }

    public static TheoryData<string> DirectWrites => new()
    {
        // A correctly linked row at the next seq: still refused, only audit_append() writes.
        """
        INSERT INTO audit_log (seq, at, instance_id, workflow_id, workflow_version, action, actor, verdict, idempotency_key, prev_hash, hash)
        SELECT h.seq + 1, now(), 'claim-1', 'claim-handling', 3, 'step.completed', 'person-1', 'ALLOW', 'forged', h.hash, decode(repeat('00', 32), 'hex')
        FROM audit_chain_head h
        """,
        // A row far ahead, which used to block every later append.
        """
        INSERT INTO audit_log (seq, at, instance_id, workflow_id, workflow_version, action, actor, verdict, idempotency_key, prev_hash, hash)
        VALUES (1000, now(), 'claim-1', 'claim-handling', 3, 'step.completed', 'person-1', 'ALLOW', 'forged', decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))
        """,
        "UPDATE audit_chain_head SET updated_at = now()",
    };

    [Theory]
    [MemberData(nameof(DirectWrites))]
    public async Task DirectWrite_AsApplicationRole_IsRefused(string sql)
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.Application, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        var appended = await new PostgresAuditLog(db.Application).AppendAsync(AuditEntries.For("claim-1", 1, first: 5));
        Assert.Equal(new Coordinator.Core.Ports.AuditAppendResult(1, 0, 6), appended);
    }

    [Fact]
    public async Task AppendAsync_SessionWithTempTablesNamedLikeTheRegistry_AppendsToTheRealTables()
    {
        await using var db = await SeededAsync();
        // One pooled session that keeps its temporary tables between commands (the superuser may still create them).
        var builder = new NpgsqlConnectionStringBuilder(db.Superuser.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var session = NpgsqlDataSource.Create(builder.ConnectionString);
        await ExecuteAsync(session, """
            CREATE TEMP TABLE audit_chain_head (LIKE public.audit_chain_head INCLUDING DEFAULTS);
            INSERT INTO audit_chain_head (seq) VALUES (41);
            CREATE TEMP TABLE audit_log (LIKE public.audit_log INCLUDING ALL);
            """);

        var result = await new PostgresAuditLog(session).AppendAsync(AuditEntries.For("claim-1", 2, first: 5));

        Assert.Equal(new Coordinator.Core.Ports.AuditAppendResult(2, 0, 7), result);
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT seq FROM audit_chain_head"));
        await using var temp = session.CreateCommand("SELECT count(*) FROM pg_temp.audit_log");
        Assert.Equal(0L, (long)(await temp.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ChainHeadGuard_TempTableNamedAuditLogInTheSession_ChecksTheRealTable()
    {
        await using var db = await SeededAsync();

        // A session that may create temporary tables (here the superuser; before migration 0005 also
        // the application role) shadows audit_log with a fake newest row and moves the head to it.
        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.Superuser, """
            CREATE TEMP TABLE audit_log (seq bigint, hash bytea);
            INSERT INTO audit_log VALUES (1000, decode(repeat('ab', 32), 'hex'));
            UPDATE audit_chain_head SET seq = 1000, hash = decode(repeat('ab', 32), 'hex');
            """));

        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, error.SqlState);
        Assert.Contains("is not the newest row", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT seq FROM audit_chain_head"));
    }

    [Fact]
    public async Task CreateTempTable_AsApplicationRole_IsRefused()
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.Application, "CREATE TEMP TABLE audit_log (seq bigint, hash bytea)"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task ChainHead_AnchoredSeqMovedBackwardsAsSuperuser_IsRefused()
    {
        await using var db = await SeededAsync();
        await ExecuteAsync(db.Application, "SELECT audit_record_anchor((SELECT chain_id FROM audit_chain_head), 5, (SELECT hash FROM audit_log WHERE seq = 5))");

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.Superuser, "UPDATE audit_chain_head SET anchored_seq = 0"));

        Assert.Contains("anchored_seq may only move forward", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT anchored_seq FROM audit_chain_head"));
    }

    [Theory]
    [InlineData("SELECT audit_record_anchor((SELECT chain_id FROM audit_chain_head), 5, decode(repeat('ab', 32), 'hex'))")]
    [InlineData("SELECT audit_record_anchor(gen_random_uuid(), 5, (SELECT hash FROM audit_log WHERE seq = 5))")]
    public async Task RecordAnchor_AnchorThatIsNotOfThisChain_IsRefused(string sql)
    {
        await using var db = await SeededAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.Application, sql));

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT anchored_seq FROM audit_chain_head"));
    }

    private async Task<TestDatabase> SeededAsync()
    {
        var db = await cluster.CreateDatabaseAsync();
        await new PostgresAuditLog(db.Application).AppendAsync(AuditEntries.For("claim-1", 5));
        return db;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
