using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Durability;

// Issue 9: "exactly once, even when a turn runs twice; no outage ends an instance", proven against
// coordinator serve as a separate process on real Azurite and PostgreSQL while the host is killed
// and its stores go down. Each scenario has its own collection, so its own Azurite and PostgreSQL:
// an outage never reaches another test. The scenarios run one at a time, after the other collections
// (DisableParallelization): two campaigns side by side on a 2-core machine starved each other's hosts
// until turns outlasted the control-queue visibility timeout, and the redelivered messages (pop receipt
// mismatches, out-of-order returns) slowed both runs past the driver's patience.

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SigkillCampaignCollection : ICollectionFixture<ThrowawayAzurite>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "Faults: SIGKILL campaign";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzuriteOutageCollection : ICollectionFixture<ThrowawayAzurite>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "Faults: Azurite outage";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresShortOutageCollection : ICollectionFixture<ThrowawayAzurite>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "Faults: PostgreSQL outage of 100 s";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetCampaignCollection : ICollectionFixture<ThrowawayAzurite>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "Faults: two hosts, one killed";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresLongOutageCollection : ICollectionFixture<ThrowawayAzurite>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "Faults: PostgreSQL outage of 3 minutes";
}

/// <summary>
/// What the fault scenarios share: a deployment of <c>coordinator serve</c> on the collection's own
/// Azurite and PostgreSQL, B2B onboardings driven by <see cref="EventDriver"/>, and the final
/// <see cref="FaultFindings"/>, printed with the measurements whether the test passes or not.
/// </summary>
public abstract class FaultCampaignTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>One workflow hour per real second: reminders and escalations fire within minutes (so timer turns mix with event turns), not every second.</summary>
    protected const double TimeScale = 3600;

    /// <summary>How long the driver may take to finish every instance once the fault is over.</summary>
    protected static readonly TimeSpan CompletionTimeout = TimeSpan.FromMinutes(4);

    /// <summary>The seed of every random choice; set COORDINATOR_FAULT_SEED to replay a run's choices (timing still varies).</summary>
    protected static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("COORDINATOR_FAULT_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next(1, 1_000_000);

    protected ThrowawayAzurite Azurite { get; } = azurite;

    protected PostgresFixture Postgres { get; } = postgres;

    protected Stopwatch Clock { get; } = Stopwatch.StartNew();

    private protected async Task<CoordinatorDeployment> DeployAsync(double timeScale = TimeScale, int hosts = 1)
    {
        var deployment = await CoordinatorDeployment.CreateAsync(Azurite, Postgres, timeScale, hosts);
        if (Environment.GetEnvironmentVariable("COORDINATOR_FAULT_LOGS") is { Length: > 0 })
            deployment.ExtraEnvironment["Logging__LogLevel__DurableTask.AzureStorage"] = "Information";
        // For measurements: the partition manager (true: the provider's table partition manager; default: blob leases).
        if (Environment.GetEnvironmentVariable("COORDINATOR_FAULT_TABLE_PARTITIONS") is { Length: > 0 } table)
            deployment.ExtraEnvironment["Coordinator__Durable__UseTablePartitionManagement"] = table;
        await deployment.StartAsync();
        Log($"serve ready (pid {deployment.Process!.Id}, time scale {timeScale}); seed {Seed} (COORDINATOR_FAULT_SEED={Seed} replays the choices)");
        return deployment;
    }

    /// <summary>
    /// Starts <paramref name="count"/> onboardings and hands them to the driver: every fourth an smb
    /// deal (IT set-up and migration skipped), the others enterprise or mid-market, about half of which
    /// report the IT set-up blocked before finishing it. Returns the instance ids.
    /// </summary>
    private protected async Task<IReadOnlyList<string>> StartInstancesAsync(CoordinatorDeployment deployment, EventDriver driver, int count)
    {
        var random = new Random(Seed);
        var plans = Enumerable.Range(0, count).Select(i =>
        {
            var segment = i % 4 == 3 ? "smb" : i % 2 == 0 ? "enterprise" : "mid-market";
            return (Index: i, DealId: $"D-{i + 1:D4}", Segment: segment, Block: segment != "smb" && random.Next(2) == 0);
        }).ToArray();
        using var gate = new SemaphoreSlim(4);
        var ids = await Task.WhenAll(plans.Select(async plan =>
        {
            await gate.WaitAsync();
            try
            {
                var id = await deployment.StartOnboardingAsync(plan.DealId, plan.Segment);
                driver.Track(id, plan.Index, plan.Block);
                return id;
            }
            finally
            {
                gate.Release();
            }
        }));
        Log($"{count} instances started ({plans.Count(p => p.Segment == "smb")} smb, {plans.Count(p => p.Block)} to be blocked on the IT set-up)");
        return ids;
    }

    /// <summary>Collects the findings, prints them with the driver's figures, and fails with the report unless the run is clean.</summary>
    private protected async Task<FaultFindings> FinishAsync(
        CoordinatorDeployment deployment, EventDriver driver, IReadOnlyList<string> instanceIds, TimeSpan notificationsSettle,
        params (string Title, IEnumerable<string> Items)[] scenarioFindings)
    {
        var checking = Stopwatch.StartNew();
        var findings = await FaultFindings.CollectAsync(deployment, driver, instanceIds, driver.Final, notificationsSettle);
        foreach (var (title, items) in scenarioFindings)
            findings.AddScenarioFindings(title, items);
        Log($"checked in {checking.Elapsed.TotalSeconds:F1} s");
        Log($"driver: state changes accepted {driver.StateEventsAccepted}, of unknown outcome {driver.StateEventsUnknown}; answers {driver.AnswerSummary}");
        if (driver.RejectionSummary.Length > 0)
            Log($"driver: 409 reasons {driver.RejectionSummary}");
        var failed = driver.Final.Count(f => f.Value.GetProperty("status").GetString() == "failed");
        var completed = driver.Final.Count(f => f.Value.GetProperty("status").GetString() == "completed");
        Log($"instances: {completed} completed, {failed} failed, {instanceIds.Count - driver.Final.Count} still running, of {instanceIds.Count}");
        Log($"forks found: {findings.Forks.Count}, refused turns: {findings.RefusedTurns.Count} ({findings.UnfollowedRefusals.Count} events never applied afterwards, {findings.RefusedDuplicates} duplicate dones rejected after the first); total time {Clock.Elapsed.TotalSeconds:F0} s");
        var report = findings.Report();
        output.WriteLine(report);
        if (deployment.Process is { } host)
            await DescribeHostAsync(host, instanceIds.Where(i => !driver.Final.TryGetValue(i, out var f) || f.GetProperty("status").GetString() != "completed"));
        Assert.True(findings.IsClean, $"The run found defects (seed {Seed}):\n{report}");
        return findings;
    }

    /// <summary>
    /// Kills the first host with SIGKILL <paramref name="kills"/> times, each after a random wait in
    /// <paramref name="before"/> (milliseconds), leaves it down for a random time in <paramref name="down"/>
    /// (none without), and starts it again; returns each restart's time to ready, in seconds.
    /// </summary>
    private protected async Task<IReadOnlyList<double>> KillFirstHostAsync(
        CoordinatorDeployment deployment, EventDriver driver, Random random, int kills, (int Min, int Max) before, (int Min, int Max)? down = null)
    {
        var readyTimes = new List<double>(kills);
        for (var kill = 1; kill <= kills; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(before.Min, before.Max)));
            var (notes, changes) = (driver.AcceptedNotes.Count(), driver.StateEventsAccepted);
            deployment.Process!.KillHard();
            await SaveOutputAsync(deployment.Process);
            if (down is { } offline)
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(offline.Min, offline.Max)));
            var restart = Stopwatch.StartNew();
            await deployment.StartAsync();
            readyTimes.Add(restart.Elapsed.TotalSeconds);
            Log($"kill {kill}: the first host restarted, ready after {restart.Elapsed.TotalSeconds:F1} s; accepted before it: {notes} notes, {changes} state changes");
        }
        return readyTimes;
    }

    /// <summary>With COORDINATOR_FAULT_LOGS set, writes the host's whole output (since its last start) there.</summary>
    private protected async Task SaveOutputAsync(ServeProcess host)
    {
        if (Environment.GetEnvironmentVariable("COORDINATOR_FAULT_LOGS") is not { Length: > 0 } folder)
            return;
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{GetType().Name}-{host.Id}.log");
        await File.WriteAllLinesAsync(file, host.Output);
        output.WriteLine($"host output written to {file}");
    }

    /// <summary>Prints the host's most frequent warnings and errors and its last lines about some instances; with COORDINATOR_FAULT_LOGS set, writes its whole output there.</summary>
    private protected async Task DescribeHostAsync(ServeProcess host, IEnumerable<string> instanceIds)
    {
        var lines = host.Output;
        // A log entry is a header line ("warn: Category[id]") and an indented message line.
        var warnings = lines.Select((l, i) => (l, i))
            .Where(x => x.l.StartsWith("warn:", StringComparison.Ordinal) || x.l.StartsWith("fail:", StringComparison.Ordinal) || x.l.StartsWith("crit:", StringComparison.Ordinal))
            .Select(x => $"{x.l} {(x.i + 1 < lines.Count ? lines[x.i + 1].Trim() : "")}").ToArray();
        output.WriteLine($"host pid {host.Id} (since its last start): {lines.Count} lines, {warnings.Length} warnings or errors{(warnings.Length > 0 ? "; the most frequent:" : "")}");
        foreach (var group in warnings.GroupBy(w => w.Length > 160 ? w[..160] : w, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Take(6))
            output.WriteLine($"    {group.Count()}x {group.Key}");
        await SaveOutputAsync(host);
        foreach (var id in instanceIds.Take(3))
        {
            var about = lines.Select((l, i) => (l, i)).Where(x => x.l.Contains(id, StringComparison.Ordinal)).Select(x => x.i).ToArray();
            output.WriteLine($"host lines about {id} ({about.Length}), the last:");
            foreach (var i in about.TakeLast(6))
                output.WriteLine($"    {(i > 0 ? lines[i - 1] + " / " : "")}{lines[i]}");
        }
    }

    /// <summary>
    /// When instances made no progress until the driver gave up, stops serve gracefully, starts it again
    /// and drives them for a while longer: tells a wedged host (they resume: recorded as a finding) from
    /// a wedged instance (they stay running: reported as not completed).
    /// </summary>
    private protected async Task<IEnumerable<string>> RestartIfStuckAsync(CoordinatorDeployment deployment, EventDriver driver, IReadOnlyList<string> running)
    {
        if (running.Count == 0)
            return [];
        Log($"{running.Count} instances made no progress{(driver.Stalled ? $" (nothing moved for {driver.StallTimeout.TotalSeconds:F0} s)" : "")}; restarting serve to see whether they resume");
        await DescribeHostAsync(deployment.Process!, running);
        try
        {
            await deployment.Process!.StopGracefullyAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            Log($"serve did not stop within 60 s of SIGTERM ({e.Message.Split('\n')[0]}); killed instead");
            deployment.Process!.KillHard();
        }
        await deployment.StartAsync();
        var stillRunning = await driver.DriveAsync(TimeSpan.FromSeconds(90));
        var resumed = running.Except(stillRunning, StringComparer.Ordinal).ToArray();
        Log($"after the restart {resumed.Length} of them ended, {stillRunning.Count} still running");
        return resumed.Select(id => $"{id}: made no progress until serve was restarted, then {driver.Final[id].GetProperty("status").GetString()}");
    }

    /// <summary>Starts serve again if it died (recorded as a finding by the caller), after the store it needs is back.</summary>
    private protected async Task<string?> RestartIfExitedAsync(CoordinatorDeployment deployment, string when)
    {
        if (deployment.Process is not { HasExited: true } exited)
            return null;
        var tail = string.Join(" / ", exited.Output.TakeLast(3));
        await deployment.StartAsync();
        Log($"serve had exited {when}; restarted (pid {deployment.Process!.Id})");
        return $"serve exited {when}; its last lines: {tail}";
    }

    protected void Log(string message) => output.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:F1} s] {message}");
}

