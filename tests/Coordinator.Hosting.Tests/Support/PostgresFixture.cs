using System.Diagnostics;
using Coordinator.Persistence.Migrations;
using Npgsql;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster started from the installed binaries for one test run (as in
/// Coordinator.Persistence.Tests): initdb into a temporary folder (as the <c>postgres</c> OS user when
/// the tests run as root, since initdb refuses root), a free port, the unix socket in the temporary
/// folder, no TCP listener. The application and auditor roles exist with LOGIN. Stopped and deleted at the end.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string ApplicationRole = "coordinator_app";
    public const string Superuser = "postgres";
    private const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _binDirectory = Environment.GetEnvironmentVariable("COORDINATOR_PG_BIN") ?? DefaultBinDirectory;
    private readonly string? _runAsUser = Environment.IsPrivilegedProcess ? "postgres" : null;
    private string _root = "";
    private string _dataDirectory = "";
    private NpgsqlDataSource? _admin;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(_binDirectory, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL binaries not found in {_binDirectory}. Install PostgreSQL 15 (scripts/postgres.sh install) or set COORDINATOR_PG_BIN.");
        }

        var shareDirectory = (await RunAsync(Path.Combine(_binDirectory, "pg_config"), ["--sharedir"], asClusterUser: false)).Trim();
        if (!File.Exists(Path.Combine(shareDirectory, "extension", "vector.control")))
            throw new InvalidOperationException($"pgvector is not installed ({shareDirectory}/extension/vector.control is missing). Run: scripts/postgres.sh install");

        _root = Directory.CreateTempSubdirectory("coordinator-pg-").FullName;
        _dataDirectory = Path.Combine(_root, "data");
        if (_runAsUser is not null)
            await RunAsync("chown", [_runAsUser, _root], asClusterUser: false);

        await RunAsync(Path.Combine(_binDirectory, "initdb"),
            ["-D", _dataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]);

        Port = ThrowawayAzurite.FreePort();
        var serverOptions = string.Join(' ',
            $"-p {Port}",
            "-c listen_addresses=''",
            $"-c unix_socket_directories='{_root}'",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200");
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", _dataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "60", "-o", serverOptions, "start"]);

        _admin = NpgsqlDataSource.Create(ConnectionString(Superuser, Superuser));
        await using var command = _admin.CreateCommand($"CREATE ROLE {ApplicationRole} LOGIN; CREATE ROLE coordinator_auditor LOGIN;");
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
            await _admin.DisposeAsync();
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
        if (_root.Length > 0)
            Directory.Delete(_root, recursive: true);
    }

    /// <summary>A new empty database (no migrations: <c>coordinator serve</c> applies them with the owner's connection string).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await using var command = _admin!.CreateCommand($"CREATE DATABASE {name}");
        await command.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>A new database with every migration applied (as the owner would).</summary>
    public async Task<string> CreateMigratedDatabaseAsync()
    {
        var name = await CreateDatabaseAsync();
        await using var owner = NpgsqlDataSource.Create(ConnectionString(name, Superuser));
        await new MigrationRunner(owner).ApplyAsync();
        return name;
    }

    public string ConnectionString(string database, string user) => new NpgsqlConnectionStringBuilder
    {
        Host = _root,
        Port = Port,
        Database = database,
        Username = user,
        Pooling = true,
        MaxPoolSize = 20,
    }.ConnectionString;

    private async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, bool asClusterUser = true)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asClusterUser && _runAsUser is not null)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", _runAsUser, "--", fileName])
                start.ArgumentList.Add(argument);
        }
        else
        {
            start.FileName = fileName;
        }

        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "postgres.log");
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}"
                + (File.Exists(log) ? $"\nServer log:\n{await File.ReadAllTextAsync(log)}" : ""));
        }

        return await stdout;
    }
}
