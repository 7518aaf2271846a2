using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.SideEffects;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Inbox;
using Coordinator.Persistence.Outbox;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>
/// One deployment of <c>coordinator serve</c> as a separate process: its own task hub on the shared
/// Azurite, its own PostgreSQL database (migrated by the host), data and anchor folders, port and API
/// key. The same deployment can be started again after a hard kill.
/// </summary>
internal sealed class CoordinatorDeployment : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly ThrowawayAzurite _azurite;
    private readonly PostgresFixture _postgres;
    private readonly double _timeScale;
    private readonly string _folder = Directory.CreateTempSubdirectory("coordinator-durability-").FullName;
    private readonly string _taskHub = "dur" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _apiKey = Guid.NewGuid().ToString("N");
    private readonly int[] _ports;
    private string _database = "";

    private CoordinatorDeployment(ThrowawayAzurite azurite, PostgresFixture postgres, double timeScale, int hosts)
    {
        _azurite = azurite;
        _postgres = postgres;
        _timeScale = timeScale;
        _ports = [.. Enumerable.Range(0, hosts).Select(_ => ThrowawayAzurite.FreePort())];
        Processes = new ServeProcess?[hosts];
        Http = CreateHttpClient(TimeSpan.FromSeconds(60));
    }

    public HttpClient Http { get; }

    /// <summary>More environment variables for the host (e.g. log levels while diagnosing), applied at every start.</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>The definitions folder serve reads (and its people.yaml): the repository's samples unless a test brings its own.</summary>
    public string DefinitionsFolder { get; set; } = RepositoryPaths.Definitions;

    /// <summary>The task hub the deployment's hosts share (for Durable tooling in tests: terminating an instance from outside).</summary>
    public string TaskHub => _taskHub;

    /// <summary>A folder of this deployment's own, removed with it (for definitions and a directory a test writes).</summary>
    public string Folder => _folder;

    /// <summary>The first host, if it runs (the only one of a one-host deployment).</summary>
    public ServeProcess? Process => Processes[0];

    /// <summary>Every host of the deployment (several on one task hub and one database: a fleet).</summary>
    public ServeProcess?[] Processes { get; }

    /// <summary>The deployment's database as the superuser (what the tests query).</summary>
    public NpgsqlDataSource Database { get; private set; } = null!;

    public PostgresNotificationInbox Inbox { get; private set; } = null!;

    public AuditChainVerifier Verifier { get; private set; } = null!;

    public static async Task<CoordinatorDeployment> CreateAsync(ThrowawayAzurite azurite, PostgresFixture postgres, double timeScale, int hosts = 1)
    {
        var deployment = new CoordinatorDeployment(azurite, postgres, timeScale, hosts);
        deployment._database = await postgres.CreateDatabaseAsync();
        deployment.Database = NpgsqlDataSource.Create(postgres.ConnectionString(deployment._database, PostgresFixture.Superuser));
        deployment.Inbox = new PostgresNotificationInbox(
            deployment.Database, NullLogger<PostgresNotificationInbox>.Instance);
        deployment.Verifier = new AuditChainVerifier(deployment.Database, new FileAuditAnchorStore(deployment.AnchorPath));
        return deployment;
    }

    private string AnchorPath => Path.Combine(_folder, "anchors");

    /// <summary>Starts (or restarts) the first host process and waits for its ready line.</summary>
    public Task<ServeProcess> StartAsync() => StartHostAsync(0);

    /// <summary>Starts (or restarts) host <paramref name="host"/> and waits for its ready line.</summary>
    public async Task<ServeProcess> StartHostAsync(int host)
    {
        if (Processes[host] is { } previous)
            previous.Dispose();
        string[] arguments =
        [
            "--urls", $"http://127.0.0.1:{_ports[host]}",
            "--time-scale", _timeScale.ToString(CultureInfo.InvariantCulture),
            "--definitions", DefinitionsFolder,
            "--data", Path.Combine(_folder, host == 0 ? "data" : $"data-{host}"),
        ];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Coordinator"] = _postgres.ConnectionString(_database, PostgresFixture.ApplicationRole),
            ["ConnectionStrings__CoordinatorMigrations"] = _postgres.ConnectionString(_database, PostgresFixture.Superuser),
            ["Coordinator__Durable__StorageConnectionString"] = _azurite.ConnectionString,
            ["Coordinator__Durable__TaskHub"] = _taskHub,
            // One partition for one host; a fleet spreads four over its hosts.
            ["Coordinator__Durable__PartitionCount"] = _ports.Length == 1 ? "1" : "4",
            ["Coordinator__Durable__MaxQueuePollingInterval"] = "00:00:00.500",
            // A killed host's dequeued messages come back after this (production default: 5 minutes). Short, so
            // recovery turns run within a campaign; not so short that a turn on a loaded machine outlasts it
            // (at 10 s the provider redelivered messages still being processed: pop receipt mismatches).
            ["Coordinator__Durable__ControlQueueVisibilityTimeout"] = "00:00:30",
            ["Coordinator__Durable__WorkItemQueueVisibilityTimeout"] = "00:00:30",
            ["Coordinator__ApiKey"] = _apiKey,
            ["Coordinator__Audit__AnchorPath"] = AnchorPath,
        };
        foreach (var (name, value) in ExtraEnvironment)
            environment[name] = value;
        var started = await ServeProcess.StartAsync(arguments, environment, StartTimeout);
        Processes[host] = started;
        return started;
    }

    /// <summary>Starts the B2B onboarding for a deal; returns the instance id. An smb <paramref name="segment"/> skips the IT set-up and the data migration.</summary>
    public async Task<string> StartOnboardingAsync(string dealId, string segment = "enterprise")
    {
        using var response = await Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new
        {
            businessKey = dealId,
            context = new { deal_id = dealId, deal_owner = "sales.rep", segment },
        });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"start: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
    }

    /// <summary>A client of this deployment's API with its own timeout (the fault tests' driver gives up on a request sooner than <see cref="Http"/>).</summary>
    /// <remarks>A fleet's client spreads its requests over the hosts in turn, as a load balancer would, and sends a request
    /// that a host refused to connect (it is down) to the next one.</remarks>
    public HttpClient CreateHttpClient(TimeSpan timeout)
    {
        var bases = _ports.Select(port => new Uri($"http://127.0.0.1:{port}")).ToArray();
        var client = bases.Length == 1 ? new HttpClient() : new HttpClient(new RoundRobin(bases) { InnerHandler = new SocketsHttpHandler() });
        client.BaseAddress = bases[0];
        client.Timeout = timeout;
        client.DefaultRequestHeaders.Add(ApiKey.HeaderName, _apiKey);
        return client;
    }

    /// <summary>
    /// Runs <c>coordinator audit verify</c> (the built CLI, as a separate process) on this deployment's
    /// database as the auditor role, with its anchor folder; returns the exit code and everything it printed.
    /// </summary>
    public Task<(int ExitCode, string Output)> RunAuditVerifyAsync(TimeSpan timeout) => RunCliAsync(
        ["audit", "verify", "--connection", _postgres.ConnectionString(_database, ThrowawayPostgres.AuditorRole), "--anchor-path", AnchorPath], timeout);

    /// <summary>This deployment's database as the application role (what serve connects as).</summary>
    public string ApplicationConnectionString => _postgres.ConnectionString(_database, PostgresFixture.ApplicationRole);

    /// <summary>Runs the built CLI (a separate process) with <paramref name="arguments"/>; returns the exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunCliAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ServeProcess.CliPath)!,
        };
        start.ArgumentList.Add(ServeProcess.CliPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("Could not start the coordinator CLI.");
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"coordinator {string.Join(' ', arguments.Take(2))} did not finish within {timeout}.");
        }
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    public async Task<JsonElement> GetInstanceAsync(string instanceId)
    {
        using var response = await Http.GetAsync($"/api/instances/{Uri.EscapeDataString(instanceId)}");
        Assert.True(response.IsSuccessStatusCode, $"GET instance: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static string? StepStatus(JsonElement instance, string stepId) =>
        instance.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty("status").GetString();

    /// <summary>
    /// Plays every role until the instance completes: each active step is finished by its owner; with
    /// <paramref name="blockItSetup"/>, the IT set-up is first reported blocked and the IT lead picks an alternative.
    /// </summary>
    public async Task<JsonElement> DriveToCompletionAsync(string instanceId, bool blockItSetup, TimeSpan timeout)
    {
        var posted = new HashSet<string>(StringComparer.Ordinal);
        bool blocked = false, decided = false;
        return await WaitForAsync(
            async () =>
            {
                var instance = await GetInstanceAsync(instanceId);
                if (instance.GetProperty("status").GetString() == "completed")
                    return instance;
                foreach (var step in instance.GetProperty("steps").EnumerateArray())
                {
                    var stepId = step.GetProperty("stepId").GetString()!;
                    var status = step.GetProperty("status").GetString();
                    var owner = step.GetProperty("owners").EnumerateArray().Select(o => o.GetString()).FirstOrDefault();
                    object? body = (stepId, status) switch
                    {
                        ("it-setup", "active") when blockItSetup && !blocked => new { type = "blocked", by = owner, reason = "customer IdP undecided" },
                        ("it-setup", "active") when blockItSetup && !decided => null, // the block is not processed yet
                        ("it-setup", "blocked") => new { type = "decide", by = "it.lead", option = "temporary-accounts" },
                        (_, "active") => new { type = "done", by = owner },
                        _ => null,
                    };
                    if (body is null || !posted.Add($"{stepId}:{status}:{JsonSerializer.Serialize(body)}"))
                        continue;
                    using var response = await Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/{stepId}/events?wait=30", body);
                    // 202: recorded, not yet taken up within the wait (a restarted host waits for its partitions' leases);
                    // it is applied later, so the wait goes on. A lost event never completes the instance: the timeout says so.
                    Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted,
                        $"{stepId} ({status}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\nHost output:\n{Process?.Tail()}");
                    blocked |= stepId == "it-setup" && status == "active";
                    decided |= stepId == "it-setup" && status == "blocked";
                }
                return (JsonElement?)null;
            },
            timeout,
            $"instance {instanceId} to complete");
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value; fails with the host's output after <paramref name="timeout"/>.</summary>
    public async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? interval = null)
        where T : struct
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (Process is { HasExited: true } exited)
                throw new InvalidOperationException($"coordinator serve exited while waiting for {what}:\n{exited.Tail()}");
            try
            {
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}. Host output:\n{Process?.Tail()}");
            }
        }
    }

    /// <summary>The audit rows of an instance in sequence order, with the action's own sequence and recipients from <c>detail</c>.</summary>
    public async Task<IReadOnlyList<AuditRow>> AuditRowsAsync(string instanceId)
    {
        await using var connection = await Database.OpenConnectionAsync();
        var rows = await connection.QueryAsync<AuditRow>(
            """
            SELECT seq AS Seq, step_id AS StepId, action AS Action, idempotency_key AS IdempotencyKey,
                   (detail ->> 'sequence')::bigint AS Sequence, jsonb_array_length(coalesce(detail -> 'to', '[]')) AS Recipients
            FROM audit_log WHERE instance_id = @instanceId ORDER BY seq
            """,
            new { instanceId });
        return [.. rows];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Processes)
            host?.Dispose();
        Http.Dispose();
        if (Database is not null)
            await Database.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>Sends each request to the next host in turn; one a host refuses to connect goes to the next host (nothing was sent).</summary>
internal sealed class RoundRobin(IReadOnlyList<Uri> hosts) : DelegatingHandler
{
    private int _next = -1;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var first = Interlocked.Increment(ref _next);
        for (var attempt = 0; ; attempt++)
        {
            var host = hosts[(int)((uint)(first + attempt) % (uint)hosts.Count)];
            request.RequestUri = new UriBuilder(request.RequestUri!) { Host = host.Host, Port = host.Port }.Uri;
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < hosts.Count - 1)
            {
                // Down (killed, restarting): the next host.
            }
        }
    }
}

/// <summary>One audit row as the durability tests read it.</summary>
internal sealed record AuditRow(long Seq, string? StepId, string Action, string IdempotencyKey, long Sequence, int Recipients);
