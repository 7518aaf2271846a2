using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Channels;
using Coordinator.Channels.Slack;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Inbox;
using Coordinator.Persistence.Migrations;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

// 1. A burst of reminders (default 1,000 to 100 recipients) through the router, the PostgreSQL outbox and the dispatcher
//    to a loopback Slack that enforces one message per second per conversation with 429 + Retry-After: none lost,
//    none doubled, and the total time against the minimum the limit allows.
// 2. The Slack webhook's acknowledgement time on serve (in process, memory backend: the webhook does not touch it),
//    from request to response, for signed direct messages.
const string ConnectionVariable = "COORDINATOR_BENCH_CONNECTION";
var reminders = Option("--reminders", 1000);
var recipients = Option("--recipients", 100);
var webhooks = Option("--webhooks", 500);
var connection = Environment.GetEnvironmentVariable(ConnectionVariable);
if (string.IsNullOrWhiteSpace(connection))
{
    Console.Error.WriteLine($"Set {ConnectionVariable} to a PostgreSQL superuser connection, e.g. after scripts/postgres.sh start:");
    Console.Error.WriteLine($"  export {ConnectionVariable}='Host=$PWD/.data/postgres;Port=5433;Username=postgres'");
    return 2;
}
if (reminders % recipients != 0)
{
    Console.Error.WriteLine("--reminders must be a multiple of --recipients.");
    return 2;
}

await using var admin = NpgsqlDataSource.Create(connection);
var database = "coordinator_channelbench_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
await using (var create = admin.CreateCommand($"CREATE DATABASE {database}"))
    await create.ExecuteNonQueryAsync();
var benchConnection = new NpgsqlConnectionStringBuilder(connection) { Database = database, MaxPoolSize = 40 }.ConnectionString;
try
{
    await using (var owner = NpgsqlDataSource.Create(benchConnection))
        await new MigrationRunner(owner).ApplyAsync();
    Console.WriteLine($"PostgreSQL database {database}, {Environment.ProcessorCount} cores");
    var burstOk = await BurstAsync(benchConnection, reminders, recipients);
    await WebhookAsync(benchConnection, webhooks);
    return burstOk ? 0 : 1;
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    await drop.ExecuteNonQueryAsync();
}

static async Task<bool> BurstAsync(string connection, int reminders, int recipients)
{
    await using var slack = await LoopbackSlack.StartAsync();
    var people = new PersonDirectory(Enumerable.Range(0, recipients).Select(i => new Person
    {
        Id = $"p{i:D3}", Name = $"Person {i}", Channel = ChannelKind.Slack, Slack = $"U{i:D8}",
    }));
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Coordinator:Channels:Slack:BotToken"] = slack.BotToken,
        ["Coordinator:Channels:Slack:SigningSecret"] = "bench",
        ["Coordinator:Channels:Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
        ["Coordinator:Channels:Slack:PerWorkspacePerSecond"] = "1000",
        ["Coordinator:Channels:Slack:WorkspaceBurst"] = "1000",
        ["Coordinator:Channels:Dispatch:PollInterval"] = "00:00:00.100",
    }).Build();
    var services = new ServiceCollection();
    services.AddLogging();
    services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
    services.AddSingleton<IPersonDirectory>(people);
    services.AddSingleton<PostgresNotificationInbox>();
    services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<PostgresNotificationInbox>());
    services.AddSingleton<IChannelOutbox, PostgresChannelOutbox>();
    services.AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>();
    services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
    services.AddSingleton<IAuditLog, Coordinator.Persistence.Audit.PostgresAuditLog>(); // written only for deliveries in trouble
    services.AddSlackChannel(configuration);
    services.AddChannelRouting(configuration);
    await using var provider = services.BuildServiceProvider();
    var router = provider.GetRequiredService<INotificationSender>();
    var hosted = provider.GetServices<IHostedService>().ToList();
    foreach (var service in hosted)
        await service.StartAsync(CancellationToken.None);

    var perRecipient = reminders / recipients;
    Console.WriteLine($"\nBurst: {reminders:N0} reminders to {recipients} people ({perRecipient} each) through a loopback Slack limited to 1 message per second per conversation");
    var clock = Stopwatch.StartNew();
    // As the activities would: every reminder of a round at once, rounds in order (a person's reminders in order).
    for (var round = 0; round < perRecipient; round++)
        await Task.WhenAll(Enumerable.Range(0, recipients).Select(i => router.SendAsync(Reminder(round + 1, $"p{i:D3}"))));
    var enqueued = clock.Elapsed;
    var deadline = TimeSpan.FromSeconds(perRecipient * 10 + 60);
    while (slack.Posts.Count < reminders && clock.Elapsed < deadline)
        await Task.Delay(20);
    var total = clock.Elapsed;
    foreach (var service in hosted)
        await service.StopAsync(CancellationToken.None);

    var posts = slack.Posts;
    var distinct = posts.Select(p => (p.Channel, Key(p.Text))).Distinct().Count();
    var first = posts.Min(p => p.At);
    var last = posts.Max(p => p.At);
    var minimum = TimeSpan.FromSeconds(perRecipient - 1); // the first message of each conversation at once, then one per second
    var inOrder = posts.GroupBy(p => p.Channel).All(g => g.Select(p => Key(p.Text)).SequenceEqual(Enumerable.Range(1, perRecipient).Select(r => $"R-{r}")));
    var sendWindow = last - first;
    Console.WriteLine($"  enqueued in {enqueued.TotalSeconds:F2} s; delivered {posts.Count:N0} ({distinct:N0} distinct) in {total.TotalSeconds:F2} s from the first enqueue");
    Console.WriteLine($"  first to last message: {sendWindow.TotalSeconds:F2} s; the limit allows at best {minimum.TotalSeconds:F0} s: {sendWindow.TotalSeconds / minimum.TotalSeconds:P0} of the minimum (goal within 110%)");
    Console.WriteLine($"  429 answers: {slack.RateLimited}; per-person order kept: {(inOrder ? "yes" : "NO")}; lost: {reminders - distinct}; doubled: {posts.Count - distinct}");
    return distinct == reminders && posts.Count == reminders && inOrder;
}

