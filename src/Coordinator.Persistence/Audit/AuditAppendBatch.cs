using Coordinator.Core.Ports;
using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// The entries of one append as column arrays, the parameters of <c>audit_append()</c> (migrations 0006
/// and 0008), one per column of <see cref="AuditColumns.Appended"/> and in its order.
/// </summary>
internal sealed class AuditAppendBatch(int capacity)
{
    /// <summary>The call of <c>audit_append()</c>, $1..$n in the order of <see cref="AuditColumns.Appended"/>.</summary>
    public static readonly string AppendSql =
        "SELECT key, outcome, head_seq, kept_detail FROM audit_append("
        + string.Join(", ", AuditColumns.Appended.Select((_, i) => "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))
        + ")";

    private readonly IAuditAppendColumn[] _columns = [.. AuditColumns.Appended.Select(c => c.NewAppendColumn(capacity))];

    public int Count { get; private set; }

    public void Add(AuditEntry entry, string detail)
    {
        foreach (var column in _columns)
        {
            column.Add(entry, detail);
        }

        Count++;
    }

    /// <summary>Adds $1..$n in the parameter order of <c>audit_append()</c>.</summary>
    public void AddParameters(NpgsqlParameterCollection parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var column in _columns)
        {
            parameters.Add(column.ToParameter());
        }
    }
}
