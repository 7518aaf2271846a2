using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Coordinator.Core.Definitions;

/// <summary>
/// Durations of the workflow language: <c>30m</c>, <c>4h</c>, <c>2d</c>, <c>1w</c> (also <c>45s</c>,
/// and compounds such as <c>1d12h</c>) or ISO 8601 (<c>PT4H</c>, <c>P2D</c>, <c>P1W</c>).
/// Months and years are refused: they have no fixed length.
/// </summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ShortForm();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        var m = ShortForm().Match(text);
        if (m.Success && text.Length > 0)
        {
            long seconds = 0;
            int[] unit = [604800, 86400, 3600, 60, 1];
            for (var i = 0; i < unit.Length; i++)
            {
                if (!m.Groups[i + 1].Success)
                    continue;
                if (!long.TryParse(m.Groups[i + 1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000_000)
                    return false;
                seconds += n * unit[i];
            }
            if (seconds > (long)TimeSpan.FromDays(36500).TotalSeconds)
                return false;
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        if (text.StartsWith('P') && !text.Contains('Y', StringComparison.Ordinal) && !MonthDesignator(text))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(text.Contains('W', StringComparison.Ordinal) ? ConvertWeeks(text) : text);
                return value >= TimeSpan.Zero;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return false;
            }
        }
        return false;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration; write 30m, 4h, 2d, 1w or ISO 8601 such as PT4H or P2D.");

    /// <summary>The shortest short form: <c>2d</c>, <c>1w</c>, <c>1d12h</c>, <c>0m</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
            return "0m";
        var total = (long)value.TotalSeconds;
        var sb = new System.Text.StringBuilder();
        if (total < 0)
        {
            sb.Append('-');
            total = -total;
        }
        foreach (var (size, suffix) in new (long, char)[] { (604800, 'w'), (86400, 'd'), (3600, 'h'), (60, 'm'), (1, 's') })
        {
            if (total >= size)
            {
                sb.Append(total / size).Append(suffix);
                total %= size;
            }
        }
        return sb.ToString();
    }

    // "P1M" is a month, "PT1M" a minute: refuse M before the T.
    private static bool MonthDesignator(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        var datePart = t < 0 ? text : text[..t];
        return datePart.Contains('M', StringComparison.Ordinal);
    }

    private static string ConvertWeeks(string text)
    {
        var m = Regex.Match(text, @"^P(\d+)W$", RegexOptions.CultureInvariant);
        if (!m.Success)
            throw new FormatException("weeks cannot be combined with other units in ISO 8601");
        return "P" + (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 7).ToString(CultureInfo.InvariantCulture) + "D";
    }
}
