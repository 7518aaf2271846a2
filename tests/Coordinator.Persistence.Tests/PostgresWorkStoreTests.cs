using Coordinator.Core.Definitions;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Tests.Infrastructure;
using Coordinator.Persistence.Work;
using Npgsql;

namespace Coordinator.Persistence.Tests;

/// <summary>The read model of open work against real PostgreSQL, as the application role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresWorkStoreTests(PostgresCluster cluster) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;
    private PostgresWorkStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await cluster.CreateDatabaseAsync();
        _store = new PostgresWorkStore(_database.Application);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static InstanceWork Work(string instanceId, long version, params WorkItem[] items) => new()
    {
        Instance = new WorkInstance(instanceId, "b2b-onboarding", "B2B customer onboarding", "D-" + instanceId, Start.AddMinutes(version), 1),
        Version = version,
        Waiting = [.. items.GroupBy(i => i.StepId).Select(g => new WaitingStepWork(g.Key, g.First().Title, g.First().Status, [.. g.Select(i => i.PersonId)], g.First().Due))],
        Items = items,
        People = items.GroupBy(i => i.PersonId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)["owner-of-" + g.First().StepId]),
    };

    private static WorkItem Step(string person, string step, DateTimeOffset? due = null, WorkKind kind = WorkKind.Step, string status = "active") =>
        new(person, step, "Title of " + step, kind, status, due, 0, status == "blocked" ? "waiting for the customer" : null, status == "blocked" ? person : null,
            kind == WorkKind.Step ? [] : [new DecisionOption { Id = "extend", Title = "Extend by a week", ExtendDue = TimeSpan.FromDays(7) }]);

    [Fact]
    public async Task ProjectAsync_NewerSnapshot_ReplacesTheInstancesItems()
    {
        await _store.ProjectAsync(Work("i-1", 2, Step("sales.rep", "contract")));

        var written = await _store.ProjectAsync(Work("i-1", 5, Step("legal.counsel", "legal-review")));

        Assert.True(written);
        Assert.Empty(await _store.WaitingOnAsync("sales.rep", 10));
        var item = Assert.Single(await _store.WaitingOnAsync("legal.counsel", 10));
        Assert.Equal(("i-1", "legal-review", "Title of legal-review"), (item.Instance.InstanceId, item.Item.StepId, item.Item.Title));
    }

    [Fact]
    public async Task ProjectAsync_OlderSnapshotAfterANewerOne_IsIgnored()
    {
        await _store.ProjectAsync(Work("i-2", 7, Step("legal.counsel", "legal-review")));

        var written = await _store.ProjectAsync(Work("i-2", 3, Step("sales.rep", "contract")));

        Assert.False(written);
        Assert.Empty(await _store.WaitingOnAsync("sales.rep", 10));
        Assert.Single(await _store.WaitingOnAsync("legal.counsel", 10));
    }

    [Fact]
    public async Task ProjectAsync_SameSnapshotTwice_KeepsOneCopy()
    {
        var work = Work("i-3", 4, Step("sales.rep", "contract"), Step("sales.rep", "kickoff"));

        await _store.ProjectAsync(work);
        await _store.ProjectAsync(work);

        Assert.Equal(2, (await _store.WaitingOnAsync("sales.rep", 10)).Count);
    }

    [Fact]
    public async Task ProjectAsync_ConcurrentWritersOfOneInstance_TheNewestVersionWins()
    {
        var versions = Enumerable.Range(1, 24).Select(v => Work("i-4", v, Step($"person-{v}", "contract"))).ToArray();

        await Task.WhenAll(versions.Reverse().Select(w => Task.Run(() => _store.ProjectAsync(w))));

        var people = await _store.PeopleAsync();
        var only = Assert.Single(people);
        Assert.Equal(("person-24", 1), (only.PersonId, only.OpenItems));
        Assert.Equal(24L, await _database.ScalarAsync<long>("SELECT version FROM work_instances WHERE instance_id = 'i-4'"));
    }

    [Fact]
    public async Task WaitingOnAsync_ItemsOfSeveralInstances_SoonestDueFirstWithoutDueLastAndTheOptionsKept()
    {
        await _store.ProjectAsync(Work("i-5", 1, Step("it.lead", "it-setup", Start.AddDays(9))));
        await _store.ProjectAsync(Work("i-6", 1, Step("it.lead", "migration", null)));
        await _store.ProjectAsync(Work("i-7", 1, Step("it.lead", "it-setup", Start.AddDays(3), WorkKind.Block, "blocked")));

        var items = await _store.WaitingOnAsync("it.lead", 10);

        Assert.Equal(["i-7", "i-5", "i-6"], items.Select(i => i.Instance.InstanceId));
        var block = items[0].Item;
        Assert.Equal((WorkKind.Block, "blocked", "waiting for the customer", "it.lead"), (block.Kind, block.Status, block.BlockReason, block.BlockedBy));
        var option = Assert.Single(block.Options);
        Assert.Equal(("extend", TimeSpan.FromDays(7)), (option.Id, option.ExtendDue));
        Assert.Equal(Start.AddDays(3), block.Due);
        Assert.Equal(2, (await _store.WaitingOnAsync("it.lead", 2)).Count);
    }

    [Fact]
    public async Task Reads_CompletedInstance_AreLeftOut()
    {
        await _store.ProjectAsync(Work("i-8", 1, Step("csm.lead", "kickoff")));
        await _store.ProjectAsync(Work("i-9", 1, Step("csm.lead", "kickoff")));

        await _store.ProjectAsync(Work("i-8", 9) with { Completed = true });

        Assert.Equal(["i-9"], (await _store.WaitingOnAsync("csm.lead", 10)).Select(i => i.Instance.InstanceId));
        Assert.Equal(["i-9"], (await _store.RunningAsync(10)).Select(r => r.Instance.InstanceId));
        Assert.Equal(1, Assert.Single(await _store.PeopleAsync()).OpenItems);
    }

    [Fact]
    public async Task RunningAsync_NewestFirst_WithWhomEachWaitsOn()
    {
        await _store.ProjectAsync(Work("i-10", 1, Step("sales.rep", "contract")));
        await _store.ProjectAsync(Work("i-11", 3, Step("legal.counsel", "legal-review"), Step("finance", "legal-review")));

        var running = await _store.RunningAsync(10);

        Assert.Equal(["i-11", "i-10"], running.Select(r => r.Instance.InstanceId));
        var waiting = Assert.Single(running[0].Waiting);
        Assert.Equal("legal-review", waiting.StepId);
        Assert.Equal(["legal.counsel", "finance"], waiting.People);
    }

    [Fact]
    public async Task NamingAsync_OnlyTheInstancesThatNameThePerson_WithWhomTheyWaitOnAndEachBlocksReason()
    {
        await _store.ProjectAsync(Work("i-20", 1, Step("sales.rep", "contract")));
        await _store.ProjectAsync(Work("i-21", 2, Step("it.engineer", "it-setup", status: "blocked"), Step("it.lead", "it-setup", kind: WorkKind.Block, status: "blocked") with { BlockedBy = "it.engineer" }, Step("sales.rep", "kickoff")));
        await _store.ProjectAsync(Work("i-22", 3, Step("legal.counsel", "legal-review")));
        await _store.ProjectAsync(Work("i-23", 4, Step("sales.rep", "kickoff")) with { Completed = true, Version = 5 });

        var mine = await _store.NamingAsync("sales.rep", 10);
        var lead = await _store.NamingAsync("it.lead", 10);

        Assert.Equal(["i-21", "i-20"], mine.Select(s => s.Instance.InstanceId));
        Assert.Equal(["it-setup", "kickoff"], mine[0].Waiting.Select(w => w.StepId));
        var block = Assert.Single(mine[0].Blocks);
        Assert.Equal(new StepBlock("it-setup", "waiting for the customer", "it.engineer"), block);
        Assert.Empty(mine[1].Blocks);
        Assert.Equal(["i-21"], lead.Select(s => s.Instance.InstanceId));
        Assert.Empty(await _store.NamingAsync("nobody", 10));
        Assert.Single(await _store.NamingAsync("sales.rep", 1));
    }

    [Fact]
    public async Task PeopleAsync_PersonInSeveralInstances_RolesMergedAndItemsCounted()
    {
        await _store.ProjectAsync(Work("i-12", 1, Step("sales.rep", "contract")));
        await _store.ProjectAsync(Work("i-13", 1, Step("sales.rep", "kickoff"), Step("csm.lead", "kickoff")));

        var people = await _store.PeopleAsync();

        Assert.Equal(["csm.lead", "sales.rep"], people.Select(p => p.PersonId));
        Assert.Equal(["owner-of-contract", "owner-of-kickoff"], people[1].Roles);
        Assert.Equal(2, people[1].OpenItems);
    }

    [Fact]
    public async Task Tables_ApplicationRole_MayNotRewriteNotificationsOrDropTheProjection()
    {
        await _store.ProjectAsync(Work("i-14", 1, Step("sales.rep", "contract")));
        await using var connection = await _database.Application.OpenConnectionAsync();

        var delete = await Assert.ThrowsAsync<PostgresException>(async () => await new NpgsqlCommand("DELETE FROM work_instances", connection).ExecuteNonQueryAsync());
        var update = await Assert.ThrowsAsync<PostgresException>(async () => await new NpgsqlCommand("UPDATE notifications SET payload = '{}'", connection).ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
    }
}
