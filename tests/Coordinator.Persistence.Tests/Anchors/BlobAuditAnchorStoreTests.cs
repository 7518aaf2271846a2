using System.Text;
using Azure.Storage.Blobs;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Tests.Infrastructure;
using Coordinator.Testing;

namespace Coordinator.Persistence.Tests.Anchors;

/// <summary><see cref="BlobAuditAnchorStore"/> against a real (throwaway) Azurite; each test uses its own container.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BlobAuditAnchorStoreTests(PostgresCluster cluster, ThrowawayAzurite azurite) : IClassFixture<ThrowawayAzurite>
{
    private static readonly Guid Chain = Guid.Parse("6f1c1f5e-2d0b-4c55-9a43-4a5b0b7f0e11");
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadLatestAsync_OneAnchorWritten_ReturnsIt()
    {
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        await store.WriteAsync(Anchor(42, "aa"));

        Assert.Equal(Anchor(42, "aa"), await store.ReadLatestAsync(Chain));
    }

    [Fact]
    public async Task ReadLatestAsync_SeveralAnchors_ReturnsTheHighestSeq()
    {
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        await store.WriteAsync(Anchor(9, "aa"));
        await store.WriteAsync(Anchor(1_000_000_000_000, "bb"));
        await store.WriteAsync(Anchor(120, "cc"));
        await store.WriteAsync(Anchor(10, "dd"));

        var latest = await store.ReadLatestAsync(Chain);

        Assert.Equal(Anchor(1_000_000_000_000, "bb"), latest);
    }

    [Fact]
    public async Task WriteAsync_NewAnchor_StoresTheFileStoresJsonUnderChainAndPaddedSeq()
    {
        var container = await NewContainerAsync();
        var directory = Directory.CreateTempSubdirectory("coordinator-anchors-").FullName;
        try
        {
            await new BlobAuditAnchorStore(container).WriteAsync(Anchor(42, "aa"));
            await new FileAuditAnchorStore(directory).WriteAsync(Anchor(42, "aa"));

            var blob = container.GetBlobClient($"{Chain:D}/0000000000000000042.json");
            var stored = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            var file = await File.ReadAllBytesAsync(Path.Combine(directory, Chain.ToString("D"), "0000000000000000042.json"));
            Assert.Equal(Encoding.UTF8.GetString(file), Encoding.UTF8.GetString(stored));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task WriteAsync_SameSeqAndHashAgain_IsANoOp()
    {
        var container = await NewContainerAsync();
        var store = new BlobAuditAnchorStore(container);
        await store.WriteAsync(Anchor(5, "aa"));

        await store.WriteAsync(Anchor(5, "aa") with { AnchoredAt = Now.AddHours(1) });

        Assert.Equal(Anchor(5, "aa"), await store.ReadLatestAsync(Chain));
        Assert.Single(await BlobNamesAsync(container));
    }

    [Fact]
    public async Task WriteAsync_SameSeqDifferentHash_ThrowsBecauseTheChainWasRewrittenAndKeepsTheAnchor()
    {
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        await store.WriteAsync(Anchor(5, "aa"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(Anchor(5, "bb")));

        Assert.Contains("rewritten", error.Message, StringComparison.Ordinal);
        Assert.Contains("coordinator audit verify", error.Message, StringComparison.Ordinal);
        Assert.Equal("aa", (await store.ReadLatestAsync(Chain))!.Hash);
    }

    [Fact]
    public async Task ReadLatestAsync_OtherChainsAnchored_SeesOnlyItsOwnChain()
    {
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        var other = Guid.Parse("6f1c1f5e-2d0b-4c55-9a43-4a5b0b7f0e12");
        await store.WriteAsync(Anchor(5, "aa"));
        await store.WriteAsync(new AuditAnchor(other, 500, "bb", Now, Now));

        Assert.Equal(Anchor(5, "aa"), await store.ReadLatestAsync(Chain));
        Assert.Equal(500, (await store.ReadLatestAsync(other))!.Seq);
    }

    [Fact]
    public async Task ReadLatestOfEveryChainAsync_SeveralChainsAndForeignBlobs_ReturnsTheLatestOfEachChain()
    {
        var container = await NewContainerAsync();
        var store = new BlobAuditAnchorStore(container);
        var other = Guid.Parse("6f1c1f5e-2d0b-4c55-9a43-4a5b0b7f0e12");
        var otherAnchor = new AuditAnchor(other, 500, "bb", Now, Now, "coordinator", "7000000000000000001", "cc");
        await store.WriteAsync(Anchor(5, "aa"));
        await store.WriteAsync(Anchor(1_000_000_000_000, "dd"));
        await store.WriteAsync(otherAnchor);
        await container.UploadBlobAsync("README.json", BinaryData.FromString("{}"));
        await container.UploadBlobAsync($"{Chain:D}/zzz-notes.json", BinaryData.FromString("{}"));
        await container.UploadBlobAsync($"{Chain.ToString("D").ToUpperInvariant()}/0000000000000000009.json", BinaryData.FromString("{}"));

        var latest = await store.ReadLatestOfEveryChainAsync();

        Assert.Equal(2, latest.Count);
        Assert.Contains(Anchor(1_000_000_000_000, "dd"), latest);
        Assert.Contains(otherAnchor, latest);
    }

    [Fact]
    public async Task VerifyAsync_ChainIdChangedAndRowsTruncatedWithBlobAnchors_ReportsTheReplacedChain()
    {
        await using var db = await SeededAsync();
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        var anchor = await new AuditAnchorWriter(db.Application, store, TimeProvider.System).AnchorAsync();
        await db.ExecuteAsync(ChainForgery.NewChainIdThen(ChainForgery.Truncate));

        var result = await new AuditChainVerifier(db.Auditor, store).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.ChainReplaced, result.Status);
        Assert.Equal(anchor, result.Anchor);
    }

    [Fact]
    public async Task ReadLatestAsync_UnknownChain_ReturnsNull()
    {
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        await store.WriteAsync(Anchor(5, "aa"));

        Assert.Null(await store.ReadLatestAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task ReadLatestAsync_LatestBlobHoldsAnotherSeq_ThrowsInvalidData()
    {
        var container = await NewContainerAsync();
        var store = new BlobAuditAnchorStore(container);
        await store.WriteAsync(Anchor(5, "aa"));
        await container.UploadBlobAsync($"{Chain:D}/0000000000000000009.json", BinaryData.FromString(
            """{ "chainId": "6f1c1f5e-2d0b-4c55-9a43-4a5b0b7f0e11", "seq": 5, "hash": "aa", "headUpdatedAt": "2024-05-01T12:00:00+00:00", "anchoredAt": "2024-05-01T12:00:00+00:00" }"""));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadLatestAsync(Chain));

        Assert.Contains("0000000000000000009.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLatestAsync_ForeignBlobsUnderTheChainPrefix_AreIgnored()
    {
        var container = await NewContainerAsync();
        var store = new BlobAuditAnchorStore(container);
        await store.WriteAsync(Anchor(5, "aa"));
        await container.UploadBlobAsync($"{Chain:D}/zzz-notes.json", BinaryData.FromString("{}"));
        await container.UploadBlobAsync($"{Chain:D}/0000000000000000009.json.bak", BinaryData.FromString("{}"));

        Assert.Equal(Anchor(5, "aa"), await store.ReadLatestAsync(Chain));
    }

    [Fact]
    public async Task WriteAsync_ContainerMissingAndCreationNotConfigured_ThrowsNamingTheFix()
    {
        var store = new BlobAuditAnchorStore(MissingContainer());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(Anchor(5, "aa")));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("infra/modules/storage.bicep", error.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator:Audit:CreateAnchorContainer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLatestAsync_ContainerMissingAndCreationNotConfigured_ThrowsNamingTheFix()
    {
        var store = new BlobAuditAnchorStore(MissingContainer());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReadLatestAsync(Chain));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ContainerMissingAndCreationConfigured_CreatesTheContainerAndWrites()
    {
        var container = MissingContainer();
        var store = new BlobAuditAnchorStore(container, createContainerIfMissing: true);
        Assert.Null(await store.ReadLatestAsync(Chain));

        await store.WriteAsync(Anchor(5, "aa"));

        Assert.True((await container.ExistsAsync()).Value);
        Assert.Equal(Anchor(5, "aa"), await store.ReadLatestAsync(Chain));
    }

    [Fact]
    public async Task VerifyAsync_IntactChainAnchoredInBlob_ReportsOkWithTheAnchor()
    {
        await using var db = await SeededAsync();
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        var anchor = await new AuditAnchorWriter(db.Application, store, TimeProvider.System).AnchorAsync();

        var result = await new AuditChainVerifier(db.Auditor, store).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.Ok, result.Status);
        Assert.Equal(anchor, result.Anchor);
    }

    [Fact]
    public async Task VerifyAsync_ChainRehashedAfterAnEditWithBlobAnchors_ReportsTheAnchoredSeq()
    {
        await using var db = await SeededAsync();
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        await new AuditAnchorWriter(db.Application, store, TimeProvider.System).AnchorAsync();
        await db.ExecuteAsync(ChainForgery.EditAndRehash("UPDATE audit_log SET actor = 'person-mallory' WHERE seq = 42", 42, 100));

        var result = await new AuditChainVerifier(db.Auditor, store).VerifyAsync();

        Assert.Equal(AuditVerificationStatus.AnchorMismatch, result.Status);
        Assert.Equal(100, result.FirstBadSeq);
    }

    [Fact]
    public async Task AnchorAsync_ChainRehashedAfterAnEdit_RefusesToOverwriteTheBlobAnchor()
    {
        await using var db = await SeededAsync();
        var store = new BlobAuditAnchorStore(await NewContainerAsync());
        var writer = new AuditAnchorWriter(db.Application, store, TimeProvider.System);
        var anchor = await writer.AnchorAsync();
        await db.ExecuteAsync("""
            ALTER TABLE audit_log DISABLE TRIGGER USER;
            UPDATE audit_log SET actor = 'person-mallory', hash = set_byte(hash, 0, get_byte(hash, 0) # 1) WHERE seq = 100;
            ALTER TABLE audit_chain_head DISABLE TRIGGER USER;
            UPDATE audit_chain_head SET hash = (SELECT hash FROM audit_log WHERE seq = 100);
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.AnchorAsync());

        Assert.Contains("rewritten", error.Message, StringComparison.Ordinal);
        Assert.Equal(anchor, await store.ReadLatestAsync(anchor!.ChainId));
    }

    private static AuditAnchor Anchor(long seq, string hash) => new(Chain, seq, hash, Now, Now);

    private BlobContainerClient MissingContainer() =>
        new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("anchors-" + Guid.NewGuid().ToString("N"));

    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = MissingContainer();
        await container.CreateAsync();
        return container;
    }

    private static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions()))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>Rows 1..100 of two interleaved instances.</summary>
    private async Task<TestDatabase> SeededAsync()
    {
        var db = await cluster.CreateDatabaseAsync();
        var log = new PostgresAuditLog(db.Application);
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync([AuditEntries.Entry(i % 2 == 0 ? "claim-1" : "claim-2", i)]);
        }

        return db;
    }
}
