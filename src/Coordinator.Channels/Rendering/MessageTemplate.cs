using System.Text;

namespace Coordinator.Channels.Rendering;

/// <summary>A problem in a template's text, 1-based line and column.</summary>
public sealed record TemplateError(int Line, int Column, string Message);

/// <summary>
/// The wording of one kind of message in one language: plain text with placeholders in braces (<c>{step}</c>,
/// <c>{due}</c>, ...; <see cref="Placeholders"/>), <c>{{</c> and <c>}}</c> for literal braces. The first line is the
/// headline. A line whose placeholders are all empty is left out (a step without a deadline has no "Due ..." line).
/// </summary>
public sealed class MessageTemplate
{
    /// <summary>Every placeholder a template may use, with what it becomes.</summary>
    public static IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["workflow"] = "the workflow's title",
        ["business_key"] = "the instance's business key (deal id, claim number), else its instance id",
        ["step"] = "the title of the step the message is about",
        ["due"] = "the step's deadline, in the person's time zone",
        ["time_left"] = "how long until the deadline (reminders)",
        ["late_by"] = "how long the deadline has passed (overdue notices)",
        ["level"] = "the escalation level",
        ["silence"] = "how long the step has been silent (escalations)",
        ["reason"] = "the reason of a block or of a rejected event",
        ["by"] = "the name of the person whose reply caused the message",
        ["option"] = "the chosen option or alternative (decisions)",
        ["options"] = "the options or alternatives offered, one per line with their numbers",
        ["text"] = "the note that came with the reply",
        ["steps"] = "the running steps, one per line (summaries)",
    };

    private readonly IReadOnlyList<IReadOnlyList<Segment>> _lines;

    private MessageTemplate(IReadOnlyList<IReadOnlyList<Segment>> lines) => _lines = lines;

    private readonly record struct Segment(string Text, bool IsPlaceholder);

    /// <summary>Parses a template; null with the errors when it has an unknown placeholder or an unclosed brace.</summary>
    public static MessageTemplate? Parse(string text, out IReadOnlyList<TemplateError> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<TemplateError>();
        var lines = new List<IReadOnlyList<Segment>>();
        var rows = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        for (var row = 0; row < rows.Length; row++)
        {
            var line = rows[row];
            var segments = new List<Segment>();
            var literal = new StringBuilder();
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '{' && i + 1 < line.Length && line[i + 1] == '{' || c == '}' && i + 1 < line.Length && line[i + 1] == '}')
                {
                    literal.Append(c);
                    i++;
                    continue;
                }
                if (c == '}')
                {
                    problems.Add(new TemplateError(row + 1, i + 1, "a '}' without its '{'; write '}}' for a literal brace."));
                    continue;
                }
                if (c != '{')
                {
                    literal.Append(c);
                    continue;
                }
                var end = line.IndexOf('}', i + 1);
                if (end < 0)
                {
                    problems.Add(new TemplateError(row + 1, i + 1, "a '{' that is not closed on its line; write '{{' for a literal brace."));
                    break;
                }
                var name = line[(i + 1)..end];
                if (!Placeholders.ContainsKey(name))
                {
                    problems.Add(new TemplateError(row + 1, i + 1,
                        $"'{{{name}}}' is not a placeholder; the placeholders are {string.Join(", ", Placeholders.Keys.Select(k => "{" + k + "}"))}."));
                }
                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), false));
                    literal.Clear();
                }
                segments.Add(new Segment(name, true));
                i = end;
            }
            if (literal.Length > 0)
                segments.Add(new Segment(literal.ToString(), false));
            lines.Add(segments);
        }
        if (lines.Count == 0 || lines[0].Count == 0)
            problems.Add(new TemplateError(1, 1, "the first line is the message's headline and must not be empty."));
        errors = problems;
        return problems.Count == 0 ? new MessageTemplate(lines) : null;
    }

    /// <summary>Parses a template the product ships; its errors are bugs.</summary>
    internal static MessageTemplate BuiltIn(string text) =>
        Parse(text, out var errors) ?? throw new InvalidOperationException("A built-in template is invalid: " + string.Join("; ", errors.Select(e => $"{e.Line}:{e.Column} {e.Message}")));

    /// <summary>Fills in the placeholders; lines whose placeholders are all empty are left out.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var output = new List<string>(_lines.Count);
        foreach (var line in _lines)
        {
            var builder = new StringBuilder();
            var placeholders = 0;
            var filled = 0;
            foreach (var segment in line)
            {
                if (!segment.IsPlaceholder)
                {
                    builder.Append(segment.Text);
                    continue;
                }
                placeholders++;
                if (values.TryGetValue(segment.Text, out var value) && value.Length > 0)
                {
                    filled++;
                    builder.Append(value);
                }
            }
            if (placeholders == 0 || filled > 0)
                output.Add(builder.ToString().TrimEnd());
        }
        return string.Join('\n', output).Trim('\n');
    }
}
