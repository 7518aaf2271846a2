using System.Globalization;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;
using Coordinator.Core.Ports;

namespace Coordinator.Hosting.Inbox;

/// <summary>Renders the inbox page: the people, one person's decisions, steps and notifications, and the forms to act.</summary>
internal static class InboxPage
{
    /// <summary>How many notifications the page lists.</summary>
    public const int NotificationsShown = 25;

    /// <summary>The most running instances the welcome page lists (newest first).</summary>
    public const int RunningShown = 50;

    public static string Render(
        IReadOnlyList<KnownPerson> people, PersonInbox? inbox, IReadOnlyList<WorkflowDefinition> workflows, IReadOnlyList<RunningInstance> running,
        Flash? flash, string token, int? reloadAfterSeconds = null)
    {
        var html = new Html();
        html.Add($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            """);
        if (reloadAfterSeconds is { } seconds)
            html.Add($"""<meta http-equiv="refresh" content="{seconds}">""");
        html.Add($"""
            <title>{(inbox is null ? "Inbox" : "Inbox of " + inbox.PersonId)} · Coordinator</title>
            <style>{new Markup(Styles)}</style>
            </head>
            <body>
            <header class="top"><a class="brand" href="/">Coordinator</a><span class="product">Inbox</span><span class="spacer"></span><a href="/api/openapi.json">API</a></header>
            <div class="layout">
            """);
        RenderPeople(html, people, inbox?.PersonId);
        html.Add($"""<main>""");
        if (flash is not null)
            html.Add($"""<div class="flash {(flash.Success ? "flash-ok" : "flash-error")}" role="status">{flash.Message}</div>""");
        if (inbox is null)
            RenderWelcome(html, workflows, running, token);
        else
            RenderInbox(html, inbox, token);
        html.Add($"""
            <footer>Times are workflow times: an instance started with <code>--time-scale N</code> runs N times faster than the clock. This inbox is the built-in channel of <code>coordinator serve</code> and answers on this machine only.</footer>
            </main>
            </div>
            </body>
            </html>
            """);
        return html.ToString();
    }

    /// <summary>A plain page for refusals (not local, stale form).</summary>
    public static string Message(string title, string message)
    {
        var html = new Html();
        html.Add($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{title} · Coordinator</title><style>{new Markup(Styles)}</style></head>
            <body><header class="top"><a class="brand" href="/">Coordinator</a><span class="product">Inbox</span></header>
            <main class="narrow"><h1>{title}</h1><p>{message}</p><p><a href="/">Back to the inbox</a></p></main></body></html>
            """);
        return html.ToString();
    }

    private static void RenderPeople(Html html, IReadOnlyList<KnownPerson> people, string? current)
    {
        html.Add($"""
            <nav class="people" aria-label="People">
            <form method="get" action="/" class="pick">
            <label for="person">Open the inbox of</label>
            <div class="row"><input id="person" name="person" placeholder="person id, e.g. it.engineer" value="{current}" maxlength="{TextRules.MaxIdLength}" required><button type="submit">Open</button></div>
            </form>
            <h2>People</h2>
            <ul>
            """);
        foreach (var person in people)
        {
            html.Add($"""<li><a href="{InboxEndpoints.PersonPath(person.PersonId)}" class="{(person.PersonId == current ? "current" : "")}"{new Markup(person.PersonId == current ? " aria-current=\"page\"" : "")}><span class="name">{person.PersonId}</span><span class="roles">{string.Join(", ", person.Roles)}</span>""");
            if (person.Waiting > 0)
                html.Add($"""<span class="badge" title="items waiting">{person.Waiting}</span>""");
            html.Add($"""</a></li>""");
        }
        html.Add($"""</ul></nav>""");
    }

    private static void RenderWelcome(Html html, IReadOnlyList<WorkflowDefinition> workflows, IReadOnlyList<RunningInstance> running, string token)
    {
        html.Add($"""
            <h1>Inbox</h1>
            <p class="lead">Pick a person on the left (or type a person id, or follow a name under Running instances) to see the steps they own, the decisions waiting for them and their notifications, and to act on them.</p>
            """);
        RenderRunning(html, running);
        html.Add($"""
            <h2>Start an instance</h2>
            <p class="lead">Fill in a workflow's start form and press Start: the inbox of whoever owns the first step opens. The same can be done with <code>POST /api/workflows/{"{id}"}/instances</code> and the API key.</p>
            """);
        // Starts use the latest loaded version of each workflow, as the API does.
        foreach (var workflow in workflows.GroupBy(w => w.Id, StringComparer.Ordinal).Select(g => g.MaxBy(w => w.Version)!))
            RenderStartForm(html, workflow, token);
    }

