using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Hosting;
using Coordinator.Hosting.Durable;
using Coordinator.Persistence.Inbox;
using Coordinator.Persistence.Work;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// The inbox page benchmark (issue 10): one person's inbox page, served by coordinator serve over the
// read models in PostgreSQL, with N running instances and M notifications in the database.
const string ConnectionVariable = "COORDINATOR_BENCH_CONNECTION";
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Coordinator.InboxBenchmarks -- [--instances 1000] [--notifications 5000] [--requests 500] [--connection CONN]");
    return 2;
}
var connectionString = options.Connection ?? Environment.GetEnvironmentVariable(ConnectionVariable);
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine($"Set {ConnectionVariable} (or pass --connection) to a PostgreSQL superuser connection, e.g. for scripts/postgres.sh start:");
    Console.Error.WriteLine($"  export {ConnectionVariable}='Host=<repo>/.data/postgres;Port=5433;Username=postgres'");
    return 2;
}

var databaseName = "coordinator_inbox_bench_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
await using var admin = NpgsqlDataSource.Create(connectionString);
await using (var create = admin.CreateCommand($"CREATE DATABASE {databaseName}"))
    await create.ExecuteNonQueryAsync();
var dataPath = Path.Combine(Path.GetTempPath(), databaseName);
try
{
    var database = new NpgsqlConnectionStringBuilder(connectionString) { Database = databaseName }.ConnectionString;
    var port = FreePort();
    var repository = Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
    Console.WriteLine($"Starting coordinator serve (in-memory Durable backend, PostgreSQL read models) on port {port} ...");
    await using var server = await CoordinatorServer.StartAsync(new ServeSettings
    {
        Urls = $"http://127.0.0.1:{port}",
        Backend = DurableBackendKind.Memory,
        DefinitionsPath = Path.Combine(repository, "workflow-definitions"),
        DataPath = dataPath,
        ConfigurationArgs = [$"--ConnectionStrings:Coordinator={database}"],
    });

    await using var dataSource = NpgsqlDataSource.Create(database);
    var seeded = await Seed.RunAsync(dataSource, options.Instances, options.Notifications);
    await using (var analyze = dataSource.CreateCommand("ANALYZE"))
        await analyze.ExecuteNonQueryAsync();
    Console.WriteLine($"Seeded {options.Instances:N0} running instances ({seeded.Items:N0} open items) and {options.Notifications:N0} notifications "
        + $"({seeded.OfPerson:N0} for {Seed.Person}, {seeded.ItemsOfPerson} open items of theirs); PostgreSQL {await ScalarAsync(dataSource, "SHOW server_version")}, {Environment.ProcessorCount} cores");

    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    http.DefaultRequestHeaders.Add("x-coordinator-key", server.ApiKey.Value);
    var pages = new (string Name, string Path)[]
    {
        ("person's inbox page", $"/?person={Seed.Person}"),
        ("GET /api/people/{id}/work", $"/api/people/{Seed.Person}/work"),
        ("welcome page (people, running)", "/"),
    };
    double? pageP95 = null;
    foreach (var (name, path) in pages)
    {
        var body = await http.GetStringAsync(path);
        if (path.StartsWith("/?person", StringComparison.Ordinal) && !body.Contains("Inbox of " + Seed.Person, StringComparison.Ordinal))
            throw new InvalidOperationException($"{path} did not render the person's inbox.");
        for (var i = 0; i < options.Requests / 5; i++)
            await http.GetStringAsync(path);
        var times = new double[options.Requests];
        for (var i = 0; i < times.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            times[i] = watch.Elapsed.TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}.");
        }
        Array.Sort(times);
        pageP95 ??= Percentile(times, 0.95);
        Console.WriteLine($"{name,-32} {times.Length} requests: p50 {Percentile(times, 0.50):F1} ms, p95 {Percentile(times, 0.95):F1} ms, p99 {Percentile(times, 0.99):F1} ms, max {times[^1]:F1} ms ({body.Length / 1024.0:F0} KiB)");
    }
    const double P95Goal = 50.0;
    Console.WriteLine($"Goal: the person's inbox page p95 under {P95Goal} ms: {(pageP95 < P95Goal ? "met" : "MISSED")} ({pageP95:F1} ms).");
    return 0;
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await using (var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)"))
        await drop.ExecuteNonQueryAsync();
    try
    {
        Directory.Delete(dataPath, recursive: true);
    }
    catch (IOException)
    {
    }
}

static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task<string> ScalarAsync(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
}

