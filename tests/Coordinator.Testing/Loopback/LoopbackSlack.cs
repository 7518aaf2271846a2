using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.Testing.Loopback;

/// <summary>A message the loopback Slack accepted.</summary>
public sealed record SlackPost(string Channel, string Text, JsonArray? Blocks, string Ts, DateTimeOffset At);

/// <summary>
/// A loopback Slack Web API (<c>POST /api/chat.postMessage</c>) that checks the documented wire format and answers
/// with Slack's documented shapes: <c>Authorization: Bearer &lt;bot token&gt;</c> (else <c>ok:false, invalid_auth</c>),
/// a JSON body (<c>application/json</c>) with <c>channel</c> and <c>text</c> or <c>blocks</c>; unknown users get
/// <c>channel_not_found</c>. It enforces Slack's one message per second per conversation (less a tolerance for the
/// two clocks): a faster message is refused with <c>429</c> and <c>Retry-After</c> in whole seconds, as Slack does.
/// </summary>
public sealed class LoopbackSlack : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SlackPost> _posts = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastByChannel = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _sequence;
    private int _rateLimited;
    private int _wireErrors;

    private LoopbackSlack(WebApplication app, string baseUrl, string token)
    {
        _app = app;
        ApiBaseUrl = new Uri(baseUrl + "/api/");
        BotToken = token;
    }

    public Uri ApiBaseUrl { get; }

    public string BotToken { get; }

    /// <summary>Messages per second one conversation accepts.</summary>
    public double PerConversationPerSecond { get; set; } = 1;

    /// <summary>Users that do not exist (posting to them answers <c>channel_not_found</c>).</summary>
    public ConcurrentDictionary<string, bool> UnknownUsers { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, the next this-many posts answer 503 (a Slack outage).</summary>
    public int FailNext { get; set; }

    public IReadOnlyList<SlackPost> Posts => [.. _posts];

    /// <summary>How many posts were refused with 429.</summary>
    public int RateLimited => _rateLimited;

    /// <summary>How many requests broke the wire format (wrong path, method, content type, missing fields).</summary>
    public int WireErrors => _wireErrors;

    public static async Task<LoopbackSlack> StartAsync(string token = "xoxb-loopback-token")
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var slack = new LoopbackSlack(app, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", token);
        app.MapPost("/api/chat.postMessage", slack.PostMessageAsync);
        app.MapFallback((HttpContext context) =>
        {
            Interlocked.Increment(ref slack._wireErrors);
            return Results.Json(new { ok = false, error = "unknown_method" }, statusCode: 404);
        });
        await app.StartAsync().ConfigureAwait(false);
        return slack;
    }

    private async Task<IResult> PostMessageAsync(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() != "Bearer " + BotToken)
            return Results.Json(new { ok = false, error = "invalid_auth" });
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.Ordinal))
            return WireError("invalid_form_data");
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return WireError("invalid_json");
        }
        if (body?["channel"]?.GetValue<string>() is not { Length: > 0 } channel)
            return WireError("channel_not_found");
        var text = body["text"]?.GetValue<string>();
        var blocks = body["blocks"] as JsonArray;
        if (string.IsNullOrEmpty(text) && blocks is null)
            return WireError("no_text");
        if (FailNext > 0)
        {
            lock (_gate)
                FailNext--;
            return Results.StatusCode(503);
        }
        if (UnknownUsers.ContainsKey(channel))
            return Results.Json(new { ok = false, error = "channel_not_found" });
        var now = DateTimeOffset.UtcNow;
        string ts;
        lock (_gate)
        {
            var interval = TimeSpan.FromSeconds(1 / PerConversationPerSecond) - TimeSpan.FromMilliseconds(20);
            if (_lastByChannel.TryGetValue(channel, out var last) && now - last < interval)
            {
                Interlocked.Increment(ref _rateLimited);
                var wait = Math.Max(1, (int)Math.Ceiling((interval - (now - last)).TotalSeconds));
                request.HttpContext.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
                return Results.Json(new { ok = false, error = "ratelimited" }, statusCode: 429);
            }
            _lastByChannel[channel] = now;
            ts = string.Create(CultureInfo.InvariantCulture, $"{now.ToUnixTimeSeconds()}.{++_sequence:D6}");
        }
        _posts.Enqueue(new SlackPost(channel, text ?? "", blocks, ts, now));
        return Results.Json(new { ok = true, channel = "D" + channel, ts, message = new { type = "message", text, ts } });
    }

    private IResult WireError(string error)
    {
        Interlocked.Increment(ref _wireErrors);
        return Results.Json(new { ok = false, error });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