    /// <summary>The running instances, newest first, each with the steps it waits on and whose inbox they are in.</summary>
    private static void RenderRunning(Html html, IReadOnlyList<RunningInstance> running)
    {
        html.Add($"""<section aria-labelledby="running-title"><h2 id="running-title">Running instances <span class="count">{running.Count}</span></h2>""");
        if (running.Count == 0)
        {
            html.Add($"""<p class="empty">No instance is running. Start one with a form below.</p></section>""");
            return;
        }
        html.Add($"""<table class="running"><thead><tr><th scope="col">Instance</th><th scope="col">Waiting on</th></tr></thead><tbody>""");
        foreach (var entry in running.Take(RunningShown))
        {
            var instance = entry.Instance;
            html.Add($"""<tr data-instance="{instance.InstanceId}"><td><span class="workflow">{instance.WorkflowTitle}</span>{(instance.BusinessKey is null ? "" : " · ")}<span class="key">{instance.BusinessKey}</span><div class="instance">{instance.InstanceId}</div></td><td>""");
            if (entry.Waiting.Count == 0)
            {
                html.Add($"""<span class="empty">Starting: its first turn is still running.</span>""");
            }
            else
            {
                html.Add($"""<ul class="waiting">""");
                foreach (var item in entry.Waiting)
                {
                    html.Add($"""<li data-step="{item.StepId}"><span class="pill pill-{item.Status}">{item.Status}</span> {item.Title} — {(item.Status == "blocked" ? "decision by " : "")}""");
                    for (var i = 0; i < item.People.Count; i++)
                        html.Add($"""{(i == 0 ? "" : ", ")}<a href="{InboxEndpoints.PersonPath(item.People[i])}">{item.People[i]}</a>""");
                    if (item.People.Count == 0)
                        html.Add($"""<span class="empty">nobody</span>""");
                    if (item.Due is { } due)
                        html.Add($""" <span class="{(due < instance.WorkflowNow ? "overdue" : "due")}">({DueText(due, instance.WorkflowNow)})</span>""");
                    html.Add($"""</li>""");
                }
                html.Add($"""</ul>""");
            }
            html.Add($"""</td></tr>""");
        }
        html.Add($"""</tbody></table>""");
        if (running.Count > RunningShown)
            html.Add($"""<p class="empty">The {RunningShown} newest of {running.Count} are shown; GET /api/instances?status=running lists them all.</p>""");
        html.Add($"""</section>""");
    }

    private static void RenderStartForm(Html html, WorkflowDefinition workflow, string token)
    {
        var prefix = "start-" + workflow.Id + "-";
        html.Add($"""
            <article class="card start" aria-label="{workflow.Title}">
            <div class="meta"><code>{workflow.Id}</code> v{workflow.Version} · {workflow.Steps.Count} steps</div>
            <h3>{workflow.Title}</h3>
            <form method="post" action="{InboxEndpoints.InstancesPath}" aria-label="Start {workflow.Title}">
            <input type="hidden" name="{InboxSecurity.TokenField}" value="{token}"><input type="hidden" name="workflow" value="{workflow.Id}">
            <div class="fields">
            """);
        var keyId = prefix + "business-key";
        var keyHint = workflow.BusinessKey is null
            ? "optional · names the instance; without one it gets a random id"
            : "required · names the instance; starting the same value twice finds the same instance";
        html.Add($"""<div class="field"><label for="{keyId}">{workflow.BusinessKey ?? "Business key"}</label><input id="{keyId}" name="businessKey" maxlength="{TextRules.MaxIdLength}" autocomplete="off" aria-describedby="{keyId}-hint"><small id="{keyId}-hint">{keyHint}</small></div>""");
        foreach (var field in InboxStarts.FieldsOf(workflow))
        {
            var id = prefix + field.Name;
            string hint;
            if (field.Required)
                hint = field.Roles.Count == 0 ? "required" : $"required · the person id of role {string.Join(", ", field.Roles)}";
            else
                hint = "optional · " + string.Join("; ", field.Conditions.Select(c => $"{string.Join(", ", c.Steps)} {(c.Steps.Count == 1 ? "runs" : "run")} only when it is {string.Join(" or ", c.Values)}"));
            html.Add($"""<div class="field"><label for="{id}">{field.Name}</label><input id="{id}" name="{InboxEndpoints.ContextPrefix + field.Name}" maxlength="{InboxStarts.MaxValueLength}" autocomplete="off" aria-describedby="{id}-hint"{new Markup(field.Conditions.Count > 0 ? " list=\"" + Html.Encode(id + "-values") + "\"" : "")}><small id="{id}-hint">{hint}</small>""");
            if (field.Conditions.Count > 0)
            {
                html.Add($"""<datalist id="{id}-values">""");
                foreach (var value in field.Conditions.SelectMany(c => c.Values).Distinct(StringComparer.Ordinal))
                    html.Add($"""<option value="{value}"></option>""");
                html.Add($"""</datalist>""");
            }
            html.Add($"""</div>""");
        }
        var moreId = prefix + "more-details";
        html.Add($"""<div class="field wide"><label for="{moreId}">More details</label><textarea id="{moreId}" name="{InboxStarts.MoreDetailsField}" rows="2" maxlength="{InboxStarts.MaxMoreDetailsLength}" aria-describedby="{moreId}-hint"></textarea><small id="{moreId}-hint">optional · other start context the instance keeps (GET /api/instances shows it), one name: value per line, such as system: payments-core</small></div>""");
        html.Add($"""</div><button type="submit" class="primary">Start</button></form></article>""");
    }

