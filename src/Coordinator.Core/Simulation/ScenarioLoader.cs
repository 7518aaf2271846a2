using Coordinator.Core.Definitions;
using Coordinator.Core.Definitions.Parsing;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

/// <summary>
/// Reads scenario files:
/// <code>
/// context: { deal_id: D-1001, deal_owner: sales.rep, segment: enterprise }
/// events:
///   - { at: 1d, step: contract, type: done, by: sales.rep }
///   - { at: 20d, step: it-setup, type: blocked, by: it.engineer, reason: "customer IdP undecided" }
///   - { at: 21d, step: it-setup, type: decide, option: temporary-accounts, by: it.lead }
/// </code>
/// Strict like definitions: unknown and duplicate keys are errors, every error carries line and column.
/// Steps are checked against the definition; people and options are left to the engine (a wrong one
/// shows in the timeline as <c>event.rejected</c>, which is what a real run would do).
/// </summary>
public static class ScenarioLoader
{
    private static readonly string[] RootKeys = ["context", "events"];
    private static readonly string[] EventKeys = ["at", "step", "type", "by", "text", "reason", "option", "to"];
    private static readonly string[] EventTypes = ["done", "progress", "blocked", "decide", "reassign"];

    public static ScenarioLoadResult LoadFile(string path, WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : e.Message;
            return new ScenarioLoadResult(null,
                [new Diagnostic(DiagnosticSeverity.Error, ScenarioDiagnosticCodes.Unreadable, $"cannot read the scenario: {reason}", new SourceLocation(path, 0, 0))]);
        }
        return LoadText(text, path, definition);
    }

    public static ScenarioLoadResult LoadText(string text, string fileName, WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(definition);
        var diagnostics = new DiagnosticBag();
        var root = YamlSyntaxReader.Read(text.TrimStart('\uFEFF'), fileName, diagnostics);
        if (root is null)
            return new ScenarioLoadResult(null, diagnostics.Items);
        var reader = new Reader(diagnostics, definition);
        var scenario = reader.ReadScenario(root);
        return new ScenarioLoadResult(diagnostics.HasErrors ? null : scenario, diagnostics.Items);
    }

    private sealed class Reader(DiagnosticBag diagnostics, WorkflowDefinition definition)
    {
        public Scenario? ReadScenario(SyntaxNode root)
        {
            var fields = Fields(root, "the scenario", RootKeys);
            if (fields is null)
                return null;
            var context = new Dictionary<string, string>(StringComparer.Ordinal);
            if (fields.GetValueOrDefault("context") is { } contextNode && !IsEmpty(contextNode))
            {
                var entries = Fields(contextNode, "'context'", null);
                foreach (var (key, value) in entries ?? [])
                {
                    if (Scalar(value, $"context field '{key}'") is { } scalar)
                        context[key] = scalar;
                }
            }
            var events = new List<ScenarioEvent>();
            if (fields.GetValueOrDefault("events") is { } eventsNode && !IsEmpty(eventsNode))
            {
                if (eventsNode is SequenceNode sequence)
                {
                    for (var i = 0; i < sequence.Items.Count; i++)
                    {
                        if (ReadEvent(sequence.Items[i], i + 1) is { } e)
                            events.Add(e);
                    }
                }
                else
                {
                    Error(ScenarioDiagnosticCodes.Structure, eventsNode, $"'events' must be a list of '{{ at: 1d, step: ..., type: done, by: ... }}' entries, not {eventsNode.Describe()}.");
                }
            }
            // Events happen in time order; equal times keep the order they are written in.
            return new Scenario(context, [.. events.OrderBy(static e => e.At)]);
        }

        private ScenarioEvent? ReadEvent(SyntaxNode node, int number)
        {
            var what = $"event #{number}";
            var fields = Fields(node, what, EventKeys);
            if (fields is null)
                return null;
            var valid = true;
            string? Text(string key, bool required)
            {
                if (fields.GetValueOrDefault(key) is not { } value || IsEmpty(value))
                {
                    if (required)
                    {
                        Error(ScenarioDiagnosticCodes.MissingRequired, node, $"{what} has no '{key}'.");
                        valid = false;
                    }
                    return null;
                }
                var text = Scalar(value, $"'{key}' of {what}");
                valid &= text is not null;
                return text;
            }

            var atText = Text("at", required: true);
            var stepId = Text("step", required: true);
            var typeText = Text("type", required: true);
            var by = Text("by", required: true);
            var at = TimeSpan.Zero;
            if (atText is not null && !Durations.TryParse(atText, out at))
            {
                Error(ScenarioDiagnosticCodes.InvalidValue, fields["at"], $"'at' of {what} is '{atText}', not a duration; write the time since the start, such as 30m, 4h, 2d or 1w.");
                valid = false;
            }
            if (stepId is not null && definition.FindStep(stepId) is null)
            {
                Error(ScenarioDiagnosticCodes.UnknownStep, fields["step"],
                    $"{what} names step '{stepId}', which '{definition.Id}' does not have.{Suggestions.DidYouMean(stepId, definition.Steps.Select(static s => s.Id))}");
                valid = false;
            }
            var type = HumanEventType.Done;
            if (typeText is not null)
            {
                var index = Array.IndexOf(EventTypes, typeText);
                if (index < 0)
                {
                    Error(ScenarioDiagnosticCodes.InvalidValue, fields["type"],
                        $"'type' of {what} is '{typeText}'; use one of {string.Join(", ", EventTypes)}.{Suggestions.DidYouMean(typeText, EventTypes)}");
                    valid = false;
                }
                type = (HumanEventType)Math.Max(index, 0);
            }
            var e = new HumanEvent(stepId ?? "", type, by ?? "", Text("text", false), Text("reason", false), Text("option", false), Text("to", false));
            return valid ? new ScenarioEvent(at, e, node.Location) : null;
        }

        /// <summary>The entries of a mapping by key, checking keys against <paramref name="allowed"/> (null: any) and for duplicates.</summary>
        private Dictionary<string, SyntaxNode>? Fields(SyntaxNode node, string what, string[]? allowed)
        {
            if (node is not MappingNode mapping)
            {
                Error(ScenarioDiagnosticCodes.Structure, node, $"{what} must be a mapping, not {node.Describe()}.");
                return null;
            }
            var fields = new Dictionary<string, SyntaxNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Entries)
            {
                if (keyNode is not ScalarNode { Value: var key })
                {
                    Error(ScenarioDiagnosticCodes.Structure, keyNode, $"the keys of {what} must be plain text.");
                    continue;
                }
                if (allowed is not null && Array.IndexOf(allowed, key) < 0)
                {
                    Error(ScenarioDiagnosticCodes.UnknownKey, keyNode,
                        $"unknown key '{key}' in {what}; allowed: {string.Join(", ", allowed)}.{Suggestions.DidYouMean(key, allowed)}");
                    continue;
                }
                if (!fields.TryAdd(key, value))
                    Error(ScenarioDiagnosticCodes.DuplicateKey, keyNode, $"'{key}' appears twice in {what}; keep one.");
            }
            return fields;
        }

        private string? Scalar(SyntaxNode node, string what)
        {
            if (node is ScalarNode scalar)
                return scalar.Value;
            Error(ScenarioDiagnosticCodes.InvalidValue, node, $"{what} must be a single value, not {node.Describe()}.");
            return null;
        }

        private static bool IsEmpty(SyntaxNode node) => node is ScalarNode { IsNull: true };

        private void Error(string code, SyntaxNode node, string message) => diagnostics.Error(code, node.Location, message);
    }
}
