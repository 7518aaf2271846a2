using System.Text;
using System.Text.RegularExpressions;

namespace Coordinator.Controls.Guardrail;

/// <summary>
/// The deterministic injection rules, English and Italian (with the commonest French, Spanish and German forms of the
/// instruction override): general patterns over the normalized text, each with the reason an audit row shows. Compiled
/// once; <see cref="Regex"/> instances are thread-safe.
/// </summary>
internal static class InjectionRules
{
    public const string InstructionOverride = "instruction override";
    public const string RolePlay = "role-play";
    public const string SystemPrompt = "system prompt";
    public const string Jailbreak = "jailbreak";
    public const string Delimiter = "delimiter injection";
    public const string Encoded = "encoded instructions";
    public const string OtherPeoplesData = "other people's data";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled | RegexOptions.ExplicitCapture;

    private static Regex Rx(string pattern) => new(pattern, Options, Timeout);

    // ---- instruction override ---------------------------------------------------------------------------------------

    private const string OverrideVerb =
        @"(ignore|ignoring|disregard|disregarding|forget|override|overrule|bypass|circumvent|set aside|throw away|throw out|abandon|neglect"
        + @"|ignora|ignorate|ignorare|ignori|dimentica|dimenticate|dimenticare|scorda|scordati|trascura|tralascia|bypassa|aggira|non considerare|non tenere conto( di)?"
        + @"|ignorez|oubliez|oublie|olvida|olvidate|ignoriere|ignorieren|vergiss|vergessen sie)";

    private const string InstructionNoun =
        @"(instructions?|rules|guidelines|directives?|prompts?|programming|constraints|restrictions|guardrails|policies|filters|training|system messages?|conditioning"
        + @"|istruzioni|regole|indicazioni|direttive|vincoli|restrizioni|linee guida|prompt|filtri"
        + @"|consignes|instrucciones|reglas|anweisungen|regeln|vorgaben)";

    private const string Determiner = @"(the|these|those|this|of|le|i|gli|les|las|los|de|di|del|delle|dei|die|der)";

    /// <summary>What makes an instruction noun the assistant's own: all of them, the previous ones, yours.</summary>
    private const string Qualifier =
        @"(all|any|every|each|your|ur|previous|prior|above|earlier|preceding|former|original|initial|existing|current|system|safety|hidden|given|default"
        + @"|tutte|tutti|ogni|qualsiasi|qualunque|tue|tuoi|vostre|vostri|precedenti"
        + @"|toutes|tous|vos|tes|todas|tus|alle|vorherigen|bisherigen|deine|ihre)";

    /// <summary>Adjectives between the qualifier and the noun that keep the noun the assistant's (not "the previous installation instructions").</summary>
    private const string Filler = @"(safety|content|system|security|ethical|original|initial|hidden|internal|model|ai|default|core|base|built-in|other|old|earlier|given|programmed|standing|operating|prior)";

    /// <summary>Italian, French, Spanish, German: the qualifier after the noun.</summary>
    private const string PostQualifier =
        @"(precedenti|di prima|sopra|qui sopra|iniziali|originali|di sistema|ricevute|che hai ricevuto|che ti (hanno|ho|abbiamo|avevo|avevano) dato|date finora|fino a (ora|qui)|finora|anteriores|precedentes|previas|anteriori|vorherigen)";

    /// <summary>Words after which an instruction noun is someone else's (the customer's, a document's): not addressed to the assistant.</summary>
    private const string ThirdParty =
        @"(from|of|in|on|by|sent|attached|for|about|del|della|dello|dei|degli|delle|nel|nella|nello|nei|nelle|sul|sulla|inviate|allegate|ricevute dal|ricevute dalla|scritte)\s+(the\s+|a\s+|an\s+|our\s+|that\s+|this\s+|il\s+|la\s+|lo\s+|l'|i\s+|gli\s+|le\s+|un\s+|una\s+|nostro\s+|nostra\s+)?"
        + @"(customer|client|vendor|supplier|broker|insurer|insured|claimant|policyholder|adjuster|assessor|manager|boss|team|ticket|e-?mail|mail|message|runbook|wiki|document|doc|pdf|contract|form|portal|cab|change|old|previous|legal|finance|procurement|it|helpdesk|service desk|installer|manual|vendor's|customer's"
        + @"|cliente|fornitore|perito|assicurato|responsabile|capo|ticket|mail|email|messaggio|documento|contratto|modulo|manuale|portale|legale|ufficio)";

    private static readonly Regex OverridePattern = Rx(
        $@"\b{OverrideVerb}\s+(({Determiner}|{Qualifier})\s+){{0,3}}{Qualifier}\s+(({Determiner}|{Qualifier}|{Filler})\s+){{0,2}}{InstructionNoun}\b(?!\s+{ThirdParty})"
        + $@"|\b{OverrideVerb}\s+(({Determiner}|{Qualifier})\s+){{0,3}}{InstructionNoun}\s+({Filler}\s+)?{PostQualifier}\b(?!\s+{ThirdParty})"
        + $@"|\b{OverrideVerb}\s+(({Determiner}|{Qualifier})\s+){{0,3}}{InstructionNoun}\s+((that|which)\s+)?((you|u)\s+(were|was|have been|'ve been|got|received|have|had|are following|follow)|(given|sent|passed)\s+to\s+you|i\s+(gave|sent)\s+you|they\s+gave\s+you)\b");

