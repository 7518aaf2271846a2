namespace Coordinator.Core.Definitions.Parsing;

/// <summary>
/// What every reader of a Coordinator document (a workflow definition, the people directory) shares:
/// mappings with known and unique keys, typed values that report what is wrong and return null so
/// that reading goes on, and the location of every node for the checks that follow.
/// </summary>
internal abstract class NodeReader(string file, DiagnosticBag diagnostics)
{
    protected readonly string file = file;
    protected readonly DiagnosticBag diagnostics = diagnostics;
    protected readonly Dictionary<string, SourceLocation> locations = new(StringComparer.Ordinal);

    public SourceMap SourceMap => new(file, locations);

    /// <summary>
    /// Checks that the node is a mapping whose keys are known and unique, and records the location of
    /// the mapping and of each value. Null when the node is absent, empty or not a mapping (reported).
    /// </summary>
    protected MappingFields? Open(SyntaxNode? node, string path, string what, IReadOnlyList<string> allowed)
    {
        if (IsAbsent(node))
            return null;
        locations[path] = node!.Location;
        if (node is not MappingNode mapping)
        {
            WrongType(node, what, "a mapping of 'key: value' pairs");
            return null;
        }

        var values = new Dictionary<string, SyntaxNode>(StringComparer.Ordinal);
        var firstSeen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Entries)
        {
            if (keyNode is not ScalarNode { IsNull: false } key)
            {
                diagnostics.Error(DiagnosticCodes.WrongType, keyNode.Location, $"keys in {what} must be plain names, found {keyNode.Describe()}.");
                continue;
            }
            if (!allowed.Contains(key.Value, StringComparer.Ordinal))
            {
                diagnostics.Error(DiagnosticCodes.UnknownKey, key.Location,
                    $"unknown key '{key.Value}' in {what}.{Suggestions.DidYouMean(key.Value, allowed)} Allowed keys: {string.Join(", ", allowed)}.");
                continue;
            }
            if (firstSeen.TryGetValue(key.Value, out var first))
            {
                diagnostics.Error(DiagnosticCodes.DuplicateKey, key.Location,
                    $"duplicate key '{key.Value}' in {what} (first at line {first.Line}); keep one of them.");
                continue;
            }
            firstSeen[key.Value] = key.Location;
            values[key.Value] = value;
            locations[SourcePaths.Child(path, key.Value)] = value.Location;
        }
        return new MappingFields(mapping, path, what, values);
    }

    protected static bool IsAbsent(SyntaxNode? node) => node is null or ScalarNode { IsNull: true };

    protected void Missing(MappingFields fields, string key, string hint)
    {
        var location = fields[key]?.Location ?? fields.Node.Location;
        diagnostics.Error(DiagnosticCodes.MissingRequired, location, $"{fields.What} is missing '{key}': {hint}.");
    }

    protected void WrongType(SyntaxNode node, string what, string expected) =>
        diagnostics.Error(DiagnosticCodes.WrongType, node.Location, $"{what} must be {expected}, found {node.Describe()}.");

    protected string? Text(SyntaxNode node, string what)
    {
        if (node is ScalarNode { IsNull: false } scalar)
            return scalar.Value;
        if (node is ScalarNode)
            diagnostics.Error(DiagnosticCodes.MissingRequired, node.Location, $"{what} is empty.");
        else
            WrongType(node, what, "a single value");
        return null;
    }

    protected string? RequiredText(MappingFields fields, string key)
    {
        if (IsAbsent(fields[key]))
        {
            Missing(fields, key, "a text value");
            return null;
        }
        var text = Text(fields[key]!, $"'{key}'");
        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            diagnostics.Error(DiagnosticCodes.MissingRequired, fields[key]!.Location, $"'{key}' of {fields.What} is blank.");
            return null;
        }
        return text;
    }

    protected string? OptionalText(MappingFields fields, string key) =>
        IsAbsent(fields[key]) ? null : Text(fields[key]!, $"'{key}'");

    /// <summary>A list of single values; a single value without brackets counts as a one-item list.</summary>
    protected List<(string Value, SourceLocation Location)> TextList(SyntaxNode node, string path, string what)
    {
        var result = new List<(string, SourceLocation)>();
        switch (node)
        {
            case ScalarNode { IsNull: true }:
                return result;
            case ScalarNode scalar:
                locations[SourcePaths.Item(path, 0)] = scalar.Location;
                result.Add((scalar.Value, scalar.Location));
                return result;
            case SequenceNode sequence:
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    var item = sequence.Items[i];
                    locations[SourcePaths.Item(path, i)] = item.Location;
                    // A broken entry stays as "" so that indexes match the source paths.
                    result.Add((Text(item, $"each entry of {what}") ?? "", item.Location));
                }
                return result;
            default:
                WrongType(node, what, "a list such as [a, b] or a single value");
                return result;
        }
    }
}
