namespace Coordinator.Core.Definitions.Parsing;

/// <summary>Collects diagnostics in the order they are found.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> items = [];

    public IReadOnlyList<Diagnostic> Items => items;

    public bool HasErrors => items.Any(d => d.IsError);

    public void Error(string code, SourceLocation location, string message) =>
        items.Add(new Diagnostic(DiagnosticSeverity.Error, code, message, location));

    public void Warning(string code, SourceLocation location, string message) =>
        items.Add(new Diagnostic(DiagnosticSeverity.Warning, code, message, location));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => items.AddRange(diagnostics);
}