    private static readonly Regex OverrideEverythingPattern = Rx(
        @"\b(forget|disregard|ignore)\s+(everything|all( of)? (that|this|the above|of the above)|anything)\s*((you|u)('ve| have)? (were|was|have been|been|know|learned|learnt)|(said|written|stated|told|mentioned) (above|before|earlier|previously)|(above|before|so far|until now|previously|prior)|(and|,|;|:|\.|!|$))"
        + @"|\b(dimentica|dimenticate|scorda|scordati|ignora|ignorate)\s+(tutto( quello| cio| quanto)?( che)?|ogni cosa|quanto detto|cio che|quello che)\s*((e |$|[.,;:!])|(sai|hai imparato|ti (e|hanno|hanno|abbiamo|ho) (stato )?(detto|scritto|insegnato)|(detto|scritto) (sopra|prima|finora)|(sopra|prima|finora|fin qui)))"
        + @"|\b(oubliez|oublie|olvida|vergiss) (tout|todo|alles)\b");

    private static readonly Regex DisregardAbovePattern = Rx(
        @"\b(disregard|ignore|forget)\s+(the\s+|all\s+)?(above|foregoing|preceding|previous|prior|earlier)(\s+(text|content|context|conversation|messages?|prompt|lines|input))?\s*(and|,|;|:|\.|!)?\s*(instead|now|then|just|please)?\s*(tell|say|write|print|output|reveal|show|give|list|act|respond|reply|answer|repeat|translate|from now|you (are|will|must)|start|begin|do|follow|obey|only)\b"
        + @"|\b(disregard|ignore)\s+(the\s+)?(above|foregoing)\s*[.!]?$");

    private static readonly Regex DoNotFollowPattern = Rx(
        @"\b(do not|don't|dont|stop|no longer|never|you (don't|do not|dont) (have|need) to|no need to|you are not (required|supposed) to)\s+(follow|following|obey|obeying|respect|respecting|apply|applying|comply with|stick to|adhere to)\s+(your|any( of your)?|the (system|safety|original|initial|previous|above))\s+(\w+\s+)?{InstructionNoun}"
        .Replace("{InstructionNoun}", InstructionNoun, StringComparison.Ordinal)
        + @"|\b(non|smetti di|smettila di|non devi piu|non sei piu tenuto a)\s+(seguire|rispettare|obbedire a|applicare)\s+(le|i)?\s*(tue|vostre|tutte le|nessuna|qualsiasi)\s+(\w+\s+)?(istruzioni|regole|direttive|linee guida|restrizioni)");

    private static readonly Regex NewInstructionsPattern = Rx(
        @"\b(from now on|starting now|henceforth|for the rest of (this|the) (conversation|chat)|d'ora in (poi|avanti)|da (ora|adesso) in (poi|avanti)|a partire da ora)\s*,?\s*(you|u|tu)?\s*(are|will|must|shall|should|have to|answer|respond|reply|act|only|ignore|speak|talk|no longer|sei|sarai|devi|rispondi|risponderai|agisci|agirai|parla|parlerai|ignora|ignorerai|non (sei|devi)|hai|dovrai)\b"
        + @"|\b(your|tue|le tue)\s+(new|real|true|actual|updated|nuove|vere)\s+(instructions|rules|task|role|purpose|goal|persona|identity|directives|istruzioni|regole|compito|ruolo|identita)\s*(is|are|:|sono|e|=)"
        + @"|\b(new|updated|nuove|revised|override) (system )?(instructions|istruzioni|rules|regole|directives|prompt)\s*:\s*(you|u|tu|ignore|ignora|from now|forget|dimentica|act|reveal|print)"
        + @"|\b(the (above|previous|prior|earlier) (instructions|rules|text) (are|were|is|was) (fake|wrong|void|obsolete|cancelled|canceled|no longer valid|a test|outdated))"
        + @"|\b(le istruzioni (precedenti|sopra|di prima) (sono|erano) (false|sbagliate|annullate|obsolete|non valide|un test))"
        + @"|\boverride (your|the) (safety|security|content|system) (settings|filters|policy|policies|rules|protocols?)\b"
        + @"|\b(you|u) (have|has) no (rules|restrictions|limits|limitations|filters|guidelines|boundaries|ethics|morals)\b|\b(you are|you're|youre) (free from|not bound by|no longer bound by|unbound by) (any |your )?(rules|restrictions|guidelines|policies|limits)"
        + @"|\b(non hai|senza) (piu )?(alcuna |nessuna )?(regola|regole|restrizioni|limiti|filtri|vincoli) (e|ora|adesso|da ora)?\s*(rispondi|dimmi|puoi|sei)"
        + @"|\bnon hai (piu )?(regole|restrizioni|limiti|filtri|vincoli)\b");

    // ---- role-play --------------------------------------------------------------------------------------------------

