using Coordinator.Core.Definitions.Parsing;
using Coordinator.Core.Definitions.Validation;

namespace Coordinator.Core.Definitions;

/// <summary>
/// The semantic checks of the workflow language, run after the structure was read: references to
/// roles, steps, decisions and options resolve; dependencies form no cycle; conditions can be
/// evaluated when a step becomes ready; plus warnings for rules that cannot work as written.
/// Every diagnostic points at the offending node through the definition's <see cref="SourceMap"/>.
/// Tolerates partially read definitions (empty ids are skipped: the reader reported them).
/// </summary>
public static class WorkflowValidator
{
    public static IReadOnlyList<Diagnostic> Validate(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var context = new ValidationContext(definition);
        CheckRoles(context);
        CheckSteps(context);
        CheckDependencies(context);
        CheckConditions(context);
        CheckNotifications(context);
        CheckReminders(context);
        CheckStart(context);
        return context.Diagnostics.Items;
    }

    private static void CheckRoles(ValidationContext c)
    {
        var d = c.Definition;
        if (d.ProcessOwner.Length > 0 && !c.IsRole(d.ProcessOwner))
            c.Error(DiagnosticCodes.UnknownProcessOwner, "process_owner", $"process_owner '{d.ProcessOwner}' names no declared role.{c.RoleHint(d.ProcessOwner)}");
        foreach (var role in d.Roles)
        {
            if (role.Lead is { } lead && !c.IsRole(lead))
                c.Error(DiagnosticCodes.UnknownLeadRole, $"roles.{role.Id}.lead", $"the lead '{lead}' of role '{role.Id}' names no declared role.{c.RoleHint(lead)}");
        }
    }

