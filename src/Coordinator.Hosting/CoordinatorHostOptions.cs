namespace Coordinator.Hosting;

/// <summary>Options of a coordinator host, section <c>Coordinator</c>.</summary>
public sealed class CoordinatorHostOptions
{
    public const string Section = "Coordinator";

    /// <summary>The API key callers send in <c>x-coordinator-key</c>. When empty, <c>serve</c> generates one and keeps it in the data folder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where the workflow definitions are (a folder or files).</summary>
    public string DefinitionsPath { get; set; } = "workflow-definitions";

    /// <summary>Where the standalone host keeps its own files (the generated API key, audit anchors).</summary>
    public string DataPath { get; set; } = ".data/coordinator";

    /// <summary>Every workflow duration runs this many times faster (demos and tests). Part of each instance's input.</summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>
    /// The Functions app only: allows running without <c>ConnectionStrings:Coordinator</c>, the audit registry
    /// then in memory (one per worker, lost when it stops). For local development and tests; without it the app
    /// refuses to start without an audit database.
    /// </summary>
    public bool AllowInMemoryAudit { get; set; }
}
