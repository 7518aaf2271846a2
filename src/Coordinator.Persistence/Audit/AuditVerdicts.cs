using Coordinator.Core.Ports;

namespace Coordinator.Persistence.Audit;

/// <summary>The <c>verdict</c> column's spelling of <see cref="AuditVerdict"/>.</summary>
internal static class AuditVerdicts
{
    public static string ToColumn(AuditVerdict verdict) => verdict switch
    {
        AuditVerdict.Allow => "ALLOW",
        AuditVerdict.Warn => "WARN",
        AuditVerdict.Deny => "DENY",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown audit verdict."),
    };

    /// <summary>The verdict a stored <c>verdict</c> column spells (its CHECK allows these three only).</summary>
    public static AuditVerdict FromColumn(string column) => column switch
    {
        "ALLOW" => AuditVerdict.Allow,
        "WARN" => AuditVerdict.Warn,
        "DENY" => AuditVerdict.Deny,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown audit verdict."),
    };
}