    /// <summary>Roles someone in the workflow takes on (act as a backup approver): role words that are not a persona for the assistant.</summary>
    private const string WorkRole =
        @"((a|an|the|my|our|his|her|their)\s+)?((temporary|interim|acting|backup|back-up|second|deputy|substitute|alternate|alternative|main|primary|secondary|new|designated|formal|official|external|internal|first|final|single|technical|business|it|change|claims?|customer|legal|finance|project|account|onboarding|release|security|on-call|escalation)\s+){0,3}"
        + @"(approver|approvers|reviewer|reviewers|owner|owners|backup|back-up|deputy|delegate|substitute|proxy|stand-in|contact|point of contact|liaison|lead|sponsor|manager|coordinator|signatory|witness|intermediary|gatekeeper|tester|administrator for (the|this) (change|tenant|project)|guarantor|referent|referente|sostituto|delegato|approvatore|revisore|responsabile|supplente|garante|interlocutore|tramite|filter|buffer|bridge|checkpoint|fallback|placeholder|reminder|record|relay|messenger|go-between|mediator|translator|interpreter|note-taker|scribe|middleman|single point of contact|escalation point)";

    private static readonly Regex ActAsPattern = Rx(
        $@"(^|[.,;:!?\-] |\b(please|pls|now|then|and|just|instead|also|you|u|you will|you'll|you must|you should|you can|you shall|i want you to|i need you to|i'd like you to|i would like you to|can you|could you|would you|will you|go ahead and|try to|from now on)\s+)(act|behave|respond|answer|reply|speak|talk|write|function|operate|serve)\s+(as|like)\s+(?!{WorkRole}\b)(if\s+you|a|an|the|my|though|someone|somebody|dan|gpt|chatgpt|[a-z]+gpt|an?\s+\w+)\b");

    private static readonly Regex PretendPattern = Rx(
        @"(?<!\b(i|we|they|he|she|it|i'll|we'll|they'll|he'll|she'll|i'd|we'd|let's|lets|let us|let me|no one|nobody|customer|client|vendor|supplier|they all|everyone)\s+((can|could|will|would|should|might|may|must|can't|cant|cannot|won't|wont|don't|dont|didn't|didnt|shouldn't|wouldn't|couldn't|will not|do not|did not|need to|have to|want to|wanted to|tried to|try to|used to|had to|not|just|also|always|often|never)\s+){0,2})(?<!\b(not|stop|stopped|to|t'o|don't|dont)\s)"
        + @"\b(pretend|pretending|imagine|suppose|assume)\s+(that\s+)?(to be|to act as|you are|you're|youre|u are|you were|you have no|you can|you could|you do not|you don't|you're not|you are not|to have no|you became|you've become|you have become|there are no (rules|restrictions|filters))\b"
        + @"|\b(fai|fate|facciamo) finta (di essere|che tu (sia|sei|fossi|non)|di non avere|che non (ci siano|esistano|hai))"
        + @"|\bfingi(ti)? (di essere|che|di non)|\bimmagina (di essere|che tu (sia|sei|fossi)|di non avere)|\bsupponi di essere"
        + @"|\b(comportati|agisci|rispondi|parla|scrivi) (come (se fossi|fossi|un|una|uno|il|la|lo|l'|dan|chatgpt)|da (hacker|pirata|amministratore|admin|sviluppatore))"
        + @"|\b(interpreta|impersona|incarna|simula) (il ruolo di|un|una|uno|il personaggio|la parte di|dan)\b|\bgioco di ruolo\b|\bgiochiamo (a|di ruolo)\b");

    private static readonly Regex PersonaPattern = Rx(
        @"\b(you are|you're|youre|u are|ur) (now|no longer|from now on|henceforth|actually|really|going to be|about to become|hereby)\b(?!\s+(done|assigned|ready|able|set|all set|on|in the loop|up to date|subscribed|registered|cc'?d|added|copied))"
        + @"|\b(you are|you're|youre) (a |an )?(dan|evil|unfiltered|unrestricted|uncensored|jailbroken|free ai|rogue|different ai|new ai|another ai)\b"
        + @"|\b(roleplay|role-play|role play|rp)\s+(as|with me|a scene|mode|game)\b|\b(let's|lets|let us) (roleplay|role-play|role play|play a game)\b|\bplay the (role|part) of (a|an|my|the)? ?(hacker|villain|ai|chatbot|assistant|character|grandma|grandmother|evil|unrestricted|system|admin|developer|dan|pirate|terminal|linux|shell|persona)"
        + @"|\b(simulate|emulate|become|transform into|switch to being)\s+(a|an|the)?\s*(unrestricted|unfiltered|uncensored|evil|jailbroken|rogue|different|linux|bash|terminal|shell|sql|python|dan|ai|chatbot|assistant|persona|hacker)\b"
        + @"|\b(ora|adesso|d'ora in poi|da ora) (tu )?(sei|diventi|sarai) (un|una|uno|il|la|dan|chatgpt|libero|senza)\b|\bsei (ora|adesso) (un|una|uno|il|la|dan|libero|senza)\b|\bnon sei piu (un|una|l'|il|la)\s*(assistente|bot|ai|ia|coordinatore|chatbot)"
        + @"|\b(your|tua) (new )?(name|nome) (is|e) (now|ora|adesso)?\s*\w+"
        + @"|\b(do anything now|dan mode|modalita dan|stan mode|dude mode|evil mode|god mode|modalita dio|unrestricted mode|modalita senza (filtri|restrizioni|limiti))\b");

    // ---- system prompt, jailbreak --------------------------------------------------------------------------------

