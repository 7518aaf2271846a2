using System.Globalization;
using System.Text;
using Coordinator.Core.Ports;
using Npgsql;
using NpgsqlTypes;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// The columns of <c>audit_log</c>, in table order: the one place the C# side spells them out. The
/// hasher's canonical row (<see cref="Hashed"/>), every reader's SELECT list (<see cref="SelectList"/>),
/// the exports' columns and the parameters of <c>audit_append()</c> (<see cref="Appended"/>) follow it.
/// The SQL side (migrations 0002, 0006, 0008) cannot be generated from it; the persistence tests check
/// it against <c>information_schema.columns</c>, the parameters of <c>audit_append()</c> and the hashes
/// the function computes.
/// </summary>
internal static class AuditColumns
{
    /// <summary>Every column, in table order (<c>ordinal_position</c>).</summary>
    public static readonly IReadOnlyList<AuditColumn> All =
    [
        new AuditRowColumn<long>("seq", "bigint", NpgsqlDbType.Bigint, nullable: false,
            r => r.Seq, (r, v) => r.Seq = v, AppendInteger, fromEntry: null,
            AuditExportKind.Number, r => r.Seq.ToString(CultureInfo.InvariantCulture)),
        new AuditRowColumn<DateTime>("at", "timestamp with time zone", NpgsqlDbType.TimestampTz, nullable: false,
            r => r.At, (r, v) => r.At = v, (sb, v) => AuditRowHasher.AppendString(sb, AuditRowHasher.FormatTimestamp(v)),
            (e, _) => AuditRowHasher.TruncateToMicroseconds(e.At),
            AuditExportKind.Text, r => AuditExporter.FormatAt(r.At)),
        Text("instance_id", nullable: false, r => r.InstanceId, (r, v) => r.InstanceId = v!, (e, _) => e.InstanceId, r => r.InstanceId),
        Text("workflow_id", nullable: false, r => r.WorkflowId, (r, v) => r.WorkflowId = v!, (e, _) => e.WorkflowId, r => r.WorkflowId),
        new AuditRowColumn<int>("workflow_version", "integer", NpgsqlDbType.Integer, nullable: false,
            r => r.WorkflowVersion, (r, v) => r.WorkflowVersion = v, (sb, v) => sb.Append(v.ToString(CultureInfo.InvariantCulture)),
            (e, _) => e.WorkflowVersion,
            AuditExportKind.Number, r => r.WorkflowVersion.ToString(CultureInfo.InvariantCulture)),
        Text("business_key", nullable: true, r => r.BusinessKey, (r, v) => r.BusinessKey = v, (e, _) => e.BusinessKey, r => r.BusinessKey),
        Text("step_id", nullable: true, r => r.StepId, (r, v) => r.StepId = v, (e, _) => e.StepId, r => r.StepId),
        Text("action", nullable: false, r => r.Action, (r, v) => r.Action = v!, (e, _) => e.Action, r => r.Action),
        Text("actor", nullable: false, r => r.Actor, (r, v) => r.Actor = v!, (e, _) => e.Actor, r => r.Actor),
        Text("verdict", nullable: false, r => r.Verdict, (r, v) => r.Verdict = v!, (e, _) => AuditVerdicts.ToColumn(e.Verdict), r => r.Verdict),
        // Read as detail::text: the jsonb as PostgreSQL renders it, which is what the canonical row embeds.
        new AuditRowColumn<string>("detail", "jsonb", NpgsqlDbType.Jsonb, nullable: false,
            r => r.Detail, (r, v) => r.Detail = v, (sb, v) => sb.Append(v), (_, detail) => detail,
            AuditExportKind.Json, r => r.Detail),
        Text("idempotency_key", nullable: false, r => r.IdempotencyKey, (r, v) => r.IdempotencyKey = v!, (e, _) => e.IdempotencyKey, r => r.IdempotencyKey),
        new AuditColumn("prev_hash", "bytea", NpgsqlDbType.Bytea, nullable: false, AuditExportKind.Text, r => r.PrevHash),
        new AuditColumn("hash", "bytea", NpgsqlDbType.Bytea, nullable: false, AuditExportKind.Text, r => r.Hash),
    ];

