namespace Coordinator.Core.Definitions.Parsing;

/// <summary>The entries of a mapping whose keys were checked (known, unique), by key.</summary>
internal sealed class MappingFields(MappingNode node, string path, string what, IReadOnlyDictionary<string, SyntaxNode> values)
{
    public MappingNode Node { get; } = node;

    /// <summary>The source-map path of the mapping, e.g. <c>steps[2]</c>.</summary>
    public string Path { get; } = path;

    /// <summary>How the mapping is named in messages, e.g. "step 'it-setup'".</summary>
    public string What { get; } = what;

    /// <summary>The value of a key, or null when the key is absent.</summary>
    public SyntaxNode? this[string key] => values.GetValueOrDefault(key);

    public bool Has(string key) => values.ContainsKey(key);

    public string PathOf(string key) => SourcePaths.Child(Path, key);
}

internal static class SourcePaths
{
    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Item(string path, int index) => $"{path}[{index}]";
}
