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
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> take the server down and bring it back on the
/// same port, socket and data (an outage, as the fault tests need).
/// </summary>
public sealed class ThrowawayPostgres : IAsyncLifetime, IAsyncDisposable
{
    public const string Superuser = "postgres";
    public const string ApplicationRole = "coordinator_app";
    public const string AuditorRole = "coordinator_auditor";
    private const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDirectory = Environment.GetEnvironmentVariable("COORDINATOR_PG_BIN") ?? DefaultBinDirectory;
    private readonly string? _runAsUser = Environment.IsPrivilegedProcess ? "postgres" : null;
    private string _root = "";
    private string _dataDirectory = "";
    private string _serverOptions = "";
    private NpgsqlDataSource? _admin;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);

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
        _serverOptions = string.Join(' ',
            $"-p {Port}",
            "-c listen_addresses=''",
            $"-c unix_socket_directories='{_root}'",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200");
        await StartServerAsync().ConfigureAwait(false);

        _admin = NpgsqlDataSource.Create(ConnectionString(Superuser, Superuser));
        await using var command = _admin.CreateCommand($"CREATE ROLE {ApplicationRole} LOGIN; CREATE ROLE {AuditorRole} LOGIN;");
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the server, as an outage does for its clients: open sessions are ended (<c>pg_ctl stop -m fast</c>),
    /// new connections are refused, and it waits until the server is down. Committed data stay (an
    /// immediate stop would lose the last commits: the cluster runs with <c>synchronous_commit=off</c>).
    /// Idempotent: does nothing when it is already stopped.
    /// </summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (await IsRunningAsync().ConfigureAwait(false))
                await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Starts the server again on the same port, socket folder and data directory, and returns once it
    /// answers queries. Idempotent: does nothing when it is already running.
    /// </summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!await IsRunningAsync().ConfigureAwait(false))
                await StartServerAsync().ConfigureAwait(false);
            // Pooled connections of the previous server are dead: drop them instead of failing once on each.
            _admin?.Clear();
            await WaitUntilReadyAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
            await _admin.DisposeAsync().ConfigureAwait(false);
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        if (_root.Length > 0)
            Directory.Delete(_root, recursive: true);
        _lifecycle.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Whether the server runs (pg_ctl status: 0 running, 3 not running; a stale postmaster.pid counts as not running).</summary>
    public async Task<bool> IsRunningAsync()
    {
        if (_dataDirectory.Length == 0)
            return false;
        var (exitCode, _, _) = await RunProcessAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "status"], asClusterUser: true).ConfigureAwait(false);
        return exitCode == 0;
    }

    private Task StartServerAsync() => RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
        ["-D", _dataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "60", "-o", _serverOptions, "start"]);

    /// <summary>Waits until the server accepts a query (pg_ctl -w already waits for connections; this also covers recovery).</summary>
    private async Task WaitUntilReadyAsync()
    {
        if (_admin is null)
            return;
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            try
            {
                await using var command = _admin.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when ((e is NpgsqlException or IOException) && !timeout.IsCancellationRequested)
            {
                _admin.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token).ConfigureAwait(false);
            }
        }
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
        var (exitCode, stdout, stderr) = await RunProcessAsync(fileName, arguments, asClusterUser).ConfigureAwait(false);
        if (exitCode != 0)
        {
            var log = Path.Combine(_root, "postgres.log");
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {exitCode}: {stderr}{stdout}"
                + (File.Exists(log) ? $"\nServer log:\n{await File.ReadAllTextAsync(log).ConfigureAwait(false)}" : ""));
        }

        return stdout;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, bool asClusterUser)
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
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
