using System.CommandLine;
using Coordinator.Cli;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Cli.Tests;

/// <summary><c>coordinator audit verify</c> and <c>anchor</c> against a throwaway PostgreSQL: what they print and how they exit.</summary>
public sealed class AuditCommandTests(ThrowawayPostgres postgres) : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private readonly string _anchors = Directory.CreateTempSubdirectory("coordinator-cli-anchors-").FullName;

    public void Dispose() => Directory.Delete(_anchors, recursive: true);

    [Fact]
    public async Task Verify_RefusedFork_PrintsOkAndAWarningLinePerSupersessionAndExitsZero()
    {
        var database = await MigratedDatabaseAsync();
        await AppendAsync(database, NumberedAuditEntries.Action("claim-1", 3, "step.blocked"));
        await AppendAsync(database, NumberedAuditEntries.Action("claim-1", 3, "step.completed"));

        var (exitCode, output, error) = await RunAsync("verify", "--connection", Auditor(database), "--anchor-path", _anchors);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("OK: 2 rows, chain head seq 2", lines[0], StringComparison.Ordinal);
        Assert.Equal(
            "WARNING action.superseded seq 2: instance 'claim-1', action number 3: kept claim-1/000003:step.blocked, refused step.completed (claim-1/000003:step.completed)",
            lines[1]);
    }

    [Fact]
    public async Task Verify_ForkedRegistry_PrintsEachForkAsAnErrorAndExitsFour()
    {
        var database = await MigratedDatabaseAsync();
        await AppendAsync(database, NumberedAuditEntries.Action("claim-1", 3, "step.blocked"));
        // Without the fork index (dropped by someone with owner rights) the second action forks the registry.
        await ExecuteAsync(database, "DROP INDEX audit_log_action_number_key");
        await AppendAsync(database, NumberedAuditEntries.Action("claim-1", 3, "step.completed"));

        var (exitCode, output, error) = await RunAsync("verify", "--connection", Auditor(database), "--anchor-path", _anchors);

        Assert.Equal(4, exitCode);
        Assert.Equal("", output);
        var lines = Lines(error);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("FORK DETECTED at seq 2: The hash chain is intact (2 rows)", lines[0], StringComparison.Ordinal);
        Assert.Equal(
            "ERROR fork: instance 'claim-1', action number 3: seq 1 step.blocked (claim-1/000003:step.blocked), seq 2 step.completed (claim-1/000003:step.completed)",
            lines[1]);
    }

    [Fact]
    public async Task Verify_ChainIdChangedAndRowsTruncatedAfterAnAnchor_ReportsTheReplacedChainAndExitsThree()
    {
        var database = await MigratedDatabaseAsync();
        await AppendAsync(database, NumberedAuditEntries.Action("claim-1", 1, "instance.started"), NumberedAuditEntries.Action("claim-1", 2, "step.activated"));
        var (anchored, anchorOutput, _) = await RunAsync("anchor", "--connection", Application(database), "--anchor-path", _anchors);
        Assert.Equal(0, anchored);
        Assert.StartsWith("Anchored chain ", anchorOutput, StringComparison.Ordinal);
        await ExecuteAsync(database, """
            ALTER TABLE audit_log DISABLE TRIGGER USER;
            ALTER TABLE audit_chain_head DISABLE TRIGGER USER;
            UPDATE audit_chain_head SET chain_id = gen_random_uuid(), seq = 0, hash = decode(repeat('00', 32), 'hex'), anchored_seq = 0;
            TRUNCATE audit_log;
            """);

        var (exitCode, output, error) = await RunAsync("verify", "--connection", Auditor(database), "--anchor-path", _anchors);

        Assert.Equal(3, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith("TAMPERING DETECTED (ChainReplaced) at seq 1: The anchor store holds anchors of database", error, StringComparison.Ordinal);
    }

    private async Task<string> MigratedDatabaseAsync()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var owner = NpgsqlDataSource.Create(postgres.ConnectionString(database, ThrowawayPostgres.Superuser));
        await new MigrationRunner(owner).ApplyAsync();
        return database;
    }

    private string Application(string database) => postgres.ConnectionString(database, ThrowawayPostgres.ApplicationRole);

    private string Auditor(string database) => postgres.ConnectionString(database, ThrowawayPostgres.AuditorRole);

    private async Task AppendAsync(string database, params AuditEntry[] entries)
    {
        await using var application = NpgsqlDataSource.Create(Application(database));
        await new PostgresAuditLog(application).AppendAsync(entries);
    }

    private async Task ExecuteAsync(string database, string sql)
    {
        await using var owner = NpgsqlDataSource.Create(postgres.ConnectionString(database, ThrowawayPostgres.Superuser));
        await using var command = owner.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AuditCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