static async Task WebhookAsync(string connection, int requests)
{
    await using var slack = await LoopbackSlack.StartAsync();
    const string secret = "bench-signing-secret";
    var definitions = Path.Combine(Path.GetTempPath(), "coordinator-channelbench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(definitions);
    File.Copy(Path.Combine(Coordinator.Testing.RepositoryPaths.Definitions, "b2b-onboarding.yaml"), Path.Combine(definitions, "b2b-onboarding.yaml"));
    File.Copy(Path.Combine(Coordinator.Testing.RepositoryPaths.Definitions, "people.yaml"), Path.Combine(definitions, "people.yaml"));
    var port = Coordinator.Testing.ThrowawayAzurite.FreePort();
    await using var server = await CoordinatorServer.StartAsync(new ServeSettings
    {
        Urls = $"http://127.0.0.1:{port}",
        Backend = DurableBackendKind.Memory,
        DefinitionsPath = definitions,
        DataPath = Path.Combine(definitions, ".data"),
        ConfigurationArgs =
        [
            $"--ConnectionStrings:Coordinator={connection}",
            $"--Coordinator:Channels:Slack:BotToken={slack.BotToken}",
            $"--Coordinator:Channels:Slack:SigningSecret={secret}",
            $"--Coordinator:Channels:Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            "--Logging:LogLevel:Default=Warning",
        ],
        Progress = TextWriter.Null,
    });
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    Console.WriteLine($"\nWebhook: {requests} signed Slack direct messages (\"help\", each from its own sender) to POST /api/webhooks/slack on serve, one at a time");
    var latencies = new List<double>(requests);
    for (var i = -50; i < requests; i++) // 50 warm-up requests
    {
        var body = JsonSerializer.Serialize(new
        {
            type = "event_callback",
            event_id = $"EvBench{i + 100:D6}",
            // Senders the directory lacks, each in its own conversation (one person's answers are paced at one per second).
            @event = new { type = "message", channel_type = "im", user = $"U0B{i + 100:D6}", text = "help", channel = $"DU0B{i + 100:D6}", ts = "1.1" },
        });
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, SlackWebhook.Route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}"))));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (i >= 0)
            latencies.Add(elapsed);
    }
    latencies.Sort();
    double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(p * latencies.Count) - 1)];
    Console.WriteLine($"  acknowledgement p50 {Percentile(0.50):F1} ms, p95 {Percentile(0.95):F1} ms, max {latencies[^1]:F1} ms (goal p95 under 200 ms)");
    var answered = Stopwatch.StartNew();
    while (slack.Posts.Count < requests + 50 && answered.Elapsed < TimeSpan.FromSeconds(60))
        await Task.Delay(20);
    Console.WriteLine($"  replies handled and answered after the acknowledgements: {slack.Posts.Count} of {requests + 50} within {answered.Elapsed.TotalSeconds:F1} s");
}

static string Key(string text) => text.Split('·')[1].Trim().Split('\n')[0];

static Notification Reminder(int round, string person) => new()
{
    IdempotencyKey = $"bench-{person}:{round:D6}:reminder:step",
    InstanceId = "bench-" + person,
    WorkflowId = "bench",
    WorkflowTitle = "Bench",
    BusinessKey = $"R-{round}",
    StepTitle = "Step",
    Recipients = [person],
    Action = new CoordinationAction
    {
        Type = CoordinationActionType.Reminder,
        At = DateTimeOffset.UtcNow,
        Sequence = round,
        Key = $"{round:D6}:reminder:step",
        StepId = "step",
        To = [person],
        Due = DateTimeOffset.UtcNow.AddDays(1),
    },
};

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
