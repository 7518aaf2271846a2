namespace Coordinator.Core.Definitions.Parsing;

// The typed accessors shared by every part of the reader. Each one reports what is wrong with the
// node and returns null (or an empty list) so that reading goes on.
internal sealed partial class DefinitionReader
{
    /// <summary>
    /// Checks that the node is a mapping whose keys are known and unique, and records the location of
    /// the mapping and of each value. Null when the node is absent, empty or not a mapping (reported).
    /// </summary>
    private MappingFields? Open(SyntaxNode? node, string path, string what, IReadOnlyList<string> allowed)
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

    private static bool IsAbsent(SyntaxNode? node) => node is null or ScalarNode { IsNull: true };

    private void Missing(MappingFields fields, string key, string hint)
    {
        var location = fields[key]?.Location ?? fields.Node.Location;
        diagnostics.Error(DiagnosticCodes.MissingRequired, location, $"{fields.What} is missing '{key}': {hint}.");
    }

    private void WrongType(SyntaxNode node, string what, string expected) =>
        diagnostics.Error(DiagnosticCodes.WrongType, node.Location, $"{what} must be {expected}, found {node.Describe()}.");

    private string? Text(SyntaxNode node, string what)
    {
        if (node is ScalarNode { IsNull: false } scalar)
            return scalar.Value;
        if (node is ScalarNode)
            diagnostics.Error(DiagnosticCodes.MissingRequired, node.Location, $"{what} is empty.");
        else
            WrongType(node, what, "a single value");
        return null;
    }

    private string? RequiredText(MappingFields fields, string key)
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

    private string? OptionalText(MappingFields fields, string key) =>
        IsAbsent(fields[key]) ? null : Text(fields[key]!, $"'{key}'");

    private string? RequiredId(MappingFields fields, string key, string what)
    {
        if (IsAbsent(fields[key]))
        {
            Missing(fields, key, $"{what}, lowercase letters, digits and '-'");
            return null;
        }
        return Id(fields[key]!, what);
    }

    private string? OptionalId(MappingFields fields, string key, string what) =>
        IsAbsent(fields[key]) ? null : Id(fields[key]!, what);

    private string? Id(SyntaxNode node, string what)
    {
        var text = Text(node, what);
        return text is not null && CheckId(text, node.Location, what) ? text : null;
    }

    private bool CheckId(string text, SourceLocation location, string what)
    {
        if (Identifiers.IsId(text))
            return true;
        var hint = text.Length > Identifiers.MaxLength
            ? $"ids are at most {Identifiers.MaxLength} characters"
            : $"use lowercase letters, digits and '-' (for example '{Suggest(text)}')";
        diagnostics.Error(DiagnosticCodes.InvalidId, location, $"'{text}' is not valid as {what}; {hint}.");
        return false;
    }

    private static string Suggest(string text)
    {
        var chars = text.Trim().ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-').ToArray();
        var suggestion = new string(chars).Trim('-');
        while (suggestion.Contains("--", StringComparison.Ordinal))
            suggestion = suggestion.Replace("--", "-", StringComparison.Ordinal);
        return suggestion.Length == 0 ? "my-step" : suggestion;
    }

    private string? OptionalField(MappingFields fields, string key)
    {
        if (IsAbsent(fields[key]))
            return null;
        var node = fields[key]!;
        var text = Text(node, $"'{key}'");
        if (text is null)
            return null;
        if (Identifiers.IsField(text))
            return text;
        diagnostics.Error(DiagnosticCodes.InvalidId, node.Location,
            $"'{text}' is not a valid start-context field name; use letters, digits, '_', '.' and '-', starting with a letter or '_' (for example 'deal_id').");
        return null;
    }

    /// <summary>A list of single values; a single value without brackets counts as a one-item list.</summary>
    private List<(string Value, SourceLocation Location)> TextList(SyntaxNode node, string path, string what)
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

    private List<string> IdList(SyntaxNode? node, string path, string what)
    {
        if (node is null)
            return [];
        var entries = TextList(node, path, what);
        foreach (var (value, location) in entries.Where(e => e.Value.Length > 0))
            CheckId(value, location, $"an entry of {what}");
        return [.. entries.Select(e => e.Value)];
    }

    /// <summary>Notification targets: role ids or the special targets lead, owner, process_owner.</summary>
    private List<string> Targets(SyntaxNode? node, string path, string what)
    {
        if (node is null)
            return [];
        var result = new List<string>();
        foreach (var (value, location) in TextList(node, path, what))
        {
            if (value.Length > 0 && !NotifyTargets.IsSpecial(value))
                CheckTarget(value, location, what);
            result.Add(value);
        }
        return result;
    }

    private bool CheckTarget(string value, SourceLocation location, string what)
    {
        if (Identifiers.IsId(value))
            return true;
        var special = Suggestions.Closest(value, [NotifyTargets.Lead, NotifyTargets.Owner, NotifyTargets.ProcessOwner]);
        var hint = special is null ? "" : $" Did you mean '{special}'?";
        diagnostics.Error(DiagnosticCodes.InvalidId, location,
            $"'{value}' in {what} is neither a role id nor one of the special targets lead, owner, process_owner.{hint}");
        return false;
    }

    private List<string> RequiredTargets(MappingFields fields, string key, string what)
    {
        if (IsAbsent(fields[key]))
        {
            Missing(fields, key, what);
            return [];
        }
        var node = fields[key]!;
        var targets = Targets(node, fields.PathOf(key), what);
        if (node is SequenceNode { Items.Count: 0 })
            diagnostics.Error(DiagnosticCodes.InvalidValue, node.Location, $"'{key}' of {fields.What} is empty; name at least one of {what}.");
        return targets;
    }

    private TimeSpan? Duration(SyntaxNode node, string what)
    {
        var text = Text(node, what);
        if (text is null)
            return null;
        if (Durations.TryParse(text, out var value))
            return value;
        diagnostics.Error(DiagnosticCodes.InvalidDuration, node.Location,
            $"'{text}' is not a valid duration for {what}; write 30m, 4h, 2d, 1w (or compounds such as 1d12h) or ISO 8601 such as PT4H or P2D. Months and years are not allowed.");
        return null;
    }

    private TimeSpan? OptionalDuration(MappingFields fields, string key) =>
        IsAbsent(fields[key]) ? null : Duration(fields[key]!, $"'{key}'");

    private TimeSpan? RequiredDuration(MappingFields fields, string key)
    {
        if (IsAbsent(fields[key]))
        {
            Missing(fields, key, "a duration such as 4h, 2d or 1w");
            return null;
        }
        return Duration(fields[key]!, $"'{key}'");
    }

    private List<TimeSpan> DurationList(SyntaxNode? node, string path, string what)
    {
        var result = new List<TimeSpan>();
        if (node is null)
            return result;
        foreach (var (text, location) in TextList(node, path, what).Where(e => e.Value.Length > 0))
        {
            if (Durations.TryParse(text, out var value))
            {
                result.Add(value);
                continue;
            }
            diagnostics.Error(DiagnosticCodes.InvalidDuration, location,
                $"'{text}' is not a valid duration in {what}; write 30m, 4h, 2d, 1w or ISO 8601 such as PT4H or P2D.");
        }
        return result;
    }
}