    private static void RenderInbox(Html html, PersonInbox inbox, string token)
    {
        html.Add($"""<h1>Inbox of <span class="who">{inbox.PersonId}</span></h1>""");
        if (!inbox.IsKnown)
            html.Add($"""<p class="warning">Nobody with the id “{inbox.PersonId}” is in a role of the loaded workflows or of a running instance. Check the spelling: person ids are case-sensitive.</p>""");

        html.Add($"""<section aria-labelledby="decisions-title"><h2 id="decisions-title">Decisions waiting for you <span class="count">{inbox.Decisions.Count}</span></h2>""");
        if (inbox.Decisions.Count == 0)
            html.Add($"""<p class="empty">No decision waits for you.</p>""");
        foreach (var decision in inbox.Decisions)
            RenderDecision(html, inbox.PersonId, decision, token);
        html.Add($"""</section>""");

        html.Add($"""<section aria-labelledby="steps-title"><h2 id="steps-title">Your steps <span class="count">{inbox.Steps.Count}</span></h2>""");
        if (inbox.Steps.Count == 0)
            html.Add($"""<p class="empty">No active step is yours right now.</p>""");
        foreach (var step in inbox.Steps)
            RenderStep(html, inbox.PersonId, step, token);
        html.Add($"""</section>""");

        html.Add($"""<section aria-labelledby="notifications-title"><h2 id="notifications-title">Recent notifications</h2>""");
        if (inbox.Notifications.Count == 0)
            html.Add($"""<p class="empty">Nothing yet.</p>""");
        else
        {
            html.Add($"""<ol class="notifications">""");
            foreach (var notification in inbox.Notifications.Take(NotificationsShown))
                RenderNotification(html, notification);
            html.Add($"""</ol>""");
        }
        html.Add($"""</section>""");
    }

    private static void RenderStep(Html html, string person, OwnedStep step, string token)
    {
        html.Add($"""<article class="card status-{step.Status}" data-step="{step.Instance.InstanceId}/{step.StepId}" aria-label="{step.Title}">""");
        RenderHeading(html, step.Instance, step.StepId, step.Title, step.Status, step.Due, step.EscalationLevel);
        if (step.Status == "blocked")
        {
            html.Add($"""<p class="block">Blocked: {step.BlockReason}. A decision on how to go on is pending.</p>""");
        }
        else
        {
            html.Add($"""<div class="actions">""");
            OpenForm(html, token, person, step.Instance.InstanceId, step.StepId, step.Title);
            html.Add($"""<button type="submit" name="type" value="done" class="primary">Mark done</button></form>""");
            OpenForm(html, token, person, step.Instance.InstanceId, step.StepId, step.Title);
            html.Add($"""<input type="hidden" name="type" value="blocked"><input name="reason" aria-label="Block reason" placeholder="What blocks it?" required maxlength="{TextRules.MaxNoteLength}"><button type="submit" class="warn">Report blocked</button></form>""");
            html.Add($"""</div>""");
        }
        OpenForm(html, token, person, step.Instance.InstanceId, step.StepId, step.Title);
        html.Add($"""<input type="hidden" name="type" value="progress"><input name="text" aria-label="Progress note" placeholder="Progress note" required maxlength="{TextRules.MaxNoteLength}"><button type="submit">Add note</button></form>""");
        html.Add($"""</article>""");
    }

