using Coordinator.Persistence.Audit.Anchors;

namespace Coordinator.Persistence.Tests;

public sealed class FileAuditAnchorStoreTests : IDisposable
{
    private static readonly Guid Chain = Guid.Parse("6f1c1f5e-2d0b-4c55-9a43-4a5b0b7f0e11");
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("coordinator-anchors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ReadLatestAsync_SeveralAnchors_ReturnsTheHighestSeq()
    {
        var store = new FileAuditAnchorStore(_directory);
        await store.WriteAsync(Anchor(9, "aa"));
        await store.WriteAsync(Anchor(120, "bb"));
        await store.WriteAsync(Anchor(10, "cc"));

        var latest = await store.ReadLatestAsync(Chain);

        Assert.Equal(Anchor(120, "bb"), latest);
    }

    [Fact]
    public async Task WriteAsync_SameSeqAndHashAgain_IsANoOp()
    {
        var store = new FileAuditAnchorStore(_directory);
        await store.WriteAsync(Anchor(5, "aa"));

        await store.WriteAsync(Anchor(5, "aa") with { AnchoredAt = Now.AddHours(1) });

        Assert.Equal(Now, (await store.ReadLatestAsync(Chain))!.AnchoredAt);
    }

    [Fact]
    public async Task WriteAsync_SameSeqDifferentHash_ThrowsBecauseTheChainWasRewritten()
    {
        var store = new FileAuditAnchorStore(_directory);
        await store.WriteAsync(Anchor(5, "aa"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(Anchor(5, "bb")));

        Assert.Contains("rewritten", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLatestAsync_UnknownChain_ReturnsNull()
    {
        Assert.Null(await new FileAuditAnchorStore(_directory).ReadLatestAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task ReadLatestOfEveryChainAsync_SeveralChainsAndForeignFolders_ReturnsTheLatestOfEachChain()
    {
        var store = new FileAuditAnchorStore(_directory);
        var other = Guid.Parse("6f1c1f5e-2d0b-4c55-9a43-4a5b0b7f0e12");
        await store.WriteAsync(Anchor(9, "aa"));
        await store.WriteAsync(Anchor(120, "bb"));
        await store.WriteAsync(new AuditAnchor(other, 7, "cc", Now, Now, "coordinator", "7000000000000000001", "dd"));
        Directory.CreateDirectory(Path.Combine(_directory, "notes"));
        Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("D")));

        var latest = await store.ReadLatestOfEveryChainAsync();

        Assert.Equal(2, latest.Count);
        Assert.Contains(Anchor(120, "bb"), latest);
        Assert.Contains(new AuditAnchor(other, 7, "cc", Now, Now, "coordinator", "7000000000000000001", "dd"), latest);
    }

    [Fact]
    public async Task ReadLatestOfEveryChainAsync_NoFolderYet_ReturnsNone()
    {
        Assert.Empty(await new FileAuditAnchorStore(Path.Combine(_directory, "missing")).ReadLatestOfEveryChainAsync());
    }

    private static AuditAnchor Anchor(long seq, string hash) => new(Chain, seq, hash, Now, Now);
}
