using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Dapper;
using DurableTask.AzureStorage;
using DurableTask.Core;

namespace Coordinator.Hosting.Tests.Reconcile;

/// <summary>
/// An instance terminated with Durable tooling (the Azure Storage provider's own client, as the portal or
/// <c>func durable terminate</c> would, from another process) while <c>serve</c> runs on real Azurite and PostgreSQL:
/// its open work leaves the person's list and the running instances within a reconcile interval, the registry gets one
/// <c>instance.work_withdrawn</c> row saying it was terminated, and the chain still verifies.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class TerminatedOutsideTests(ThrowawayAzurite azurite, PostgresFixture postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Serve_InstanceTerminatedByDurableTooling_LeavesPeoplesListsWithOneAuditRow()
    {
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        deployment.ExtraEnvironment["Coordinator__ReconcileInterval"] = "00:00:01";
        await deployment.StartAsync();
        var first = await deployment.StartOnboardingAsync("D-TERMINATED-1");
        var second = await deployment.StartOnboardingAsync("D-TERMINATED-2");
        await deployment.WaitForAsync(async () => await ItemsAsync(deployment, "sales.rep") == 2 ? true : (bool?)null, Patience, "both contracts on the sales rep's list");
        var tooling = new TaskHubClient(new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = deployment.TaskHub,
            PartitionCount = 1, // the task hub's (one host): the client picks the control queue from it
            StorageAccountClientProvider = new StorageAccountClientProvider(azurite.ConnectionString),
        }));

        await tooling.TerminateInstanceAsync(new OrchestrationInstance { InstanceId = first }, "terminated by an operator with Durable tooling");
        await deployment.WaitForAsync(async () => await ItemsAsync(deployment, "sales.rep") == 1 ? true : (bool?)null, Patience, "the first contract to leave the list");
        // The second one after it: by the time it is withdrawn, later passes have seen the first one again.
        await tooling.TerminateInstanceAsync(new OrchestrationInstance { InstanceId = second }, "terminated by an operator with Durable tooling");
        await deployment.WaitForAsync(async () => await ItemsAsync(deployment, "sales.rep") == 0 ? true : (bool?)null, Patience, "the second contract to leave the list");

        await using var connection = await deployment.Database.OpenConnectionAsync();
        foreach (var instanceId in new[] { first, second })
        {
            var row = Assert.Single(await connection.QueryAsync<(string Verdict, string Detail)>(
                "SELECT verdict, detail::text FROM audit_log WHERE instance_id = @instanceId AND action = 'instance.work_withdrawn'", new { instanceId }));
            Assert.Equal("WARN", row.Verdict);
            Assert.Contains("\"status\": \"terminated\"", row.Detail, StringComparison.Ordinal);
        }
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM work_instances WHERE NOT completed"));
        var (exitCode, verify) = await deployment.RunAuditVerifyAsync(TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, verify);
    }

    private static async Task<int> ItemsAsync(CoordinatorDeployment deployment, string person)
    {
        var work = await deployment.Http.GetFromJsonAsync<JsonElement>($"/api/people/{person}/work");
        return work.GetProperty("items").GetArrayLength();
    }
}
