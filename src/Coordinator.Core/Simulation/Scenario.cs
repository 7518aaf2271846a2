using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

/// <summary>A scripted run of one instance: the start context and the human events, at offsets from the start.</summary>
public sealed record Scenario(IReadOnlyDictionary<string, string> Context, IReadOnlyList<ScenarioEvent> Events);

/// <summary>A human event of a scenario, <paramref name="At"/> after the instance started.</summary>
public sealed record ScenarioEvent(TimeSpan At, HumanEvent Event, SourceLocation Location);

/// <summary>The outcome of loading a scenario file: the scenario when it has no errors, and every problem found.</summary>
public sealed record ScenarioLoadResult(Scenario? Scenario, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Scenario is not null && !Diagnostics.Any(d => d.IsError);
}

/// <summary>Diagnostic codes of scenario files (workflow definitions use <c>WF</c> codes).</summary>
public static class ScenarioDiagnosticCodes
{
    public const string Unreadable = "SC0001";
    public const string Structure = "SC0002";
    public const string UnknownKey = "SC0003";
    public const string DuplicateKey = "SC0004";
    public const string MissingRequired = "SC0005";
    public const string InvalidValue = "SC0006";
    public const string UnknownStep = "SC0007";
}