    private static readonly Regex SystemPromptPattern = Rx(
        @"\b(system|initial|hidden|secret|original|internal|master|base|meta|developer|pre-?)\s*[-_ ]?\s*(prompts?|instructions? set|message you (got|received|were given))\b(?!\s+((on|of|in|at|from|for) (the |a |my |our |this |each |every )?(\w+ )?(kiosk|laptop|screen|device|pc|machine|server|terminal|login|installer|computer|windows|mac|phone|portal|app|box|printer|display)s?\b|(asks|asked|says|said|shows|showed|appears|appeared|pops|popped|requires|required|keeps|wants|requests|requested|displays|displayed|comes up|came up)\b))"
        + @"|\bprompt (di sistema|iniziale|nascosto|segreto|originale|interno)\b|\b(messaggio|istruzioni) di sistema\b|\bsysprompt\b|\bsys prompt\b"
        + @"|\b(reveal|show|print|output|display|tell|repeat|share|give|list|dump|leak|expose|write|spell|copy|paste|recite|summari[sz]e|translate|what are|what were|what is|what's|whats|which are|send)\s+(me\s+|us\s+)?(all\s+)?(of\s+)?(your|ur|the (full|original|initial|hidden|secret|exact|internal|complete|entire|first|verbatim|raw|underlying)|your (full|original|initial|hidden|secret|exact|internal|complete|entire|first|verbatim|raw|underlying))\s+(\w+\s+)?(instructions|prompt|prompts|rules|guidelines|directives|configuration|config|system message|programming|training data|context window|context|preamble|constraints|policies|settings)\b"
        + @"|\b(what|which)\s+(\w+\s+)?(instructions|rules|guidelines|directives|prompts?|orders)\s+(did|do|have|has|were|are|was|had)\s+(you|u|your\s+\w+|they|the developers|the (admins|creators|programmers))\s+(\w+\s+)?(give|gave|given|got|get|receive|received|follow|following|put|set|write|wrote|written|programmed?)\b"
        + @"|\b(quali|che)\s+(istruzioni|regole|direttive)\s+(ti|vi)\s+(hanno|ha|avevano)\s+(dato|dati|date|scritto|impostato|programmato)"
        + @"|\b(how|what) (were|are) you (programmed|instructed|configured|prompted|told to do|set up to)\b|\bwho (programmed|created|configured|instructed) you\b|\bwhat (were you|have you been) told\b"
        + @"|\b(repeat|print|output|show|write out|echo|copy|return|display|reproduce)\s+(back\s+)?(everything|all|the (text|words|content|lines|messages?)|all (the )?(text|words|content))\s+(above|before|prior|preceding|that came before|written above|in your context)\b"
        + @"|\bwhat (was|is|were) (written|said|stated) (above|before) (this|my)\b|\b(begin|start) your (answer|reply|response) with\b"
        + @"|\b(quali sono|dimmi|mostrami|mostra|rivelami|rivela|svelami|svela|stampa|ripeti|scrivi|elencami|elenca|dammi|fammi vedere|riportami|copia|traduci)\s+(mi\s+)?(tutte\s+)?(le|il|i|la)?\s*(tue|vostre|tuoi)\s+(\w+\s+)?(istruzioni|regole|prompt|direttive|impostazioni|configurazione|linee guida|vincoli)\b"
        + @"|\b(quali sono|dimmi|mostrami|rivelami|stampa|ripeti|scrivi|elencami|dammi|fammi vedere|copia)\s+(le|il|i)\s+(istruzioni|regole|prompt|direttive)\s+(iniziali|nascoste|segrete|di sistema|originali|interne|complete|che hai ricevuto|che ti hanno dato)\b"
        + @"|\b(ripeti|stampa|copia|scrivi|mostrami|mostra)\s+(tutto (il testo )?|il testo |tutto cio |tutto quello )(che (c'e|e scritto|hai) )?(sopra|prima|precedente)\b|\bcome sei stato (programmato|istruito|configurato)\b");

    /// <summary>A jailbreak or a special mode of the assistant; a device's jailbreak or developer mode is IT work (see <see cref="DeviceWords"/>).</summary>
    private static readonly Regex DeviceModePattern = Rx(
        @"\bjail\s*-?\s*br(ea|o)k(s|ing|en|ed)?\b"
        + @"|\b(developer|dev|debug|admin|god|sudo|root|maintenance|unrestricted|unfiltered|uncensored|dan|evil) mode\b"
        + @"|\bmodalita (sviluppatore|developer|dio|admin|amministratore|debug|senza (filtri|restrizioni|censura))\b");

    private static readonly Regex DeviceWords = Rx(
        @"\b(laptops?|phones?|iphones?|ipads?|android|devices?|pcs?|macs?|macbooks?|tablets?|handsets?|smartphones?|mobiles?|browsers?|chrome|windows|router|firewall|servers?|switch|vms?|workstations?|console|bios|firmware|mdm|intune|tenant|sandbox|build|app|apps|portatile|portatili|telefono|telefoni|cellulare|dispositivo|dispositivi|computer|stampante|macchina|postazione)\b");

