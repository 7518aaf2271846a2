using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// The inbox has no login: it is a local, single-user tool. It therefore answers only requests made
/// on this machine to a loopback host name (which also defeats DNS rebinding), and its forms carry a
/// double-submit token: a random value in a <c>SameSite=Strict</c>, HTTP-only cookie that must match
/// the form's hidden field, so another site cannot post to it.
/// </summary>
internal static class InboxSecurity
{
    public const string TokenField = "token";
    private const string TokenCookie = "coordinator-inbox-token";

    /// <summary>Whether the request comes from this machine and names a loopback host.</summary>
    public static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IPAddress.IsLoopback(remote))
            return false;
        var host = context.Request.Host.Host;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The form token of this browser, issued (as a cookie) on first use.</summary>
    public static string TokenFor(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(TokenCookie, out var token) && token.Length == 43)
            return token;
        token = Base64Url(RandomNumberGenerator.GetBytes(32));
        context.Response.Cookies.Append(TokenCookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });
        return token;
    }

    /// <summary>Whether a posted form carries this browser's token and was not sent from another site.</summary>
    public static bool IsGenuine(HttpContext context, IFormCollection form)
    {
        if (string.Equals(context.Request.Headers["Sec-Fetch-Site"], "cross-site", StringComparison.OrdinalIgnoreCase))
            return false;
        if (!context.Request.Cookies.TryGetValue(TokenCookie, out var cookie) || string.IsNullOrEmpty(cookie))
            return false;
        var posted = form[TokenField].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(posted));
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The one-time message after a form: kept in a short-lived cookie across the redirect (the cookie API escapes the value).</summary>
internal static class FlashCookie
{
    private const string Name = "coordinator-inbox-flash";

    /// <summary>Keeps the cookie well under the 4 KB browsers accept (a block reason may be long).</summary>
    private const int MaxMessageLength = 1000;

    public static void Set(HttpContext context, Flash flash) =>
        context.Response.Cookies.Append(Name, (flash.Success ? "ok:" : "error:") + (flash.Message.Length > MaxMessageLength ? flash.Message[..MaxMessageLength] + "…" : flash.Message), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = TimeSpan.FromMinutes(1),
            IsEssential = true,
        });

    /// <summary>Reads the message and deletes it, so it shows once.</summary>
    public static Flash? Take(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
            return null;
        context.Response.Cookies.Delete(Name, new CookieOptions { Path = "/" });
        var separator = value.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0)
            return null;
        return new Flash(value[..separator] == "ok", value[(separator + 1)..]);
    }
}
