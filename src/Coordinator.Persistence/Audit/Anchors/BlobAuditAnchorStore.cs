using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>
/// Anchors as JSON blobs, <c>{chainId}/{seq:D19}.json</c> in one container (fixed-width numbers, so
/// name order is seq order), each uploaded once with <c>If-None-Match: *</c>. In production the
/// container carries an immutability (WORM) policy set by the infrastructure
/// (<c>infra/modules/storage.bicep</c>), so no one can change or delete an anchor while it is retained.
/// </summary>
/// <param name="container">The anchor container.</param>
/// <param name="createContainerIfMissing">
/// Create the container on first use when it does not exist (development, Azurite). Leave false in
/// production: the container and its immutability policy belong to the infrastructure.
/// </param>
public sealed class BlobAuditAnchorStore(BlobContainerClient container, bool createContainerIfMissing = false) : IAuditAnchorStore
{
    private const string Extension = ".json";
    private const int SeqDigits = 19;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Uri ContainerUri => container.Uri;

    public async Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        var blob = container.GetBlobClient(BlobName(anchor.ChainId, anchor.Seq));
        try
        {
            await UploadOnceAsync(blob, BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(anchor, Json)), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 412 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // Already there (an earlier run, a retried request whose response was lost, another host).
            await EnsureSameAsync(blob, anchor, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<AuditAnchor?> ReadLatestAsync(Guid chainId, CancellationToken cancellationToken = default)
    {
        var prefix = ChainPrefix(chainId);
        string? latest = null;
        try
        {
            // Names only, up to 5,000 per request; the service lists in name order, but the maximum
            // is taken explicitly so a foreign name in the prefix cannot mislead it.
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                if (IsAnchorName(item.Name, prefix) && (latest is null || string.CompareOrdinal(item.Name, latest) > 0))
                {
                    latest = item.Name;
                }
            }
        }
        catch (RequestFailedException ex) when (IsContainerNotFound(ex))
        {
            // A container this store may create has simply never been written to.
            return createContainerIfMissing ? null : throw ContainerMissing(ex);
        }

        return latest is null ? null : await ReadAsync(container.GetBlobClient(latest), chainId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditAnchor>> ReadLatestOfEveryChainAsync(CancellationToken cancellationToken = default)
    {
        var latest = new Dictionary<Guid, string>();
        try
        {
            // Every name in the container (5,000 per request), the highest anchor name of each chain kept.
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions(), cancellationToken).ConfigureAwait(false))
            {
                if (ChainOf(item.Name) is { } chainId && IsAnchorName(item.Name, ChainPrefix(chainId))
                    && (!latest.TryGetValue(chainId, out var name) || string.CompareOrdinal(item.Name, name) > 0))
                {
                    latest[chainId] = item.Name;
                }
            }
        }
        catch (RequestFailedException ex) when (IsContainerNotFound(ex))
        {
            return createContainerIfMissing ? [] : throw ContainerMissing(ex);
        }

        var anchors = new List<AuditAnchor>(latest.Count);
        foreach (var (chainId, name) in latest)
        {
            anchors.Add(await ReadAsync(container.GetBlobClient(name), chainId, cancellationToken).ConfigureAwait(false));
        }

        return anchors;
    }

    private async Task UploadOnceAsync(BlobClient blob, BinaryData content, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(content, WriteOnce(), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (IsContainerNotFound(ex))
        {
            if (!createContainerIfMissing)
            {
                throw ContainerMissing(ex);
            }

            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await blob.UploadAsync(content, WriteOnce(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Upload only when no blob of that name exists (<c>If-None-Match: *</c>).</summary>
    private static BlobUploadOptions WriteOnce() => new()
    {
        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
    };

    private static string ChainPrefix(Guid chainId) => chainId.ToString("D") + "/";

    private static string BlobName(Guid chainId, long seq) =>
        ChainPrefix(chainId) + seq.ToString("D" + SeqDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + Extension;

    /// <summary>The chain of a name <c>{chainId:D}/...</c> (the lowercase form the store writes), else null.</summary>
    private static Guid? ChainOf(string name) =>
        name.Length > 37 && name[36] == '/' && Guid.TryParseExact(name.AsSpan(0, 36), "D", out var chainId)
        && name.StartsWith(ChainPrefix(chainId), StringComparison.Ordinal)
            ? chainId
            : null;

    private static bool IsAnchorName(string name, string prefix) =>
        name.Length == prefix.Length + SeqDigits + Extension.Length
        && name.EndsWith(Extension, StringComparison.Ordinal)
        && !name.AsSpan(prefix.Length, SeqDigits).ContainsAnyExceptInRange('0', '9');

    private static bool IsContainerNotFound(RequestFailedException ex) => ex.ErrorCode == BlobErrorCode.ContainerNotFound;

    private InvalidOperationException ContainerMissing(RequestFailedException ex) => new(
        $"The audit anchor container {container.Uri} does not exist. Deploy it with its immutability policy (infra/modules/storage.bicep), "
        + "check Coordinator:Audit:AnchorContainer, or for development set Coordinator:Audit:CreateAnchorContainer=true.",
        ex);

    private static async Task<AuditAnchor> ReadAsync(BlobClient blob, Guid chainId, CancellationToken cancellationToken)
    {
        var content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        AuditAnchor? anchor;
        try
        {
            anchor = content.ToObjectFromJson<AuditAnchor>(Json);
        }
        catch (JsonException)
        {
            anchor = null;
        }

        if (anchor is null || anchor.ChainId != chainId || BlobName(chainId, anchor.Seq) != blob.Name)
        {
            throw new InvalidDataException(
                $"Anchor blob {blob.Uri} does not hold the anchor its name promises (chain {chainId}); it was altered or written by something else. "
                + "Compare it with its earlier versions in the container and check the container's immutability policy.");
        }

        return anchor;
    }

    private static async Task EnsureSameAsync(BlobClient blob, AuditAnchor anchor, CancellationToken cancellationToken)
    {
        var existing = await ReadAsync(blob, anchor.ChainId, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(existing.Hash, anchor.Hash, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Anchor {blob.Uri} records hash {existing.Hash} for seq {anchor.Seq}, but the chain now has {anchor.Hash} there: the audit chain was rewritten. Run `coordinator audit verify` and investigate.");
        }
    }
}
