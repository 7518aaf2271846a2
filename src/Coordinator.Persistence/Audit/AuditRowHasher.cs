using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// Computes <c>hash = sha256(prev_hash || UTF-8(canonical row))</c>. The canonical row is the text
/// PostgreSQL's <c>audit_canonical_row()</c> produces (a <c>json_build_array</c> of the columns, in
/// the order of <see cref="AuditColumns.Hashed"/>), byte for byte; docs/audit.md defines it. Reuses its buffers: one instance per thread.
/// </summary>
internal sealed class AuditRowHasher
{
    public const int HashSize = 32;

    /// <summary>The <c>prev_hash</c> of row 1: 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> GenesisHash => new byte[HashSize];

    private readonly StringBuilder _canonical = new(512);
    private char[] _chars = new char[1024];
    private byte[] _bytes = new byte[4096];

    public byte[] ComputeHash(ReadOnlySpan<byte> prevHash, AuditRowContent row)
    {
        var hash = new byte[HashSize];
        ComputeHash(prevHash, row, hash);
        return hash;
    }

    public void ComputeHash(ReadOnlySpan<byte> prevHash, AuditRowContent row, Span<byte> destination)
    {
        if (prevHash.Length != HashSize)
        {
            throw new ArgumentException($"prev_hash must be {HashSize} bytes, got {prevHash.Length}.", nameof(prevHash));
        }

        var canonical = BuildCanonical(row);
        if (_chars.Length < canonical.Length)
        {
            _chars = new char[Math.Max(canonical.Length, _chars.Length * 2)];
        }

        canonical.CopyTo(0, _chars, canonical.Length);
        var needed = HashSize + Encoding.UTF8.GetMaxByteCount(canonical.Length);
        if (_bytes.Length < needed)
        {
            _bytes = new byte[Math.Max(needed, _bytes.Length * 2)];
        }

        prevHash.CopyTo(_bytes);
        var length = HashSize + Encoding.UTF8.GetBytes(_chars.AsSpan(0, canonical.Length), _bytes.AsSpan(HashSize));
        SHA256.HashData(_bytes.AsSpan(0, length), destination);
    }

    /// <summary>The canonical row text (exposed for tests and for auditors' tooling).</summary>
    public string CanonicalText(AuditRowContent row) => BuildCanonical(row).ToString();

    /// <summary>The hashed columns in <see cref="AuditColumns.Hashed"/> order, as <c>json_build_array(...)::text</c> writes them.</summary>
    private StringBuilder BuildCanonical(AuditRowContent row)
    {
        var sb = _canonical.Clear().Append('[');
        var columns = AuditColumns.Hashed;
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            columns[i].AppendCanonical(sb, row);
        }

        return sb.Append(']');
    }

    /// <summary>PostgreSQL's <c>to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')</c>.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Drops sub-microsecond ticks, as PostgreSQL stores timestamps.</summary>
    public static DateTime TruncateToMicroseconds(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    /// <summary>A JSON string exactly as PostgreSQL's <c>escape_json</c> writes it; null as <c>null</c>.</summary>
    internal static StringBuilder AppendString(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            return sb.Append("null");
        }

        sb.Append('"');
        var span = value.AsSpan();
        while (true)
        {
            var next = span.IndexOfAny(NeedsEscape);
            if (next < 0)
            {
                sb.Append(span);
                break;
            }

            sb.Append(span[..next]);
            var c = span[next];
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\b' => sb.Append("\\b"),
                '\f' => sb.Append("\\f"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
            };
            span = span[(next + 1)..];
        }

        return sb.Append('"');
    }
}