    private static void RenderDecision(Html html, string person, PendingDecision decision, string token)
    {
        html.Add($"""<article class="card decision" data-step="{decision.Instance.InstanceId}/{decision.StepId}" aria-label="{decision.Title}">""");
        RenderHeading(html, decision.Instance, decision.StepId, decision.Title, decision.IsBlock ? "blocked" : "decision", decision.Due, 0);
        if (decision.IsBlock)
            html.Add($"""<p class="block">Blocked{(decision.BlockedBy is null ? "" : " by " + decision.BlockedBy)}: {decision.BlockReason}. You decide how to go on:</p>""");
        else
            html.Add($"""<p>Choose one option:</p>""");
        if (decision.IsBlock && decision.Choices.Count == 0)
        {
            // A decide event without an option resumes a block that offers no alternatives.
            OpenForm(html, token, person, decision.Instance.InstanceId, decision.StepId, decision.Title);
            html.Add($"""<input type="hidden" name="type" value="decide"><p class="empty">The workflow declares no alternatives for this block: once it is cleared up, resume the step and its owner carries on.</p><button type="submit" class="primary">Resume the step</button></form>""");
        }
        else
        {
            OpenForm(html, token, person, decision.Instance.InstanceId, decision.StepId, decision.Title);
            html.Add($"""<input type="hidden" name="type" value="decide"><div class="choices">""");
            foreach (var choice in decision.Choices)
            {
                var extends = choice.ExtendDue is { } extension ? " (due +" + Durations(extension) + ")" : "";
                html.Add($"""<button type="submit" name="option" value="{choice.Id}" class="choice">{choice.Title}{extends}</button>""");
            }
            html.Add($"""</div></form>""");
        }
        html.Add($"""</article>""");
    }

    private static void RenderHeading(Html html, InboxInstance instance, string stepId, string title, string status, DateTimeOffset? due, int escalationLevel)
    {
        html.Add($"""
            <div class="meta"><span class="workflow">{instance.WorkflowTitle}</span>{(instance.BusinessKey is null ? "" : " · ")}<span class="key">{instance.BusinessKey}</span><span class="pill pill-{status}">{status}</span></div>
            <h3>{title}</h3>
            <div class="facts"><span>step <code>{stepId}</code></span>
            """);
        if (due is { } deadline)
            html.Add($"""<span class="{(deadline < instance.WorkflowNow ? "overdue" : "")}">{DueText(deadline, instance.WorkflowNow)}</span>""");
        if (escalationLevel > 0)
            html.Add($"""<span class="overdue">escalated (level {escalationLevel})</span>""");
        html.Add($"""<span class="instance" title="instance id">{instance.InstanceId}</span></div>""");
    }

    private static void OpenForm(Html html, string token, string person, string instanceId, string stepId, string title) =>
        html.Add($"""
            <form method="post" action="/inbox/events">
            <input type="hidden" name="{InboxSecurity.TokenField}" value="{token}"><input type="hidden" name="person" value="{person}"><input type="hidden" name="instance" value="{instanceId}"><input type="hidden" name="step" value="{stepId}"><input type="hidden" name="title" value="{title}">
            """);

    private static void RenderNotification(Html html, Notification notification)
    {
        var action = notification.Action;
        html.Add($"""<li><time>{When(action.At)}</time> <strong>{Headline(action, notification.StepTitle)}</strong> <span class="workflow">{notification.WorkflowTitle}</span>{(notification.BusinessKey is null ? "" : " · ")}<span class="key">{notification.BusinessKey}</span>""");
        if (action.Reason is { Length: > 0 } reason)
            html.Add($"""<div class="detail">{reason}</div>""");
        if (action.Options is { Count: > 0 } options)
            html.Add($"""<div class="detail">Options: {string.Join(" · ", options.Select(o => o.Title))}</div>""");
        if (action.Option is { Length: > 0 } option)
            html.Add($"""<div class="detail">Chosen: {option}</div>""");
        if (action.Steps is { Count: > 0 } running)
            html.Add($"""<div class="detail">Running: {string.Join(" · ", running.Select(s => s.Title + " (" + string.Join(", ", s.Owners) + ")"))}</div>""");
        html.Add($"""</li>""");
    }

