using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>
/// Everything a fault test checks at its end, collected (not asserted one by one) so that a failing
/// run prints every defect it found with the instance, action number and keys involved: forks of the
/// audit, repeated step transitions, gaps in an instance's action numbers, accepted notes lost or
/// applied twice, notifications sent twice, missing or without an audited action, instances that did
/// not complete, <c>coordinator audit verify</c>, and what the driver itself got wrong.
/// </summary>
internal sealed class FaultFindings
{
    private const int LinesPerKind = 15;

    private FaultFindings()
    {
    }

    /// <summary>Two different audited actions with the same (instance, action number).</summary>
    public List<string> Forks { get; } = [];

    /// <summary>
    /// Turns the audit refused (<c>action.superseded</c>): a re-executed turn proposed another turn where a
    /// lost execution had recorded one. Expected after a hard kill, and not a defect by itself: the
    /// orchestrator follows the recorded turn and performs the refused one afterwards (see <see cref="UnfollowedRefusals"/>).
    /// </summary>
    public List<string> RefusedTurns { get; } = [];

    /// <summary>
    /// A refused event turn whose event (<c>detail.turn</c>) no recorded turn of the instance applied
    /// afterwards: the event was lost. (A refused timer turn has no input to lose: after the recorded
    /// turn, the engine decides anew what is due, and a note may well have made the escalation moot.)
    /// </summary>
    public List<string> UnfollowedRefusals { get; } = [];

    /// <summary>A step activated or completed more than once.</summary>
    public List<string> RepeatedTransitions { get; } = [];

    /// <summary>An instance whose action numbers are not 1..N, or without exactly one start and one completion.</summary>
    public List<string> IncompleteAudits { get; } = [];

    /// <summary>A note answered 2xx that is not in the audit of its instance.</summary>
    public List<string> LostNotes { get; } = [];

    /// <summary>A note (accepted or of unknown outcome) in the audit more than once.</summary>
    public List<string> RepeatedNotes { get; } = [];

    /// <summary>A notification idempotency key stored more than once.</summary>
    public List<string> DuplicateNotifications { get; } = [];

    /// <summary>An audited action addressed to people without its notification, or a notification without its audited action.</summary>
    public List<string> MismatchedNotifications { get; } = [];

    /// <summary>An instance that did not end completed with every step done or skipped.</summary>
    public List<string> NotCompleted { get; } = [];

    /// <summary>Completed instances that people's work lists still show as running, or with open items (the read model of open work).</summary>
    public List<string> StaleWork { get; } = [];

    /// <summary>A state change answered 2xx that the audit never shows applied (no turn with its event id), or shows applied twice.</summary>
    public List<string> LostStateEvents { get; } = [];

    /// <summary>Refused turns of the second of two identical dones, rejected after the first one's turn was followed (not a defect).</summary>
    public int RefusedDuplicates { get; private set; }

    /// <summary>Simultaneous identical dones that did not resolve to exactly one effect.</summary>
    public List<string> UnresolvedConflicts { get; } = [];

    /// <summary>A state change answered 2xx that took effect only after the driver's patience ran out (a stalled instance); not a defect when the audit shows it applied once.</summary>
    public List<string> LateStateEvents { get; } = [];

    /// <summary>Problems of the test's own making (a 400 or 404 to the driver): the run proves nothing until they are fixed.</summary>
    public List<string> HarnessProblems { get; } = [];

    /// <summary>Defects the scenario itself observed on the way (an instance that failed during an outage, a host that died).</summary>
    public List<(string Title, List<string> Items)> ScenarioFindings { get; } = [];

    public int AcceptedNotes { get; private set; }

    public int UnknownNotes { get; private set; }

    public int UnknownNotesApplied { get; private set; }

    public int AuditRows { get; private set; }

    public int Notifications { get; private set; }

    public int VerifyExitCode { get; private set; }

    public string VerifyOutput { get; private set; } = "";

    public bool IsClean =>
        Forks.Count + UnfollowedRefusals.Count + RepeatedTransitions.Count + IncompleteAudits.Count + LostNotes.Count + RepeatedNotes.Count
        + DuplicateNotifications.Count + MismatchedNotifications.Count + NotCompleted.Count + StaleWork.Count + LostStateEvents.Count + UnresolvedConflicts.Count + HarnessProblems.Count
        + ScenarioFindings.Sum(f => f.Items.Count) == 0
        && VerifyExitCode == 0;

    /// <summary>Adds what the scenario saw on the way; each item counts as a defect.</summary>
    public void AddScenarioFindings(string title, IEnumerable<string> items) => ScenarioFindings.Add((title, [.. items]));

