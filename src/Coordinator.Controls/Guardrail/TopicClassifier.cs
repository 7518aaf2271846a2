using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Coordinator.Controls.Guardrail;

/// <summary>
/// Whether a normalized text is about work coordination or the workflow's topics. Conservative by design: one word of
/// the work vocabulary (or of a topic) is enough, unless the text is clearly about something else (weather, football,
/// a recipe, a joke) more than it is about work. Short replies to a step (done, ok, sì, 1) are on topic.
/// </summary>
internal static class TopicClassifier
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static readonly Regex Tokens = new(@"[\p{L}\p{N}]+(?:'[\p{L}]+)?", RegexOptions.CultureInvariant | RegexOptions.Compiled, Timeout);

    /// <summary>A step answer or a short acknowledgement: the whole text.</summary>
    private static readonly Regex ShortReply = new(
        @"^(\W*(done|ok|okay|k|kk|yes|yep|yeah|yup|no|nope|nah|y|n|si|sì|fatto|fatta|finito|finita|ok fatto|fatto tutto|all done|done done|\d{1,3}|[a-e]|approved|approve|approvato|approvata|rejected|reject|respinto|rifiutato|confirmed|confirm|confermo|confermato|thanks|thank you|thx|ty|grazie|grazie mille|va bene|perfetto|ricevuto|certo|sure|noted|got it|ack|roger|will do|on it|lo faccio|ci penso io|subito|ok grazie|ok thanks|perfect|great|fine|agreed|d'accordo|daccordo|accetto|accepted|accept|skip|stop|help|aiuto|status|stato|later|dopo|not yet|non ancora|in progress|in corso|wip|tomorrow|domani|today|oggi|now|adesso|ora|asap|sorry|scusa|ok ok|yes please|no thanks|si grazie|no grazie|ciao|hi|hello|buongiorno|salve|hey)\W*)+$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, Timeout);

    /// <summary>Questions about one's own work: what is waiting for me, cosa devo fare oggi.</summary>
    private static readonly Regex OwnWork = new(
        @"\b(what('s| is| are)? (is |are )?(waiting|pending|left|next|due|open|assigned|on my plate|for me)|what (do|should|must|shall) i (do|have to do|need to do)|what('s| is) (my|the) (next|status)|anything (for me|else for me|pending|waiting)|my (tasks?|to-?dos?|queue|turn|work|assignments?|items?|steps?|actions?)|is it my turn|am i (next|done|blocked|up)"
        + @"|cosa (devo|dovrei|posso|mi resta da|c'e da) (fare|fa)|cosa (mi )?(aspetta|resta|manca|c'e per me)|che (devo|dovrei) fare|tocca a me|a che punto (sono|siamo|e)|i miei (compiti|task|passi)|le mie (attivita|pratiche)|c'e qualcosa per me|ho (qualcosa|altro) da fare)\b",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, Timeout);

    /// <summary>Stems of the work-coordination vocabulary, English and Italian: a token starting with one of these is a work word.</summary>
    private static readonly string[] WorkStems =
    [
        // progress and coordination
        "done", "finish", "complet", "block", "waiting", "await", "pending", "stuck", "progress", "status", "updat", "eta", "deadline", "due",
        "overdue", "late", "delay", "postpon", "reschedul", "extend", "extension", "asap", "urgent", "priorit", "escalat", "remind", "follow",
        "step", "task", "todo", "assign", "owner", "handover", "deleg", "backup", "approv", "reject", "declin", "sign", "review",
        "check", "verif", "confirm", "validat", "submit", "upload", "attach", "sent", "send", "forward", "receiv", "schedul", "meeting", "call",
        "workflow", "process", "procedure", "request", "ticket", "case", "issue", "incident", "problem", "resolv", "solv", "test",
        "report", "document", "doc", "file", "spreadsheet", "sheet", "template", "checklist", "note", "comment", "feedback", "question",
        "answer", "reply", "repl", "email", "mail", "inbox", "slack", "teams", "phone", "call", "monday", "tuesday", "wednesday",
        "thursday", "friday", "eod", "cob", "sla", "kpi", "milestone", "phase", "stage", "project", "team", "colleague", "manager",
        "boss", "department", "legal", "finance", "procure", "compliance", "audit", "security", "hr", "office", "job", "shift",
        "vacation", "holiday", "sick", "absent", "available", "unavailable", "ooo", "instead", "responsib", "accountab",
        "instruction", "rule", "policy", "guideline", "requirement", "scope", "budget", "cost", "price", "quote", "estimat", "order",
        "purchase", "invoice", "payment", "pay", "refund", "po", "contract", "agreement", "nda", "msa", "sow", "clause",
        "signature", "countersign", "amend", "renew", "kyc", "aml", "onboard", "offboard", "account", "customer", "client", "vendor",
        "supplier", "partner", "broker", "agent", "kickoff", "kick", "welcome", "training", "demo", "go-live", "golive", "launch",
        // insurance claims
        "claim", "insur", "policyholder", "insured", "claimant", "adjuster", "assessor", "apprais", "loss", "damag", "repair", "garage",
        "bodyshop", "estimate", "coverage", "covered", "deductible", "excess", "premium", "payout", "settle", "liabil", "fraud",
        "police", "photo", "pictur", "inspect", "survey", "accident", "collision", "theft", "stolen", "flood", "hail", "storm",
        "leak", "roof", "windscreen", "vehicle", "car", "reserve", "subrogat", "underwrit", "benefic",
        // IT setup and change management
        "setup", "install", "configur", "deploy", "release", "rollout", "rollback", "migrat", "upgrad", "patch", "maintenance",
        "change", "cab", "rfc", "window", "downtime", "outage", "backup", "restor", "server", "vm", "cluster", "database", "db", "network",
        "firewall", "vpn", "dns", "ssl", "cert", "certificate", "domain", "laptop", "desktop", "pc", "monitor", "printer", "device", "mdm",
        "intune", "license", "licence", "access", "permission", "group", "user", "login", "password", "credential", "mfa", "2fa", "sso",
        "ad", "azure", "aws", "tenant", "mailbox", "sharepoint", "onedrive", "jira", "servicenow", "prod", "production", "staging", "environment",
        "script", "pipeline", "build", "code", "bug", "alert", "monitoring", "ssh", "api", "integration", "data", "export", "import",
        "sync", "system", "app", "application", "software", "hardware", "equipment", "badge", "desk", "seat", "hardware", "helpdesk", "support",
        // Italian
        "fatt", "finit", "complet", "chius", "bloccat", "blocc", "attesa", "aspett", "sospes", "pendent", "cliente", "client", "passo",
        "passaggio", "fase", "scadenz", "scad", "entro", "ritard", "rinvi", "rimand", "sollecit", "urgen", "priorit", "migrazion", "contratt",
        "sinistr", "perizi", "perit", "danno", "danni", "danneggiat", "rimbors", "liquidaz", "liquid", "polizz", "franchigi", "massimal",
        "assicur", "denunci", "approv", "firm", "document", "modul", "fattur", "pagament", "pagat", "ordin", "preventiv", "pratic",
        "richiest", "segnalaz", "accesso", "accessi", "utenz", "licenz", "credenzial", "installaz", "install", "configuraz", "configur",
        "portatil", "computer", "rilasci", "modific", "cambio", "cambi", "finestra", "manutenz", "collaud", "produzion", "fornitor",
        "riunion", "chiamat", "telefonat", "inviat", "mandat", "ricevut", "caricat", "allegat", "aggiorn", "consegn", "compit",
        "attivita", "lavor", "ufficio", "collega", "colleg", "responsabil", "revision", "verific", "controll", "conferm", "incaric",
        "ferie", "malattia", "assent", "disponibil", "sostitu", "deleg", "istruzion", "regol", "procedur", "process", "richied", "risolt",
        "risolv", "problem", "guast", "errore", "test", "prova", "avvi", "account", "dati", "backup", "rete", "stampant", "badge", "scrivania",
        "carrozzeri", "officin", "veicol", "incident", "furto", "grandin", "allagament", "infiltraz", "tetto", "foto", "sopralluog",
        "denuncia", "legale", "amministraz", "contabil", "acquist", "budget", "cost", "prezzo", "offerta", "rinnov", "clausol", "termin",
        "settiman", "lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "appuntament",
    ];

    /// <summary>Work words matched whole (or with the endings listed): as prefixes they would match other words (weekend, workout, planet, formula).</summary>
    private static readonly HashSet<string> ExactWorkWords = new(StringComparer.Ordinal)
    {
        "week", "weeks", "weekly", "set", "sets", "live", "hand", "hands", "body", "term", "terms", "lead", "leads", "fire", "fires", "water",
        "leave", "cover", "covers", "covering", "plan", "plans", "planned", "planning", "form", "forms", "work", "works", "working", "worked",
        "workload", "bill", "bills", "billing", "billed", "fix", "fixed", "fixes", "fixing", "log", "logs", "logged", "roll", "role", "roles",
        "capo", "auto", "setting", "settings", "signed", "signing", "paid", "called", "calling", "tested", "testing", "done", "due",
        "stato aggiornato", "ok",
    };

    /// <summary>Words that are only ever about something else than the work (with their multi-word forms).</summary>
    private static readonly Regex OffTopicMarkers = new(
        @"\b(weather|forecast|meteo|temperature outside|sunny|umbrella|football|soccer|calcio|serie a|champions league|premier league|world cup|mondiali|juventus|juve|messi|ronaldo|derby|gol|partita|scudetto|tennis|formula 1|nba|basketball|match last night|recipe|recipes|ricetta|ricette|cook|cooking|cucinare|bake|baking|carbonara|lasagna|tiramisu|pizza|pasta|risotto|joke|jokes|barzelletta|barzellette|poem|poems|poesia|poesie|haiku|sonnet|song|songs|canzone|canzoni|lyrics|sing|movie|movies|film|films|netflix|serie tv|tv series|tv show|actor|attore|actress|celebrity|celebrities|vip|horoscope|oroscopo|zodiac|segno zodiacale|capital of|capitale (del|della|dell')|president of|presidente (del|della|degli)|who won|chi ha vinto|who invented|chi ha inventato|tallest|highest mountain|longest river|trivia|quiz|riddle|indovinello|homework|compiti (per casa|di matematica|di storia)|essay|tema (su|di italiano)|math problem|equation|fidanzat|girlfriend|boyfriend|dating|love letter|lettera d'amore|cat|cats|dog|dogs|gatto|gatti|cane|cani|pet|vacanze al mare|beach|spiaggia|tourist|turistic|travel tips|restaurant|ristorante|wine|vino|beer|birra|cocktail|fashion|moda|outfit|video ?game|videogioc|playstation|xbox|fortnite|minecraft|bitcoin price|stock tips|lottery|lotteria|superenalotto|meaning of life|senso della vita|universe|universo|dinosaur|dinosauri|planet|pianeta|moon|luna|fairy tale|fiaba|favola|bedtime|chess|scacchi|translate this song|gossip|politics|politica|election|elezioni|religion|religione|god exists|dio esiste)\b",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, Timeout);

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "of", "a", "an", "to", "in", "on", "it", "is", "with", "di", "e", "il", "la", "le", "i", "gli", "per", "del", "della",
        "dei", "da", "in", "un", "una", "management", "gestione",
    };

    private static readonly ConcurrentDictionary<string, string[]> TopicStemCache = new(StringComparer.Ordinal);

    /// <summary>Whether the normalized text is on topic, and, when not, nothing else: the caller words the reason.</summary>
    public static bool IsOnTopic(string normalized, IReadOnlyCollection<string> topics)
    {
        if (normalized.Length == 0 || ShortReply.IsMatch(normalized) || OwnWork.IsMatch(normalized))
            return true;

        var topicStems = TopicStems(topics);
        var work = 0;
        foreach (Match token in Tokens.Matches(normalized))
        {
            var word = token.Value;
            if (ExactWorkWords.Contains(word) || IsWorkWord(word) || MatchesTopic(word, topicStems))
                work++;
        }
        if (work == 0)
            return false;
        var off = OffTopicMarkers.Matches(normalized).Count;
        return off < work;
    }

    private static bool IsWorkWord(string word)
    {
        foreach (var stem in WorkStems)
        {
            if (stem.Length <= 3 ? string.Equals(word, stem, StringComparison.Ordinal) || (word.Length == stem.Length + 1 && word.StartsWith(stem, StringComparison.Ordinal) && word[^1] == 's')
                    : word.StartsWith(stem, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static bool MatchesTopic(string word, string[] topicStems)
    {
        foreach (var stem in topicStems)
        {
            if (word.StartsWith(stem, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static string[] TopicStems(IReadOnlyCollection<string> topics)
    {
        if (topics.Count == 0)
            return [];
        var key = string.Join('\u001F', topics);
        return TopicStemCache.Count > 1024
            ? BuildTopicStems(topics)
            : TopicStemCache.GetOrAdd(key, static (_, t) => BuildTopicStems(t), topics);
    }

    private static string[] BuildTopicStems(IReadOnlyCollection<string> topics)
    {
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in topics)
        {
            foreach (Match token in Tokens.Matches(TextNormalizer.Normalize(topic)))
            {
                var word = token.Value;
                if (word.Length < 3 || StopWords.Contains(word))
                    continue;
                stems.Add(Stem(word));
            }
        }
        return [.. stems];
    }

    /// <summary>A simple stem: the common English and Italian endings off, never shorter than four letters.</summary>
    internal static string Stem(string word)
    {
        string[] endings = ["ations", "ation", "ments", "ment", "ings", "ing", "ies", "ers", "er", "ed", "es", "s", "zioni", "zione", "ioni", "ione", "i", "e", "a", "o"];
        foreach (var ending in endings)
        {
            if (word.Length - ending.Length >= 4 && word.EndsWith(ending, StringComparison.Ordinal))
                return word[..^ending.Length];
        }
        return word;
    }
}
