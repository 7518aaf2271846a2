namespace Coordinator.Channels.Replies;

/// <summary>What Coordinator answers in the conversation, in English and Italian.</summary>
internal sealed class ReplyAnswers
{
    public static ReplyAnswers English { get; } = new()
    {
        Done = "✓ {0}: done. Thank you!",
        Blocked = "✓ Block reported on {0}: {1}. Whoever decides has been told.",
        Note = "✓ Note added to {0}.",
        Decided = "✓ {0}: “{1}” chosen.",
        Pending = "Received: {0} will show it in a moment.",
        Rejected = "Not applied to {0}: {1}",
        AskReason = "What blocks {0}? Reply “blocked: <the reason>”.",
        AskNote = "Write the note for {0} as “note: <text>”.",
        NoSuchChoice = "That message has no choice {0}; reply with a number from 1 to {1}.",
        Help = "Reply to the message about a task (in its thread): “done”, “blocked: <reason>”, “note: <text>”, the number of a choice, or “option <id>”; “list” shows what waits for you.",
        NothingOpen = "Nothing waits for you right now.",
        WhichOne = "Several things wait for you. Which one do you mean? Reply with its number (within 30 minutes), or answer in the thread of its message:",
        NoLongerOpen = "{0} no longer waits for you; nothing was changed.",
        AskWhat = "What about {0}? Reply “done”, “blocked: <reason>” or “note: <text>” in its thread.",
        NoSuchItem = "There is no item {0} in the list; reply with a number from 1 to {1}.",
        OffTopic = "Sorry, I can only help with the work I coordinate for you.",
        Refused = "I cannot act on that message: I only record progress on your work, and I never share other people's data.",
        ConfirmDone = "Mark {0} done? Reply “yes” or “no” (within 30 minutes).",
        ConfirmBlocked = "Report {0} blocked: {1}? Reply “yes” or “no” (within 30 minutes).",
        ConfirmChoice = "Choose “{1}” for {0}? Reply “yes” or “no” (within 30 minutes).",
        NotConfirmed = "OK, nothing was changed.",
        Waiting = "Waiting for you (reply with a number to act on one, within 30 minutes):",
        NewSince = "New since your last message:",
        AndEarlier = "…and {0} earlier, in your inbox.",
        NoSuchReference = "I find no running work of yours under “{0}”. Yours: {1}.",
        NoWorkOfYours = "I find no running work of yours under “{0}”: no running instance names you.",
        StatusOf = "{0} · {1}, started {2}:",
        StepBlocked = "{0}: blocked: “{1}”{2}; {3} to decide.",
        StepActive = "{0}: in progress{1}; waiting on {2}.",
        StepDeciding = "{0}: a decision{1}; waiting on {2}.",
        ReportedBy = " (reported by {0})",
        DueOn = ", due {0}",
        OverdueSince = ", overdue since {0}",
        NothingRunning = "nothing is running right now",
        NothingNamed = "Nothing waiting for you matches “{0}”; “list” shows what does. Nothing was changed.",
    };