/// <summary>
/// 40 instances driven by events while <c>serve</c> is killed with SIGKILL at random moments at
/// least 20 times and started again each time: no fork, no accepted note lost or applied twice, no
/// notification twice, every instance completed, the audit chain verifies.
/// </summary>
[Collection(SigkillCampaignCollection.Name)]
public sealed class SigkillCampaignTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
    : FaultCampaignTests(azurite, postgres, output)
{
    private const int Instances = 40;
    private const int Kills = 20;


    [Fact]
    public async Task Serve_KilledHard20TimesWhileEventsArrive_NoForkNoLostEventNoDuplicateNotification()
    {
        await using var deployment = await DeployAsync();
        await using var driver = new EventDriver(deployment, Seed);
        var campaignOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Until the last kill, every instance stops before its last step's done: events keep arriving throughout.
        driver.HoldLastStepUntil = campaignOver.Task;
        var instanceIds = await StartInstancesAsync(deployment, driver, Instances);

        using var deadline = new CancellationTokenSource();
        var driving = driver.DriveAsync(TimeSpan.FromMinutes(20), deadline.Token);
        var random = new Random(Seed);
        IReadOnlyList<double> readyTimes = [];
        var campaign = Stopwatch.StartNew();
        try
        {
            // A bounded random moment: sometimes right after the restart (recovery turns), mostly mid-stream.
            readyTimes = await KillFirstHostAsync(deployment, driver, random, Kills, before: (300, 8_000));
        }
        finally
        {
            campaignOver.TrySetResult();
            deadline.CancelAfter(CompletionTimeout);
        }
        Log($"campaign of {Kills} kills over {campaign.Elapsed.TotalSeconds:F0} s; restart to ready: mean {readyTimes.Average():F1} s, max {readyTimes.Max():F1} s");
        var completion = Stopwatch.StartNew();
        var running = await driving;
        Log(running.Count == 0
            ? $"every instance ended {completion.Elapsed.TotalSeconds:F0} s after the last kill"
            : $"timed out after {completion.Elapsed.TotalSeconds:F0} s with {running.Count} instances still running: {string.Join(", ", running.Take(10))}");
        var stuck = await RestartIfStuckAsync(deployment, driver, running);

        await FinishAsync(deployment, driver, instanceIds, TimeSpan.FromSeconds(30), ("instances wedged until a restart", stuck));
    }
}