    private static readonly Regex JailbreakPattern = Rx(
        @"\b(enable|activate|enter|switch to|turn on|unlock|start|go into|attiva|abilita|entra in|passa (a|in)) (the |your |la )?(developer|dev|god|dan|evil|unrestricted|sviluppatore) mode\b(?!\s+(on|in|of|for) (the |a |my )?(\w+ )?(laptop|phone|device|pc|mac|tablet|browser|server|vm)s?\b)|\bjailbreak (yourself|the (ai|bot|assistant|model|coordinator))\b"
        + @"|\b(unrestricted|unfiltered|uncensored|unaligned|unlocked|jailbroken) (ai|assistant|model|mode|version|response|answer|gpt|chatbot|output|bot)\b"
        + @"|\b(without|no|ignore|ignoring|bypass|bypassing|disable|disabling|turn off|remove|removing) (any |all |your |the )?(content )?(ethical|ethics|moral|safety|content) (guidelines|filters?|restrictions|policy|policies|constraints|rules|limits)\b"
        + @"|\b(prompt injection|injection attack|token smuggling|sudo mode)\b"
        + @"|\bsenza (alcun |nessun )?(filtro|filtri|censura|restrizioni|limiti etici|regole)\b(?!\s+(di|per|sul|sulla|nel|nella) (ricerca|data|stato|cliente|pratica|ticket|sinistro))");

    // ---- delimiters ----------------------------------------------------------------------------------------------

    private static readonly Regex DelimiterPattern = Rx(
        @"</?\s*(system|sys|data|user|assistant|instructions?|prompt|context|input|output|s|im_start|im_end|human|ai|developer|tool|function|document|admin|root|message|chat)\s*/?>"
        + @"|<\|[a-z_ ]{2,30}\|>|\[/?\s*(inst|sys|system|user|assistant|admin|developer|s)\s*\]|<<\s*/?\s*sys\s*>>|\{\{\s*(system|prompt|instructions)\s*\}\}"
        + @"|(^|[\s>])#{2,}\s*(system|instructions?|assistant|user|new instructions|admin|developer|override|sistema|istruzioni)\b"
        + @"|(^|[.!?;]\s|\s-{2,}\s?|[\n>])\s*(system|assistant|sistema|developer|admin|ai|bot)\s*(message|prompt|note|override)?\s*:\s*(you|u|ignore|new|forget|from now|the user|tu|ignora|sei|dimentica|reveal|print|disregard|override|all|il tuo|la tua|le tue)\b"
        + @"|(-{3,}|={3,}|\*{3,}|#{3,})\s*(end|begin|start|fine|inizio)\s+(of\s+)?(the\s+)?(user\s+|system\s+)?(input|data|prompt|instructions|context|document|conversation|message|dati|istruzioni|messaggio)\b"
        + @"|\b(end|begin|start)\s+of\s+(the\s+)?(user\s+|system\s+)?(input|prompt|instructions|context|conversation|user data)\b(?!\s+(migration|transfer|export|import|load|entry|collection|window|review|check|call|meeting|form|handover|phase))"
        + @"|\b(fine|inizio)\s+(dell'|del |dei |delle |della )?(input|prompt|istruzioni|dati utente|messaggio utente)\b(?!\s+(della|del|per) (migrazione|trasferimento|caricamento))");

    // ---- other people's data ------------------------------------------------------------------------------------

    private const string Request =
        @"(give|send|tell|show|list|share|provide|find|get|fetch|look up|lookup|pull|pull up|export|dump|display|print|reveal|leak|forward|read|read out|extract|collect|gather|retrieve|download|copy|paste|search|write down|spell out"
        + @"|what is|what's|whats|what are|what was|where is|where does|where do|i need|i want|i'd like|i would like|can i have|can i get|could i get|could i have|may i have|do you have|do you know|you have|tell us|send us|give us"
        + @"|dammi|datemi|mostrami|mostra|mandami|inviami|invia|manda|dimmi|ditemi|elenca|elencami|fammi vedere|fammi avere|fornisci|forniscimi|esporta|scarica|stampa|trovami|trova|cercami|cerca|passami|girami|condividi|estrai|recupera|leggimi|scrivimi|riportami"
        + @"|voglio|vorrei|mi serve|mi servono|mi dai|mi dici|mi mandi|mi invii|mi passi|mi mostri|mi giri|mi trovi|puoi darmi|puoi dirmi|puoi mandarmi|potresti darmi|potresti dirmi|hai|avete|conosci|sai"
        + @"|qual e|qual'e|quale e|quali sono|dov'e|dove abita|dove vive|com'e|che (numero|email|mail|indirizzo|iban) ha)";

    private const string PersonalNoun =
        @"(phone|phone numbers?|mobile|mobile numbers?|cell|cell( phone)? numbers?|cellphone|telephone|telephone numbers?|private number|personal number|whatsapp|numbers?"
        + @"|e-?mails?|e-?mail address(es)?|mail address(es)?|emails? address(es)?|home address(es)?|private address(es)?|postal address(es)?|residential address(es)?|addresses|address|where (he|she|they) lives?"
        + @"|ibans?|bank (details|account|account number|accounts|coordinates|info)|account numbers?|credit cards?|card numbers?|card details|payment details|fiscal codes?|tax codes?|tax ids?|codice fiscale|codici fiscali|ssns?|social security( numbers?)?|national id|passport( number)?|id card|date of birth|birth ?dates?|birthday|age|salary|salaries|wages?|medical (records|history|data)|health data|diagnos[ie]s|passwords?|credentials|login|pin|personal (data|details|info|information)|private (data|details|info|information)|contact (details|info|information|data)|contacts|full names?|names and (numbers|emails|addresses)|data|details|info|information|records?|files?|profiles?"
        + @"|dati|dati personali|dati anagrafici|anagrafica|anagrafiche|telefono|numero( di telefono| di cellulare| privato| personale)?|numeri( di telefono)?|cellulare|cellulari|recapiti|recapito|contatti|indirizzo( email| e-mail| mail| di casa| privato)?|indirizzi|mail|email|e-mail|iban|coordinate bancarie|conto corrente|carta di credito|stipendio|stipendi|password|credenziali|data di nascita|documento d'identita|cartella clinica|informazioni( personali)?)";

