using System.ComponentModel.DataAnnotations;

namespace Coordinator.Hosting;

/// <summary>Options of a coordinator host, section <c>Coordinator</c>.</summary>
public sealed class CoordinatorHostOptions
{
    public const string Section = "Coordinator";

    /// <summary>The API key callers send in <c>x-coordinator-key</c>. When empty, <c>serve</c> generates one and keeps it in the data folder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Why a time scale is refused: <see cref="TimeScale"/>'s message.</summary>
    public const string TimeScaleProblem = "Coordinator:TimeScale must be a number ≥ 1 (1 = real time; 60 runs an hour in a minute).";

    /// <summary>Where the workflow definitions are (a folder or files).</summary>
    [Required(ErrorMessage = "Set Coordinator:DefinitionsPath to the folder (or file) of workflow definitions.")]
    public string DefinitionsPath { get; set; } = "workflow-definitions";

    /// <summary>
    /// The people directory (docs/people-directory.md). Empty: <c>people.yaml</c> (<c>.yml</c>, <c>.json</c>) at the
    /// root of <see cref="DefinitionsPath"/> when there is one; without a directory everybody is reached in the inbox.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Where the standalone host keeps its own files (the generated API key, audit anchors).</summary>
    [Required(ErrorMessage = "Set Coordinator:DataPath to a folder the host may write its own files to.")]
    public string DataPath { get; set; } = ".data/coordinator";

    /// <summary>Every workflow duration runs this many times faster (demos and tests). Part of each instance's input.</summary>
    [Range(1, double.MaxValue, ErrorMessage = TimeScaleProblem)]
    public double TimeScale { get; set; } = 1;

    /// <summary>Whether <paramref name="timeScale"/> is a time scale: a finite number ≥ 1.</summary>
    public static bool IsTimeScale(double timeScale) => double.IsFinite(timeScale) && timeScale >= 1;

    /// <summary>
    /// The Functions app only: allows running without <c>ConnectionStrings:Coordinator</c>, the audit registry
    /// then in memory (one per worker, lost when it stops). For local development and tests; without it the app
    /// refuses to start without an audit database.
    /// </summary>
    public bool AllowInMemoryAudit { get; set; }

    /// <summary>
    /// How often instances that ended outside the coordinator (terminated by Durable tooling) are looked for, so their
    /// open work leaves people's lists (<c>Coordinator__ReconcileInterval</c>, default 5 minutes).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Coordinator:ReconcileInterval must be between 1 second and 1 day, such as 00:05:00.")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);
}
