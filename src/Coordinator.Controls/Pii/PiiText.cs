namespace Coordinator.Controls.Pii;

/// <summary>
/// Folding for name matching: lower case without diacritics, one character for one character, so an offset in the folded
/// text is the same offset in the original (Niccolò, NICCOLO and niccolo fold alike).
/// </summary>
internal static class PiiText
{
    // Latin-1 Supplement and Latin Extended-A, U+00C0..U+017F: the base letter of each (or the character itself).
    private const string Latin = // U+00C0..U+00FF
        "aaaaaaaceeeeiiii" + "dnooooo×ouuuuyþs" + "aaaaaaaceeeeiiii" + "dnooooo÷ouuuuyþy" +
        // U+0100..U+017F
        "aaaaaaccccccccdd" + "ddeeeeeeeeeegggg" + "gggghhhhiiiiiiii" + "iiijjjkkklllllll" +
        "lllnnnnnnnnnoooo" + "oooorrrrrrssssss" + "ssttttttuuuuuuuu" + "uuuuwwyyyzzzzzzs";

    public static char Fold(char c)
    {
        if (c < 128)
            return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        if (c is >= '\u00C0' and <= '\u017F')
            return Latin[c - '\u00C0'];
        return char.ToLowerInvariant(c);
    }

    public static string Fold(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
            span[i] = Fold(source[i]);
    });

    /// <summary>True when the characters either side of [start, start + length) are not letters or digits (or there are none).</summary>
    public static bool IsWholeWord(string text, int start, int length)
    {
        if (start > 0 && char.IsLetterOrDigit(text[start - 1]))
            return false;
        var end = start + length;
        return end >= text.Length || !char.IsLetterOrDigit(text[end]);
    }
}
