namespace Coordinator.Core.Definitions.Parsing;

// Steps and the rules attached to them: conditions, reminders, escalation, blocks, options.
internal sealed partial class DefinitionReader
{
    private const string None = "none";
    internal static readonly string[] StepKeys = ["id", "title", "type", "owner", "after", "due", "when", "reminders", "escalation", "on_blocked", "options"];
    private static readonly string[] StepTypes = ["task", "decision"];
    private static readonly string[] WhenKeys = ["field", "in", "decision", "is"];
    private static readonly string[] ReminderKeys = ["before_due", "overdue_every"];
    private static readonly string[] EscalationKeys = ["silence", "levels"];
    private static readonly string[] LevelKeys = ["after", "notify"];
    private static readonly string[] BlockKeys = ["notify", "decision_by", "alternatives"];
    private static readonly string[] OptionKeys = ["id", "title"];
    internal static readonly string[] AlternativeKeys = ["id", "title", "extend_due"];

    private List<StepDefinition> ReadSteps(MappingFields root)
    {
        var steps = new List<StepDefinition>();
        var node = root["steps"];
        var path = root.PathOf("steps");
        if (IsAbsent(node))
        {
            Missing(root, "steps", "a list of steps, each with at least 'id' and 'owner'");
            return steps;
        }
        if (node is not SequenceNode sequence)
        {
            WrongType(node!, "'steps'", "a list of steps (each entry starting with '- id: ...')");
            return steps;
        }
        if (sequence.Items.Count == 0)
            diagnostics.Error(DiagnosticCodes.InvalidValue, sequence.Location, "'steps' is empty; a workflow needs at least one step.");

        for (var i = 0; i < sequence.Items.Count; i++)
        {
            steps.Add(ReadStep(sequence.Items[i], SourcePaths.Item(path, i), i));
        }
        return steps;
    }

    // A broken entry becomes a step without id so that indexes keep matching the source paths; the
    // definition is not returned when there are errors, so such placeholders never leave the loader.
    private static readonly StepDefinition BrokenStep = new() { Id = "", Title = "", Owner = "" };
    private static readonly DecisionOption BrokenOption = new() { Id = "", Title = "" };

    private StepDefinition ReadStep(SyntaxNode node, string path, int index)
    {
        var name = node is MappingNode m && m.Entries.FirstOrDefault(e => e.Key is ScalarNode { Value: "id" }).Value is ScalarNode { IsNull: false } idNode
            ? $"step '{idNode.Value}'"
            : $"step #{index + 1}";
        var fields = Open(node, path, name, StepKeys);
        if (fields is null)
        {
            if (IsAbsent(node))
                diagnostics.Error(DiagnosticCodes.MissingRequired, node.Location, $"{name} is empty; a step needs at least 'id' and 'owner'.");
            return BrokenStep;
        }

        var id = RequiredId(fields, "id", "a step id");
        var type = ReadStepType(fields);
        return new StepDefinition
        {
            Id = id ?? "",
            Title = OptionalText(fields, "title") ?? id ?? "",
            Type = type,
            Owner = RequiredId(fields, "owner", "the owner (a role id)") ?? "",
            After = IdList(fields["after"], fields.PathOf("after"), $"'after' of {name}"),
            Due = OptionalDuration(fields, "due"),
            When = ReadWhen(fields["when"], fields.PathOf("when"), name),
            Reminders = ReadReminders(fields["reminders"], fields.PathOf("reminders")),
            Escalation = ReadEscalation(fields["escalation"], fields.PathOf("escalation")),
            OnBlocked = ReadBlockPolicy(fields["on_blocked"], fields.PathOf("on_blocked"), name),
            Options = ReadOptions(fields["options"], fields.PathOf("options"), $"the options of {name}", OptionKeys),
        };
    }

    private StepType ReadStepType(MappingFields fields)
    {
        if (IsAbsent(fields["type"]))
            return StepType.Task;
        var node = fields["type"]!;
        switch (Text(node, "'type'"))
        {
            case "task":
                return StepType.Task;
            case "decision":
                return StepType.Decision;
            case { } other:
                diagnostics.Error(DiagnosticCodes.InvalidValue, node.Location,
                    $"unknown step type '{other}'; write 'task' (the default) or 'decision'.{Suggestions.DidYouMean(other, StepTypes)}");
                return StepType.Task;
            default:
                return StepType.Task;
        }
    }

    private StepCondition? ReadWhen(SyntaxNode? node, string path, string step)
    {
        var fields = Open(node, path, $"'when' of {step}", WhenKeys);
        if (fields is null)
            return null;
        var fieldForm = fields.Has("field") || fields.Has("in");
        var decisionForm = fields.Has("decision") || fields.Has("is");
        if (fieldForm == decisionForm)
        {
            diagnostics.Error(DiagnosticCodes.ConditionForm, fields.Node.Location, fieldForm
                ? $"'when' of {step} mixes two conditions; write either '{{ field: <context field>, in: [values] }}' or '{{ decision: <decision step>, is: <option> }}'."
                : $"'when' of {step} is empty; write '{{ field: <context field>, in: [values] }}' or '{{ decision: <decision step>, is: <option> }}'.");
            return null;
        }

        if (fieldForm)
        {
            if (IsAbsent(fields["field"]))
                Missing(fields, "field", "the start-context field to test");
            if (!fields.Has("in"))
                Missing(fields, "in", "the list of values for which the step runs");
            var values = fields["in"] is { } inNode ? TextList(inNode, fields.PathOf("in"), "'in'").Select(v => v.Value).ToList() : [];
            return new StepCondition { Field = OptionalField(fields, "field"), In = values };
        }

        return new StepCondition
        {
            Decision = RequiredId(fields, "decision", "the decision step id"),
            Is = RequiredId(fields, "is", "the option id of that decision"),
        };
    }

