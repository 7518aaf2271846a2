using Coordinator.Persistence.Catalog;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class DefinitionCatalogTests(PostgresCluster cluster)
{
    private const string V1 = """{"id":"claim-handling","version":1,"steps":[{"id":"fnol"}]}""";
    private const string V1Changed = """{"id":"claim-handling","version":1,"steps":[{"id":"fnol"},{"id":"assess"}]}""";

    [Fact]
    public async Task PublishAsync_ChangedContentUnderPublishedVersion_ThrowsConflictNamingIdAndVersion()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var catalog = new DefinitionCatalog(db.Application);
        await catalog.PublishAsync("claim-handling", 1, V1);

        var error = await Assert.ThrowsAsync<DefinitionVersionConflictException>(() => catalog.PublishAsync("claim-handling", 1, V1Changed));

        Assert.Contains("'claim-handling' version 1 is already published", error.Message, StringComparison.Ordinal);
        Assert.Contains("increase `version`", error.Message, StringComparison.Ordinal);
        Assert.Equal(DefinitionCatalog.ContentHashOf(V1), error.Existing.ContentHash);
        Assert.Equal(V1, (await catalog.GetAsync("claim-handling", 1))!.Definition);
    }

    [Fact]
    public async Task PublishAsync_SameContentTwice_ReturnsAlreadyPublished()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var catalog = new DefinitionCatalog(db.Application);

        var first = await catalog.PublishAsync("claim-handling", 1, V1);
        var second = await catalog.PublishAsync("claim-handling", 1, V1);

        Assert.Equal(PublishOutcome.Published, first);
        Assert.Equal(PublishOutcome.AlreadyPublished, second);
    }

    [Fact]
    public async Task GetLatestAsync_TwoVersionsPublished_ReturnsTheHigherVersion()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var catalog = new DefinitionCatalog(db.Application);
        await catalog.PublishAsync("claim-handling", 1, V1);
        await catalog.PublishAsync("claim-handling", 2, V1Changed);

        var latest = await catalog.GetLatestAsync("claim-handling");

        Assert.Equal(2, latest!.Version);
        Assert.Equal(DefinitionCatalog.ContentHashOf(V1Changed), latest.ContentHash);
    }
}
