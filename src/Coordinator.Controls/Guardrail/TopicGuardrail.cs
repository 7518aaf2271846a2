using System.Text.RegularExpressions;
using Coordinator.Core.Ports;

namespace Coordinator.Controls.Guardrail;

/// <summary>
/// The deterministic topic-guardrail (issue 14): general English and Italian patterns over a normalized text (NFKC, lower
/// case, no diacritics, no zero-width characters, collapsed whitespace, then light leetspeak undone). No model, no I/O;
/// immutable after construction and safe to share between threads. Reasons name the rule that fired, never the text.
/// </summary>
public sealed partial class TopicGuardrail : ITopicGuardrail
{
    public const string ReasonOnTopic = "on topic";
    public const string ReasonOffTopic = "no topic of the workflow";
    public const string ReasonPlaceholder = "unreplaced placeholder";
    public const string ReasonPersonalData = "personal data the recipient's redaction did not hold";
    public const string ReasonEcho = "echoes instructions";
    public const string ReasonVerbatim = "verbatim copy of an instruction-like input";
    public const string ReasonTooComplex = "text too complex to check";

    /// <summary>The shortest verbatim span (in words) of an instruction-like input that makes a draft an echo.</summary>
    public const int EchoSpanWords = 8;

    private readonly IPiiDetector _pii;

    public TopicGuardrail(IPiiDetector pii)
    {
        ArgumentNullException.ThrowIfNull(pii);
        _pii = pii;
    }

    public GuardrailVerdict CheckInbound(string text, IReadOnlyCollection<string> topics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(topics);
        try
        {
            var normalized = TextNormalizer.Normalize(text);
            var injection = InjectionRules.Find(text, normalized, includePeoplesData: true);
            if (injection is not null)
                return new GuardrailVerdict(GuardrailCategory.Injection, AuditVerdict.Deny, injection);
            return TopicClassifier.IsOnTopic(normalized, topics)
                ? new GuardrailVerdict(GuardrailCategory.OnTopic, AuditVerdict.Allow, ReasonOnTopic)
                : new GuardrailVerdict(GuardrailCategory.OffTopic, AuditVerdict.Warn, ReasonOffTopic);
        }
        catch (RegexMatchTimeoutException)
        {
            return new GuardrailVerdict(GuardrailCategory.Injection, AuditVerdict.Deny, ReasonTooComplex);
        }
    }

    public GuardrailVerdict CheckDraft(string draft, string? input, IReadOnlyCollection<string> topics, RedactedText? redaction, IReadOnlyCollection<KnownPerson> people)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(people);
        try
        {
            if (Placeholder().IsMatch(draft))
                return new GuardrailVerdict(GuardrailCategory.Leak, AuditVerdict.Deny, ReasonPlaceholder);

            if (LeaksPersonalData(draft, redaction, people))
                return new GuardrailVerdict(GuardrailCategory.Leak, AuditVerdict.Deny, ReasonPersonalData);

            var normalized = TextNormalizer.Normalize(draft);
            var injection = InjectionRules.Find(draft, normalized, includePeoplesData: false);
            if (injection is not null)
                return new GuardrailVerdict(GuardrailCategory.Echo, AuditVerdict.Deny, $"{ReasonEcho}: {injection}");

            if (input is not null && CopiesInstructionLikeInput(normalized, input))
                return new GuardrailVerdict(GuardrailCategory.Echo, AuditVerdict.Deny, ReasonVerbatim);

            return TopicClassifier.IsOnTopic(normalized, topics)
                ? new GuardrailVerdict(GuardrailCategory.OnTopic, AuditVerdict.Allow, ReasonOnTopic)
                : new GuardrailVerdict(GuardrailCategory.OffTopic, AuditVerdict.Deny, ReasonOffTopic);
        }
        catch (RegexMatchTimeoutException)
        {
            return new GuardrailVerdict(GuardrailCategory.Echo, AuditVerdict.Deny, ReasonTooComplex);
        }
    }

    private bool LeaksPersonalData(string draft, RedactedText? redaction, IReadOnlyCollection<KnownPerson> people)
    {
        var findings = _pii.Detect(draft, people);
        if (findings.Count == 0)
            return false;
        if (redaction is null || redaction.Originals.Count == 0)
            return true;
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var original in redaction.Originals.Values)
        {
            allowed.Add(Canonical(original));
            allowed.Add(Digits(original));
        }
        foreach (var finding in findings)
        {
            if (allowed.Contains(Canonical(finding.Value)))
                continue;
            var digits = Digits(finding.Value);
            if (digits.Length >= 6 && allowed.Contains(digits))
                continue;
            return true;
        }
        return false;
    }

    /// <summary>A value as compared with the redaction's originals: normalized, without spaces (an IBAN or a number written with or without them).</summary>
    private static string Canonical(string value) => TextNormalizer.Normalize(value).Replace(" ", string.Empty, StringComparison.Ordinal);

    private static string Digits(string value) => new([.. value.Where(char.IsAsciiDigit)]);

    private static bool CopiesInstructionLikeInput(string normalizedDraft, string input)
    {
        var normalizedInput = TextNormalizer.Normalize(input);
        if (InjectionRules.Find(input, normalizedInput, includePeoplesData: true) is null)
            return false;
        var inputWords = Words(normalizedInput);
        if (inputWords.Length < EchoSpanWords)
            return false;
        var spans = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 0; k + EchoSpanWords <= inputWords.Length; k++)
            spans.Add(string.Join(' ', inputWords, k, EchoSpanWords));
        var draftWords = Words(normalizedDraft);
        for (var k = 0; k + EchoSpanWords <= draftWords.Length; k++)
        {
            if (spans.Contains(string.Join(' ', draftWords, k, EchoSpanWords)))
                return true;
        }
        return false;
    }

    private static string[] Words(string normalized) =>
        [.. WordPattern().Matches(normalized).Select(m => m.Value)];

    [GeneratedRegex(@"\[[A-Z_]+_\d+\]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:'[\p{L}]+)?", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex WordPattern();
}