    private static string Headline(CoordinationAction action, string? stepTitle)
    {
        var step = stepTitle ?? action.StepId ?? "";
        return action.Type switch
        {
            CoordinationActionType.StepActivated when action.Options is { Count: > 0 } => $"Decide: {step}",
            CoordinationActionType.StepActivated => $"New step: {step}",
            CoordinationActionType.Reminder => $"Reminder: {step}",
            CoordinationActionType.Escalation => $"Escalation (level {action.Level ?? 1}): {step}",
            CoordinationActionType.StepBlocked => $"Blocked: {step}",
            CoordinationActionType.DecisionRequested => $"Decision requested: {step}",
            CoordinationActionType.DecisionMade => $"Decided: {step}",
            CoordinationActionType.StepReassigned => $"Reassigned: {step}",
            CoordinationActionType.StepCompleted => $"Done: {step}",
            CoordinationActionType.Summary => "Summary",
            CoordinationActionType.EventRejected => $"Not accepted: {step}",
            CoordinationActionType.InstanceCompleted => "Instance completed",
            _ => $"{action.Type.WireName()} {step}",
        };
    }

    /// <summary>"due Sun 6 Dec 2026, 15:26 UTC (in 4d 19h)" or "(overdue by 2h)", against the instance's workflow time.</summary>
    private static string DueText(DateTimeOffset due, DateTimeOffset workflowNow) =>
        $"due {When(due)} ({(due < workflowNow ? "overdue by " + Durations(workflowNow - due) : "in " + Durations(due - workflowNow))})";

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration in its two largest units: "4d 3h", "2h 10m", "45m".</summary>
    internal static string Durations(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = span.Negate();
        if (span.TotalDays >= 1)
            return span.Hours == 0 ? $"{(int)span.TotalDays}d" : $"{(int)span.TotalDays}d {span.Hours}h";
        if (span.TotalHours >= 1)
            return span.Minutes == 0 ? $"{span.Hours}h" : $"{span.Hours}h {span.Minutes}m";
        return $"{Math.Max(span.Minutes, 0)}m";
    }

