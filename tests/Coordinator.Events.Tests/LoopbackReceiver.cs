using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Coordinator.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.Events.Tests;

/// <summary>One request a loopback receiver got, with the status it answered.</summary>
public sealed record ReceivedEvent(string? ContentType, string? Id, string? Timestamp, string? Signature, byte[] Body, int Status);

/// <summary>
/// A CloudEvents receiver on 127.0.0.1 (Kestrel): records every POST with its headers and raw body, and answers 200,
/// or the statuses queued in <see cref="Failures"/> first (503 for an outage, 400 for a refusal).
/// </summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Statuses answered before the receiver answers 200 again, one request each.</summary>
    public ConcurrentQueue<int> Failures { get; } = new();

    /// <summary>While set, a request is recorded when it arrives and answered only when this completes (a receiver still answering).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Every request, in arrival order.</summary>
    public ConcurrentQueue<ReceivedEvent> Requests { get; } = new();

    /// <summary>The requests answered 2xx: what the receiver took.</summary>
    public IReadOnlyList<ReceivedEvent> Accepted => [.. Requests.Where(r => r.Status is >= 200 and < 300)];

    public static async Task<LoopbackReceiver> StartAsync()
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/hooks/coordinator"));
        app.MapPost("/hooks/coordinator", receiver.ReceiveAsync);
        await app.StartAsync().ConfigureAwait(false);
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        var status = Failures.TryDequeue(out var failure) ? failure : StatusCodes.Status200OK;
        Requests.Enqueue(new ReceivedEvent(request.ContentType, request.Headers["webhook-id"], request.Headers["webhook-timestamp"],
            request.Headers["webhook-signature"], buffer.ToArray(), status));
        if (Gate is { } gate)
            await gate.Task.ConfigureAwait(false);
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
