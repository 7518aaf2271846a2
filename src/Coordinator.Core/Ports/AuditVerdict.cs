namespace Coordinator.Core.Ports;

/// <summary>The controls' verdict on an action, stored as <c>ALLOW</c>, <c>WARN</c> or <c>DENY</c>.</summary>
public enum AuditVerdict
{
    Allow,
    Warn,
    Deny,
}