    /// <summary>The hashed columns, in the order of the canonical row (<c>audit_canonical_row()</c>): every column but the two hashes.</summary>
    public static readonly IReadOnlyList<AuditRowColumn> Hashed = [.. All.OfType<AuditRowColumn>()];

    /// <summary>The columns <c>audit_append()</c> takes, as arrays, in its parameter order: the hashed columns but <c>seq</c>, which the function assigns.</summary>
    public static readonly IReadOnlyList<AuditRowColumn> Appended = [.. Hashed.Where(c => c.IsAppended)];

    /// <summary>The ordinal of <c>prev_hash</c> in <see cref="SelectList"/>.</summary>
    public static readonly int PrevHashOrdinal = IndexOf("prev_hash");

    /// <summary>The ordinal of <c>hash</c> in <see cref="SelectList"/>.</summary>
    public static readonly int HashOrdinal = IndexOf("hash");

    /// <summary>How many columns <see cref="SelectList"/> selects; the ordinal of the first column a query adds after them.</summary>
    public static int Count => All.Count;

    /// <summary>Every column in table order, <c>detail</c> as text, each qualified by <paramref name="alias"/> if given.</summary>
    public static string SelectList(string? alias = null) =>
        string.Join(", ", All.Select(c => alias is null ? c.SelectExpression : alias + "." + c.SelectExpression));

    /// <summary>Reads the hashed columns of the current row, selected first and in order as by <see cref="SelectList"/>.</summary>
    public static AuditRowContent Read(NpgsqlDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var row = new AuditRowContent();
        for (var i = 0; i < Hashed.Count; i++)
        {
            Hashed[i].Read(reader, i, row);
        }

        return row;
    }

    /// <summary>Reads the hashed columns of the current row of a binary COPY of <see cref="SelectList"/> into <paramref name="row"/>.</summary>
    public static async ValueTask ReadAsync(NpgsqlBinaryExporter export, AuditRowContent row, CancellationToken cancellationToken)
    {
        foreach (var column in Hashed)
        {
            await column.ReadAsync(export, row, cancellationToken).ConfigureAwait(false);
        }
    }

    private static AuditRowColumn<string?> Text(
        string name, bool nullable, Func<AuditRowContent, string?> get, Action<AuditRowContent, string?> set,
        Func<AuditEntry, string, string?> fromEntry, Func<AuditRecord, string?> export) =>
        new(name, "text", NpgsqlDbType.Text, nullable, get, set, (sb, v) => AuditRowHasher.AppendString(sb, v), fromEntry, AuditExportKind.Text, export);

    private static void AppendInteger(StringBuilder sb, long value) => sb.Append(value.ToString(CultureInfo.InvariantCulture));

    private static int IndexOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"audit_log has no column {name}.");
    }
}

/// <summary>How an export writes a column: a JSON number, a JSON string (or null), or embedded JSON.</summary>
internal enum AuditExportKind
{
    Number,
    Text,
    Json,
}

/// <summary>One column of <c>audit_log</c>.</summary>
/// <param name="PostgresType">Its type as <c>information_schema.columns.data_type</c> spells it.</param>
internal class AuditColumn(string name, string postgresType, NpgsqlDbType dbType, bool nullable, AuditExportKind exportKind, Func<AuditRecord, string?> exportText)
{
    public string Name { get; } = name;

    /// <summary>The type as <c>information_schema.columns.data_type</c> spells it.</summary>
    public string PostgresType { get; } = postgresType;

    public NpgsqlDbType DbType { get; } = dbType;

    public bool Nullable { get; } = nullable;

