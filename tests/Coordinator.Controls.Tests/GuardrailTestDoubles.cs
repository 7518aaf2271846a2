using System.Text.RegularExpressions;
using Coordinator.Core.Ports;

namespace Coordinator.Controls.Tests;

/// <summary>A stand-in for the real pii-detector in the guardrail's tests: it flags e-mail addresses and nothing else.</summary>
internal sealed partial class EmailOnlyPiiDetector : IPiiDetector
{
    public IReadOnlyList<PiiFinding> Detect(string text, IReadOnlyCollection<KnownPerson> people) =>
        [.. Email().Matches(text).Select(m => new PiiFinding(PiiKind.Email, m.Index, m.Length, m.Value))];

    public RedactedText Redact(string text, IReadOnlyCollection<KnownPerson> people)
    {
        var findings = Detect(text, people);
        var originals = new Dictionary<string, string>(StringComparer.Ordinal);
        var byValue = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (!byValue.ContainsKey(finding.Value))
            {
                var placeholder = $"[EMAIL_{byValue.Count + 1}]";
                byValue[finding.Value] = placeholder;
                originals[placeholder] = finding.Value;
            }
        }
        var redacted = Email().Replace(text, m => byValue[m.Value]);
        return new RedactedText(redacted, findings, originals);
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Email();
}