/// <summary>
/// Two hosts on one task hub and one database (four control-queue partitions spread over them), 30
/// instances driven by events whose requests alternate between the hosts (half of the steps' dones sent
/// twice at the same moment, one to each host: exactly one takes effect), and one host killed with
/// SIGKILL five times while the other keeps serving (and restarted each time): the same guarantees as
/// the SIGKILL campaign, across hosts.
/// </summary>
[Collection(FleetCampaignCollection.Name)]
public sealed class FleetCampaignTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
    : FaultCampaignTests(azurite, postgres, output)
{
    private const int Instances = 30;
    private const int Kills = 5;

    [Fact]
    public async Task TwoHosts_OneKilledHardFiveTimesWhileEventsAlternateAndConflictBetweenThem_NoForkNoLostEventNoDuplicateNotification()
    {
        await using var deployment = await DeployAsync(hosts: 2);
        var other = await deployment.StartHostAsync(1);
        Log($"second host ready (pid {other.Id})");
        // Half of the dones go twice at the same moment, one request to each host.
        await using var driver = new EventDriver(deployment, Seed) { SendConflictingDones = true };
        var campaignOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        driver.HoldLastStepUntil = campaignOver.Task;
        var instanceIds = await StartInstancesAsync(deployment, driver, Instances);

        using var deadline = new CancellationTokenSource();
        var driving = driver.DriveAsync(TimeSpan.FromMinutes(20), deadline.Token);
        var random = new Random(Seed);
        try
        {
            // After each kill the other host serves alone for a while: it takes over the killed host's partitions.
            await KillFirstHostAsync(deployment, driver, random, Kills, before: (1_000, 8_000), down: (2_000, 10_000));
        }
        finally
        {
            campaignOver.TrySetResult();
            deadline.CancelAfter(CompletionTimeout);
        }
        var running = await driving;
        Log(running.Count == 0 ? "every instance ended" : $"timed out with {running.Count} instances still running: {string.Join(", ", running.Take(10))}");
        var stuck = await RestartIfStuckAsync(deployment, driver, running);
        if (deployment.Processes[1] is { HasExited: true })
            Log("the second host had exited");

        var pairs = driver.ConflictingDones;
        var resolved = pairs.Count(p => new[] { p.First.Code, p.Second.Code }.Order().SequenceEqual([200, 409]));
        Log($"simultaneous identical dones: {pairs.Count} pairs, {resolved} answered one 200 and one 409");
        // The conflicts really happened, and were answered while both hosts served.
        Assert.True(resolved >= 10, $"only {resolved} of {pairs.Count} simultaneous pairs of dones got two definite answers");

        await FinishAsync(deployment, driver, instanceIds, TimeSpan.FromSeconds(30), ("instances wedged until a restart", stuck));
    }
}

