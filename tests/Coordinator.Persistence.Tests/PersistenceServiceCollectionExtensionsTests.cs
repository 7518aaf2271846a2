using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PersistenceServiceCollectionExtensionsTests(PostgresCluster cluster)
{
    [Fact]
    public void AddCoordinatorPersistence_NoConnectionString_ThrowsNamingTheEnvironmentVariable()
    {
        var configuration = new ConfigurationBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddCoordinatorPersistence(configuration));

        Assert.Contains("ConnectionStrings__Coordinator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCoordinatorPersistence_ConfiguredDatabase_ResolvedAuditLogAppendsAndAnchorPathIsBound()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var anchors = Directory.CreateTempSubdirectory("coordinator-anchors-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Coordinator"] = cluster.ConnectionString(db.Name, "coordinator_app"),
                ["Coordinator:Audit:AnchorPath"] = anchors,
            }).Build();
            await using var services = new ServiceCollection().AddLogging().AddCoordinatorPersistence(configuration).BuildServiceProvider();

            var result = await services.GetRequiredService<IAuditLog>().AppendAsync(AuditEntries.For("claim-di", 3));
            var anchor = await services.GetRequiredService<AuditAnchorWriter>().AnchorAsync();

            Assert.Equal(3, result.Appended);
            Assert.Equal(anchors, services.GetRequiredService<IOptions<AuditOptions>>().Value.AnchorPath);
            Assert.Equal(anchor, await services.GetRequiredService<IAuditAnchorStore>().ReadLatestAsync(anchor!.ChainId));
            Assert.Contains(services.GetServices<IHostedService>(), s => s is AuditAnchorService);
        }
        finally
        {
            Directory.Delete(anchors, recursive: true);
        }
    }
}
