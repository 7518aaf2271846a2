using Coordinator.Core.Definitions.Parsing;

namespace Coordinator.Core.Definitions.Validation;

/// <summary>What the semantic checks share: the definition, lookups, and where to report.</summary>
internal sealed class ValidationContext
{
    public ValidationContext(WorkflowDefinition definition)
    {
        Definition = definition;
        Source = definition.Source ?? new SourceMap("<definition>", new Dictionary<string, SourceLocation>());
        Steps = [.. definition.Steps.Select((step, i) => (step, $"steps[{i}]"))];
        foreach (var (step, _) in Steps)
        {
            if (step.Id.Length > 0)
                StepsById.TryAdd(step.Id, step);
        }
        roleIds = [.. definition.Roles.Select(r => r.Id)];
    }

    private readonly HashSet<string> roleIds;

    public WorkflowDefinition Definition { get; }

    public SourceMap Source { get; }

    public DiagnosticBag Diagnostics { get; } = new();

    /// <summary>Each step with its source path (<c>steps[3]</c>).</summary>
    public IReadOnlyList<(StepDefinition Step, string Path)> Steps { get; }

    /// <summary>Steps by id; the first one wins when ids are duplicated (reported separately).</summary>
    public Dictionary<string, StepDefinition> StepsById { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// True when the name is a declared role. Names that are not even spelled as ids count as known:
    /// the reader already reported them, and a second message would only repeat it.
    /// </summary>
    public bool IsRole(string name) => roleIds.Contains(name) || !Identifiers.IsId(name);

    public void Error(string code, string path, string message) => Diagnostics.Error(code, Source.Find(path), message);

    public void Warning(string code, string path, string message) => Diagnostics.Warning(code, Source.Find(path), message);

    public string PathOf(string stepId) => Steps.First(s => s.Step.Id == stepId).Path;

    public static int IndexInAfter(StepDefinition step, string predecessor) => Math.Max(0, step.After.ToList().IndexOf(predecessor));

    public string RoleHint(string name) => Hint(name, roleIds, "Declared roles");

    /// <summary>Like <see cref="RoleHint"/>, also suggesting the special targets lead, owner, process_owner.</summary>
    public string TargetHint(string name) =>
        Hint(name, roleIds.Concat([NotifyTargets.Lead, NotifyTargets.Owner, NotifyTargets.ProcessOwner]), "Declared roles and special targets");

    public string StepHint(string name) => Hint(name, StepsById.Keys, "Steps");

    /// <summary>True when <paramref name="upstream"/> is reached from <paramref name="stepId"/> by following 'after' entries.</summary>
    public bool IsUpstream(string upstream, string stepId)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(stepId);
        while (pending.TryPop(out var current))
        {
            if (!StepsById.TryGetValue(current, out var step))
                continue;
            foreach (var predecessor in step.After)
            {
                if (predecessor == upstream)
                    return true;
                if (visited.Add(predecessor))
                    pending.Push(predecessor);
            }
        }
        return false;
    }

    private static string Hint(string name, IEnumerable<string> candidates, string label)
    {
        var list = candidates.ToList();
        var suggestion = Suggestions.DidYouMean(name, list);
        var all = list.Count is > 0 and <= 12 ? $" {label}: {string.Join(", ", list)}." : "";
        return suggestion + all;
    }
}