/// <summary>20 instances driven by events while Azurite (the Durable store) is stopped for 30 s: the same guarantees as the SIGKILL campaign.</summary>
[Collection(AzuriteOutageCollection.Name)]
public sealed class AzuriteOutageTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
    : FaultCampaignTests(azurite, postgres, output)
{
    private const int Instances = 20;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Four workflow hours per real second: a turn the outage interrupts runs again at least 30 s (five
    /// workflow days) later, past the due dates and reminders of the steps it acted on. A turn that
    /// decides on the time of its execution instead of the time in its history decides differently then.
    /// </summary>
    private const double OutageTimeScale = 14_400;


    [Fact]
    public async Task Serve_AzuriteStopped30sWhileEventsArrive_NoForkNoLostEventNoDuplicateNotification()
    {
        await using var deployment = await DeployAsync(OutageTimeScale);
        await using var driver = new EventDriver(deployment, Seed);
        var outageOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        driver.HoldLastStepUntil = outageOver.Task;
        var instanceIds = await StartInstancesAsync(deployment, driver, Instances);

        using var deadline = new CancellationTokenSource();
        var driving = driver.DriveAsync(TimeSpan.FromMinutes(20), deadline.Token);
        var died = new List<string>();
        try
        {
            // The outage starts mid-stream, once a good share of the state changes have been accepted, and
            // a moment after one more was: its turn (audit, notifications, history) is then in flight.
            await deployment.WaitForAsync(
                () => Task.FromResult(driver.StateEventsAccepted >= Instances * 2 ? true : (bool?)null), TimeSpan.FromMinutes(2),
                "the driver to get 2 state changes per instance accepted", TimeSpan.FromMilliseconds(200));
            var accepted = driver.StateEventsAccepted;
            await deployment.WaitForAsync(
                () => Task.FromResult(driver.StateEventsAccepted > accepted ? true : (bool?)null), TimeSpan.FromMinutes(1),
                "one more state change accepted", TimeSpan.FromMilliseconds(10));
            await Task.Delay(TimeSpan.FromMilliseconds(new Random(Seed).Next(50, 400)));
            Log($"stopping Azurite: accepted so far {driver.AcceptedNotes.Count()} notes, {driver.StateEventsAccepted} state changes");
            var stop = Stopwatch.StartNew();
            await Azurite.StopAsync();
            Log($"Azurite stopped ({stop.Elapsed.TotalSeconds:F1} s to shut down); events keep arriving");
            // The fault window itself: the outage lasts this long whatever happens meanwhile.
            await Task.Delay(Outage);
            await Azurite.StartAsync();
            Log($"Azurite back after {stop.Elapsed.TotalSeconds:F1} s; accepted so far {driver.AcceptedNotes.Count()} notes, {driver.StateEventsAccepted} state changes");
            if (await RestartIfExitedAsync(deployment, "during the Azurite outage") is { } exit)
                died.Add(exit);
        }
        finally
        {
            outageOver.TrySetResult();
            deadline.CancelAfter(CompletionTimeout);
        }
        var completion = Stopwatch.StartNew();
        var running = await driving;
        Log(running.Count == 0
            ? $"every instance ended {completion.Elapsed.TotalSeconds:F0} s after the outage"
            : $"timed out after {completion.Elapsed.TotalSeconds:F0} s with {running.Count} instances still running: {string.Join(", ", running.Take(10))}");
        var stuck = (await RestartIfStuckAsync(deployment, driver, running)).ToArray();

        // Instances that took no step after the storage came back, until serve was restarted, then
        // finished with nothing lost or doubled: the Azure Storage provider's own stall (upstream
        // Azure/durabletask#590), left open in issue 9 (an operator restarts serve; health checks are issue 11).
        // It is printed, not counted: the test asserts what issue 9 asks of the outage.
        foreach (var wedged in stuck)
            Log($"known provider stall, resumed after a restart: {wedged}");
        await FinishAsync(deployment, driver, instanceIds, TimeSpan.FromSeconds(30), ("serve died during the outage", died));
    }
}

/// <summary>
/// PostgreSQL (the audit registry, inbox and outbox) stopped while instances act: <c>done</c> and
/// notes posted just before and during the outage. No instance may fail; the instances stay
/// <c>running</c> (showing, where the view has it, that they wait for the audit store), then complete
/// once PostgreSQL is back, with every accepted event applied once and every notification once.
/// </summary>
public abstract class PostgresOutageTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
    : FaultCampaignTests(azurite, postgres, output)
{
    private const int Instances = 10;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    private protected async Task RunAsync(TimeSpan outage)
    {
        await using var deployment = await DeployAsync();
        await using var driver = new EventDriver(deployment, Seed) { NotesPerStep = (0, 1) };
        var instanceIds = await StartInstancesAsync(deployment, driver, Instances);

        // Some history first: a note on the contract, then its done; both branches after it become active.
        await Task.WhenAll(instanceIds.Select(id => ActAsync(deployment, driver, id, noteOn: "contract", doneOn: "contract", awaitNote: true)));
        await Task.WhenAll(instanceIds.Select(id => WaitForStepAsync(deployment, driver, id, "billing-setup", "active")));
        Log("every instance has its contract done and billing and legal active");

        // Half act just before the outage, half during it: a note on the legal branch and done on billing, at the same moment.
        var half = instanceIds.Count / 2;
        var before = await Task.WhenAll(instanceIds.Take(half).Select(id => ActAsync(deployment, driver, id, noteOn: "legal-review", doneOn: "billing-setup", awaitNote: false)));
        var outageClock = Stopwatch.StartNew();
        await Postgres.StopAsync();
        var outageStarted = DateTimeOffset.UtcNow;
        Log($"PostgreSQL stopped ({outageClock.Elapsed.TotalSeconds:F1} s to shut down) right after {half} instances acted (note, done: {Outcomes(before)})");
        var during = await Task.WhenAll(instanceIds.Skip(half).Select(id => ActAsync(deployment, driver, id, noteOn: "legal-review", doneOn: "billing-setup", awaitNote: false)));
        Log($"{instanceIds.Count - half} instances acted during the outage (note, done: {Outcomes(during)})");

        // Watch every instance through the outage: it must stay running.
        var failedDuring = new Dictionary<string, string>(StringComparer.Ordinal);
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        var waitingProblems = new List<string>();
        var viewHasWaitingFor = false;
        var polls = 0;
        while (outageClock.Elapsed < outage)
        {
            if (failedDuring.Count == instanceIds.Count)
            {
                Log("every instance has ended during the outage: nothing more to watch, PostgreSQL comes back early");
                break;
            }
            foreach (var id in instanceIds)
            {
                if (failedDuring.ContainsKey(id) || await driver.TryGetAsync(id) is not { } view)
                    continue;
                var status = view.GetProperty("status").GetString()!;
                if (status != "running")
                {
                    failedDuring[id] = $"{id}: {status} {outageClock.Elapsed.TotalSeconds:F0} s into the outage";
                    Log(failedDuring[id]);
                }
                if (view.TryGetProperty("waitingFor", out var waitingFor))
                {
                    viewHasWaitingFor = true;
                    if (waitingFor.ValueKind == JsonValueKind.Object)
                        CheckWaitingFor(id, waitingFor, outageStarted, waiting, waitingProblems);
                }
            }
            polls++;
            // Poll about every 2 s until the outage has lasted long enough (whole milliseconds: a shorter delay completes at once).
            var left = Math.Ceiling((outage - outageClock.Elapsed).TotalMilliseconds);
            if (left > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(left, 2_000)));
        }
        await Postgres.StartAsync();
        deployment.Database.Clear();
        Log($"PostgreSQL back after {outageClock.Elapsed.TotalSeconds:F0} s; {polls} polls: {Instances - failedDuring.Count} of {Instances} instances stayed running, "
            + $"{waiting.Count} showed waitingFor{(waiting.Count > 0 ? $" (e.g. {waiting.First().Value})" : viewHasWaitingFor ? "" : " (the view has no such field: not asserted)")}");
        // Where the view has the field, an instance whose event arrived during the outage must have said that it waits
        // (those that acted just before may have finished their turn before PostgreSQL went down).
        var neverWaiting = viewHasWaitingFor
            ? instanceIds.Skip(half).Where(id => !waiting.ContainsKey(id) && !failedDuring.ContainsKey(id)).Select(id => $"{id}: acted during the outage, never showed waitingFor")
            : [];
        var died = new List<string>();
        if (await RestartIfExitedAsync(deployment, "during the PostgreSQL outage") is { } exit)
            died.Add(exit);

        var completion = Stopwatch.StartNew();
        var running = await driver.DriveAsync(CompletionTimeout);
        Log(running.Count == 0
            ? $"every instance ended {completion.Elapsed.TotalSeconds:F0} s after PostgreSQL returned"
            : $"timed out after {completion.Elapsed.TotalSeconds:F0} s with {running.Count} instances still running: {string.Join(", ", running.Take(10))}");
        var stuck = await RestartIfStuckAsync(deployment, driver, running);

        // Once the audit store is back and the instance has completed, it no longer waits for it (asserted only where the view has the field).
        var stillWaiting = driver.Final
            .Where(f => f.Value.TryGetProperty("waitingFor", out var w) && w.ValueKind == JsonValueKind.Object)
            .Select(f => $"{f.Key}: {f.Value.GetProperty("status").GetString()} with waitingFor {f.Value.GetProperty("waitingFor").GetRawText()}");

        await FinishAsync(deployment, driver, instanceIds, TimeSpan.FromSeconds(60),
            ("instances wedged until a restart", stuck),
            ("instances still showing waitingFor at the end", stillWaiting),
            ("instances not running during the outage", failedDuring.Values),
            ("waitingFor that does not say the audit store, since when and why", waitingProblems),
            ("instances that did not show they wait for the audit store", neverWaiting),
            ("serve died during the outage", died));
    }

    /// <summary>Posts a note on one step and done on another (the same step: after the note is audited), as their owners would.</summary>
    private async Task<(RequestOutcome Note, RequestOutcome Done)> ActAsync(
        CoordinatorDeployment deployment, EventDriver driver, string instanceId, string noteOn, string doneOn, bool awaitNote)
    {
        var view = await WaitForStepAsync(deployment, driver, instanceId, doneOn, "active");
        string Owner(string stepId) => view.GetProperty("steps").EnumerateArray()
            .Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty("owners")[0].GetString()!;
        var note = driver.PostNoteAsync(instanceId, noteOn, Owner(noteOn));
        if (awaitNote)
        {
            var sent = await note;
            Assert.True(sent.Outcome == RequestOutcome.Accepted, $"{instanceId}: note on {noteOn} answered {sent.StatusCode}");
            await deployment.WaitForAsync(
                async () => await driver.ConfirmNotesAsync() && driver.IsConfirmed(sent) ? true : (bool?)null,
                StepTimeout, $"the note {sent.Token} in the audit", TimeSpan.FromMilliseconds(200));
        }
        var done = driver.PostStateEventAsync(instanceId, doneOn, "active", "done", new { type = "done", by = Owner(doneOn) });
        await Task.WhenAll(note, done);
        // Not asserted: an honest refusal during an outage is allowed; the driver sends it again afterwards.
        return ((await note).Outcome, await done);
    }

    private static string Outcomes(IEnumerable<(RequestOutcome Note, RequestOutcome Done)> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Count()}x {g.Key.Note}/{g.Key.Done}"));

    private static Task<JsonElement> WaitForStepAsync(CoordinatorDeployment deployment, EventDriver driver, string instanceId, string stepId, string status) =>
        deployment.WaitForAsync(
            async () => await driver.TryGetAsync(instanceId) is { } view && CoordinatorDeployment.StepStatus(view, stepId) == status ? view : (JsonElement?)null,
            StepTimeout, $"{instanceId} step {stepId} {status}", TimeSpan.FromMilliseconds(200));

    /// <summary>
    /// The lead's contract (assumed, asserted only when the field is there): <c>waitingFor</c> is
    /// <c>{ "store": "audit", "since": time, "lastError": text }</c>, since no earlier than shortly before the outage.
    /// </summary>
    private static void CheckWaitingFor(string id, JsonElement waitingFor, DateTimeOffset outageStarted, Dictionary<string, string> seen, List<string> problems)
    {
        var store = waitingFor.TryGetProperty("store", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var since = waitingFor.TryGetProperty("since", out var t) && t.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, out var at) ? at : (DateTimeOffset?)null;
        var lastError = waitingFor.TryGetProperty("lastError", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var text = waitingFor.GetRawText();
        seen.TryAdd(id, text.Length > 200 ? text[..200] : text);
        if (store != "audit" || since is null || string.IsNullOrWhiteSpace(lastError) || since < outageStarted - TimeSpan.FromMinutes(1) || since > DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1))
        {
            var problem = $"{id}: {text}";
            if (!problems.Contains(problem))
                problems.Add(problem);
        }
    }
}

[Collection(PostgresShortOutageCollection.Name)]
public sealed class PostgresShortOutageTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
    : PostgresOutageTests(azurite, postgres, output)
{
    [Fact]
    public Task Serve_PostgresStopped100sWhileInstancesAct_NoInstanceFailsAndEveryEventAppliedOnce() => RunAsync(TimeSpan.FromSeconds(100));
}

[Collection(PostgresLongOutageCollection.Name)]
public sealed class PostgresLongOutageTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
    : PostgresOutageTests(azurite, postgres, output)
{
    [Fact]
    public Task Serve_PostgresStopped3MinWhileInstancesAct_NoInstanceFailsAndEveryEventAppliedOnce() => RunAsync(TimeSpan.FromMinutes(3));
}