    /// <summary>Who is someone else: a person or a group of people. A capitalised name is recognised separately, on the original text.</summary>
    private const string PersonWord =
        @"(customers?|clients?|claimants?|policyholders?|insureds?|users?|employees?|colleagues?|coworkers?|co-workers?|staff|people|persons?|everyone|everybody|someone|somebody|anyone|the others|others|other (people|customers|clients|users|employees|persons|colleagues|claimants|policyholders)|each (customer|client|user|employee)|every (customer|client|user|employee|person|one)|all (the )?(customers|clients|users|employees|people|persons|colleagues|claimants|policyholders|contacts|members)|him|her|them|his wife|her husband|my (boss|manager|colleague|coworker)|the (ceo|cfo|boss|manager|director|adjuster|assessor|agent|broker|owner|approver|reviewer)|your (users|customers|clients)"
        + @"|clienti|cliente|assicurato|assicurati|assicurata|contraente|contraenti|danneggiato|danneggiata|danneggiati|utente|utenti|dipendente|dipendenti|collega|colleghi|colleghe|persona|persone|tutti|tutte|ognuno|chiunque|qualcuno|altri|altre|lui|lei|loro|il capo|il responsabile|il direttore|l'amministratore delegato|il perito|l'agente|il broker)";

    private static readonly Regex RequestPersonalNounOf = Rx(
        $@"\b{Request}\b\s+((me|us|mi|ci|to me|a me)\s+)?((the|a|an|all|all the|every|each|any|his|her|their|il|la|lo|l'|i|gli|le|un|una|tutti i|tutti gli|tutte le|tutto|i suoi|il suo|la sua|le sue|suo|sua|suoi|sue|loro)\s*)?((\w+\s+){{0,2}}){PersonalNoun}\s+(of|for|from|belonging to|about|on|di|del|della|dello|dell'|dei|degli|delle|a|per|su|sul|sulla)\s*(?<target>[\w'-]+(\s+[\w'-]+){{0,3}})");

    private static readonly Regex PossessivePersonalNoun = Rx(
        $@"\b{Request}\b\s+((me|us|mi|ci)\s+)?((the|a|an|all|all the|tutti i|tutte le)\s+)?(?<owner>[\w-]+'s|[\w-]+s'|his|her|their|suo|sua|suoi|loro)\s+((\w+\s+){{0,1}}){PersonalNoun}\b");

    private static readonly Regex BulkPersonalData = Rx(
        $@"\b(list|export|dump|show|give|send|print|extract|download|share|copy|collect|gather|pull|display|fetch|retrieve|what are|elenca|elencami|esporta|mostrami|mostra|dammi|mandami|inviami|stampa|estrai|scarica|condividi|copia|quali sono)\b\s+((me|us|mi|ci)\s+)?(the\s+)?(all|every|each|everyone's|everybody's|all of the|the whole|entire|tutti|tutte|ogni|l'intera|l'elenco( completo)?|la lista( completa)?|i)\s+((the|i|gli|le|dei|degli|delle|of|di)\s+)?(\w+\s+){{0,2}}((customers?|clients?|users?|employees?|people|contacts?|claimants?|policyholders?|colleagues?|staff|members)('s|s'|')\s+((\w+\s+){{0,2}}){PersonalNoun}\b|(customers?|clients?|users?|employees?|people|contacts?|claimants?|policyholders?|colleagues?|staff|members|clienti|utenti|dipendenti|persone|assicurati|contraenti|colleghi)\s+((\w+\s+){{0,2}})(?!data migration|data export)({PersonalNoun})\b|(contatti|anagrafiche|numeri|email|mail|iban|indirizzi|telefoni|cellulari|recapiti|dati personali|codici fiscali)\b)"
        + $@"|\b{PersonalNoun}\s+(of|for|from|di|del|dei|degli|delle)\s+(all|every|each|other|the other|tutti|tutte|ogni|altri|gli altri|le altre)\s+(the\s+|i\s+|gli\s+|le\s+)?(customers?|clients?|users?|employees?|people|persons|claimants?|policyholders?|colleagues?|contacts|members|clienti|cliente|utenti|utente|dipendenti|persone|assicurati|contraenti|colleghi)\b"
        + @"|\b(other|someone else's|somebody else's|another (person|customer|client|user|employee)'s|other (people|customers|clients|users|employees|claimants|policyholders)'?s?)\s+(\w+\s+)?(data|details|info|information|records|files|emails|phone numbers|numbers|addresses|ibans|claims|contracts|accounts|profiles|personal)"
        + @"|\b(dati|informazioni|recapiti|contatti|numeri|email|iban|indirizzi|pratiche|anagrafiche|sinistri) (personali )?(di|degli|delle|dei) (altri|altre|altre persone|altri clienti|altri utenti|terzi)\b"
        + $@"|\b(list|lists|table|spreadsheet|export|dump|file|csv|overview|directory|elenco|lista|tabella|file|esportazione|estrazione|rubrica)\s+(of|with|di|dei|degli|delle|con)\s+(all\s+|every\s+|tutti\s+|tutte\s+)?(the\s+|our\s+|i\s+|gli\s+|le\s+|i nostri\s+)?(customers|clients|users|employees|people|claimants|policyholders|colleagues|contacts|members|clienti|utenti|dipendenti|persone|assicurati|contraenti|colleghi|contatti)\s+((\w+\s+){{0,3}})(with|and|including|plus|con|e|inclus[io]|compres[io])\s+(their\s+|the\s+|i loro\s+|le loro\s+|i\s+|le\s+|la\s+|il\s+)?{PersonalNoun}\b");

