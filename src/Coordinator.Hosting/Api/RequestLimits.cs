using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Coordinator.Hosting.Api;

/// <summary>
/// The request line and header limits of the standalone host, enforced by the application so that an
/// oversize request gets problem details (<c>414</c>, <c>431</c>) like every other refusal. Kestrel
/// refuses oversize requests before any application code runs, with a bare answer and no body, so its
/// own limits sit higher (<see cref="KestrelRequestLineBytes"/>, <see cref="KestrelHeaderBytes"/>): only a
/// request beyond those gets Kestrel's bare <c>414</c> or <c>431</c> (never a <c>500</c>).
/// </summary>
public static class RequestLimits
{
    /// <summary>The longest request target (path and query string) the API answers.</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>The most header bytes (names and values) a request may carry.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Kestrel's request line limit (its default is 8 KiB), above <see cref="MaxTargetBytes"/>.</summary>
    public const int KestrelRequestLineBytes = 64 * 1024;

    /// <summary>Kestrel's header limit (its default is 32 KiB), above <see cref="MaxHeaderBytes"/>.</summary>
    public const int KestrelHeaderBytes = 64 * 1024;

    /// <summary>Sets Kestrel's limits above the application's, so the application answers oversize requests itself.</summary>
    public static void Configure(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Limits.MaxRequestLineSize = KestrelRequestLineBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = KestrelHeaderBytes;
    }

    /// <summary>Answers requests over <see cref="MaxTargetBytes"/> with 414 and over <see cref="MaxHeaderBytes"/> with 431, as problem details.</summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value + context.Request.QueryString.Value;
            if (target.Length > MaxTargetBytes)
            {
                await Results.Problem(statusCode: StatusCodes.Status414UriTooLong, title: "URL too long",
                    detail: string.Create(CultureInfo.InvariantCulture,
                        $"The request's path and query are {target.Length:N0} characters; at most {MaxTargetBytes / 1024} KiB are accepted. Send long values in a request body."))
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            var headerBytes = 0L;
            foreach (var (name, values) in context.Request.Headers)
            {
                foreach (var value in values)
                    headerBytes += name.Length + (value?.Length ?? 0) + 4; // "name: value\r\n"
            }
            if (headerBytes > MaxHeaderBytes)
            {
                await Results.Problem(statusCode: StatusCodes.Status431RequestHeaderFieldsTooLarge, title: "Request headers too large",
                    detail: string.Create(CultureInfo.InvariantCulture,
                        $"The request's headers are about {headerBytes:N0} bytes; at most {MaxHeaderBytes / 1024} KiB are accepted."))
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
}
