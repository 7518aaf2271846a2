using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Coordinator.Core.Ports;
using PhoneNumbers;

namespace Coordinator.Controls.Pii;

/// <summary>
/// The pii-detector: e-mail addresses, phone numbers (libphonenumber, Italian and English defaults, any +xx number),
/// IBANs (country length and mod 97), payment cards (Luhn and a known issuer), Italian fiscal codes (check character),
/// IPv4/IPv6 addresses and the names and handles of known people. Stateless and thread-safe: only precompiled patterns
/// and the shared <see cref="PhoneNumberUtil"/>. It writes nothing anywhere: no logger, no I/O.
/// </summary>
public sealed partial class PiiDetector : IPiiDetector
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>The default regions numbers written without +xx are read in: Italian first, then British and North American.</summary>
    private static readonly string[] PhoneRegions = ["IT", "GB", "US"];

    /// <summary>The words that, right before a number, make it an identifier rather than a phone number.</summary>
    private static readonly HashSet<string> IdentifierWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "n", "nr", "no", "num", "order", "ordine", "invoice", "fattura", "ticket", "pratica",
        "polizza", "policy", "ref", "rif", "id", "claim", "sinistro", "protocollo", "prot", "po", "cap", "zip",
        "postcode", "code", "codice", "iban", "account", "conto", "version", "versione", "build", "release", "v",
        "case", "caso", "contract", "contratto", "matricola", "serial", "seriale", "lotto", "batch", "chg",
    };

    /// <summary>The words that, right before a dotted quad, make it a version number rather than an address.</summary>
    private static readonly HashSet<string> VersionWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "v", "version", "versione", "build", "release", "rel", "ver", "firmware", "fw", "patch",
    };

    public IReadOnlyList<PiiFinding> Detect(string text, IReadOnlyCollection<KnownPerson> people)
    {
        var found = Find(text, people);
        var findings = new PiiFinding[found.Count];
        for (var i = 0; i < found.Count; i++)
            findings[i] = found[i].Finding;
        return findings;
    }

    public RedactedText Redact(string text, IReadOnlyCollection<KnownPerson> people)
    {
        var found = Find(text, people);
        if (found.Count == 0)
            return new RedactedText(text, [], new Dictionary<string, string>(StringComparer.Ordinal));

        var byValue = new Dictionary<(PiiKind, string), string>();
        var counts = new Dictionary<PiiKind, int>();
        var originals = new Dictionary<string, string>(StringComparer.Ordinal);
        var findings = new PiiFinding[found.Count];
        var builder = new StringBuilder(text.Length);
        var position = 0;
        for (var i = 0; i < found.Count; i++)
        {
            var (finding, key) = found[i];
            findings[i] = finding;
            if (!byValue.TryGetValue((finding.Kind, key), out var placeholder))
            {
                var n = counts.GetValueOrDefault(finding.Kind) + 1;
                counts[finding.Kind] = n;
                placeholder = string.Create(CultureInfo.InvariantCulture, $"[{Label(finding.Kind)}_{n}]");
                byValue[(finding.Kind, key)] = placeholder;
                originals[placeholder] = finding.Value;
            }
            builder.Append(text, position, finding.Start - position).Append(placeholder);
            position = finding.Start + finding.Length;
        }
        builder.Append(text, position, text.Length - position);
        return new RedactedText(builder.ToString(), findings, originals);
    }

    /// <summary>The placeholder's name for a kind: <c>EMAIL</c>, <c>PHONE</c>, <c>IBAN</c>, <c>CARD</c>, <c>FISCAL_CODE</c>, <c>IP</c>, <c>PERSON</c>.</summary>
    public static string Label(PiiKind kind) => kind switch
    {
        PiiKind.Email => "EMAIL",
        PiiKind.Phone => "PHONE",
        PiiKind.Iban => "IBAN",
        PiiKind.PaymentCard => "CARD",
        PiiKind.FiscalCode => "FISCAL_CODE",
        PiiKind.IpAddress => "IP",
        PiiKind.Person => "PERSON",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A finding and the normalised value that decides its placeholder (digits only, lower case, the person's id, ...).</summary>
    private readonly record struct Candidate(PiiFinding Finding, string Key);

    private static List<Candidate> Find(string text, IReadOnlyCollection<KnownPerson> people)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(people);
        var candidates = new List<Candidate>();
        if (text.Length == 0)
            return candidates;
        FindEmails(text, candidates);
        FindIbans(text, candidates);
        FindCards(text, candidates);
        FindFiscalCodes(text, candidates);
        FindIpAddresses(text, candidates);
        FindPhones(text, candidates);
        if (people.Count > 0)
            FindPeople(text, people, candidates);
        return Resolve(candidates);
    }

    /// <summary>Overlaps: the longer finding wins; at equal length a known person wins, then the more specific kind; then by position.</summary>
    private static List<Candidate> Resolve(List<Candidate> candidates)
    {
        if (candidates.Count <= 1)
            return candidates;
        var order = new int[candidates.Count];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            var x = candidates[a].Finding;
            var y = candidates[b].Finding;
            var c = y.Length.CompareTo(x.Length);
            if (c == 0)
                c = Priority(x.Kind).CompareTo(Priority(y.Kind));
            if (c == 0)
                c = x.Start.CompareTo(y.Start);
            return c == 0 ? a.CompareTo(b) : c;
        });
        var kept = new List<Candidate>(candidates.Count);
        foreach (var index in order)
        {
            var f = candidates[index].Finding;
            var overlaps = false;
            foreach (var k in kept)
            {
                if (f.Start < k.Finding.Start + k.Finding.Length && k.Finding.Start < f.Start + f.Length)
                {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps)
                kept.Add(candidates[index]);
        }
        kept.Sort(static (a, b) => a.Finding.Start.CompareTo(b.Finding.Start));
        return kept;
    }

    private static int Priority(PiiKind kind) => kind switch
    {
        PiiKind.Person => 0,
        PiiKind.Email => 1,
        PiiKind.Iban => 2,
        PiiKind.FiscalCode => 3,
        PiiKind.PaymentCard => 4,
        PiiKind.IpAddress => 5,
        PiiKind.Phone => 6,
        _ => 7,
    };

    private static void Add(List<Candidate> candidates, PiiKind kind, string text, int start, int length, string key) =>
        candidates.Add(new Candidate(new PiiFinding(kind, start, length, text.Substring(start, length)), key));

    // ---- e-mail -------------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    private static void FindEmails(string text, List<Candidate> candidates)
    {
        if (!text.Contains('@', StringComparison.Ordinal))
            return;
        foreach (Match m in EmailPattern().Matches(text))
        {
            if (m.Value.Contains("..", StringComparison.Ordinal))
                continue;
            if (!MailAddress.TryCreate(m.Value, out var address) || !string.Equals(address.Address, m.Value, StringComparison.Ordinal))
                continue;
            Add(candidates, PiiKind.Email, text, m.Index, m.Length, m.Value.ToUpperInvariant());
        }
    }

    // ---- IBAN ---------------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}", RegexOptions.CultureInvariant)]
    private static partial Regex IbanStart();

    private static void FindIbans(string text, List<Candidate> candidates)
    {
        Span<char> compact = stackalloc char[34];
        var from = 0;
        while (from < text.Length)
        {
            var m = IbanStart().Match(text, from);
            if (!m.Success)
                return;
            from = m.Index + 1;
            if (!PiiChecksums.IbanLengths.TryGetValue(m.Value[..2].ToUpperInvariant(), out var length))
                continue;
            // Take the country's number of characters, single spaces allowed between them, and stop there.
            var count = 0;
            var i = m.Index;
            while (i < text.Length && count < length)
            {
                var c = text[i];
                if (char.IsAsciiLetterOrDigit(c))
                    compact[count++] = char.ToUpperInvariant(c);
                else if (c != ' ' || count == 0 || i + 1 >= text.Length || !char.IsAsciiLetterOrDigit(text[i + 1]))
                    break;
                i++;
            }
            if (count != length || (i < text.Length && char.IsAsciiLetterOrDigit(text[i])))
                continue;
            var value = compact[..count];
            if (!PiiChecksums.IsValidIban(value))
                continue;
            Add(candidates, PiiKind.Iban, text, m.Index, i - m.Index, value.ToString());
            from = i;
        }
    }

    // ---- payment cards ------------------------------------------------------------------------------------------------

    /// <summary>Groups of digits joined by single spaces or dashes, 13..19 digits in all (with some slack for trimming).</summary>
    [GeneratedRegex(@"(?<![\w.,/-])\d+(?:[ -]\d+)*(?![\w/]|[.,]\d)", RegexOptions.CultureInvariant)]
    private static partial Regex DigitGroups();

    private static void FindCards(string text, List<Candidate> candidates)
    {
        if (CountDigits(text) < 13)
            return;
        Span<char> digits = stackalloc char[19];
        foreach (Match m in DigitGroups().Matches(text))
        {
            if (m.Length < 13)
                continue;
            // The groups of the run; try the longest span of whole groups that is a card (a run may hold a card and more).
            var groups = SplitGroups(m.Index, m.Length, text);
            var accepted = false;
            for (var first = 0; first < groups.Count && !accepted; first++)
            {
                for (var last = groups.Count - 1; last >= first && !accepted; last--)
                {
                    var total = 0;
                    for (var g = first; g <= last; g++)
                        total += groups[g].Length;
                    if (total is < 13 or > 19)
                        continue;
                    if (!ConsistentSeparators(text, groups, first, last))
                        continue;
                    var n = 0;
                    for (var g = first; g <= last; g++)
                    {
                        text.AsSpan(groups[g].Start, groups[g].Length).CopyTo(digits[n..]);
                        n += groups[g].Length;
                    }
                    var card = digits[..n];
                    if (!PiiChecksums.IsLuhnValid(card) || !PiiChecksums.HasKnownIssuer(card))
                        continue;
                    var start = groups[first].Start;
                    Add(candidates, PiiKind.PaymentCard, text, start, groups[last].Start + groups[last].Length - start, card.ToString());
                    accepted = true;
                }
            }
        }
    }

    private static List<(int Start, int Length)> SplitGroups(int index, int length, string text)
    {
        var groups = new List<(int, int)>();
        var start = index;
        for (var i = index; i <= index + length; i++)
        {
            if (i == index + length || !char.IsAsciiDigit(text[i]))
            {
                groups.Add((start, i - start));
                start = i + 1;
            }
        }
        return groups;
    }

    /// <summary>A card is written with one kind of separator (or none): 4111 1111 1111 1111, 4111-1111-1111-1111.</summary>
    private static bool ConsistentSeparators(string text, List<(int Start, int Length)> groups, int first, int last)
    {
        if (last == first)
            return true;
        var separator = text[groups[first].Start + groups[first].Length];
        for (var g = first + 1; g < last; g++)
        {
            if (text[groups[g].Start + groups[g].Length] != separator)
                return false;
        }
        // No group of one digit: that is how order numbers and references are split, not cards.
        for (var g = first; g <= last; g++)
        {
            if (groups[g].Length < 3)
                return false;
        }
        return true;
    }

    // ---- Italian fiscal code ------------------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex FiscalCodePattern();

    private static void FindFiscalCodes(string text, List<Candidate> candidates)
    {
        foreach (Match m in FiscalCodePattern().Matches(text))
        {
            var code = m.Value.ToUpperInvariant();
            // A fiscal code has digits in its date (or omocodia letters for all of them, which is vanishingly rare):
            // sixteen letters in a row are a word, not a code.
            if (!code.Any(char.IsAsciiDigit))
                continue;
            if (PiiChecksums.IsValidFiscalCode(code))
                Add(candidates, PiiKind.FiscalCode, text, m.Index, m.Length, code);
        }
    }

    // ---- IP addresses -------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![\w.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![\w]|\.[0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4Pattern();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?![\w:])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6Pattern();

    private static void FindIpAddresses(string text, List<Candidate> candidates)
    {
        if (text.Contains('.', StringComparison.Ordinal))
        {
            foreach (Match m in Ipv4Pattern().Matches(text))
            {
                if (VersionWords.Contains(WordBefore(text, m.Index)))
                    continue;
                if (IPAddress.TryParse(m.Value, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
                    Add(candidates, PiiKind.IpAddress, text, m.Index, m.Length, address.ToString());
            }
        }
        if (text.Contains(':', StringComparison.Ordinal))
        {
            foreach (Match m in Ipv6Pattern().Matches(text))
            {
                var value = m.Value;
                // A full address has eight groups; a shorter one needs "::". Times (14:30:00) have neither.
                if (!value.Contains("::", StringComparison.Ordinal) && value.Count(c => c == ':') < 7)
                    continue;
                if (value.EndsWith(':') && !value.EndsWith("::", StringComparison.Ordinal))
                    value = value[..^1];
                if (value.Length < 3)
                    continue;
                if (IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
                    Add(candidates, PiiKind.IpAddress, text, m.Index, value.Length, address.ToString());
            }
        }
    }

    // ---- phone numbers ------------------------------------------------------------------------------------------------

    private static void FindPhones(string text, List<Candidate> candidates)
    {
        if (CountDigits(text) < 6)
            return;
        foreach (var region in PhoneRegions)
        {
            foreach (var match in Phones.FindNumbers(text, region, PhoneNumberUtil.Leniency.VALID, long.MaxValue))
            {
                var raw = match.RawString;
                if (JoinedToToken(text, match.Start, match.Length))
                    continue;
                var international = raw.StartsWith('+') || raw.StartsWith("00", StringComparison.Ordinal);
                if (!international)
                {
                    // A number in a default region other than Italy's must look like a phone number: written in groups.
                    if (region != "IT" && !raw.Any(c => c is ' ' or '-' or '.' or '(' or ')'))
                        continue;
                    if (IdentifierWords.Contains(WordBefore(text, match.Start)))
                        continue;
                }
                var key = Phones.Format(match.Number, PhoneNumberFormat.E164);
                Add(candidates, PiiKind.Phone, text, match.Start, match.Length, key);
            }
        }
    }

    // ---- known people -------------------------------------------------------------------------------------------------

    private static void FindPeople(string text, IReadOnlyCollection<KnownPerson> people, List<Candidate> candidates)
    {
        var folded = PiiText.Fold(text);
        foreach (var person in people)
        {
            foreach (var name in person.Names)
            {
                if (string.IsNullOrWhiteSpace(name))
                    continue;
                FindAll(folded, PiiText.Fold(name.Trim()), StringComparison.Ordinal, text, person, candidates);
            }
            foreach (var handle in person.Handles)
            {
                if (string.IsNullOrWhiteSpace(handle))
                    continue;
                FindAll(text, handle.Trim(), StringComparison.OrdinalIgnoreCase, text, person, candidates);
                // A handle that is a phone number is the person wherever that number appears, however it is written.
                if (handle.Any(char.IsAsciiDigit) && TryE164(handle, out var e164))
                {
                    for (var i = 0; i < candidates.Count; i++)
                    {
                        var c = candidates[i];
                        if (c.Finding.Kind == PiiKind.Phone && c.Key == e164)
                            candidates[i] = new Candidate(c.Finding with { Kind = PiiKind.Person }, person.Id);
                    }
                }
            }
        }
    }

    private static void FindAll(string haystack, string needle, StringComparison comparison, string text, KnownPerson person, List<Candidate> candidates)
    {
        var at = 0;
        while (at <= haystack.Length - needle.Length)
        {
            var i = haystack.IndexOf(needle, at, comparison);
            if (i < 0)
                return;
            if (PiiText.IsWholeWord(haystack, i, needle.Length))
                Add(candidates, PiiKind.Person, text, i, needle.Length, person.Id);
            at = i + 1;
        }
    }

    private static bool TryE164(string handle, out string e164)
    {
        e164 = "";
        try
        {
            var number = Phones.Parse(handle, "IT");
            if (!Phones.IsValidNumber(number))
                return false;
            e164 = Phones.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------------

    private static int CountDigits(string text)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
                n++;
        }
        return n;
    }

    /// <summary>True when the span is the tail or head of a longer token (INV-2026-840582, 12/2026-3456): part of an identifier, not a number of its own.</summary>
    private static bool JoinedToToken(string text, int start, int length)
    {
        if (start >= 2 && text[start - 1] is '-' or '/' or '_' or '.' && char.IsLetterOrDigit(text[start - 2]))
            return true;
        var end = start + length;
        return end + 1 < text.Length && text[end] is '-' or '/' or '_' && char.IsLetterOrDigit(text[end + 1]);
    }

    /// <summary>The word right before <paramref name="index"/>, skipping spaces and the punctuation of a label (<c>n.</c>, <c>#</c>, <c>:</c>).</summary>
    private static string WordBefore(string text, int index)
    {
        var i = index - 1;
        while (i >= 0 && (text[i] is ' ' or ':' or '#' or '.' or '°' or 'º' or '(' or '\t'))
            i--;
        var end = i + 1;
        while (i >= 0 && char.IsLetter(text[i]))
            i--;
        return text[(i + 1)..end];
    }
}
