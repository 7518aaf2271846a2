using System.Text.RegularExpressions;

namespace Coordinator.Core.Definitions.Parsing;

/// <summary>The spelling rules of names in the language.</summary>
internal static partial class Identifiers
{
    public const int MaxLength = 64;

    /// <summary>Workflow, step, role, option and alternative ids: lowercase letters, digits and hyphens.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    /// <summary>Person ids from the directory: <c>csm.lead</c>, <c>it_engineer</c>, <c>anna@example.com</c>.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@+-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PersonPattern();

    /// <summary>Start-context field names: <c>deal_id</c>, <c>segment</c>, <c>customer.country</c>.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldPattern();

    public static bool IsId(string text) => text.Length <= MaxLength && IdPattern().IsMatch(text);

    public static bool IsPerson(string text) => text.Length <= 128 && PersonPattern().IsMatch(text);

    public static bool IsField(string text) => text.Length <= MaxLength && FieldPattern().IsMatch(text);
}
