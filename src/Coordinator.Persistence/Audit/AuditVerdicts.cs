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
}