    /// <summary>
    /// Checks the deployment's database and the driver's ledger. <paramref name="finals"/> holds the
    /// last view of every instance the test drove (instances missing from it did not end in time).
    /// Waits up to <paramref name="notificationsSettle"/> for notifications still being delivered
    /// (retried effects) before calling any missing.
    /// </summary>
    public static async Task<FaultFindings> CollectAsync(
        CoordinatorDeployment deployment, EventDriver driver, IReadOnlyCollection<string> instanceIds, IReadOnlyDictionary<string, JsonElement> finals,
        TimeSpan notificationsSettle)
    {
        var findings = new FaultFindings();
        await using var connection = await deployment.Database.OpenConnectionAsync();

        // Engine actions carry detail.sequence (the engine's action number); side-effect reports are not actions.
        const string EngineActions = "detail ? 'sequence' AND action NOT LIKE 'side\\_effect.%'";
        foreach (var fork in await connection.QueryAsync<(string InstanceId, string Sequence, string Keys)>(
            $"""
            SELECT instance_id, detail ->> 'sequence', string_agg(idempotency_key || ' (seq ' || seq || ')', ' | ' ORDER BY seq)
            FROM audit_log WHERE {EngineActions} GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, (detail ->> 'sequence')::bigint
            """))
        {
            findings.Forks.Add($"{fork.InstanceId} action {fork.Sequence}: {fork.Keys}");
        }
        foreach (var refused in await connection.QueryAsync<(string InstanceId, long Seq, string Detail)>(
            "SELECT instance_id, seq, detail::text FROM audit_log WHERE action = 'action.superseded' ORDER BY seq"))
        {
            findings.RefusedTurns.Add($"{refused.InstanceId} (seq {refused.Seq}): {refused.Detail}");
        }
        var unfollowedRefusals = (await connection.QueryAsync<(string InstanceId, long Seq, string? Turn, string? EventId)>(
            """
            SELECT s.instance_id, s.seq, (s.detail -> 'refusedDetail' -> 'turn')::text, s.detail -> 'refusedDetail' -> 'turn' -> 'event' ->> 'eventId'
            FROM audit_log s
            WHERE s.action = 'action.superseded'
              AND NOT coalesce(s.detail -> 'refusedDetail' -> 'turn' ? 'timer', false)
              AND NOT EXISTS (SELECT 1 FROM audit_log a
                              WHERE a.instance_id = s.instance_id AND a.detail ? 'sequence'
                                AND a.detail -> 'turn' = s.detail -> 'refusedDetail' -> 'turn')
            ORDER BY s.seq
            """)).ToList();
        foreach (var repeated in await connection.QueryAsync<(string InstanceId, string StepId, string Action, long Count, string Sequences)>(
            """
            SELECT instance_id, step_id, action, count(*), string_agg(detail ->> 'sequence', ', ' ORDER BY seq)
            FROM audit_log WHERE action IN ('step.activated', 'step.completed') GROUP BY 1, 2, 3 HAVING count(*) > 1 ORDER BY 1, 2
            """))
        {
            findings.RepeatedTransitions.Add($"{repeated.InstanceId} {repeated.StepId}: {repeated.Action} {repeated.Count} times (actions {repeated.Sequences})");
        }

        var actions = (await connection.QueryAsync<(string InstanceId, long Sequence, string Action)>(
            $"SELECT instance_id, (detail ->> 'sequence')::bigint, action FROM audit_log WHERE {EngineActions}")).ToLookup(a => a.InstanceId, StringComparer.Ordinal);
        foreach (var instanceId in instanceIds)
        {
            var own = actions[instanceId].ToArray();
            var numbers = own.Select(a => a.Sequence).ToHashSet();
            var max = numbers.Count == 0 ? 0 : numbers.Max();
            var missing = Enumerable.Range(1, (int)max).Select(i => (long)i).Where(i => !numbers.Contains(i)).ToArray();
            var started = own.Count(a => a.Action == "instance.started");
            var completed = own.Count(a => a.Action == "instance.completed");
            if (missing.Length > 0 || started != 1 || completed != 1)
            {
                findings.IncompleteAudits.Add(
                    $"{instanceId}: actions 1..{max}{(missing.Length > 0 ? $", missing {string.Join(", ", missing.Take(10))}" : "")}; instance.started {started}x, instance.completed {completed}x");
            }
        }
        var table = await connection.QuerySingleAsync<(long Count, long Min, long Max)>("SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM audit_log");
        findings.AuditRows = (int)table.Count;
        if (table.Count > 0 && (table.Min != 1 || table.Max != table.Count))
            findings.IncompleteAudits.Add($"audit_log.seq is not gapless: {table.Count} rows, seq {table.Min}..{table.Max}");

        var copies = (await connection.QueryAsync<(string InstanceId, string Text, long Count, string Where)>(
            """
            SELECT instance_id, detail ->> 'text', count(*), string_agg('action ' || (detail ->> 'sequence') || ' seq ' || seq, ', ' ORDER BY seq)
            FROM audit_log WHERE action = 'step.progress' AND detail ? 'text' GROUP BY 1, 2
            """))
            .ToDictionary(t => (t.InstanceId, t.Text), t => (t.Count, t.Where));
        var texts = copies.ToDictionary(c => c.Key, c => c.Value.Count);
        foreach (var note in driver.Notes)
        {
            var count = texts.GetValueOrDefault((note.InstanceId, note.Token));
            if (note.Outcome == RequestOutcome.Accepted)
            {
                findings.AcceptedNotes++;
                if (count == 0)
                    findings.LostNotes.Add($"{note.InstanceId} {note.StepId}: {note.Token} (answered {note.StatusCode})");
            }
            else if (note.Outcome == RequestOutcome.Unknown)
            {
                findings.UnknownNotes++;
                findings.UnknownNotesApplied += count > 0 ? 1 : 0;
            }
            if (count > 1)
                findings.RepeatedNotes.Add($"{note.InstanceId} {note.StepId}: {note.Token} ({note.Outcome}) {count} times: {copies[(note.InstanceId, note.Token)].Where}");
        }

        foreach (var key in await connection.QueryAsync<string>(
            """
            SELECT key FROM notifications
            GROUP BY key, person_id HAVING count(*) > 1 ORDER BY 1
            """))
        {
            findings.DuplicateNotifications.Add(key);
        }
        findings.Notifications = await connection.QuerySingleAsync<int>("SELECT count(DISTINCT key)::int FROM notifications");
        // An instance completes only once its last projection is in: its work must be gone from people's lists.
        var completedIds = finals.Where(f => f.Value.GetProperty("status").GetString() == "completed").Select(f => f.Key).ToArray();
        var work = (await connection.QueryAsync<(string InstanceId, bool Completed, long Items, long People)>(
            """
            SELECT w.instance_id, w.completed,
                   (SELECT count(*) FROM work_items i WHERE i.instance_id = w.instance_id),
                   (SELECT count(*) FROM work_people p WHERE p.instance_id = w.instance_id)
            FROM work_instances w WHERE w.instance_id = ANY(@completedIds)
            """, new { completedIds })).ToDictionary(w => w.InstanceId, StringComparer.Ordinal);
        foreach (var instanceId in completedIds)
        {
            if (!work.TryGetValue(instanceId, out var row))
                findings.StaleWork.Add($"{instanceId}: completed, but never in the work lists");
            else if (!row.Completed || row.Items > 0 || row.People > 0)
                findings.StaleWork.Add($"{instanceId}: completed, but listed as {(row.Completed ? "completed" : "running")} with {row.Items} open items and {row.People} people");
        }

        // A failed instance delivers nothing more: only live ones are given time for late deliveries.
        var ended = finals.Where(f => f.Value.GetProperty("status").GetString() is "failed" or "terminated").Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        await CompareNotificationsAsync(deployment, driver, instanceIds, ended, findings, notificationsSettle);

        foreach (var instanceId in instanceIds)
        {
            if (!finals.TryGetValue(instanceId, out var final))
            {
                findings.NotCompleted.Add($"{instanceId}: still running when the driver gave up");
                continue;
            }
            var status = final.GetProperty("status").GetString();
            var unfinished = final.GetProperty("steps").EnumerateArray()
                .Where(s => s.GetProperty("status").GetString() is not ("done" or "skipped"))
                .Select(s => $"{s.GetProperty("stepId").GetString()} {s.GetProperty("status").GetString()}").ToArray();
            if (status != "completed" || unfinished.Length > 0)
                findings.NotCompleted.Add($"{instanceId}: {status}{(unfinished.Length > 0 ? $" ({string.Join(", ", unfinished)})" : "")}");
        }

        // Every accepted state change is applied exactly once: one turn whose cause (detail.turn) is its event.
        var applied = (await connection.QueryAsync<(string EventId, long Count)>(
            """
            SELECT detail -> 'turn' -> 'event' ->> 'eventId', count(*) FROM audit_log
            WHERE detail ? 'sequence' AND detail -> 'turn' ? 'event' GROUP BY 1
            """)).ToDictionary(r => r.EventId, r => r.Count, StringComparer.Ordinal);
        foreach (var accepted in driver.AcceptedStateEvents)
        {
            var times = accepted.EventId is { } id ? applied.GetValueOrDefault(id) : 0;
            if (times != 1)
            {
                findings.LostStateEvents.Add(
                    $"{accepted.InstanceId} {accepted.StepId}: {accepted.Type} answered 2xx at {accepted.At.TotalSeconds:F0} s (event {accepted.EventId ?? "without an id"}) applied {times} times");
            }
        }
        // Two identical dones at the same moment (through different hosts): the step completed once, by at most one of
        // the two, and a definite answer of 200 only for that one. The turn that completed it names its event on its
        // first row, which is not the completion when something fell due before the event (a reminder folded into the
        // done's turn): a turn's rows are consecutive, so the cause is the latest row of the instance that names one.
        var completionRows = (await connection.QueryAsync<(string InstanceId, string StepId, string? EventId)>(
            """
            SELECT c.instance_id, c.step_id,
                   (SELECT t.detail -> 'turn' -> 'event' ->> 'eventId' FROM audit_log t
                    WHERE t.instance_id = c.instance_id AND t.seq <= c.seq AND t.detail ? 'turn' AND t.action <> 'action.superseded'
                    ORDER BY t.seq DESC LIMIT 1)
            FROM audit_log c WHERE c.action = 'step.completed'
            """)).ToList();
        var completions = completionRows.CountBy(r => (r.InstanceId, r.StepId)).ToDictionary(c => c.Key, c => (long)c.Value);
        var completedBy = completionRows.Where(r => r.EventId is not null).CountBy(r => r.EventId!, StringComparer.Ordinal)
            .ToDictionary(c => c.Key, c => (long)c.Value, StringComparer.Ordinal);
        foreach (var pair in driver.ConflictingDones)
        {
            var answers = new[] { pair.First, pair.Second };
            var appliedOfPair = answers.Count(a => a.EventId is { } id && completedBy.GetValueOrDefault(id) > 0);
            var definite = answers.All(a => a.Code is 200 or 409);
            var completed = completions.GetValueOrDefault((pair.InstanceId, pair.StepId));
            // With two definite answers, the 200s are the ones that completed it: one 200 and one 409, or two 409s when
            // the pair was sent on a stale view after another done had completed the step.
            if (appliedOfPair > 1 || completed != 1 || (definite && answers.Count(a => a.Code == 200) != appliedOfPair))
            {
                findings.UnresolvedConflicts.Add(
                    $"{pair.InstanceId} {pair.StepId}: two dones answered {pair.First.Code} and {pair.Second.Code}, {appliedOfPair} of them completed it (by event id), the step completed {completed} times");
            }
        }
        // A refused turn's event must be applied afterwards, except the second of two identical dones: once the turn of
        // the first is followed, the engine rejects it (the step is done), which the pair check above judges.
        var rejectedDuplicates = driver.ConflictingDones
            .SelectMany(p => new[] { (Mine: p.First, Partner: p.Second), (Mine: p.Second, Partner: p.First) })
            .Where(p => p.Mine.EventId is not null && p.Partner.EventId is { } partner && completedBy.GetValueOrDefault(partner) == 1)
            .Select(p => p.Mine.EventId!)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var unfollowed in unfollowedRefusals)
        {
            if (unfollowed.EventId is { } id && rejectedDuplicates.Contains(id))
            {
                findings.RefusedDuplicates++;
                continue;
            }
            findings.UnfollowedRefusals.Add($"{unfollowed.InstanceId} (seq {unfollowed.Seq}): refused turn {unfollowed.Turn ?? "(no cause recorded: not the first action of a turn)"} never applied afterwards");
        }
        findings.LateStateEvents.AddRange(driver.LostStateEvents);
        findings.HarnessProblems.AddRange(driver.HarnessProblems);
        (findings.VerifyExitCode, findings.VerifyOutput) = await deployment.RunAuditVerifyAsync(TimeSpan.FromMinutes(2));
        return findings;
    }

    /// <summary>The instance's notifications are exactly its audited actions addressed to people; waits a bounded time for late deliveries.</summary>
    private static async Task CompareNotificationsAsync(
        CoordinatorDeployment deployment, EventDriver driver, IReadOnlyCollection<string> instanceIds, IReadOnlySet<string> ended, FaultFindings findings, TimeSpan settle)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var mismatched = new List<string>();
            var mayStillArrive = false;
            await using (var connection = await deployment.Database.OpenConnectionAsync())
            {
                var addressed = (await connection.QueryAsync<(string InstanceId, string Key)>(
                    "SELECT instance_id, idempotency_key FROM audit_log WHERE jsonb_array_length(coalesce(detail -> 'to', '[]')) > 0"))
                    .ToLookup(r => r.InstanceId, r => r.Key, StringComparer.Ordinal);
                foreach (var instanceId in instanceIds)
                {
                    var notified = (await deployment.Inbox.OfInstanceAsync(instanceId)).Select(n => n.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
                    var audited = addressed[instanceId].ToHashSet(StringComparer.Ordinal);
                    foreach (var key in audited.Except(notified).Order(StringComparer.Ordinal))
                    {
                        mismatched.Add($"{key}: audited, addressed to people, never notified");
                        mayStillArrive |= !ended.Contains(instanceId);
                    }
                    foreach (var key in notified.Except(audited).Order(StringComparer.Ordinal))
                        mismatched.Add($"{key}: notified, but no such action in the audit");
                }
            }
            if (!mayStillArrive || clock.Elapsed >= settle)
            {
                findings.MismatchedNotifications.AddRange(await AnnotatePendingAsync(driver, mismatched));
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>
    /// Says of each missing notification whether the instance view still mentions its key (an effect
    /// the instance knows it owes and retries later) or not (forgotten). Either way it is a defect of
    /// this run: the test waited as long as it can.
    /// </summary>
    private static async Task<IEnumerable<string>> AnnotatePendingAsync(EventDriver driver, List<string> mismatched)
    {
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        var annotated = new List<string>();
        foreach (var line in mismatched)
        {
            var key = line[..line.IndexOf(": ", StringComparison.Ordinal)];
            var instanceId = driver.InstanceIds.FirstOrDefault(id => key.StartsWith(id + ":", StringComparison.Ordinal));
            if (instanceId is null || !line.Contains("never notified", StringComparison.Ordinal))
            {
                annotated.Add(line);
                continue;
            }
            if (!views.TryGetValue(instanceId, out var view))
                views[instanceId] = view = (await driver.TryGetAsync(instanceId))?.GetRawText() ?? "";
            annotated.Add(line + (view.Contains(key, StringComparison.Ordinal) ? " (the instance view still lists it: owed, to be retried)" : " (not in the instance view)"));
        }
        return annotated;
    }

    /// <summary>A report of the counts and, per kind of defect, the first cases.</summary>
    public string Report()
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"audit rows {AuditRows}, notifications {Notifications}; notes accepted {AcceptedNotes}, of unknown outcome {UnknownNotes} ({UnknownNotesApplied} of them applied)");
        Section(report, "forks (two different actions with one action number)", Forks);
        Section(report, "refused event turns whose event was never applied afterwards", UnfollowedRefusals);
        Section(report, "turns refused by the audit and followed (action.superseded; not a defect)", RefusedTurns);
        Section(report, "steps activated or completed more than once", RepeatedTransitions);
        Section(report, "incomplete audits", IncompleteAudits);
        Section(report, "accepted notes lost", LostNotes);
        Section(report, "notes applied more than once", RepeatedNotes);
        Section(report, "notifications stored more than once", DuplicateNotifications);
        Section(report, "notifications and audit disagree", MismatchedNotifications);
        Section(report, "instances not completed", NotCompleted);
        Section(report, "completed instances still in people's work lists", StaleWork);
        Section(report, "accepted state changes not applied exactly once (by event id, in the audit)", LostStateEvents);
        Section(report, "simultaneous identical dones not resolved to exactly one effect", UnresolvedConflicts);
        Section(report, "accepted state changes that took effect late (after the driver's patience; applied once)", LateStateEvents);
        foreach (var (title, items) in ScenarioFindings)
            Section(report, title, items);
        Section(report, "HARNESS problems (the test's own fault)", HarnessProblems);
        report.AppendLine(CultureInfo.InvariantCulture, $"coordinator audit verify: exit {VerifyExitCode}: {VerifyOutput}");
        return report.ToString();
    }

    private static void Section(StringBuilder report, string title, List<string> items)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"{title}: {items.Count}");
        foreach (var item in items.Take(LinesPerKind))
            report.AppendLine(CultureInfo.InvariantCulture, $"    {item}");
        if (items.Count > LinesPerKind)
            report.AppendLine(CultureInfo.InvariantCulture, $"    ... and {items.Count - LinesPerKind} more");
    }
}
