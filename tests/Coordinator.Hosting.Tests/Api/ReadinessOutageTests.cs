using System.Net;
using System.Text.Json;
using Coordinator.Hosting.Durable;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Api;

/// <summary><c>/readyz</c> while the Durable backend's storage is down: <c>503</c> naming it, ready again once it is back.</summary>
public sealed class ReadinessOutageTests
{
    [Fact]
    public async Task Readyz_AzuriteDown_Returns503NamingTheDurableBackend_AndReadyAgainOnceItIsBack()
    {
        await using var azurite = await ThrowawayAzurite.StartNewAsync();
        var dataPath = Directory.CreateTempSubdirectory("coordinator-readiness-").FullName;
        var port = ThrowawayAzurite.FreePort();
        await using (var server = await CoordinatorServer.StartAsync(new ServeSettings
        {
            Urls = $"http://127.0.0.1:{port}",
            Backend = DurableBackendKind.AzureStorage,
            DefinitionsPath = RepositoryPaths.Definitions,
            DataPath = dataPath,
            ConfigurationArgs =
            [
                $"--Coordinator:Durable:StorageConnectionString={azurite.ConnectionString}",
                "--Coordinator:Durable:TaskHub=readiness",
                "--Coordinator:Durable:PartitionCount=1",
            ],
        }))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            using (var before = await http.GetAsync("/readyz"))
                Assert.True(before.StatusCode == HttpStatusCode.OK, await before.Content.ReadAsStringAsync());

            await azurite.StopAsync();
            try
            {
                using var down = await http.GetAsync("/readyz");
                var text = await down.Content.ReadAsStringAsync();
                Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)down.StatusCode}: {text}");
                var durable = JsonDocument.Parse(text).RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "durable");
                Assert.Equal("unavailable", durable.GetProperty("status").GetString());
                Assert.Contains("Azure Storage", durable.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.DoesNotContain(ThrowawayAzurite.AccountKey, text, StringComparison.Ordinal);
            }
            finally
            {
                await azurite.StartAsync();
            }

            await MemoryServerFixture.UntilAsync(async () =>
            {
                using var after = await http.GetAsync("/readyz");
                return after.StatusCode == HttpStatusCode.OK;
            }, "the host to be ready again");
        }
        Directory.Delete(dataPath, recursive: true);
    }
}
