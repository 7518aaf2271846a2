namespace Coordinator.Core.Definitions;

/// <summary>A position in a definition file (1-based line and column).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}({Line},{Column})";
}

/// <summary>
/// Where each node of a loaded definition sits in its file, keyed by a path such as
/// <c>steps[2].owner</c>, <c>roles.it.lead</c> or <c>steps[0].on_blocked.alternatives[1].id</c>.
/// Lets semantic checks point at the offending node.
/// </summary>
public sealed class SourceMap(string file, IReadOnlyDictionary<string, SourceLocation> locations)
{
    public string File { get; } = file;

    public IReadOnlyDictionary<string, SourceLocation> Locations { get; } = locations;

    /// <summary>The location of the path, else of its nearest recorded ancestor, else the file start.</summary>
    public SourceLocation Find(string path)
    {
        var current = path;
        while (true)
        {
            if (Locations.TryGetValue(current, out var location))
                return location;
            var cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            if (cut <= 0)
                return Locations.TryGetValue("", out var root) ? root : new SourceLocation(File, 1, 1);
            current = current[..cut];
        }
    }
}