    private const string Styles = """
        :root { --ink:#1d2433; --muted:#5b6577; --line:#e3e7ee; --bg:#f6f7fb; --card:#fff; --accent:#2f5bea; --ok:#1f7a4d; --warn:#b5471b; --amber:#9a6700; }
        * { box-sizing:border-box; }
        body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
        code { font:13px ui-monospace,SFMono-Regular,Menlo,monospace; background:#eef1f6; padding:1px 4px; border-radius:4px; }
        a { color:var(--accent); }
        .top { display:flex; align-items:center; gap:12px; padding:12px 24px; background:#1d2433; color:#fff; }
        .top a { color:#c9d3ff; text-decoration:none; }
        .top .brand { color:#fff; font-weight:700; letter-spacing:.3px; }
        .product { color:#9aa6c7; }
        .spacer { flex:1; }
        .layout { display:grid; grid-template-columns:280px 1fr; min-height:calc(100vh - 48px); }
        .people { border-right:1px solid var(--line); background:#fff; padding:16px; }
        .people h2 { font-size:12px; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); margin:20px 0 8px; }
        .people ul { list-style:none; margin:0; padding:0; }
        .people li a { display:grid; grid-template-columns:1fr auto; padding:6px 8px; border-radius:6px; text-decoration:none; color:var(--ink); }
        .people li a:hover { background:var(--bg); }
        .people li a.current { background:#e8edff; }
        .people .name { font-weight:600; }
        .people .roles { grid-column:1; font-size:12px; color:var(--muted); }
        .people .badge { grid-row:1 / span 2; grid-column:2; align-self:center; background:var(--accent); color:#fff; border-radius:10px; padding:0 8px; font-size:12px; }
        .pick label { display:block; font-size:12px; color:var(--muted); margin-bottom:4px; }
        .row { display:flex; gap:6px; }
        input, textarea { font:inherit; padding:6px 8px; border:1px solid #cfd6e2; border-radius:6px; min-width:0; flex:1; }
        button { font:inherit; padding:6px 12px; border:1px solid #cfd6e2; border-radius:6px; background:#fff; cursor:pointer; white-space:nowrap; }
        button:hover { background:var(--bg); }
        button.primary { background:var(--ok); border-color:var(--ok); color:#fff; }
        button.warn { color:var(--warn); border-color:#e7b9a6; }
        button.choice { display:block; width:100%; text-align:left; margin:4px 0; border-color:#b9c7f5; }
        button.choice:hover { background:#e8edff; }
        main { padding:24px 32px; max-width:980px; }
        main.narrow { max-width:640px; margin:auto; }
        h1 { font-size:22px; margin:0 0 16px; }
        h2 { font-size:16px; margin:28px 0 10px; }
        h2 .count { color:var(--muted); font-weight:400; }
        .lead { color:var(--muted); }
        .card { background:var(--card); border:1px solid var(--line); border-left:4px solid var(--accent); border-radius:8px; padding:14px 16px; margin:10px 0; }
        .card.status-blocked { border-left-color:var(--warn); }
        .card.decision { border-left-color:var(--amber); }
        .card h3 { margin:4px 0 6px; font-size:16px; }
        .meta { font-size:13px; color:var(--muted); display:flex; gap:4px; align-items:center; }
        .meta .key { font-weight:600; color:var(--ink); }
        .pill { margin-left:auto; font-size:12px; padding:1px 8px; border-radius:10px; background:#e8edff; color:var(--accent); }
        .pill-blocked { background:#fbe9e2; color:var(--warn); }
        .pill-decision { background:#fff4d6; color:var(--amber); }
        .facts { font-size:13px; color:var(--muted); display:flex; flex-wrap:wrap; gap:4px 14px; }
        .facts .instance { margin-left:auto; font-size:11px; }
        .overdue { color:var(--warn); font-weight:600; }
        .block { color:var(--warn); }
        .actions { display:flex; gap:8px; margin-top:10px; }
        .actions form:last-child { flex:1; display:flex; gap:6px; }
        .card > form { display:flex; gap:6px; margin-top:8px; align-items:center; }
        .choices { flex:1; }
        .flash { padding:10px 14px; border-radius:8px; margin-bottom:16px; }
        .flash-ok { background:#e3f4ea; color:var(--ok); border:1px solid #b6e0c6; }
        .flash-error { background:#fbe9e2; color:var(--warn); border:1px solid #efc1ae; }
        .warning { background:#fff4d6; color:var(--amber); padding:8px 12px; border-radius:6px; }
        .empty { color:var(--muted); font-style:italic; }
        .notifications { list-style:none; padding:0; margin:0; }
        .notifications li { padding:8px 0; border-bottom:1px solid var(--line); font-size:14px; }
        .notifications time { color:var(--muted); font-size:12px; margin-right:6px; }
        .notifications .workflow { color:var(--muted); font-size:13px; }
        .detail { color:var(--muted); font-size:13px; margin-left:2px; }
        table.running { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line); border-radius:8px; font-size:14px; }
        table.running th { text-align:left; font-size:12px; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); padding:8px 12px; border-bottom:1px solid var(--line); }
        table.running td { padding:8px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
        table.running .workflow { color:var(--muted); }
        table.running .key { font-weight:600; }
        table.running .instance { font-size:11px; color:var(--muted); }
        table.running .due { color:var(--muted); font-size:13px; }
        ul.waiting { list-style:none; margin:0; padding:0; }
        ul.waiting li { margin:2px 0; }
        ul.waiting .pill { margin-left:0; margin-right:4px; }
        .card.start { border-left-color:var(--ok); }
        .card.start > form { display:block; }
        .fields { display:grid; grid-template-columns:repeat(auto-fill, minmax(240px, 1fr)); gap:10px 16px; margin:8px 0 12px; }
        .field label { display:block; font:600 13px ui-monospace,SFMono-Regular,Menlo,monospace; margin-bottom:3px; }
        .field input, .field textarea { width:100%; }
        .field.wide { grid-column:1 / -1; }
        .field.wide label { font-family:inherit; }
        .field small { display:block; font-size:12px; color:var(--muted); margin-top:3px; }
        footer { margin-top:40px; font-size:12px; color:var(--muted); }
        @media (max-width:760px) { .layout { grid-template-columns:1fr; } .people { border-right:0; border-bottom:1px solid var(--line); } }
        """;
}
