namespace Coordinator.Core.Definitions.Validation;

/// <summary>Finds the cycles in the 'after' graph of a workflow.</summary>
internal static class DependencyCycles
{
    /// <summary>
    /// One cycle per distinct set of steps, each in execution order and closed, starting with the
    /// earliest-declared step of the cycle: <c>[a, b, c, a]</c> means b waits for a, c for b, a for c.
    /// Iterative depth-first search, so long chains cannot overflow the stack.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Find(WorkflowDefinition definition, IReadOnlyDictionary<string, StepDefinition> stepsById)
    {
        var order = definition.Steps.Select(s => s.Id).Where(stepsById.ContainsKey).Distinct().ToList();
        var rank = order.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);

        // successor edges: x -> y when y waits for x.
        var successors = order.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var id in order)
        {
            foreach (var predecessor in stepsById[id].After.Distinct())
            {
                if (successors.TryGetValue(predecessor, out var list))
                    list.Add(id);
            }
        }

        var cycles = new List<IReadOnlyList<string>>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        foreach (var start in order)
        {
            if (state.ContainsKey(start))
                continue;
            var path = new List<string> { start };
            var next = new Stack<int>();
            next.Push(0);
            state[start] = 1;
            while (path.Count > 0)
            {
                var current = path[^1];
                var index = next.Pop();
                if (index >= successors[current].Count)
                {
                    state[current] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }
                next.Push(index + 1);
                var successor = successors[current][index];
                if (!state.TryGetValue(successor, out var s))
                {
                    state[successor] = 1;
                    path.Add(successor);
                    next.Push(0);
                }
                else if (s == 1)
                {
                    var cycle = path.Skip(path.IndexOf(successor)).ToList();
                    var key = string.Join('\n', cycle.Order(StringComparer.Ordinal));
                    if (reported.Add(key))
                        cycles.Add(Rotate(cycle, rank));
                }
            }
        }
        return cycles;
    }

    private static List<string> Rotate(List<string> cycle, Dictionary<string, int> rank)
    {
        var first = cycle.IndexOf(cycle.MinBy(id => rank[id])!);
        var rotated = cycle.Skip(first).Concat(cycle.Take(first)).ToList();
        rotated.Add(rotated[0]);
        return rotated;
    }
}
