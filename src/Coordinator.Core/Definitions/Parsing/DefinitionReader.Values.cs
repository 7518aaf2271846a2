namespace Coordinator.Core.Definitions.Parsing;

// The workflow language's typed accessors (ids, targets, durations; the general ones are in NodeReader).
// Each one reports what is wrong with the node and returns null (or an empty list) so that reading goes on.
internal sealed partial class DefinitionReader
{
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
