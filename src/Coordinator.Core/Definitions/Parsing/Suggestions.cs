namespace Coordinator.Core.Definitions.Parsing;

/// <summary>"Did you mean" hints: the closest candidate by edit distance, when it is close enough.</summary>
internal static class Suggestions
{
    /// <summary>" Did you mean 'owner'?" or an empty string.</summary>
    public static string DidYouMean(string actual, IEnumerable<string> candidates)
    {
        var best = Closest(actual, candidates);
        return best is null ? "" : $" Did you mean '{best}'?";
    }

    public static string? Closest(string actual, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(actual.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        // Close enough: a third of the longer word, at least one edit (typos, '_' for '-', plurals).
        return best is not null && bestDistance <= Math.Max(1, Math.Max(actual.Length, best.Length) / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    internal static int Distance(string a, string b)
    {
        if (a.Length > 256 || b.Length > 256)
            return Math.Max(a.Length, b.Length);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
