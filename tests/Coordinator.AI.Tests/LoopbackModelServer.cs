using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Coordinator.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.AI.Tests;

/// <summary>One request as the loopback model server received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, JsonNode? Body);

/// <summary>A Kestrel server on 127.0.0.1 that records every request and answers with <c>respond</c>.</summary>
internal sealed class LoopbackModelServer : IAsyncDisposable
{
    private readonly WebApplication app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri BaseUri { get; }

    private LoopbackModelServer(WebApplication app, Uri baseUri) => (this.app, BaseUri) = (app, baseUri);

    public static async Task<LoopbackModelServer> StartAsync(Func<RecordedRequest, HttpContext, Task> respond)
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        LoopbackModelServer? server = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
                text.Length == 0 ? null : JsonNode.Parse(text));
            server!.Requests.Enqueue(recorded);
            await respond(recorded, context);
        });
        server = new LoopbackModelServer(app, new Uri($"http://127.0.0.1:{port}"));
        await app.StartAsync();
        return server;
    }

    public static Task Json(HttpContext context, string json, int status = 200, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }
}
