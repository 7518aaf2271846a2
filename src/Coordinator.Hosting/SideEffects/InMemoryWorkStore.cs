using Coordinator.Core.Ports;

namespace Coordinator.Hosting.SideEffects;

/// <summary>
/// The read model of open work kept in memory, when no PostgreSQL is configured (nothing is kept
/// after the host stops). Same rules as <see cref="Persistence.Work.PostgresWorkStore"/>: a snapshot
/// replaces the instance's previous one unless that one is newer.
/// </summary>
public sealed class InMemoryWorkStore : IWorkProjection, IWorkQueries
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, InstanceWork> instances = new(StringComparer.Ordinal);

    public Task<bool> ProjectAsync(InstanceWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (gate)
        {
            if (instances.TryGetValue(work.Instance.InstanceId, out var stored) && stored.Version > work.Version)
                return Task.FromResult(false);
            instances[work.Instance.InstanceId] = work;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<WorkInstance>> WithdrawAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var withdrawn = new List<WorkInstance>();
        lock (gate)
        {
            foreach (var instanceId in instanceIds)
            {
                if (!instances.TryGetValue(instanceId, out var stored) || stored.Completed)
                    continue;
                instances[instanceId] = stored with { Completed = true, Version = long.MaxValue, Waiting = [], Items = [], People = new Dictionary<string, IReadOnlyList<string>>() };
                withdrawn.Add(stored.Instance);
            }
        }
        return Task.FromResult<IReadOnlyList<WorkInstance>>(withdrawn);
    }

    public Task<IReadOnlyList<PersonWorkItem>> WaitingOnAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<PersonWorkItem>>([.. Running()
                .SelectMany(w => w.Items.Where(i => i.PersonId == personId).Select(i => new PersonWorkItem(w.Instance, i)))
                .OrderBy(static p => p.Item.Due ?? DateTimeOffset.MaxValue)
                .ThenBy(static p => p.Instance.StartedAt)
                .ThenBy(static p => p.Instance.InstanceId, StringComparer.Ordinal)
                .ThenBy(static p => p.Item.StepId, StringComparer.Ordinal)
                .ThenBy(static p => p.Item.Kind)
                .Take(limit)]);
        }
    }

    public Task<IReadOnlyList<RunningWork>> RunningAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<RunningWork>>([.. Running()
                .OrderByDescending(static w => w.Instance.StartedAt)
                .ThenBy(static w => w.Instance.InstanceId, StringComparer.Ordinal)
                .Take(limit)
                .Select(static w => new RunningWork(w.Instance, w.Waiting))]);
        }
    }

    public Task<bool> NamesAsync(string personId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        lock (gate)
            return Task.FromResult(Running().Any(w => w.People.ContainsKey(personId)));
    }

    public Task<IReadOnlyList<WorkStanding>> NamingAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<WorkStanding>>([.. Running()
                .Where(w => w.People.ContainsKey(personId))
                .OrderByDescending(static w => w.Instance.StartedAt)
                .ThenBy(static w => w.Instance.InstanceId, StringComparer.Ordinal)
                .Take(limit)
                .Select(static w => new WorkStanding(w.Instance, w.Waiting, [.. w.Items
                    .Where(static i => i.BlockReason is not null)
                    .DistinctBy(static i => i.StepId, StringComparer.Ordinal)
                    .Select(static i => new StepBlock(i.StepId, i.BlockReason!, i.BlockedBy))]))]);
        }
    }

    public Task<IReadOnlyList<PersonWorkload>> PeopleAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var running = Running().ToList();
            return Task.FromResult<IReadOnlyList<PersonWorkload>>([.. running
                .SelectMany(static w => w.People)
                .GroupBy(static p => p.Key, StringComparer.Ordinal)
                .OrderBy(static g => g.Key, StringComparer.Ordinal)
                .Select(g => new PersonWorkload(
                    g.Key,
                    [.. g.SelectMany(static p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                    running.Sum(w => w.Items.Count(i => i.PersonId == g.Key))))]);
        }
    }

    /// <summary>The latest snapshot of every running instance.</summary>
    internal IReadOnlyList<InstanceWork> RunningSnapshots()
    {
        lock (gate)
            return [.. Running()];
    }

    private IEnumerable<InstanceWork> Running() => instances.Values.Where(static w => !w.Completed);
}
