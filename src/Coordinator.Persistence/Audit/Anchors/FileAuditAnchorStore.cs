using System.Globalization;
using System.Text.Json;

namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>
/// Anchors as JSON files, <c>{directory}/{chainId}/{seq:D19}.json</c>, each written once
/// (temporary file + rename without overwrite). Point the directory at storage the database's
/// administrators cannot write to.
/// </summary>
public sealed class FileAuditAnchorStore(string directory) : IAuditAnchorStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Directory { get; } = Path.GetFullPath(directory);

    public async Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        var chainDirectory = System.IO.Directory.CreateDirectory(ChainDirectory(anchor.ChainId)).FullName;
        var path = Path.Combine(chainDirectory, FileName(anchor.Seq));
        if (File.Exists(path))
        {
            await EnsureSameAsync(path, anchor, cancellationToken).ConfigureAwait(false);
            return;
        }

        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(anchor, Json), cancellationToken).ConfigureAwait(false);
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            await EnsureSameAsync(path, anchor, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<AuditAnchor?> ReadLatestAsync(Guid chainId, CancellationToken cancellationToken = default)
    {
        var chainDirectory = ChainDirectory(chainId);
        if (!System.IO.Directory.Exists(chainDirectory))
        {
            return null;
        }

        var latest = System.IO.Directory.EnumerateFiles(chainDirectory, "*.json")
            .Where(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
            .FirstOrDefault();
        return latest is null ? null : await ReadAsync(latest, chainId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditAnchor>> ReadLatestOfEveryChainAsync(CancellationToken cancellationToken = default)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var anchors = new List<AuditAnchor>();
        foreach (var chainDirectory in System.IO.Directory.EnumerateDirectories(Directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(chainDirectory);
            if (Guid.TryParseExact(name, "D", out var chainId) && name == chainId.ToString("D")
                && await ReadLatestAsync(chainId, cancellationToken).ConfigureAwait(false) is { } anchor)
            {
                anchors.Add(anchor);
            }
        }

        return anchors;
    }

    private string ChainDirectory(Guid chainId) => Path.Combine(Directory, chainId.ToString("D"));

    private static string FileName(long seq) => seq.ToString("D19", CultureInfo.InvariantCulture) + ".json";

    private static async Task<AuditAnchor> ReadAsync(string path, Guid chainId, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var anchor = await JsonSerializer.DeserializeAsync<AuditAnchor>(stream, Json, cancellationToken).ConfigureAwait(false);
        if (anchor is null || anchor.ChainId != chainId || FileName(anchor.Seq) != Path.GetFileName(path))
        {
            throw new InvalidDataException($"Anchor file {path} does not hold the anchor its name promises (chain {chainId}); it was altered. Restore it from the anchor storage's backup.");
        }

        return anchor;
    }

    private static async Task EnsureSameAsync(string path, AuditAnchor anchor, CancellationToken cancellationToken)
    {
        var existing = await ReadAsync(path, anchor.ChainId, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(existing.Hash, anchor.Hash, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Anchor {path} records hash {existing.Hash} for seq {anchor.Seq}, but the chain now has {anchor.Hash} there: the audit chain was rewritten. Run `coordinator audit verify` and investigate.");
        }
    }
}
