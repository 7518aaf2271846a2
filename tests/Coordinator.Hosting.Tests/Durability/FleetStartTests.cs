using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>
/// Two <c>serve</c> processes on one Azurite task hub and one database: a business key starts one
/// instance, and exactly one request is told it started it, however the concurrent starts are spread;
/// both hosts then answer the same about it (the API and the web inbox).
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class FleetStartTests(ThrowawayAzurite azurite, PostgresFixture postgres) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("coordinator-fleet-");

    [Fact]
    public async Task TwoHostsOneTaskHub_FortyConcurrentStartsOfOneBusinessKeyOverBoth_OneInstanceStartedOnceAndExactlyOne202_BothHostsShowTheSame()
    {
        var database = await postgres.CreateDatabaseAsync();
        var apiKey = Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Coordinator"] = postgres.ConnectionString(database, PostgresFixture.ApplicationRole),
            ["ConnectionStrings__CoordinatorMigrations"] = postgres.ConnectionString(database, PostgresFixture.Superuser),
            ["Coordinator__Durable__StorageConnectionString"] = azurite.ConnectionString,
            ["Coordinator__Durable__TaskHub"] = "fleet" + Guid.NewGuid().ToString("N")[..12],
            ["Coordinator__Durable__PartitionCount"] = "2",
            ["Coordinator__Durable__MaxQueuePollingInterval"] = "00:00:00.500",
            ["Coordinator__ApiKey"] = apiKey,
            ["Coordinator__Audit__AnchorPath"] = Path.Combine(_folder.FullName, "anchors"),
        };
        var ports = new[] { ThrowawayAzurite.FreePort(), ThrowawayAzurite.FreePort() };
        string[] Arguments(int host) =>
        [
            "--urls", $"http://127.0.0.1:{ports[host]}", "--time-scale", "600",
            "--definitions", RepositoryPaths.Definitions, "--data", Path.Combine(_folder.FullName, $"data-{host}"),
        ];
        // One after the other: the second finds the database migrated and the task hub created.
        using var first = await ServeProcess.StartAsync(Arguments(0), environment, StartTimeout);
        using var second = await ServeProcess.StartAsync(Arguments(1), environment, StartTimeout);
        var clients = ports.Select(port =>
        {
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
            client.DefaultRequestHeaders.Add(ApiKey.HeaderName, apiKey);
            return client;
        }).ToArray();
        try
        {
            var body = new { businessKey = "FLEET-1", context = new { deal_owner = "sales.rep", segment = "smb" } };
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                using var response = await clients[i % 2].PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", body);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"host {i % 2}: {(int)response.StatusCode} {text}");
                return (response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("instanceId").GetString());
            }));

            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
            Assert.Equal(39, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            var instanceId = Assert.Single(answers.Select(a => a.Item2).Distinct());

            // It runs once: one instance.started and one activation of its first step in the audit registry.
            await using var audit = NpgsqlDataSource.Create(postgres.ConnectionString(database, PostgresFixture.Superuser));
            async Task<long> CountAsync(string action)
            {
                await using var command = audit.CreateCommand("SELECT count(*) FROM audit_log WHERE instance_id = $1 AND action = $2");
                command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
                command.Parameters.Add(new NpgsqlParameter { Value = action });
                return (long)(await command.ExecuteScalarAsync())!;
            }
            await MemoryServerFixture.UntilAsync(async () => await CountAsync("step.activated") > 0, "the instance's first turn in the audit registry");
            Assert.Equal(1, await CountAsync("instance.started"));
            Assert.Equal(1, await CountAsync("step.activated"));
            // Both hosts answer the same about it: the instance, the owner's work list, the owner's inbox page.
            await MemoryServerFixture.UntilAsync(async () =>
                (await clients[0].GetFromJsonAsync<JsonElement>("/api/people/sales.rep/work")).GetProperty("items").GetArrayLength() > 0,
                "the first step in its owner's work list");
            var views = new List<string>();
            var works = new List<string>();
            var pages = new List<string>();
            foreach (var client in clients)
            {
                var view = await client.GetFromJsonAsync<JsonElement>($"/api/instances/{instanceId}");
                Assert.Equal("FLEET-1", view.GetProperty("businessKey").GetString());
                views.Add(view.GetProperty("steps").GetRawText());
                // Links point at the host that answered.
                works.Add((await client.GetStringAsync("/api/people/sales.rep/work")).Replace(client.BaseAddress!.ToString().TrimEnd('/'), "{host}", StringComparison.Ordinal));
                pages.Add(InboxItems(await client.GetStringAsync("/?person=sales.rep")));
            }
            Assert.Equal(views[0], views[1]);
            Assert.Equal(works[0], works[1]);
            Assert.Contains(instanceId!, pages[0], StringComparison.Ordinal);
            Assert.Equal(pages[0], pages[1]);
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
        Assert.Equal(0, await first.StopGracefullyAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await second.StopGracefullyAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>What a person's inbox page lists, without what depends on the moment it was drawn: its section counts and its cards' steps.</summary>
    private static string InboxItems(string html) =>
        string.Join(" | ", System.Text.RegularExpressions.Regex.Matches(html, "<span class=\"count\">(\\d+)</span>|data-step=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Success ? "count " + m.Groups[1].Value : "step " + m.Groups[2].Value));

    public void Dispose() => _folder.Delete(recursive: true);
}
