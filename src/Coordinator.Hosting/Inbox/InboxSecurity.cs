using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// The inbox has no login: it is a local, single-user tool. It therefore answers only requests made
/// on this machine to a loopback host name (which also defeats DNS rebinding). Its forms carry ASP.NET
/// Core's antiforgery token (a request token in the form, checked against an <c>HttpOnly</c>,
/// <c>SameSite=Strict</c> cookie token it was issued with), and a post must come from the inbox's own
/// origin (<see cref="SentFromOwnOrigin"/>): another site, or a page on another localhost port, cannot post to it.
/// </summary>
internal static class InboxSecurity
{
    public const string AntiforgeryCookie = "coordinator-inbox-antiforgery";

    /// <summary>The antiforgery token's form field (ASP.NET Core's default name).</summary>
    public const string AntiforgeryField = "__RequestVerificationToken";

    /// <summary>The Razor components the inbox renders with, and the antiforgery its forms carry.</summary>
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.AddRazorComponents();
        // The antiforgery tokens are protected with keys that live as long as this process: nothing is written
        // to the user's profile, and after a restart a form from before is refused as expired (reloading fixes it).
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAntiforgery(options =>
        {
            options.FormFieldName = AntiforgeryField;
            options.Cookie.Name = AntiforgeryCookie;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.Path = "/";
            options.Cookie.IsEssential = true;
            // SecurityHeaders sends frame-ancestors 'none' and X-Frame-Options: DENY on every answer.
            options.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }

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

    /// <summary>Whether the posted form carries a valid antiforgery token for this browser's antiforgery cookie.</summary>
    public static Task<bool> CarriesTokenAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);

    /// <summary>
    /// Whether the post was sent from a page of this very origin (scheme, host and port of the request):
    /// by its <c>Origin</c>; without one, by its <c>Referer</c>; without either, by <c>Sec-Fetch-Site: same-origin</c>.
    /// A post that shows none of them, or <c>Origin: null</c>, is refused. A browser sends <c>Origin</c> with
    /// every form post (the pages' <c>Referrer-Policy: same-origin</c> keeps it from being <c>null</c>), and
    /// <c>Sec-Fetch-Site</c> alone would not do: a page on another localhost port is <c>same-site</c>.
    /// </summary>
    /// <param name="sentFrom">What the request showed of where it was sent from (for the refusal's message).</param>
    public static bool SentFromOwnOrigin(HttpRequest request, out string sentFrom)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin)
        {
            sentFrom = origin;
            return IsOwnOrigin(request, origin);
        }
        if (request.Headers.Referer.ToString() is { Length: > 0 } referer)
        {
            sentFrom = Uri.TryCreate(referer, UriKind.Absolute, out var page) ? page.GetLeftPart(UriPartial.Authority) : "an unreadable Referer";
            return IsOwnOrigin(request, referer);
        }
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        sentFrom = fetchSite.Length > 0 ? $"a {fetchSite} page" : "somewhere it did not say (no Origin, Referer or Sec-Fetch-Site)";
        return string.Equals(fetchSite, "same-origin", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The origin requests to this host are made on: <c>http://127.0.0.1:7071</c>.</summary>
    public static string OwnOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Scheme + "://" + request.Host.Value;
    }

    private static bool IsOwnOrigin(HttpRequest request, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var sent) || (sent.Scheme != Uri.UriSchemeHttp && sent.Scheme != Uri.UriSchemeHttps))
            return false;
        var host = request.Host;
        if (!host.HasValue)
            return false;
        var port = host.Port ?? (string.Equals(request.Scheme, "https", StringComparison.OrdinalIgnoreCase) ? 443 : 80);
        return string.Equals(sent.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(sent.Host, host.Host, StringComparison.OrdinalIgnoreCase)
            && sent.Port == port;
    }
}

/// <summary>
/// The security headers of every answer of the host, the inbox's pages and its error pages (403, 400,
/// 404 problem details, 500) alike: a Content-Security-Policy that allows the inbox's own stylesheet
/// and nothing else (no script, no inline style, no framing), <c>nosniff</c>, <c>Referrer-Policy:
/// same-origin</c>, and <c>no-store</c> unless the answer sets its own caching (the stylesheet does).
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Adds the headers to every answer but the embedded sidecar's gRPC ones; first in the pipeline, so error answers get them too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
                context.Response.OnStarting(Apply, context.Response);
            return next(context);
        });

    private static Task Apply(object state)
    {
        var headers = ((HttpResponse)state).Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        if (string.IsNullOrEmpty(headers.CacheControl))
            headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
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
