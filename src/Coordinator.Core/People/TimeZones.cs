using System.Text.RegularExpressions;

namespace Coordinator.Core.People;

/// <summary>Time zones by IANA name (or Windows name), as the host's system knows them.</summary>
public static partial class TimeZones
{
    /// <summary>
    /// The spelling of a zone name: <c>Europe/Rome</c>, <c>America/Argentina/Buenos_Aires</c>,
    /// <c>Etc/GMT+1</c>, <c>W. Europe Standard Time</c>. The name becomes a path under the system's zone
    /// folder, so nothing else (no <c>..</c>, no leading <c>/</c>) is passed on.
    /// </summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_+. -]*(/[A-Za-z0-9_+-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static bool TryFind(string id, out TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(id);
        zone = TimeZoneInfo.Utc;
        if (id.Length > 64 || !NamePattern().IsMatch(id) || id.Contains("..", StringComparison.Ordinal))
            return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException or UnauthorizedAccessException or IOException)
        {
            // 'Europe' names a folder of zones, not a zone.
            return false;
        }
    }
}
