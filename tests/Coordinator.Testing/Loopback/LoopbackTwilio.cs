using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.Testing.Loopback;

/// <summary>A message the loopback Twilio accepted.</summary>
public sealed record TwilioMessage(string Sid, string To, string From, string? Body, string? ContentSid, string? ContentVariables, string UserAgent, DateTimeOffset At);

/// <summary>
/// A loopback Twilio REST API for WhatsApp (<c>POST /2010-04-01/Accounts/{AccountSid}/Messages.json</c>) that checks
/// the documented wire format and answers with Twilio's documented shapes: HTTP Basic <c>AccountSid:AuthToken</c>
/// (else <c>401</c>, <c>{"code":20003,"message":"Authenticate",...}</c>), a form-encoded body with <c>To</c> and
/// <c>From</c> (<c>whatsapp:+E.164</c>) and <c>Body</c> or <c>ContentSid</c>; <c>201</c> with the message resource
/// (<c>sid</c> <c>SM</c> + 32 hex, <c>status</c> <c>queued</c>). Refused numbers answer <c>400</c> with their code
/// (21211 by default); one message per second per recipient, a faster one <c>429</c> with <c>Retry-After</c> and code
/// 20429; <see cref="FailNext"/> answers 503 (an outage).
/// </summary>
public sealed class LoopbackTwilio : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TwilioMessage> _messages = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastByRecipient = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _rateLimited;
    private int _wireErrors;
    private int _requests;
    private int _failNext;

    private LoopbackTwilio(WebApplication app, string baseUrl, string accountSid, string authToken, string from)
    {
        _app = app;
        ApiBaseUrl = new Uri(baseUrl);
        AccountSid = accountSid;
        AuthToken = authToken;
        From = from;
    }

    public Uri ApiBaseUrl { get; }

    public string AccountSid { get; }

    public string AuthToken { get; }

    /// <summary>The account's WhatsApp sender: another <c>From</c> answers 400, code 63007.</summary>
    public string From { get; }

    /// <summary>Messages per second one recipient accepts.</summary>
    public double PerConversationPerSecond { get; set; } = 1;

    /// <summary>Numbers (<c>+E.164</c>) Twilio refuses, with the error code it answers (21211 invalid To, 21610 opted out, 63003 not on WhatsApp...).</summary>
    public ConcurrentDictionary<string, int> RefusedNumbers { get; } = new(StringComparer.Ordinal);

    /// <summary>The next this-many requests answer 503 (a Twilio outage).</summary>
    public int FailNext
    {
        get
        {
            lock (_gate)
                return _failNext;
        }
        set
        {
            lock (_gate)
                _failNext = value;
        }
    }

    public IReadOnlyList<TwilioMessage> Messages => [.. _messages];

    /// <summary>How many requests reached the Messages resource (accepted or not).</summary>
    public int Requests => _requests;

    public int RateLimited => _rateLimited;

    /// <summary>How many requests broke the wire format (wrong path, method, content type, missing or malformed fields).</summary>
    public int WireErrors => _wireErrors;

    public static async Task<LoopbackTwilio> StartAsync(string accountSid = "AC0123456789abcdef0123456789abcdef", string authToken = "loopback-auth-token-0123456789ab",
        string from = "whatsapp:+14155238886")
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var twilio = new LoopbackTwilio(app, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", accountSid, authToken, from);
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", (HttpRequest request, string account) => twilio.CreateMessageAsync(request, account));
        app.MapFallback((HttpContext context) =>
        {
            Interlocked.Increment(ref twilio._wireErrors);
            return Error(404, 20404, "The requested resource " + context.Request.Path + " was not found");
        });
        await app.StartAsync().ConfigureAwait(false);
        return twilio;
    }

    /// <summary>Twilio's error body: <c>{"code", "message", "more_info", "status"}</c>.</summary>
    private static IResult Error(int status, int code, string message) =>
        Results.Json(new Dictionary<string, object> { ["code"] = code, ["message"] = message, ["more_info"] = $"https://www.twilio.com/docs/errors/{code}", ["status"] = status }, statusCode: status);

    private async Task<IResult> CreateMessageAsync(HttpRequest request, string account)
    {
        Interlocked.Increment(ref _requests);
        if (!Authenticated(request.Headers.Authorization.ToString()) || account != AccountSid)
            return Error(401, 20003, "Authenticate");
        if (!request.HasFormContentType)
            return WireError(400, 21604, "A 'To' phone number is required."); // Twilio reads only form parameters
        var form = await request.ReadFormAsync().ConfigureAwait(false);
        var to = form["To"].ToString();
        var from = form["From"].ToString();
        var body = form.TryGetValue("Body", out var b) ? b.ToString() : null;
        var contentSid = form.TryGetValue("ContentSid", out var c) ? c.ToString() : null;
        var variables = form.TryGetValue("ContentVariables", out var v) ? v.ToString() : null;
        if (!IsWhatsApp(to))
            return WireError(400, 21211, $"Invalid 'To' Phone Number: {to}");
        if (!IsWhatsApp(from))
            return WireError(400, 21212, $"Invalid 'From' Phone Number: {from}");
        if (string.IsNullOrEmpty(body) && string.IsNullOrEmpty(contentSid))
            return WireError(400, 21602, "Message body is required.");
        if (contentSid is not null && (contentSid.Length != 34 || !contentSid.StartsWith("HX", StringComparison.Ordinal)))
            return WireError(400, 21656, "The ContentSid is Invalid.");
        if (variables is not null && !IsJsonObject(variables))
            return WireError(400, 21656, "The ContentVariables Parameter is invalid.");
        if (body is { Length: > 1600 })
            return WireError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
        if (from != From)
            return Error(400, 63007, "Twilio could not find a Channel with the specified From address");
        lock (_gate)
        {
            if (_failNext > 0)
            {
                _failNext--;
                return Results.StatusCode(503);
            }
        }
        var number = to["whatsapp:".Length..];
        if (RefusedNumbers.TryGetValue(number, out var code))
            return Error(400, code, code == 21211 ? $"Invalid 'To' Phone Number: {number}" : $"The message to {number} cannot be sent (error {code})");
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            var interval = TimeSpan.FromSeconds(1 / PerConversationPerSecond) - TimeSpan.FromMilliseconds(20);
            if (_lastByRecipient.TryGetValue(to, out var last) && now - last < interval)
            {
                Interlocked.Increment(ref _rateLimited);
                var wait = Math.Max(1, (int)Math.Ceiling((interval - (now - last)).TotalSeconds));
                request.HttpContext.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
                return Error(429, 20429, "Too Many Requests");
            }
            _lastByRecipient[to] = now;
        }
        var sid = "SM" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _messages.Enqueue(new TwilioMessage(sid, to, from, body, contentSid, variables, request.Headers.UserAgent.ToString(), now));
        var created = now.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var uri = $"/2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json";
        return Results.Json(new Dictionary<string, object?>
        {
            ["account_sid"] = AccountSid,
            ["api_version"] = "2010-04-01",
            ["body"] = body ?? "",
            ["date_created"] = created,
            ["date_sent"] = null,
            ["date_updated"] = created,
            ["direction"] = "outbound-api",
            ["error_code"] = null,
            ["error_message"] = null,
            ["from"] = from,
            ["messaging_service_sid"] = null,
            ["num_media"] = "0",
            ["num_segments"] = "1",
            ["price"] = null,
            ["price_unit"] = null,
            ["sid"] = sid,
            ["status"] = "queued",
            ["subresource_uris"] = new Dictionary<string, string> { ["media"] = uri.Replace(".json", "/Media.json", StringComparison.Ordinal) },
            ["to"] = to,
            ["uri"] = uri,
        }, statusCode: 201);
    }

    private bool Authenticated(string authorization)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.Ordinal))
            return false;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(pair), Encoding.UTF8.GetBytes(AccountSid + ":" + AuthToken));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsWhatsApp(string address) =>
        address.StartsWith("whatsapp:+", StringComparison.Ordinal) && address.Length is >= 17 and <= 25 && address["whatsapp:+".Length..].All(char.IsAsciiDigit);

    private static bool IsJsonObject(string text)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(text).RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private IResult WireError(int status, int code, string message)
    {
        Interlocked.Increment(ref _wireErrors);
        return Error(status, code, message);
    }

    /// <summary>
    /// Twilio's webhook signature, computed here independently of any client: Base64 HMAC-SHA1, keyed with the Auth
    /// Token, of the URL followed by each form parameter's name and value, sorted by name (ordinal).
    /// </summary>
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            data.Append(key).Append(value);
#pragma warning disable CA5350 // HMAC-SHA1 is what Twilio's webhook signature is
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