    private ReminderRule? ReadReminders(SyntaxNode? node, string path)
    {
        if (IsAbsent(node))
            return null;
        if (IsNone(node!, path))
            return ReminderRule.None;
        var fields = Open(node, path, "'reminders'", ReminderKeys);
        if (fields is null)
            return null;
        return new ReminderRule
        {
            BeforeDue = DurationList(fields["before_due"], fields.PathOf("before_due"), "'before_due'"),
            OverdueEvery = OptionalDuration(fields, "overdue_every"),
        };
    }

    private EscalationRule? ReadEscalation(SyntaxNode? node, string path)
    {
        if (IsAbsent(node))
            return null;
        if (IsNone(node!, path))
            return EscalationRule.None;
        var fields = Open(node, path, "'escalation'", EscalationKeys);
        if (fields is null)
            return null;
        var silence = RequiredDuration(fields, "silence");
        var levels = new List<EscalationLevel>();
        var levelsNode = fields["levels"];
        if (IsAbsent(levelsNode))
        {
            Missing(fields, "levels", "a list such as '- { after: 0h, notify: [lead] }' (write 'escalation: none' to turn escalation off)");
        }
        else if (levelsNode is not SequenceNode sequence)
        {
            WrongType(levelsNode!, "'levels'", "a list of '{ after: <duration>, notify: [...] }' entries");
        }
        else
        {
            if (sequence.Items.Count == 0)
                diagnostics.Error(DiagnosticCodes.InvalidValue, sequence.Location, "'levels' is empty; add a level, or write 'escalation: none' to turn escalation off.");
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                var levelPath = SourcePaths.Item(fields.PathOf("levels"), i);
                var level = Open(sequence.Items[i], levelPath, $"escalation level #{i + 1}", LevelKeys);
                if (level is null)
                {
                    if (IsAbsent(sequence.Items[i]))
                        diagnostics.Error(DiagnosticCodes.MissingRequired, sequence.Items[i].Location, $"escalation level #{i + 1} is empty; write '{{ after: 0h, notify: [lead] }}'.");
                    levels.Add(new EscalationLevel { After = TimeSpan.Zero, Notify = [] });
                    continue;
                }
                var after = RequiredDuration(level, "after");
                var notify = RequiredTargets(level, "notify", "the roles or special targets to notify");
                levels.Add(new EscalationLevel { After = after ?? TimeSpan.Zero, Notify = notify });
            }
        }
        return new EscalationRule { Silence = silence ?? TimeSpan.Zero, Levels = levels };
    }

    private bool IsNone(SyntaxNode node, string path)
    {
        if (node is not ScalarNode scalar)
            return false;
        if (scalar.Value == None)
            return true;
        diagnostics.Error(DiagnosticCodes.InvalidValue, node.Location,
            $"'{scalar.Value}' is not allowed here; write 'none' or a mapping.{Suggestions.DidYouMean(scalar.Value, [None])}");
        locations[path] = node.Location;
        return false;
    }

    private BlockPolicy? ReadBlockPolicy(SyntaxNode? node, string path, string step)
    {
        var fields = Open(node, path, $"'on_blocked' of {step}", BlockKeys);
        if (fields is null)
            return null;
        string? decisionBy = null;
        if (!IsAbsent(fields["decision_by"]) && Text(fields["decision_by"]!, "'decision_by'") is { } by)
        {
            if (!NotifyTargets.IsSpecial(by))
                CheckTarget(by, fields["decision_by"]!.Location, "'decision_by'");
            decisionBy = by;
        }
        return new BlockPolicy
        {
            Notify = Targets(fields["notify"], fields.PathOf("notify"), "'notify'"),
            DecisionBy = decisionBy,
            Alternatives = ReadOptions(fields["alternatives"], fields.PathOf("alternatives"), $"the alternatives of {step}", AlternativeKeys),
        };
    }

    private List<DecisionOption> ReadOptions(SyntaxNode? node, string path, string what, string[] keys)
    {
        var options = new List<DecisionOption>();
        if (IsAbsent(node))
            return options;
        if (node is not SequenceNode sequence)
        {
            WrongType(node!, what, "a list of '{ id: ..., title: ... }' entries");
            return options;
        }
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = SourcePaths.Item(path, i);
            var fields = Open(sequence.Items[i], itemPath, $"entry #{i + 1} of {what}", keys);
            if (fields is null)
            {
                if (IsAbsent(sequence.Items[i]))
                    diagnostics.Error(DiagnosticCodes.MissingRequired, sequence.Items[i].Location, $"entry #{i + 1} of {what} is empty; write '{{ id: ..., title: ... }}'.");
                options.Add(BrokenOption);
                continue;
            }
            var id = RequiredId(fields, "id", "an option id") ?? "";
            var title = RequiredText(fields, "title");
            var extendDue = OptionalDuration(fields, "extend_due");
            options.Add(new DecisionOption { Id = id, Title = title ?? id, ExtendDue = extendDue });
        }
        return options;
    }
}
