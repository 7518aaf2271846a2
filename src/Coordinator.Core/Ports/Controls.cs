namespace Coordinator.Core.Ports;

/// <summary>The kinds of personal data the pii-detector finds in free text.</summary>
public enum PiiKind
{
    Email,
    Phone,
    Iban,
    PaymentCard,
    FiscalCode,
    IpAddress,

    /// <summary>The name or a handle (Slack id, e-mail, number, ...) of a known person: the directory's or the instance's context's.</summary>
    Person,
}

/// <summary>One value found in a text: its kind, where it is (UTF-16 offsets) and the value as written.</summary>
public sealed record PiiFinding(PiiKind Kind, int Start, int Length, string Value);

/// <summary>
/// Someone whose name and handles are personal data wherever they appear: the people of the directory and those the
/// instance's context names. <paramref name="Id"/> is what the audit registry holds; <paramref name="Names"/> the ways a
/// text may name them (full name, first name and surname); <paramref name="Handles"/> their addresses on channels.
/// </summary>
public sealed record KnownPerson(string Id, IReadOnlyList<string> Names, IReadOnlyList<string> Handles);

/// <summary>
/// A text with its personal data replaced by stable placeholders (<c>[EMAIL_1]</c>, <c>[PERSON_2]</c>: one per distinct
/// value, numbered per kind in order of appearance), the findings, and each placeholder's original value, so a draft
/// written over the redacted text can be given its values back for its recipient.
/// </summary>
public sealed record RedactedText(string Text, IReadOnlyList<PiiFinding> Findings, IReadOnlyDictionary<string, string> Originals)
{
    /// <summary>The draft with every placeholder this redaction made replaced by its original value; placeholders it did not make stay as they are (a guardrail finds them).</summary>
    public string Restore(string draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        foreach (var (placeholder, original) in Originals.OrderByDescending(p => p.Key.Length))
            draft = draft.Replace(placeholder, original, StringComparison.Ordinal);
        return draft;
    }
}

/// <summary>
/// The pii-detector: finds personal data in free text and redacts it before any text reaches a model. Never logs or
/// audits the values it finds (only their kinds and counts).
/// </summary>
public interface IPiiDetector
{
    /// <summary>Every finding in <paramref name="text"/>, in order, without overlaps (the longer finding wins).</summary>
    IReadOnlyList<PiiFinding> Detect(string text, IReadOnlyCollection<KnownPerson> people);

    /// <summary><paramref name="text"/> with each finding replaced by its placeholder.</summary>
    RedactedText Redact(string text, IReadOnlyCollection<KnownPerson> people);
}

/// <summary>What the topic-guardrail found a text to be.</summary>
public enum GuardrailCategory
{
    /// <summary>About the work of the workflow: let through.</summary>
    OnTopic,

    /// <summary>Not about the work (weather, jokes, recipes): a polite refusal, verdict <c>WARN</c>.</summary>
    OffTopic,

    /// <summary>An attempt to steer the model (ignore previous instructions, role-play, a system prompt, other people's data): refused, verdict <c>DENY</c>.</summary>
    Injection,

    /// <summary>A draft that leaks a placeholder or a value the pii-detector flags: discarded for the template, verdict <c>DENY</c>.</summary>
    Leak,

    /// <summary>A draft that echoes instructions from the input: discarded for the template, verdict <c>DENY</c>.</summary>
    Echo,
}

/// <summary>The guardrail's verdict on one text: the category, the audit verdict it maps to, and a reason fit for an audit row (never the text itself).</summary>
public sealed record GuardrailVerdict(GuardrailCategory Category, AuditVerdict Verdict, string Reason)
{
    public bool Allowed => Verdict == AuditVerdict.Allow;

    /// <summary>The category as the audit rows' detail names it: <c>on_topic</c>, <c>off_topic</c>, <c>injection</c>, <c>leak</c>, <c>echo</c>.</summary>
    public string CategoryName => Category switch
    {
        GuardrailCategory.OnTopic => "on_topic",
        GuardrailCategory.OffTopic => "off_topic",
        GuardrailCategory.Injection => "injection",
        GuardrailCategory.Leak => "leak",
        _ => "echo",
    };
}

/// <summary>
/// The topic-guardrail: classifies inbound free text against the workflow's topics (<c>guardrails: { topics: [...] }</c>)
/// and checks a model's draft before anyone sees it. Deterministic; a model-based check may be layered on top.
/// </summary>
public interface ITopicGuardrail
{
    /// <summary>Inbound free text from a person: on topic, off topic (<c>WARN</c>) or an injection attempt (<c>DENY</c>).</summary>
    GuardrailVerdict CheckInbound(string text, IReadOnlyCollection<string> topics);

    /// <summary>
    /// A draft the model wrote (already restored for its recipient when <paramref name="redaction"/> is given): off topic,
    /// echoing instructions from <paramref name="input"/>, or leaking a placeholder or a value the pii-detector flags
    /// that the recipient's redaction did not hold is refused (<c>DENY</c>).
    /// </summary>
    GuardrailVerdict CheckDraft(string draft, string? input, IReadOnlyCollection<string> topics, RedactedText? redaction, IReadOnlyCollection<KnownPerson> people);
}
