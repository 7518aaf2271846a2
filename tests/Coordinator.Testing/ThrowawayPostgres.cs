using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Coordinator.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster started from the installed binaries for one test run: initdb into
/// a temporary folder (as the <c>postgres</c> OS user when the tests run as root, since initdb refuses
/// root), a free port, the unix socket in the temporary folder, no TCP listener. The roles
/// <c>coordinator_app</c> and <c>coordinator_auditor</c> exist with LOGIN (the migrations grant them
/// their privileges). Stopped and deleted at the end. Requires pgvector (scripts/postgres.sh install).
/// </summary>
public sealed class ThrowawayPostgres : IAsyncLifetime, IAsyncDisposable
{
    public const string Superuser = "postgres";
    public const string ApplicationRole = "coordinator_app";
    public const string AuditorRole = "coordinator_auditor";
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
                $"PostgreSQL binaries not found in {_binDirectory}. Install PostgreSQL 15 (apt-get install -y postgresql-15) or set COORDINATOR_PG_BIN.");
        }

        var shareDirectory = (await RunAsync(Path.Combine(_binDirectory, "pg_config"), ["--sharedir"], asClusterUser: false).ConfigureAwait(false)).Trim();
        if (!File.Exists(Path.Combine(shareDirectory, "extension", "vector.control")))
        {
            throw new InvalidOperationException(
                $"pgvector is not installed ({shareDirectory}/extension/vector.control is missing). Run: scripts/postgres.sh install");
        }

        _root = Directory.CreateTempSubdirectory("coordinator-pg-").FullName;
        _dataDirectory = Path.Combine(_root, "data");
        if (_runAsUser is not null)
            await RunAsync("chown", [_runAsUser, _root], asClusterUser: false).ConfigureAwait(false);

        await RunAsync(Path.Combine(_binDirectory, "initdb"),
            ["-D", _dataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]).ConfigureAwait(false);

        Port = ThrowawayAzurite.FreePort();
        await StartAsync().ConfigureAwait(false);

        _admin = NpgsqlDataSource.Create(ConnectionString(Superuser, Superuser));
        await using var command = _admin.CreateCommand($"CREATE ROLE {ApplicationRole} LOGIN; CREATE ROLE {AuditorRole} LOGIN;");
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
            await _admin.DisposeAsync().ConfigureAwait(false);
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        if (_root.Length > 0)
            Directory.Delete(_root, recursive: true);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync().ConfigureAwait(false);

    /// <summary>
    /// Stops the server, as an outage does for its clients: open sessions are ended (<c>pg_ctl stop -m fast</c>),
    /// new connections are refused, and it waits until the server is down. Committed data stay (an
    /// immediate stop would lose the last commits: the cluster runs with <c>synchronous_commit=off</c>);
    /// <see cref="StartAsync"/> brings the same cluster back on the same port.
    /// </summary>
    public async Task StopAsync()
    {
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"]).ConfigureAwait(false);
        // The admin pool's connections died with the server: new ones after StartAsync.
        _admin?.Clear();
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var serverOptions = string.Join(' ',
            $"-p {Port}",
            "-c listen_addresses=''",
            $"-c unix_socket_directories='{_root}'",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200");
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", _dataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "60", "-o", serverOptions, "start"]).ConfigureAwait(false);
    }

    /// <summary>Creates a new empty database named <paramref name="prefix"/> + a random suffix; returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test_")
    {
        var name = prefix + Guid.NewGuid().ToString("N");
        await using var command = _admin!.CreateCommand($"CREATE DATABASE {name}");
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
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
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "postgres.log");
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}"
                + (File.Exists(log) ? $"\nServer log:\n{await File.ReadAllTextAsync(log).ConfigureAwait(false)}" : ""));
        }

        return await stdout.ConfigureAwait(false);
    }
}
