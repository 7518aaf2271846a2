using Azure.Storage.Blobs;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Persistence.Tests.Anchors;

/// <summary>
/// <c>Coordinator:Audit:AnchorStore</c> and friends: validation messages and the store
/// <see cref="PersistenceServiceCollectionExtensions.AddCoordinatorPersistence"/> registers. No database is opened.
/// </summary>
public sealed class AnchorStoreConfigurationTests(ThrowawayAzurite azurite) : IClassFixture<ThrowawayAzurite>
{
    // Never opened: resolving the anchor store does not touch PostgreSQL.
    private const string UnusedDatabase = "Host=127.0.0.1;Port=1;Database=unused;Username=unused";

    [Fact]
    public void AddCoordinatorPersistence_NoAnchorStoreConfigured_RegistersTheFileStoreOnAnchorPath()
    {
        using var services = Services(new() { ["Coordinator:Audit:AnchorPath"] = "/tmp/coordinator-anchors-test" });

        var store = Assert.IsType<FileAuditAnchorStore>(services.GetRequiredService<IAuditAnchorStore>());

        Assert.Equal("/tmp/coordinator-anchors-test", store.Directory);
    }

    [Fact]
    public async Task AddCoordinatorPersistence_BlobAnchorStoreConfigured_RegistersABlobStoreThatWritesToTheContainer()
    {
        var containerName = "anchors-" + Guid.NewGuid().ToString("N");
        using var services = Services(new()
        {
            ["Coordinator:Audit:AnchorStore"] = "Blob",
            ["Coordinator:Audit:AnchorBlobConnectionString"] = azurite.ConnectionString,
            ["Coordinator:Audit:AnchorContainer"] = containerName,
            ["Coordinator:Audit:CreateAnchorContainer"] = "true",
        });
        var anchor = new AuditAnchor(Guid.NewGuid(), 7, "ab", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        var store = Assert.IsType<BlobAuditAnchorStore>(services.GetRequiredService<IAuditAnchorStore>());
        await store.WriteAsync(anchor);

        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(containerName);
        Assert.True((await container.GetBlobClient($"{anchor.ChainId:D}/0000000000000000007.json").ExistsAsync()).Value);
    }

    [Fact]
    public void AuditOptions_BlobStoreWithoutConnectionString_FailsValidationNamingTheSetting()
    {
        var error = ValidationError(new() { ["Coordinator:Audit:AnchorStore"] = "blob" });

        Assert.Contains("Coordinator__Audit__AnchorBlobConnectionString", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditOptions_MalformedConnectionString_FailsValidationWithoutEchoingIt()
    {
        var error = ValidationError(new()
        {
            ["Coordinator:Audit:AnchorStore"] = "blob",
            ["Coordinator:Audit:AnchorBlobConnectionString"] = "secret-value-without-structure",
        });

        Assert.Contains("not a valid Azure Storage connection string", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value-without-structure", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditOptions_InvalidContainerName_FailsValidationWithTheNamingRules()
    {
        var error = ValidationError(new()
        {
            ["Coordinator:Audit:AnchorStore"] = "blob",
            ["Coordinator:Audit:AnchorBlobConnectionString"] = "UseDevelopmentStorage=true",
            ["Coordinator:Audit:AnchorContainer"] = "Audit_Anchors",
        });

        Assert.Contains("'Audit_Anchors' is not a valid blob container name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditOptions_UnknownAnchorStore_FailsValidationListingTheChoices()
    {
        var error = ValidationError(new() { ["Coordinator:Audit:AnchorStore"] = "s3" });

        Assert.Contains("'file'", error, StringComparison.Ordinal);
        Assert.Contains("'blob'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditOptions_InvalidBlobSettingsWithFileStore_PassValidation()
    {
        using var services = Services(new() { ["Coordinator:Audit:AnchorContainer"] = "Not Used" });

        Assert.Equal(AuditOptions.FileAnchorStore, services.GetRequiredService<IOptions<AuditOptions>>().Value.AnchorStore);
    }

    private static string ValidationError(Dictionary<string, string?> settings)
    {
        using var services = Services(settings);
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuditOptions>>().Value).Message;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        settings["ConnectionStrings:Coordinator"] = UnusedDatabase;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddCoordinatorPersistence(configuration).BuildServiceProvider();
    }
}
