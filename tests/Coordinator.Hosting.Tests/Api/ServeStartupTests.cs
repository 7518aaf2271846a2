using System.Net;
using System.Net.Sockets;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>
/// <c>coordinator serve</c> as a process against a real PostgreSQL: it migrates an empty database when
/// its login may, and otherwise (or when the database, the login or the port is wrong) stops with one
/// line that says what to fix, exit code 2, no stack trace, before it has written anything.
/// </summary>
public sealed class ServeStartupTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("coordinator-startup-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string[] Arguments(int port) =>
    [
        "--backend", "memory", "--urls", $"http://127.0.0.1:{port}",
        "--definitions", RepositoryPaths.Definitions, "--data", Path.Combine(_folder.FullName, "data"),
    ];

    [Fact]
    public async Task Serve_EmptyDatabaseWithOnlyASuperusersConnectionString_MigratesItAndRuns()
    {
        var database = await postgres.CreateDatabaseAsync();

        using var serve = await ServeProcess.StartAsync(
            Arguments(ThrowawayAzurite.FreePort()), Environment(postgres.ConnectionString(database, PostgresFixture.Superuser)), StartTimeout);

        Assert.Contains("audit PostgreSQL audit registry", serve.ReadyLine, StringComparison.Ordinal);
        Assert.Contains(serve.Output, l => l.Contains($"{MigrationRunner.Embedded.Count} migration(s) applied", StringComparison.Ordinal));
        Assert.Equal(MigrationRunner.Embedded.Count, await ScalarAsync<long>(database, "SELECT count(*) FROM schema_migrations"));
        await serve.StopGracefullyAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Serve_EmptyDatabaseAndARoleThatMayNotMigrate_StopsWithOneLineNamingTheCommandAndExitCode2()
    {
        var database = await postgres.CreateDatabaseAsync();

        var failure = await RefusedAsync(ThrowawayAzurite.FreePort(), postgres.ConnectionString(database, PostgresFixture.ApplicationRole));

        Assert.Contains($"The database '{database}' has no Coordinator schema yet, and the role '{PostgresFixture.ApplicationRole}'", failure, StringComparison.Ordinal);
        Assert.Contains("coordinator db migrate", failure, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:CoordinatorMigrations", failure, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task Serve_UnknownLoginOrDatabase_StopsWithOneLineNamingTheSetting()
    {
        var database = await postgres.CreateDatabaseAsync();

        var login = await RefusedAsync(ThrowawayAzurite.FreePort(), postgres.ConnectionString(database, "nobody"));
        var missing = await RefusedAsync(ThrowawayAzurite.FreePort(), postgres.ConnectionString("no_such_database", PostgresFixture.Superuser));

        Assert.Contains("refused the login of 'nobody'", login, StringComparison.Ordinal);
        Assert.Contains("Fix the user name or password in ConnectionStrings:Coordinator", login, StringComparison.Ordinal);
        Assert.Contains("has no database 'no_such_database'", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_DatabaseUnreachable_StopsWithOneLineSayingToStartIt()
    {
        var closedPort = ThrowawayAzurite.FreePort();
        var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString("coordinator", PostgresFixture.Superuser)) { Host = "127.0.0.1", Port = closedPort, Timeout = 5 }.ConnectionString;

        var failure = await RefusedAsync(ThrowawayAzurite.FreePort(), connection);

        Assert.Contains($"Cannot reach PostgreSQL at 127.0.0.1:{closedPort}", failure, StringComparison.Ordinal);
        Assert.Contains("scripts/postgres.sh start", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PortInUse_StopsWithOneLineBeforeMigratingAnything()
    {
        var database = await postgres.CreateDatabaseAsync();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var failure = await RefusedAsync(port, postgres.ConnectionString(database, PostgresFixture.Superuser));

        Assert.Contains($"Port {port} is in use (http://127.0.0.1:{port})", failure, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task Serve_TaskHubNameTheStorageWouldRefuse_StopsWithOneLineNamingTheSetting()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = Environment(postgres.ConnectionString(database, PostgresFixture.Superuser));
        settings["Coordinator__Durable__TaskHub"] = "a_b";

        var failure = await RefusedAsync(ThrowawayAzurite.FreePort(), settings);

        Assert.Contains("Invalid settings in Coordinator:Durable: Coordinator:Durable:TaskHub must be 3 to 45 letters and digits, starting with a letter.", failure, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    /// <summary>Starts serve, which must refuse: exit code 2, one error line (returned), no stack trace.</summary>
    private Task<string> RefusedAsync(int port, string connectionString) => RefusedAsync(port, Environment(connectionString));

    private async Task<string> RefusedAsync(int port, Dictionary<string, string> environment)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServeProcess.StartAsync(Arguments(port), environment, StartTimeout));
        Assert.Contains("exited with code 2 before it was ready", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message, StringComparison.Ordinal);
        var line = Assert.Single(error.Message.Split('\n'), l => l.StartsWith("coordinator serve could not start: ", StringComparison.Ordinal));
        return line;
    }

    private static Dictionary<string, string> Environment(string connectionString) => new()
    {
        ["ConnectionStrings__Coordinator"] = connectionString,
    };

    private async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString(database, PostgresFixture.Superuser));
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
