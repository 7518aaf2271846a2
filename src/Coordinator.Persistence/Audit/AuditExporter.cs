using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Coordinator.Persistence.Audit;

public enum AuditExportFormat
{
    Csv,
    Json,
}

/// <summary>
/// Writes audit rows as CSV (RFC 4180, header of the column names, UTF-8) or as a JSON array of
/// objects keyed by the column names (detail embedded as JSON); the columns are <see cref="AuditColumns.All"/>, in table order. Streams: rows are never all in memory.
/// </summary>
public sealed class AuditExporter(AuditReader reader)
{
    /// <summary>Writes the rows matching <paramref name="query"/>; returns how many were written.</summary>
    public async Task<long> ExportAsync(AuditQuery query, AuditExportFormat format, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var export = await OpenAsync(query, cancellationToken).ConfigureAwait(false);
        await using (export.ConfigureAwait(false))
            return await export.WriteAsync(format, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the query and reads its first row before anything is written, so a registry that cannot be
    /// reached (or a query that fails) throws here, while the caller can still answer with an error
    /// instead of a body cut short. Then <see cref="AuditExport.WriteAsync"/> streams the rows.
    /// </summary>
    public async Task<AuditExport> OpenAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var rows = reader.ReadAsync(query, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var hasFirst = await rows.MoveNextAsync().ConfigureAwait(false);
            return new AuditExport(rows, hasFirst);
        }
        catch
        {
            await rows.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes <paramref name="rows"/> in <paramref name="format"/>; returns how many were written.</summary>
    internal static Task<long> WriteAsync(IAsyncEnumerable<AuditRecord> rows, AuditExportFormat format, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        return format switch
        {
            AuditExportFormat.Csv => WriteCsvAsync(rows, output, cancellationToken),
            AuditExportFormat.Json => WriteJsonAsync(rows, output, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Supported export formats: csv, json."),
        };
    }

    /// <summary>The timestamp format of exports: ISO 8601 UTC with microseconds.</summary>
    public static string FormatAt(DateTimeOffset at) => AuditRowHasher.FormatTimestamp(at.UtcDateTime);

    private static async Task<long> WriteCsvAsync(IAsyncEnumerable<AuditRecord> rows, Stream output, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 65536, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            writer.NewLine = "\r\n";
            await writer.WriteLineAsync(string.Join(',', AuditColumns.All.Select(c => c.Name))).ConfigureAwait(false);
            long count = 0;
            var line = new StringBuilder(512);
            await foreach (var r in rows.ConfigureAwait(false))
            {
                line.Clear();
                var columns = AuditColumns.All;
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append(',');
                    }

                    AppendCsvField(line, columns[i].ExportText(r));
                }

                await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
                count++;
            }

            return count;
        }
    }

    private static void AppendCsvField(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static async Task<long> WriteJsonAsync(IAsyncEnumerable<AuditRecord> rows, Stream output, CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await using (json.ConfigureAwait(false))
        {
            json.WriteStartArray();
            long count = 0;
            await foreach (var r in rows.ConfigureAwait(false))
            {
                json.WriteStartObject();
                foreach (var column in AuditColumns.All)
                {
                    var text = column.ExportText(r);
                    switch (column.ExportKind)
                    {
                        case AuditExportKind.Text:
                            json.WriteString(column.Name, text);
                            break;
                        default:
                            // A number's invariant digits, or the detail's JSON text: written as they are.
                            json.WritePropertyName(column.Name);
                            json.WriteRawValue(text!, skipInputValidation: true);
                            break;
                    }
                }

                json.WriteEndObject();
                count++;
                if (json.BytesPending > 65536)
                {
                    await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            json.WriteEndArray();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }
    }
}

/// <summary>An export whose query has run and whose first row is read (<see cref="AuditExporter.OpenAsync"/>): nothing is written yet.</summary>
public sealed class AuditExport : IAsyncDisposable
{
    private readonly IAsyncEnumerator<AuditRecord> _rows;
    private readonly bool _hasFirst;
    private bool _written;

    internal AuditExport(IAsyncEnumerator<AuditRecord> rows, bool hasFirst)
    {
        _rows = rows;
        _hasFirst = hasFirst;
    }

    /// <summary>Streams the rows into <paramref name="output"/> (once); returns how many were written. A failure of the registry from the second row on throws with part of the export written.</summary>
    public Task<long> WriteAsync(AuditExportFormat format, Stream output, CancellationToken cancellationToken = default)
    {
        if (_written)
            throw new InvalidOperationException("An audit export is written once.");
        _written = true;
        return AuditExporter.WriteAsync(Rows(), format, output, cancellationToken);
    }

    private async IAsyncEnumerable<AuditRecord> Rows()
    {
        if (!_hasFirst)
            yield break;
        yield return _rows.Current;
        while (await _rows.MoveNextAsync().ConfigureAwait(false))
            yield return _rows.Current;
    }

    public ValueTask DisposeAsync() => _rows.DisposeAsync();
}