    /// <summary>What a reader selects: the name, or <c>detail::text</c> for the jsonb.</summary>
    public string SelectExpression => DbType == NpgsqlDbType.Jsonb ? Name + "::text" : Name;

    public AuditExportKind ExportKind { get; } = exportKind;

    /// <summary>The column's value in an export: the text of a number, a string (null for SQL NULL), or the JSON text.</summary>
    public string? ExportText(AuditRecord record) => exportText(record);
}

/// <summary>A hashed column: part of the canonical row, read into <see cref="AuditRowContent"/>.</summary>
internal abstract class AuditRowColumn(string name, string postgresType, NpgsqlDbType dbType, bool nullable, AuditExportKind exportKind, Func<AuditRecord, string?> exportText)
    : AuditColumn(name, postgresType, dbType, nullable, exportKind, exportText)
{
    /// <summary>Whether <c>audit_append()</c> takes the column as a parameter (all but <c>seq</c>).</summary>
    public abstract bool IsAppended { get; }

    public abstract void Read(NpgsqlDataReader reader, int ordinal, AuditRowContent row);

    public abstract ValueTask ReadAsync(NpgsqlBinaryExporter export, AuditRowContent row, CancellationToken cancellationToken);

    /// <summary>Appends the column's element of the canonical row (docs/audit.md, "How the hash is computed").</summary>
    public abstract void AppendCanonical(StringBuilder canonical, AuditRowContent row);

    /// <summary>A buffer of the column's values for one <c>audit_append()</c> call.</summary>
    public abstract IAuditAppendColumn NewAppendColumn(int capacity);
}

internal sealed class AuditRowColumn<T>(
    string name,
    string postgresType,
    NpgsqlDbType dbType,
    bool nullable,
    Func<AuditRowContent, T> get,
    Action<AuditRowContent, T> set,
    Action<StringBuilder, T> canonical,
    Func<AuditEntry, string, T>? fromEntry,
    AuditExportKind exportKind,
    Func<AuditRecord, string?> exportText)
    : AuditRowColumn(name, postgresType, dbType, nullable, exportKind, exportText)
{
    public override bool IsAppended => fromEntry is not null;

    public override void Read(NpgsqlDataReader reader, int ordinal, AuditRowContent row) =>
        set(row, Nullable && reader.IsDBNull(ordinal) ? default! : reader.GetFieldValue<T>(ordinal));

    public override async ValueTask ReadAsync(NpgsqlBinaryExporter export, AuditRowContent row, CancellationToken cancellationToken)
    {
        if (Nullable && export.IsNull)
        {
            await export.SkipAsync(cancellationToken).ConfigureAwait(false);
            set(row, default!);
            return;
        }

        // detail is selected as text (SelectExpression), so the COPY carries text.
        var wire = DbType == NpgsqlDbType.Jsonb ? NpgsqlDbType.Text : DbType;
        set(row, await export.ReadAsync<T>(wire, cancellationToken).ConfigureAwait(false));
    }

    public override void AppendCanonical(StringBuilder builder, AuditRowContent row) => canonical(builder, get(row));

    public override IAuditAppendColumn NewAppendColumn(int capacity) =>
        new AppendColumn(fromEntry ?? throw new InvalidOperationException($"audit_append() takes no {Name}."), DbType, capacity);

    private sealed class AppendColumn(Func<AuditEntry, string, T> fromEntry, NpgsqlDbType dbType, int capacity) : IAuditAppendColumn
    {
        private readonly List<T> _values = new(capacity);

        public void Add(AuditEntry entry, string detail) => _values.Add(fromEntry(entry, detail));

        public NpgsqlParameter ToParameter() => new() { Value = _values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | dbType };
    }
}

/// <summary>One parameter array of an <c>audit_append()</c> call.</summary>
internal interface IAuditAppendColumn
{
    void Add(AuditEntry entry, string detail);

    NpgsqlParameter ToParameter();
}
