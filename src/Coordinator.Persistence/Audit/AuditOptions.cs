using System.ComponentModel.DataAnnotations;

namespace Coordinator.Persistence.Audit;

/// <summary>Configuration section <c>Coordinator:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Coordinator:Audit";

    /// <summary>Folder of the chain anchors (outside the database). Relative paths resolve against the working directory.</summary>
    [Required(ErrorMessage = "Coordinator:Audit:AnchorPath is empty; set it to a folder outside the database (default .coordinator/audit-anchors).")]
    public string AnchorPath { get; set; } = DefaultAnchorPath;

    /// <summary>How often the chain head is anchored.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Coordinator:Audit:AnchorInterval must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromMinutes(5);

    public const string DefaultAnchorPath = ".coordinator/audit-anchors";
}