    private static readonly Regex NamePattern = Rx(@"\b[A-Z][a-z\u00C0-\u00FF]+(?:'s)?\b");

    private static readonly HashSet<string> NotPersonTargets = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "this", "that", "my", "me", "mine", "myself", "our", "ours", "your", "il", "la", "lo", "i", "gli", "le", "un", "una", "uno",
        "questo", "questa", "quello", "quella", "mio", "mia", "miei", "mie", "me stesso", "nostro", "nostra", "tuo", "tua", "it", "its",
    };

    private static readonly Regex MyselfTarget = Rx(@"^(me|my|mine|myself|us|our|ours|mio|mia|miei|mie|me stesso|noi|nostro|nostra|nostri|nostre|la mia|il mio|i miei|le mie)\b");

    private static readonly Regex PersonTarget = Rx($@"^((the|a|an|all|every|each|any|other|il|la|lo|l'|i|gli|le|un|una|tutti|tutte|ogni|altri)\s*)*{PersonWord}\b(?!\s*('s|s')?\s*(claim|ticket|case|contract|onboarding|account|request|order|file|project|setup|change|laptop|migration|pratica|sinistro|contratto|richiesta|ordine|progetto|portatile|caso)s?\b)");

    private static readonly Regex OrganisationTarget = Rx(@"^((the|our|il|la|lo|l')\s*)?(service desk|help ?desk|it desk|it team|support|office|company|team|department|reception|hotline|front desk|vendor support|supplier support|claims office|switchboard|insurer|insurance company|helpline|call center|ufficio|azienda|assistenza|reparto|centralino|compagnia|sede|filiale|agenzia|societa)\b");

    // ---- encoded payloads ---------------------------------------------------------------------------------------

    private static readonly Regex Base64Blob = Rx(@"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])");
    private static readonly Regex DecodeRequest = Rx(@"\b(base ?64|b64|rot ?13|hex|decode|decoded|decoding|decodifica|decodificare|decifra|decodify|encoded|codificato|codificata|cipher|cifrato)\b");
    private static readonly Regex FollowDecoded = Rx(@"\b(follow|execute|run|obey|do|apply|carry out|perform|act on|segui|esegui|applica|obbedisci|fai)\b");
    private static readonly Regex SpelledRun = Rx(@"(\b\p{L} ){4,}\p{L}\b");

    private static readonly string[] SquashedPhrases =
    [
        "ignoreallpreviousinstructions", "ignorepreviousinstructions", "ignoreallinstructions", "ignoreyourinstructions", "ignoretheaboveinstructions",
        "ignoreyourrules", "ignoreallrules", "disregardprevious", "disregardallprevious", "disregardtheabove", "forgetyourinstructions", "forgetallprevious",
        "systemprompt", "developermode", "jailbreak", "doanythingnow", "revealyourinstructions", "revealyourprompt", "pretendtobe", "pretendyouare",
        "ignoraleistruzioni", "ignoratutteleistruzioni", "dimenticatutto", "faifintadiessere", "promptdisistema", "modalitasviluppatore",
    ];

    /// <summary>The reason of the first rule that fires on the text, or <see langword="null"/>.</summary>
    /// <param name="original">The text as written (case kept): for names and encoded blobs.</param>
    /// <param name="normalized">The first pass of <see cref="TextNormalizer.Normalize"/>.</param>
    /// <param name="includePeoplesData">Whether requests for other people's data count (inbound: yes; a draft: no).</param>
    public static string? Find(string original, string normalized, bool includePeoplesData, int depth = 0)
    {
        var reason = FindIn(normalized, original, includePeoplesData);
        if (reason is not null)
            return reason;

        var second = TextNormalizer.Deobfuscate(normalized);
        if (!string.Equals(second, normalized, StringComparison.Ordinal))
        {
            reason = FindIn(second, original: null, includePeoplesData);
            if (reason is not null)
                return reason;
        }

        if (SpelledRun.IsMatch(normalized) || SpelledRun.IsMatch(second))
        {
            var squashed = Squash(second);
            foreach (var phrase in SquashedPhrases)
            {
                if (squashed.Contains(phrase, StringComparison.Ordinal))
                    return phrase.Contains("prompt", StringComparison.Ordinal) || phrase.Contains("mode", StringComparison.Ordinal) || phrase.Contains("jail", StringComparison.Ordinal) || phrase.Contains("modalita", StringComparison.Ordinal)
                        ? SystemPrompt
                        : InstructionOverride;
            }
        }

        return depth == 0 ? FindEncoded(original, normalized, includePeoplesData) : null;
    }

    private static string? FindIn(string text, string? original, bool includePeoplesData)
    {
        if (DelimiterPattern.IsMatch(text))
            return Delimiter;
        if (OverridePattern.IsMatch(text) || OverrideEverythingPattern.IsMatch(text) || DisregardAbovePattern.IsMatch(text)
            || DoNotFollowPattern.IsMatch(text) || NewInstructionsPattern.IsMatch(text))
            return InstructionOverride;
        if (SystemPromptPattern.IsMatch(text))
            return SystemPrompt;
        if (JailbreakPattern.IsMatch(text) || (DeviceModePattern.IsMatch(text) && !DeviceWords.IsMatch(text)))
            return Jailbreak;
        if (ActAsPattern.IsMatch(text) || PretendPattern.IsMatch(text) || PersonaPattern.IsMatch(text))
            return RolePlay;
        if (includePeoplesData && AsksForPeoplesData(text, original))
            return OtherPeoplesData;
        return null;
    }

    private static bool AsksForPeoplesData(string text, string? original)
    {
        if (BulkPersonalData.IsMatch(text))
            return true;

        HashSet<string>? names = null;
        foreach (Match match in PossessivePersonalNoun.Matches(text))
        {
            var owner = match.Groups["owner"].Value;
            if (owner is "his" or "her" or "their" or "suo" or "sua" or "suoi" or "loro")
                return true;
            var bare = owner.EndsWith("'s", StringComparison.Ordinal) ? owner[..^2] : owner.TrimEnd('\'');
            if (MyselfTarget.IsMatch(bare) || OrganisationTarget.IsMatch(bare))
                continue;
            names ??= Names(original);
            if (PersonTarget.IsMatch(bare) || names.Contains(bare))
                return true;
        }

        foreach (Match match in RequestPersonalNounOf.Matches(text))
        {
            var target = match.Groups["target"].Value;
            if (MyselfTarget.IsMatch(target) || OrganisationTarget.IsMatch(target))
                continue;
            if (PersonTarget.IsMatch(target))
                return true;
            names ??= Names(original);
            var first = FirstContentWord(target);
            if (first is not null && names.Contains(first) && !FollowedByWorkObject(target))
                return true;
        }
        return false;
    }

    private static readonly Regex WorkObjectAfterName = Rx(@"^[\w-]+('s)?\s+(claim|ticket|case|contract|onboarding|account|request|order|file|project|setup|change|laptop|migration|team|office|department|pratica|sinistro|contratto|richiesta|ordine|progetto|portatile|ufficio|team)s?\b");

    private static bool FollowedByWorkObject(string target)
    {
        var words = target.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var k = 0;
        while (k < words.Length && NotPersonTargets.Contains(words[k]))
            k++;
        return WorkObjectAfterName.IsMatch(string.Join(' ', words.Skip(k)));
    }

    private static string? FirstContentWord(string target)
    {
        foreach (var word in target.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (NotPersonTargets.Contains(word))
                continue;
            return word.EndsWith("'s", StringComparison.Ordinal) ? word[..^2] : word;
        }
        return null;
    }

    /// <summary>The capitalised words of the original text that are not the first word of a sentence: names, lower-cased and without diacritics.</summary>
    private static HashSet<string> Names(string? original)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (original is null)
            return names;
        foreach (Match match in NamePattern.Matches(original))
        {
            var at = match.Index - 1;
            while (at >= 0 && original[at] == ' ')
                at--;
            if (at < 0 || original[at] is '.' or '!' or '?' or '\n' or ':' or '"' or '(' or '-')
                continue;
            var word = match.Value.EndsWith("'s", StringComparison.Ordinal) ? match.Value[..^2] : match.Value;
            if (word is "I" or "IT")
                continue;
            names.Add(TextNormalizer.Normalize(word));
        }
        return names;
    }

    private static string? FindEncoded(string original, string normalized, bool includePeoplesData)
    {
        var visible = TextNormalizer.StripFormatCharacters(original);
        var asksToDecode = DecodeRequest.IsMatch(normalized);
        foreach (Match match in Base64Blob.Matches(visible))
        {
            var blob = match.Value;
            if (!LooksEncoded(blob))
                continue;
            var decoded = TryDecodeBase64(blob);
            if (decoded is not null)
            {
                var inner = Find(decoded, TextNormalizer.Normalize(decoded), includePeoplesData, depth: 1);
                if (inner is not null)
                    return Encoded;
            }
            if (asksToDecode && (decoded is not null || blob.Length >= 24) && FollowDecoded.IsMatch(normalized))
                return Encoded;
        }
        return null;
    }

    /// <summary>A blob mixes cases or digits the way an encoding does, unlike a long word, a path or an identifier in snake case.</summary>
    private static bool LooksEncoded(string blob)
    {
        int upper = 0, lower = 0, digit = 0;
        foreach (var c in blob)
        {
            if (char.IsUpper(c))
                upper++;
            else if (char.IsLower(c))
                lower++;
            else if (char.IsDigit(c))
                digit++;
        }
        return upper > 0 && lower > 0 && upper + digit >= blob.Length / 6;
    }

    private static string? TryDecodeBase64(string blob)
    {
        var standard = blob.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        var padded = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, buffer, out var written) || written < 8)
            return null;
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var printable = text.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
        var letters = text.Count(char.IsLetter);
        return printable >= text.Length * 0.95 && letters >= text.Length * 0.5 ? text : null;
    }

    private static string Squash(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetter(c))
                builder.Append(c);
        }
        return builder.ToString();
    }
}
