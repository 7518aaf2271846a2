namespace Coordinator.Channels.Rendering;

/// <summary>The wording Coordinator ships, per kind and language; a workflow's own templates override it (<see cref="TemplateSet"/>).</summary>
internal static class BuiltInTemplates
{
    public static IReadOnlyDictionary<(MessageKind Kind, string Language), string> Texts { get; } = new Dictionary<(MessageKind, string), string>
    {
        [(MessageKind.StepAssigned, "en")] = """
            *New task: {step}*
            {workflow} · {business_key}
            Due {due}.
            {options}
            """,
        [(MessageKind.StepAssigned, "it")] = """
            *Nuova attività: {step}*
            {workflow} · {business_key}
            Scadenza {due}.
            {options}
            """,
        [(MessageKind.StepReassigned, "en")] = """
            *{step} is now yours*
            {workflow} · {business_key}
            Handed over by {by}: {reason}
            Due {due}.
            """,
        [(MessageKind.StepReassigned, "it")] = """
            *{step} ora è tua*
            {workflow} · {business_key}
            Passata da {by}: {reason}
            Scadenza {due}.
            """,
        [(MessageKind.Reminder, "en")] = """
            *Reminder: {step} is due in {time_left}*
            {workflow} · {business_key}
            Due {due}.
            """,
        [(MessageKind.Reminder, "it")] = """
            *Promemoria: {step} scade tra {time_left}*
            {workflow} · {business_key}
            Scadenza {due}.
            """,
        [(MessageKind.Overdue, "en")] = """
            *{step} is overdue by {late_by}*
            {workflow} · {business_key}
            It was due {due}. Reply if it is done or what stops it.
            """,
        [(MessageKind.Overdue, "it")] = """
            *{step} è in ritardo di {late_by}*
            {workflow} · {business_key}
            Scadeva {due}. Rispondi se è fatta o cosa la blocca.
            """,
        [(MessageKind.Escalation, "en")] = """
            *Escalation level {level}: {step} has been silent for {silence}*
            {workflow} · {business_key}
            Blocked: {text}
            Due {due}.
            """,
        [(MessageKind.Escalation, "it")] = """
            *Escalation livello {level}: nessuna notizia su {step} da {silence}*
            {workflow} · {business_key}
            Bloccata: {text}
            Scadenza {due}.
            """,
        [(MessageKind.BlockReported, "en")] = """
            *{step} is blocked*
            {workflow} · {business_key}
            {by}: {reason}
            """,
        [(MessageKind.BlockReported, "it")] = """
            *{step} è bloccata*
            {workflow} · {business_key}
            {by}: {reason}
            """,
        [(MessageKind.DecisionRequested, "en")] = """
            *Your decision: {step}*
            {workflow} · {business_key}
            {by} reports: {reason}
            {options}
            """,
        [(MessageKind.DecisionRequested, "it")] = """
            *Serve una tua decisione: {step}*
            {workflow} · {business_key}
            {by} segnala: {reason}
            {options}
            """,
        [(MessageKind.DecisionMade, "en")] = """
            *Decided for {step}: {option}*
            {workflow} · {business_key}
            Decided by {by}.
            Due {due}.
            """,
        [(MessageKind.DecisionMade, "it")] = """
            *Decisione su {step}: {option}*
            {workflow} · {business_key}
            Decisa da {by}.
            Scadenza {due}.
            """,
        [(MessageKind.EventRejected, "en")] = """
            *Not applied: your reply on {step}*
            {workflow} · {business_key}
            {reason}
            """,
        [(MessageKind.EventRejected, "it")] = """
            *Non applicata: la tua risposta su {step}*
            {workflow} · {business_key}
            {reason}
            """,
        [(MessageKind.Summary, "en")] = """
            *Summary: {workflow} · {business_key}*
            {steps}
            """,
        [(MessageKind.Summary, "it")] = """
            *Riepilogo: {workflow} · {business_key}*
            {steps}
            """,
        [(MessageKind.InstanceStarted, "en")] = """
            *Started: {workflow} · {business_key}*
            """,
        [(MessageKind.InstanceStarted, "it")] = """
            *Avviato: {workflow} · {business_key}*
            """,
        [(MessageKind.InstanceCompleted, "en")] = """
            *Completed: {workflow} · {business_key}*
            Every step is finished.
            """,
        [(MessageKind.InstanceCompleted, "it")] = """
            *Completato: {workflow} · {business_key}*
            Tutte le attività sono concluse.
            """,
    };
}