    private static void CheckSteps(ValidationContext c)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (step, path) in c.Steps)
        {
            if (step.Id.Length > 0 && !seen.Add(step.Id))
            {
                var first = c.Source.Find($"{c.PathOf(step.Id)}.id");
                c.Error(DiagnosticCodes.DuplicateStepId, $"{path}.id", $"duplicate step id '{step.Id}' (first at line {first.Line}); step ids must be unique within a workflow.");
            }
            if (step.Owner.Length > 0 && !c.IsRole(step.Owner))
                c.Error(DiagnosticCodes.UnknownOwner, $"{path}.owner", $"owner '{step.Owner}' of step '{step.Id}' names no declared role.{c.RoleHint(step.Owner)}");

            if (step.Type == StepType.Decision && step.Options.Count == 0)
            {
                c.Error(DiagnosticCodes.DecisionWithoutOptions, c.Source.Locations.ContainsKey($"{path}.options") ? $"{path}.options" : $"{path}.type",
                    $"decision step '{step.Id}' has no options; list them under 'options:' as '- {{ id: approve, title: ... }}'.");
            }
            if (step.Type == StepType.Task && step.Options.Count > 0)
                c.Error(DiagnosticCodes.OptionsOnTask, $"{path}.options", $"step '{step.Id}' has options but is not a decision; add 'type: decision' or remove the options.");
            CheckUniqueOptions(c, step.Options, $"{path}.options", $"option of step '{step.Id}'");

            if (step.OnBlocked is { } block)
            {
                CheckUniqueOptions(c, block.Alternatives, $"{path}.on_blocked.alternatives", $"alternative of step '{step.Id}'");
                if (block.Alternatives.Count > 0 && block.DecisionBy is null)
                {
                    c.Error(DiagnosticCodes.AlternativesWithoutDecider, $"{path}.on_blocked.alternatives",
                        $"the block alternatives of step '{step.Id}' have nobody to choose among them; add 'decision_by: <role>' (or lead, owner, process_owner) to 'on_blocked'.");
                }
            }
        }
    }

    private static void CheckUniqueOptions(ValidationContext c, IReadOnlyList<DecisionOption> options, string path, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count; i++)
        {
            if (options[i].Id.Length > 0 && !seen.Add(options[i].Id))
                c.Error(DiagnosticCodes.DuplicateOptionId, $"{path}[{i}].id", $"duplicate {what}: '{options[i].Id}'; option ids must be unique.");
        }
    }

    private static void CheckDependencies(ValidationContext c)
    {
        foreach (var (step, path) in c.Steps)
        {
            for (var i = 0; i < step.After.Count; i++)
            {
                var target = step.After[i];
                if (Identifiers.IsId(target) && !c.StepsById.ContainsKey(target))
                    c.Error(DiagnosticCodes.UnknownPredecessor, $"{path}.after[{i}]", $"step '{step.Id}' waits for '{target}', which is not a step of this workflow.{c.StepHint(target)}");
            }
        }
        foreach (var cycle in DependencyCycles.Find(c.Definition, c.StepsById))
        {
            // Reported on the 'after' entry of the first-declared step in the cycle that closes it.
            var first = cycle[0];
            var predecessor = cycle[^2];
            var path = $"{c.PathOf(first)}.after[{ValidationContext.IndexInAfter(c.StepsById[first], predecessor)}]";
            c.Error(DiagnosticCodes.DependencyCycle, path,
                $"dependency cycle: {string.Join(" -> ", cycle)} (each step waits for the one before it, so none can start); remove one of these 'after' entries.");
        }
    }

    /// <summary>
    /// <c>start.hubspot</c>: the object id names the instance (the business key maps to <c>hs_object_id</c>), every field the
    /// workflow needs is mapped (else every start would be refused), every mapped field is used, and <c>crm.object</c> agrees.
    /// </summary>
    private static void CheckStart(ValidationContext c)
    {
        var d = c.Definition;
        if (d.Start?.HubSpot is not { } start)
            return;
        var needed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var role in d.Roles)
        {
            if (role.FromContext is { } field)
                needed.TryAdd(field, $"role '{role.Id}' takes its person from it");
        }
        foreach (var (step, _) in c.Steps)
        {
            if (step.When?.Field is { } field)
                needed.TryAdd(field, $"the condition of step '{step.Id}' reads it");
        }
        var mapped = start.Context.ToDictionary(static f => f.Field, StringComparer.Ordinal);
        const string contextPath = "start.hubspot.context";

        if (d.BusinessKey is not { } key)
        {
            c.Error(DiagnosticCodes.StartWithoutObjectKey, "start.hubspot",
                "a workflow started from HubSpot needs 'business_key' (such as 'business_key: deal_id') mapped to 'hs_object_id' in start.hubspot.context: the object id names the instance, so one deal starts one instance and the CRM record shows it.");
        }
        else if (!mapped.TryGetValue(key, out var keyField))
        {
            c.Error(DiagnosticCodes.StartWithoutObjectKey, contextPath,
                $"start.hubspot.context does not map the business key '{key}'; add '{key}: hs_object_id' (the object id names the instance, so one deal starts one instance).");
        }
        else if (keyField.Property != "hs_object_id" || keyField.Person)
        {
            c.Error(DiagnosticCodes.StartWithoutObjectKey, $"{contextPath}.{key}",
                $"the business key '{key}' is read from '{keyField.Property}'; read it from 'hs_object_id' ('{key}: hs_object_id'): the object id names the instance, so one deal starts one instance and the CRM updates find their record.");
        }

        foreach (var (field, why) in needed)
        {
            if (!mapped.ContainsKey(field))
            {
                c.Error(DiagnosticCodes.StartMissingContext, contextPath,
                    $"the workflow needs start-context field '{field}' ({why}), which start.hubspot.context does not map, so every start from HubSpot would be refused; add '{field}: <HubSpot property>'.");
            }
        }
        foreach (var field in start.Context)
        {
            if (field.Field != d.BusinessKey && !needed.ContainsKey(field.Field))
            {
                c.Error(DiagnosticCodes.StartFieldUnused, $"{contextPath}.{field.Field}",
                    $"start-context field '{field.Field}' is read from HubSpot, but the workflow never uses it (it is not the business key, no role takes its person from it, no condition reads it); remove it, or use it.{Suggestions.DidYouMean(field.Field, needed.Keys)}");
            }
        }
        if (d.Crm?.Object is { } declared && declared != start.Object)
        {
            c.Error(DiagnosticCodes.CrmObjectConflict, "crm.object",
                $"crm.object is '{declared.WireName()}' but start.hubspot.object is '{start.Object.WireName()}': the instance's business key is the id of the object that started it; remove crm.object or make them equal.");
        }
    }

    private static void CheckConditions(ValidationContext c)
    {
        foreach (var (step, path) in c.Steps)
        {
            if (step.When is not { } when)
                continue;
            if (when.Field is not null && when.In is { Count: 0 })
            {
                c.Error(DiagnosticCodes.ConditionEmptyValues, $"{path}.when.in",
                    $"the condition of step '{step.Id}' lists no values in 'in', so the step would always be skipped; list the values of '{when.Field}' for which it runs.");
            }
            if (when.Decision is not { } decisionId)
                continue;
            if (!c.StepsById.TryGetValue(decisionId, out var decision))
            {
                c.Error(DiagnosticCodes.ConditionNotADecision, $"{path}.when.decision", $"the condition of step '{step.Id}' names '{decisionId}', which is not a step of this workflow.{c.StepHint(decisionId)}");
                continue;
            }
            if (decision.Type != StepType.Decision)
            {
                c.Error(DiagnosticCodes.ConditionNotADecision, $"{path}.when.decision", $"the condition of step '{step.Id}' names '{decisionId}', which is not a decision step (add 'type: decision' and options to it, or route on another step).");
                continue;
            }
            if (when.Is is { } option && decision.Options.Count > 0 && decision.Options.All(o => o.Id != option))
            {
                var options = decision.Options.Select(o => o.Id).ToList();
                c.Error(DiagnosticCodes.ConditionUnknownOption, $"{path}.when.is",
                    $"decision '{decisionId}' has no option '{option}'.{Suggestions.DidYouMean(option, options)} Its options: {string.Join(", ", options)}.");
            }
            if (!c.IsUpstream(decisionId, step.Id))
            {
                c.Error(DiagnosticCodes.ConditionDecisionNotUpstream, $"{path}.when.decision",
                    $"step '{step.Id}' routes on decision '{decisionId}' but does not wait for it; add '{decisionId}' to its 'after' (directly or through another step) so the decision is made before the condition is evaluated.");
            }
        }
    }

    private static void CheckNotifications(ValidationContext c)
    {
        var d = c.Definition;
        CheckEscalation(c, d.Defaults.Escalation, "defaults.escalation");
        foreach (var (step, path) in c.Steps)
        {
            CheckEscalation(c, step.Escalation, $"{path}.escalation");
            if (step.OnBlocked is { } block)
            {
                CheckTargets(c, block.Notify, $"{path}.on_blocked.notify", DiagnosticCodes.UnknownNotifyTarget, "notify target");
                if (block.DecisionBy is { } by && !NotifyTargets.IsSpecial(by) && !c.IsRole(by))
                    c.Error(DiagnosticCodes.UnknownDecisionBy, $"{path}.on_blocked.decision_by", $"decision_by '{by}' of step '{step.Id}' names no declared role (nor lead, owner, process_owner).{c.TargetHint(by)}");
            }
            CheckLeadExists(c, step, path);
        }
        if (d.Summary is { } summary)
        {
            for (var i = 0; i < summary.To.Count; i++)
            {
                var target = summary.To[i];
                if (target is NotifyTargets.Lead or NotifyTargets.Owner)
                    c.Error(DiagnosticCodes.UnknownSummaryRecipient, $"summary.to[{i}]", $"the summary goes to the whole workflow, where '{target}' names nobody; send it to process_owner or to roles.");
                else if (target != NotifyTargets.ProcessOwner && !c.IsRole(target))
                    c.Error(DiagnosticCodes.UnknownSummaryRecipient, $"summary.to[{i}]", $"summary recipient '{target}' names no declared role.{c.RoleHint(target)}");
            }
        }
    }

    private static void CheckEscalation(ValidationContext c, EscalationRule? rule, string path)
    {
        if (rule is null || rule.IsNone)
            return;
        for (var i = 0; i < rule.Levels.Count; i++)
        {
            CheckTargets(c, rule.Levels[i].Notify, $"{path}.levels[{i}].notify", DiagnosticCodes.UnknownNotifyTarget, "notify target");
            if (i > 0 && rule.Levels[i].After < rule.Levels[i - 1].After)
            {
                c.Warning(DiagnosticCodes.EscalationLevelsOutOfOrder, $"{path}.levels[{i}].after",
                    $"escalation level #{i + 1} comes after {Durations.Format(rule.Levels[i].After)} but the level before it after {Durations.Format(rule.Levels[i - 1].After)}; list the levels in the order they fire.");
            }
        }
    }

    private static void CheckTargets(ValidationContext c, IReadOnlyList<string> targets, string path, string code, string what)
    {
        for (var i = 0; i < targets.Count; i++)
        {
            if (!NotifyTargets.IsSpecial(targets[i]) && !c.IsRole(targets[i]))
                c.Error(code, $"{path}[{i}]", $"{what} '{targets[i]}' names no declared role (nor lead, owner, process_owner).{c.TargetHint(targets[i])}");
        }
    }

    // `lead` means the lead of the step owner's role; warn where that role has none.
    private static void CheckLeadExists(ValidationContext c, StepDefinition step, string path)
    {
        if (c.Definition.FindRole(step.Owner) is not { } owner || owner.Lead is not null)
            return;
        var escalation = c.Definition.EscalationFor(step);
        var usesLead = (escalation?.Levels.Any(l => l.Notify.Contains(NotifyTargets.Lead)) ?? false)
            || (step.OnBlocked?.Notify.Contains(NotifyTargets.Lead) ?? false)
            || step.OnBlocked?.DecisionBy == NotifyTargets.Lead;
        if (usesLead)
        {
            c.Warning(DiagnosticCodes.LeadWithoutLead, $"{path}.owner",
                $"step '{step.Id}' escalates to 'lead', but its owner role '{owner.Id}' has no lead, so that target reaches nobody; add 'lead: <role>' to role '{owner.Id}' or name a role instead.");
        }
    }

    private static void CheckReminders(ValidationContext c)
    {
        foreach (var (step, path) in c.Steps)
        {
            var rule = c.Definition.RemindersFor(step);
            var own = step.Reminders is not null;
            if (step.Due is not { } due)
            {
                if (own && rule.BeforeDue.Count > 0)
                    c.Warning(DiagnosticCodes.RemindersWithoutDue, $"{path}.reminders.before_due", $"step '{step.Id}' has 'before_due' reminders but no 'due', so they never fire; add a 'due' or remove them.");
                continue;
            }
            for (var i = 0; i < rule.BeforeDue.Count; i++)
            {
                if (rule.BeforeDue[i] < due)
                    continue;
                var where = own ? $"{path}.reminders.before_due[{i}]" : $"{path}.due";
                var source = own ? "its" : "the default";
                c.Warning(DiagnosticCodes.ReminderBeforeActivation, where,
                    $"{source} reminder {Durations.Format(rule.BeforeDue[i])} before due is not shorter than the due time {Durations.Format(due)} of step '{step.Id}', so it would fall at or before activation; shorten it or override 'reminders' on the step.");
            }
        }
    }
}
