using System.Collections.Frozen;

namespace Coordinator.Controls.Pii;

/// <summary>The check algorithms behind the checksum kinds: IBAN (ISO 13616, mod 97), payment cards (Luhn and the issuers' IIN ranges) and the Italian fiscal code (the check character of DM 12/03/1974).</summary>
internal static class PiiChecksums
{
    /// <summary>IBAN length by country (ISO 13616 registry): every SEPA country and the other registered ones.</summary>
    public static readonly FrozenDictionary<string, int> IbanLengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        // SEPA
        ["AD"] = 24, ["AT"] = 20, ["BE"] = 16, ["BG"] = 22, ["CH"] = 21, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22,
        ["DK"] = 18, ["EE"] = 20, ["ES"] = 24, ["FI"] = 18, ["FR"] = 27, ["GB"] = 22, ["GI"] = 23, ["GR"] = 27,
        ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IS"] = 26, ["IT"] = 27, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20,
        ["LV"] = 21, ["MC"] = 27, ["MT"] = 31, ["NL"] = 18, ["NO"] = 15, ["PL"] = 28, ["PT"] = 25, ["RO"] = 24,
        ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["VA"] = 22,
        // Other registered countries
        ["AE"] = 23, ["AL"] = 28, ["AZ"] = 28, ["BA"] = 20, ["BH"] = 22, ["BR"] = 29, ["BY"] = 28, ["CR"] = 22,
        ["DO"] = 28, ["EG"] = 29, ["FO"] = 18, ["GE"] = 22, ["GL"] = 18, ["GT"] = 28, ["IL"] = 23, ["IQ"] = 23,
        ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19,
        ["MR"] = 27, ["MU"] = 30, ["PK"] = 24, ["PS"] = 29, ["QA"] = 29, ["RS"] = 22, ["SA"] = 24, ["SC"] = 31,
        ["ST"] = 25, ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VG"] = 24, ["XK"] = 20,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>True when <paramref name="iban"/> (upper-case letters and digits, no spaces) has its country's length and its check digits give mod 97 == 1.</summary>
    public static bool IsValidIban(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 15 || iban.Length > 34)
            return false;
        if (!IsUpper(iban[0]) || !IsUpper(iban[1]) || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
            return false;
        if (!IbanLengths.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(iban[..2], out var length) || length != iban.Length)
            return false;
        // Move the first four characters to the end, letters become 10..35, the number mod 97 must be 1.
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var c = iban[(i + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
                remainder = (remainder * 10 + (c - '0')) % 97;
            else if (IsUpper(c))
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            else
                return false;
        }
        return remainder == 1;
    }

    /// <summary>True when the digits pass the Luhn check (mod 10).</summary>
    public static bool IsLuhnValid(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
            return false;
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9)
                return false;
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                    d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>True when the digits start with a known issuer prefix (IIN) and have a length that issuer uses.</summary>
    public static bool HasKnownIssuer(ReadOnlySpan<char> digits)
    {
        var n = digits.Length;
        if (n is < 13 or > 19)
            return false;
        var p2 = Prefix(digits, 2);
        var p3 = Prefix(digits, 3);
        var p4 = Prefix(digits, 4);
        var p6 = Prefix(digits, 6);
        return digits[0] switch
        {
            '4' => n is 13 or 16 or 19,                                                   // Visa
            '5' when p2 is >= 51 and <= 55 => n == 16,                                    // Mastercard
            '2' when p4 is >= 2221 and <= 2720 => n == 16,                                // Mastercard 2-series
            '3' when p2 is 34 or 37 => n == 15,                                           // American Express
            '3' when p4 is >= 3528 and <= 3589 => n is >= 16 and <= 19,                   // JCB
            '3' when (p3 is >= 300 and <= 305) || p2 is 36 or 38 or 39 => n is >= 14 and <= 19, // Diners Club
            '6' when p4 == 6011 || p2 == 65 || p3 is >= 644 and <= 649 => n is >= 16 and <= 19, // Discover
            '6' when p6 is >= 622126 and <= 622925 => n is >= 16 and <= 19,               // Discover / UnionPay co-brand
            '6' when p2 == 62 => n is >= 16 and <= 19,                                    // UnionPay
            '6' when p4 is 6304 or 6759 or 6761 or 6762 or 6763 => n is >= 13 and <= 19,  // Maestro
            '5' when p4 is 5018 or 5020 or 5038 or 5893 => n is >= 13 and <= 19,          // Maestro
            _ => false,
        };
    }

    private static readonly int[] FiscalOdd =
    [
        // A/0 B/1 C/2 D/3 E/4 F/5 G/6 H/7 I/8 J/9 K L M N O P Q R S T U V W X Y Z
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
    ];

    /// <summary>The letters that stand for the digits 0..9 in a fiscal code made unique (omocodia).</summary>
    public const string OmocodiaLetters = "LMNPQRSTUV";

    private const string MonthLetters = "ABCDEHLMPRST";

    /// <summary>The check character of the first 15 characters of a fiscal code (upper case).</summary>
    public static char FiscalCodeCheck(ReadOnlySpan<char> first15)
    {
        var sum = 0;
        for (var i = 0; i < 15; i++)
        {
            var c = first15[i];
            var v = char.IsAsciiDigit(c) ? c - '0' : c - 'A';
            // Positions are counted from 1: odd positions (index 0, 2, ...) use the odd table.
            sum += i % 2 == 0 ? FiscalOdd[v] : v;
        }
        return (char)('A' + sum % 26);
    }

    /// <summary>True when <paramref name="code"/> (16 characters, upper case) has the shape of a fiscal code, a real month and day, and its check character.</summary>
    public static bool IsValidFiscalCode(ReadOnlySpan<char> code)
    {
        if (code.Length != 16)
            return false;
        for (var i = 0; i < 16; i++)
        {
            var c = code[i];
            var digitPosition = i is 6 or 7 or 9 or 10 or 12 or 13 or 14;
            var ok = digitPosition ? char.IsAsciiDigit(c) || OmocodiaLetters.Contains(c) : IsUpper(c);
            if (!ok)
                return false;
        }
        if (!MonthLetters.Contains(code[8]))
            return false;
        var day = DigitValue(code[9]) * 10 + DigitValue(code[10]);
        if (day is not ((>= 1 and <= 31) or (>= 41 and <= 71)))
            return false;
        return FiscalCodeCheck(code[..15]) == code[15];
    }

    private static int DigitValue(char c) => char.IsAsciiDigit(c) ? c - '0' : OmocodiaLetters.IndexOf(c, StringComparison.Ordinal);

    private static bool IsUpper(char c) => c is >= 'A' and <= 'Z';

    private static int Prefix(ReadOnlySpan<char> digits, int length)
    {
        var value = 0;
        for (var i = 0; i < length && i < digits.Length; i++)
            value = value * 10 + (digits[i] - '0');
        return value;
    }
}