internal sealed record Options(int Instances, int Notifications, int Requests, string? Connection)
{
    public static Options? Parse(string[] args)
    {
        var (instances, notifications, requests, connection) = (1000, 5000, 500, (string?)null);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--instances" when int.TryParse(value, out var n) && n > 0: instances = n; i++; break;
                case "--notifications" when int.TryParse(value, out var n) && n > 0: notifications = n; i++; break;
                case "--requests" when int.TryParse(value, out var n) && n >= 20: requests = n; i++; break;
                case "--connection" when value is not null: connection = value; i++; break;
                default: return null;
            }
        }
        return new Options(instances, notifications, requests, connection);
    }
}

/// <summary>
/// The data: instances of the B2B onboarding, each waiting on three to four of 60 people (owners of
/// parallel steps, a decider of a block every fifth instance), the measured person in every twentieth;
/// notifications spread over the same people, a fifth of them to the measured person.
/// </summary>
internal static class Seed
{
    public const string Person = "bench.person";

    public static async Task<(int Items, int ItemsOfPerson, int OfPerson)> RunAsync(NpgsqlDataSource dataSource, int instances, int notifications)
    {
        var store = new PostgresWorkStore(dataSource);
        var start = DateTimeOffset.UtcNow.AddDays(-20);
        var (items, ofPerson) = (0, 0);
        var options = new DecisionOption[] { new() { Id = "extend", Title = "Extend by a week", ExtendDue = TimeSpan.FromDays(7) }, new() { Id = "workaround", Title = "Use a workaround" } };
        for (var i = 0; i < instances; i++)
        {
            var people = Enumerable.Range(0, 3).Select(k => $"person.{(i * 7 + k * 13) % 60:00}").ToList();
            if (i % 20 == 0)
                people[0] = Person;
            var work = new List<WorkItem>
            {
                new(people[0], "legal-review", "Data processing agreement reviewed", WorkKind.Step, "active", start.AddDays(i % 30), i % 3, null, null, []),
                new(people[1], "billing-setup", "Billing account set up", WorkKind.Step, i % 5 == 0 ? "blocked" : "active", start.AddDays(i % 25), 0, i % 5 == 0 ? "waiting for the customer's VAT number" : null, i % 5 == 0 ? people[1] : null, []),
            };
            if (i % 5 == 0)
                work.Add(new(people[2], "billing-setup", "Billing account set up", WorkKind.Block, "blocked", start.AddDays(i % 25), 0, "waiting for the customer's VAT number", people[1], options));
            items += work.Count;
            ofPerson += work.Count(w => w.PersonId == Person);
            await store.ProjectAsync(new InstanceWork
            {
                Instance = new WorkInstance($"b2b-onboarding.BENCH-{i:0000}", "b2b-onboarding", "B2B customer onboarding", $"BENCH-{i:0000}", start.AddMinutes(i), 1),
                Version = 10,
                Waiting = [.. work.GroupBy(w => w.StepId).Select(g => new WaitingStepWork(g.Key, g.First().Title, g.Any(w => w.Kind == WorkKind.Block) ? "blocked" : "active", [.. g.Select(w => w.PersonId)], g.First().Due))],
                Items = work,
                People = people.Distinct().ToDictionary(p => p, p => (IReadOnlyList<string>)["sales"]),
            });
        }

        var inbox = new PostgresNotificationInbox(dataSource, NullLogger<PostgresNotificationInbox>.Instance);
        var toPerson = 0;
        var sends = new List<Task>();
        for (var n = 0; n < notifications; n++)
        {
            var recipient = n % 5 == 0 ? Person : $"person.{n % 60:00}";
            toPerson += recipient == Person ? 1 : 0;
            var instance = $"b2b-onboarding.BENCH-{n % instances:0000}";
            sends.Add(inbox.SendAsync(new Notification
            {
                IdempotencyKey = $"{instance}:{n:000000}:reminder:legal-review",
                InstanceId = instance,
                WorkflowId = "b2b-onboarding",
                WorkflowTitle = "B2B customer onboarding",
                BusinessKey = $"BENCH-{n % instances:0000}",
                StepTitle = "Data processing agreement reviewed",
                Recipients = [recipient],
                Action = new CoordinationAction
                {
                    Type = CoordinationActionType.Reminder,
                    At = start.AddMinutes(n),
                    Sequence = n,
                    Key = $"{n:000000}:reminder:legal-review",
                    StepId = "legal-review",
                    To = [recipient],
                    Reason = "due in 2d",
                    Due = start.AddDays(3),
                },
            }));
            if (sends.Count == 16)
            {
                await Task.WhenAll(sends);
                sends.Clear();
            }
        }
        await Task.WhenAll(sends);
        return (items, ofPerson, toPerson);
    }
}