    public static ReplyAnswers Italian { get; } = new()
    {
        Done = "✓ {0}: completata. Grazie!",
        Blocked = "✓ Blocco segnalato su {0}: {1}. Chi decide è stato avvisato.",
        Note = "✓ Nota aggiunta a {0}.",
        Decided = "✓ {0}: scelta “{1}”.",
        Pending = "Ricevuto: {0} sarà aggiornata a breve.",
        Rejected = "Non applicato a {0}: {1}",
        AskReason = "Cosa blocca {0}? Rispondi «bloccato: <il motivo>».",
        AskNote = "Scrivi la nota per {0} come «nota: <testo>».",
        NoSuchChoice = "Quel messaggio non ha la scelta {0}; rispondi con un numero da 1 a {1}.",
        Help = "Rispondi al messaggio di un'attività (nel suo thread): «fatto», «bloccato: <motivo>», «nota: <testo>», il numero di una scelta, oppure «opzione <id>»; «elenco» mostra cosa ti aspetta.",
        NothingOpen = "Al momento non c'è niente che ti aspetta.",
        WhichOne = "Ci sono più attività che ti aspettano. Quale intendi? Rispondi con il suo numero (entro 30 minuti), oppure nel thread del suo messaggio:",
        NoLongerOpen = "{0} non ti aspetta più; non è stato cambiato niente.",
        AskWhat = "Cosa vuoi fare con {0}? Rispondi «fatto», «bloccato: <motivo>» o «nota: <testo>» nel suo thread.",
        NoSuchItem = "Nell'elenco non c'è la voce {0}; rispondi con un numero da 1 a {1}.",
        OffTopic = "Mi dispiace, posso aiutarti solo con il lavoro che coordino per te.",
        Refused = "Non posso dare seguito a questo messaggio: registro solo l'avanzamento del tuo lavoro e non condivido mai i dati di altre persone.",
        ConfirmDone = "Segno {0} come completata? Rispondi «sì» o «no» (entro 30 minuti).",
        ConfirmBlocked = "Segnalo {0} bloccata: {1}? Rispondi «sì» o «no» (entro 30 minuti).",
        ConfirmChoice = "Scelgo «{1}» per {0}? Rispondi «sì» o «no» (entro 30 minuti).",
        NotConfirmed = "Va bene, non ho cambiato niente.",
        Waiting = "Ti aspettano (rispondi con un numero per occupartene, entro 30 minuti):",
        NewSince = "Novità dal tuo ultimo messaggio:",
        AndEarlier = "…e altre {0} precedenti, nella tua inbox.",
        NoSuchReference = "Non trovo lavoro in corso tuo con “{0}”. I tuoi: {1}.",
        NoWorkOfYours = "Non trovo lavoro in corso tuo con “{0}”: nessuna istanza in corso ti nomina.",
        StatusOf = "{0} · {1}, avviata {2}:",
        StepBlocked = "{0}: bloccata: “{1}”{2}; decide {3}.",
        StepActive = "{0}: in corso{1}; aspetta {2}.",
        StepDeciding = "{0}: una decisione{1}; aspetta {2}.",
        ReportedBy = " (segnalato da {0})",
        DueOn = ", scadenza {0}",
        OverdueSince = ", in ritardo dal {0}",
        NothingRunning = "al momento non c'è niente in corso",
        NothingNamed = "Niente di ciò che ti aspetta corrisponde a “{0}”; «elenco» mostra cosa ti aspetta. Non è stato cambiato niente.",
    };

    public static ReplyAnswers For(string? language) => string.Equals(language, "it", StringComparison.Ordinal) ? Italian : English;

    /// <summary>For a sender nobody knows (no language to choose by).</summary>
    public const string UnknownSender =
        "Sorry, I do not know who you are on this channel. Ask your process owner to add your id ({0}) to the people directory (workflow-definitions/people.yaml).";

    public required string Done { get; init; }
    public required string Blocked { get; init; }
    public required string Note { get; init; }
    public required string Decided { get; init; }
    public required string Pending { get; init; }
    public required string Rejected { get; init; }
    public required string AskReason { get; init; }
    public required string AskNote { get; init; }
    public required string NoSuchChoice { get; init; }
    public required string Help { get; init; }
    public required string NothingOpen { get; init; }
    public required string WhichOne { get; init; }
    public required string NoLongerOpen { get; init; }
    public required string NoSuchItem { get; init; }
    public required string AskWhat { get; init; }
    public required string OffTopic { get; init; }
    public required string Refused { get; init; }
    public required string ConfirmDone { get; init; }
    public required string ConfirmBlocked { get; init; }
    public required string ConfirmChoice { get; init; }
    public required string NotConfirmed { get; init; }
    public required string Waiting { get; init; }
    public required string NewSince { get; init; }
    public required string AndEarlier { get; init; }
    public required string NoSuchReference { get; init; }
    public required string NoWorkOfYours { get; init; }
    public required string StatusOf { get; init; }
    public required string StepBlocked { get; init; }
    public required string StepActive { get; init; }
    public required string StepDeciding { get; init; }
    public required string ReportedBy { get; init; }
    public required string DueOn { get; init; }
    public required string OverdueSince { get; init; }
    public required string NothingRunning { get; init; }
    public required string NothingNamed { get; init; }
}
