using Coordinator.Core.Definitions;
using Coordinator.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordinator.Functions;

/// <summary>What the composition found while the worker started.</summary>
/// <param name="DefinitionsPath">The absolute folder the definitions were loaded from.</param>
/// <param name="Warnings">Definition diagnostics that did not stop the start (errors do).</param>
/// <param name="PersistentAudit">True when the audit registry is PostgreSQL, false when it is in memory.</param>
public sealed record StartupFacts(string DefinitionsPath, IReadOnlyList<Diagnostic> Warnings, bool PersistentAudit);

/// <summary>Logs, once at start-up, which definitions the app serves, their warnings, and where the audit registry lives.</summary>
internal sealed class StartupReport(WorkflowRegistry registry, StartupFacts facts, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.DefinitionsLoaded(logger, registry.All.Count, facts.DefinitionsPath, string.Join(", ", registry.All.Select(d => $"{d.Id} v{d.Version}")));
        foreach (var warning in facts.Warnings)
            Log.DefinitionWarning(logger, warning.ToString());
        if (facts.PersistentAudit)
            Log.PostgresAudit(logger);
        else
            Log.InMemoryAudit(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
