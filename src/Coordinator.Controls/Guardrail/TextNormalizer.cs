using System.Globalization;
using System.Text;

namespace Coordinator.Controls.Guardrail;

/// <summary>
/// The guardrail's view of a text: obfuscations undone before any rule looks at it. Pure functions, thread-safe.
/// </summary>
internal static class TextNormalizer
{
    /// <summary>
    /// The text as the rules read it: format characters (zero-width spaces and joiners, soft hyphens, bidi marks) removed,
    /// the compatibility forms NFKC folds (full-width letters, ligatures, mathematical and circled letters) folded, lower
    /// case, diacritics stripped, common Cyrillic and Greek look-alikes mapped to Latin, typographic quotes and dashes made
    /// plain, whitespace collapsed to single spaces.
    /// </summary>
    /// <remarks>
    /// Done by hand rather than with <see cref="string.Normalize(NormalizationForm)"/>: the solution builds with
    /// <c>InvariantGlobalization</c>, where normalization without ICU returns the text unchanged.
    /// </remarks>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var lastWasSpace = true;
        for (var i = 0; i < text.Length; i++)
        {
            int code = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                code = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }
            var folded = Fold(code);
            if (folded is null)
                continue;
            foreach (var f in folded)
            {
                if (char.IsWhiteSpace(f) || char.IsControl(f))
                {
                    if (!lastWasSpace)
                        builder.Append(' ');
                    lastWasSpace = true;
                    continue;
                }
                builder.Append(f);
                lastWasSpace = false;
            }
        }
        if (builder.Length > 0 && builder[^1] == ' ')
            builder.Length--;
        return builder.ToString();
    }

    /// <summary>One code point as the rules read it: <see langword="null"/> when it is dropped (format characters, combining marks).</summary>
    private static string? Fold(int code)
    {
        if (code < 0x80)
            return code is >= 'A' and <= 'Z' ? ((char)(code + 32)).ToString() : ((char)code).ToString();
        if (code > 0xFFFF)
        {
            // mathematical alphanumeric symbols: bold, italic, script, fraktur, double-struck, sans-serif, monospace
            if (code is >= 0x1D400 and <= 0x1D6A3)
            {
                var letter = (code - 0x1D400) % 52;
                return ((char)(letter < 26 ? 'a' + letter : 'a' + letter - 26)).ToString();
            }
            if (code is >= 0x1D7CE and <= 0x1D7FF)
                return ((char)('0' + ((code - 0x1D7CE) % 10))).ToString();
            if (code is >= 0x1F130 and <= 0x1F189)
                return ((char)('a' + ((code - 0x1F130) % 26))).ToString(); // squared, negative circled and squared letters
            if (code is >= 0xE0000 and <= 0xE007F)
                return null; // tag characters
            return char.ConvertFromUtf32(code).ToLowerInvariant();
        }
        var c = (char)code;
        if (IsInvisible(c))
            return null;
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark)
            return null;
        if (c is >= '\uFF01' and <= '\uFF5E')
            return Fold(c - 0xFEE0);
        if (c is >= '\u24B6' and <= '\u24CF')
            return ((char)('a' + (c - 0x24B6))).ToString();
        if (c is >= '\u24D0' and <= '\u24E9')
            return ((char)('a' + (c - 0x24D0))).ToString();
        if (c == '\u3000' || c == '\u00A0' || c is >= '\u2000' and <= '\u200A' || c is '\u202F' or '\u205F')
            return " ";
        var lower = char.ToLowerInvariant(c);
        return lower switch
        {
            >= '\u00E0' and <= '\u00E5' => "a",
            '\u00E6' => "ae",
            '\u00E7' => "c",
            >= '\u00E8' and <= '\u00EB' => "e",
            >= '\u00EC' and <= '\u00EF' => "i",
            '\u00F0' => "d",
            '\u00F1' => "n",
            >= '\u00F2' and <= '\u00F6' or '\u00F8' => "o",
            >= '\u00F9' and <= '\u00FC' => "u",
            '\u00FD' or '\u00FF' => "y",
            '\u00DF' => "ss",
            '\u0153' => "oe",
            '\u0131' => "i",
            '\uFB00' => "ff",
            '\uFB01' => "fi",
            '\uFB02' => "fl",
            '\uFB03' => "ffi",
            '\uFB04' => "ffl",
            '\uFB05' or '\uFB06' => "st",
            >= '\u0100' and <= '\u017F' => LatinExtendedA(lower),
            _ => Plain(lower).ToString(),
        };
    }

    /// <summary>Latin Extended-A (U+0100–U+017F) without its diacritics.</summary>
    private static string LatinExtendedA(char c)
    {
        const string bases = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
        var index = c - 0x0100;
        return index < bases.Length ? bases[index].ToString() : c.ToString();
    }

    /// <summary>
    /// The second pass over a normalized text, for the injection rules only: light leetspeak undone inside words
    /// (1→i, 0→o, 3→e, 4→a, 5→s, 7→t, @→a, $→s), separators inside words dropped (<c>ig.no-re</c>), and runs of
    /// single letters joined (<c>i g n o r e</c>).
    /// </summary>
    public static string Deobfuscate(string normalized)
    {
        var builder = new StringBuilder(normalized.Length);
        var i = 0;
        while (i < normalized.Length)
        {
            var end = normalized.IndexOf(' ', i);
            if (end < 0)
                end = normalized.Length;
            AppendToken(builder, normalized.AsSpan(i, end - i));
            builder.Append(' ');
            i = end + 1;
        }
        if (builder.Length > 0)
            builder.Length--;
        return JoinSpelledLetters(builder.ToString());
    }

    /// <summary>The text with format characters (Unicode category Cf: zero-width, bidi controls, soft hyphen) removed; case and letters kept.</summary>
    public static string StripFormatCharacters(string text)
    {
        var found = false;
        foreach (var c in text)
        {
            if (IsInvisible(c))
            {
                found = true;
                break;
            }
        }
        if (!found)
            return text;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!IsInvisible(c))
                builder.Append(c);
        }
        return builder.ToString();
    }

    private static bool IsInvisible(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format || c is '\u034F' or '\u115F' or '\u1160' or '\u3164' or '\uFFA0';

    private static char Plain(char c) => c switch
    {
        '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '\u00B4' or '`' => '\'',
        '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u00AB' or '\u00BB' => '"',
        '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => '-',
        // Cyrillic look-alikes
        '\u0430' => 'a', '\u0435' or '\u0451' => 'e', '\u043E' => 'o', '\u0440' => 'p', '\u0441' => 'c', '\u0443' => 'y',
        '\u0445' => 'x', '\u0456' => 'i', '\u0458' => 'j', '\u0455' => 's', '\u043A' => 'k', '\u043C' => 'm', '\u0442' => 't',
        // Greek look-alikes
        '\u03BF' => 'o', '\u03B1' => 'a', '\u03B5' => 'e', '\u03B9' => 'i', '\u03BD' => 'v', '\u03C4' => 't', '\u03BA' => 'k',
        '\u03C1' => 'p', '\u03C5' => 'u', '\u03C7' => 'x',
        _ => c,
    };

    private static void AppendToken(StringBuilder builder, ReadOnlySpan<char> token)
    {
        var hasLetter = false;
        foreach (var c in token)
        {
            if (char.IsLetter(c))
            {
                hasLetter = true;
                break;
            }
        }
        for (var k = 0; k < token.Length; k++)
        {
            var c = token[k];
            if (hasLetter)
            {
                var leet = c switch
                {
                    '1' or '!' or '|' when k > 0 && k < token.Length - 1 => 'i',
                    '1' => 'i',
                    '0' => 'o',
                    '3' => 'e',
                    '4' or '@' => 'a',
                    '5' or '$' => 's',
                    '7' => 't',
                    _ => c,
                };
                if (leet != c)
                {
                    builder.Append(leet);
                    continue;
                }
                // a separator between two letters inside a word: ig.no-re, i_g_n_o_r_e
                if (c is '.' or '-' or '_' or '*' or '~' or '\'' or '+' && k > 0 && k < token.Length - 1 && IsWordChar(token[k - 1]) && IsWordChar(token[k + 1]))
                    continue;
            }
            builder.Append(c);
        }
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '@' or '$';

    /// <summary>"i g n o r e a l l" → "ignoreall": a run of at least four single letters separated by spaces is joined.</summary>
    private static string JoinSpelledLetters(string text)
    {
        var words = text.Split(' ');
        var builder = new StringBuilder(text.Length);
        var k = 0;
        while (k < words.Length)
        {
            var run = k;
            while (run < words.Length && words[run].Length == 1 && char.IsLetter(words[run][0]))
                run++;
            if (run - k >= 4)
            {
                if (builder.Length > 0)
                    builder.Append(' ');
                for (var j = k; j < run; j++)
                    builder.Append(words[j]);
                k = run;
                continue;
            }
            if (builder.Length > 0)
                builder.Append(' ');
            builder.Append(words[k]);
            k++;
        }
        return builder.ToString();
    }
}
