using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using Azure.Data.Tables;
using Coordinator.HostBenchmarks;
using Npgsql;

namespace Coordinator.ScaleBenchmarks;

/// <summary>
/// What a run needs: a private Azurite, a fresh PostgreSQL database (dropped afterwards) and one
/// <c>coordinator serve</c> on them, with an API client.
/// </summary>
internal sealed class ScaleDeployment : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;
    private readonly string _database;
    private readonly DirectoryInfo _work;
    private readonly List<ServeHost> _moreHosts = [];
    private (string Definitions, IReadOnlyDictionary<string, string> Environment, double TimeScale, string ApiKey) _launch;

    private ScaleDeployment(NpgsqlDataSource admin, string database, DirectoryInfo work, NpgsqlDataSource readModels, AzuriteProcess azurite, ServeHost host, HttpClient http, TableClient history)
    {
        _admin = admin;
        _database = database;
        _work = work;
        ReadModels = readModels;
        Azurite = azurite;
        Host = host;
        Http = http;
        History = history;
    }

    public NpgsqlDataSource ReadModels { get; }

    public AzuriteProcess Azurite { get; }

    public ServeHost Host { get; }

    public HttpClient Http { get; }

    /// <summary>The task hub's history table.</summary>
    public TableClient History { get; }

    /// <summary>The task hub's instances table.</summary>
    public TableClient Instances { get; private init; } = null!;

    /// <summary>Starts Azurite, the database and one host on <paramref name="definitions"/> (default: the repository's workflow-definitions).</summary>
    /// <summary>The repository this benchmark was built from (recorded at build time).</summary>
    public static string RepositoryRoot { get; } =
        typeof(ScaleDeployment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>Starts an instance of <paramref name="workflow"/> through the API; anything but a <c>202</c> is an error.</summary>
    public static async Task StartInstanceAsync(HttpClient http, string workflow, string businessKey, object? context, CancellationToken cancellationToken)
    {
        object body = context is null ? new { businessKey } : new { businessKey, context };
        using var response = await http.PostAsJsonAsync($"/api/workflows/{workflow}/instances", body, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new InvalidOperationException($"The start of {businessKey} was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
    }

    /// <summary>The <paramref name="p"/> quantile (0..1) of <paramref name="values"/> (nearest rank; 0 when there are none).</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public static async Task<ScaleDeployment> StartAsync(ScaleSettings settings, double timeScale, TextWriter output, CancellationToken cancellationToken, string? definitions = null)
    {
        var connection = settings.Connection ?? Environment.GetEnvironmentVariable("COORDINATOR_BENCH_CONNECTION");
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new ArgumentException(
                "Set COORDINATOR_BENCH_CONNECTION (or pass --connection) to a PostgreSQL superuser connection, e.g. for scripts/postgres.sh start: " +
                "export COORDINATOR_BENCH_CONNECTION=\"Host=$PWD/.data/postgres;Port=5433;Username=postgres\"");
        }
        var work = Directory.CreateTempSubdirectory("coordinator-scale-");
        var database = "coordinator_scale_" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var admin = NpgsqlDataSource.Create(connection);
        await ExecuteAsync(admin, $"CREATE DATABASE {database}", cancellationToken).ConfigureAwait(false);
        var databaseConnection = new NpgsqlConnectionStringBuilder(connection) { Database = database }.ConnectionString;
        output.WriteLine($"Starting a private Azurite and coordinator serve (time scale {timeScale}, database {database}) ...");
        var azurite = await AzuriteProcess.StartAsync(settings.Azurite, cancellationToken, inMemory: !settings.AzuriteOnDisk).ConfigureAwait(false);
        var taskHub = "scale" + Guid.NewGuid().ToString("N")[..10];
        var apiKey = Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Coordinator"] = databaseConnection,
            ["ConnectionStrings__CoordinatorMigrations"] = databaseConnection,
            ["Coordinator__Durable__StorageConnectionString"] = azurite.ConnectionString,
            ["Coordinator__Durable__TaskHub"] = taskHub,
            ["Coordinator__ApiKey"] = apiKey,
            ["Coordinator__Audit__AnchorPath"] = Path.Combine(work.FullName, "anchors"),
        };
        foreach (var setting in settings.Settings)
        {
            var (name, value) = setting.Split('=', 2) is [var n, var v] ? (n, v) : throw new ArgumentException($"--set {setting}: write NAME=VALUE.");
            environment[name] = value;
        }
        definitions ??= Path.Combine(RepositoryRoot, "workflow-definitions");
        var host = await ServeHost.StartAsync(definitions, Path.Combine(work.FullName, "data"), environment, timeScale, cancellationToken).ConfigureAwait(false);
        var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Add("x-coordinator-key", apiKey);
        output.WriteLine($"serve ready; {Environment.ProcessorCount} cores; Azurite {(settings.AzuriteOnDisk ? "on disk" : "in memory")}; {string.Join(", ", settings.Settings.DefaultIfEmpty("default settings"))}");
        return new ScaleDeployment(admin, database, work, NpgsqlDataSource.Create(databaseConnection), azurite, host, http, new TableClient(azurite.ConnectionString, taskHub + "History"))
        {
            Instances = new TableClient(azurite.ConnectionString, taskHub + "Instances"),
            _launch = (definitions, environment, timeScale, apiKey),
        };
    }

    /// <summary>
    /// Per instance, averaged over <paramref name="instanceIds"/>: its history rows (every execution the table
    /// holds), their payload bytes, and the payload bytes of its row in the instances table.
    /// </summary>
    public async Task<(double Rows, double Bytes, double InstanceBytes)> HistoryAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        long rows = 0, bytes = 0, instanceBytes = 0;
        foreach (var id in instanceIds)
        {
            await foreach (var entity in History.QueryAsync<TableEntity>(e => e.PartitionKey == id, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                rows++;
                bytes += PayloadBytes(entity);
            }
            await foreach (var entity in Instances.QueryAsync<TableEntity>(e => e.PartitionKey == id, cancellationToken: cancellationToken).ConfigureAwait(false))
                instanceBytes += PayloadBytes(entity);
        }
        return (rows / (double)instanceIds.Count, bytes / (double)instanceIds.Count, instanceBytes / (double)instanceIds.Count);
    }

    private static long PayloadBytes(TableEntity entity) => entity.Sum(static p => p.Key.Length + p.Value switch
    {
        string text => System.Text.Encoding.UTF8.GetByteCount(text),
        byte[] binary => binary.Length,
        null => 0,
        _ => 8,
    });

    /// <summary>Starts one more host on the same task hub and database; returns an API client for it.</summary>
    public async Task<HttpClient> AddHostAsync(CancellationToken cancellationToken)
    {
        var host = await ServeHost.StartAsync(
            _launch.Definitions, Path.Combine(_work.FullName, "data-" + (_moreHosts.Count + 1).ToString(CultureInfo.InvariantCulture)), _launch.Environment, _launch.TimeScale, cancellationToken).ConfigureAwait(false);
        _moreHosts.Add(host);
        var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Add("x-coordinator-key", _launch.ApiKey);
        return http;
    }

    /// <summary>Every host's most frequent warnings, for the report.</summary>
    public void DescribeWarnings(TextWriter output)
    {
        foreach (var (host, index) in new[] { Host }.Concat(_moreHosts).Select((h, i) => (h, i)))
        {
            output.WriteLine($"host {index + 1}: {host.Warnings.Values.Sum()} warnings or errors");
            foreach (var (text, count) in host.Warnings.OrderByDescending(w => w.Value).Take(5))
                output.WriteLine($"    {count}x {text}");
        }
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = ReadModels.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var more in _moreHosts)
            await more.DisposeAsync().ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
        await Azurite.DisposeAsync().ConfigureAwait(false);
        await ReadModels.DisposeAsync().ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
        await _admin.DisposeAsync().ConfigureAwait(false);
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
