namespace Coordinator.Core.Definitions.Parsing;

/// <summary>
/// A node of a parsed YAML or JSON document with its position. The definition reader works on this
/// small tree so that both formats share one set of structural checks and locations.
/// </summary>
internal abstract class SyntaxNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>How the node is named in messages: "a mapping", "a list", "a text value".</summary>
    public abstract string Describe();
}

internal sealed class ScalarNode(SourceLocation location, string value, bool isPlain) : SyntaxNode(location)
{
    public string Value { get; } = value;

    /// <summary>Unquoted YAML scalar, or a JSON number, boolean or null literal.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary>YAML <c>null</c>, <c>~</c> or an empty value; JSON <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "empty" : $"the value '{Value}'";
}

internal sealed class MappingNode(SourceLocation location, IReadOnlyList<KeyValuePair<SyntaxNode, SyntaxNode>> entries) : SyntaxNode(location)
{
    public IReadOnlyList<KeyValuePair<SyntaxNode, SyntaxNode>> Entries { get; } = entries;

    public override string Describe() => "a mapping";
}

internal sealed class SequenceNode(SourceLocation location, IReadOnlyList<SyntaxNode> items) : SyntaxNode(location)
{
    public IReadOnlyList<SyntaxNode> Items { get; } = items;

    public override string Describe() => "a list";
}
