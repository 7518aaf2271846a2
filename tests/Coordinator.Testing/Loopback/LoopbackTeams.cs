using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coordinator.Testing.Loopback;

/// <summary>An activity the loopback Bot Connector accepted.</summary>
public sealed record TeamsActivity(string Conversation, string Id, string? ReplyTo, JsonObject Body, DateTimeOffset At)
{
    /// <summary>The Adaptive Card of the activity, when it has one.</summary>
    public JsonObject? Card => Body["attachments"] is JsonArray { Count: > 0 } attachments ? attachments[0]?["content"] as JsonObject : null;

    public string Text => Body["text"]?.GetValue<string>() ?? "";
}

/// <summary>
/// A loopback Microsoft Teams: the three services of the Bot Framework a bot talks to, each checking the documented
/// wire format. The login (<c>POST /botframework.com/oauth2/v2.0/token</c>: client credentials with the bot's id and
/// secret and the scope <c>https://api.botframework.com/.default</c>, answering <c>access_token</c> and
/// <c>expires_in</c>); the OpenID metadata and its JWKS, with a test RSA key endorsed for <c>msteams</c> (and one
/// endorsed for another channel only); and the Bot Connector (<c>POST /connector/v3/conversations/{id}/activities</c>
/// and <c>.../activities/{replyToId}</c> with the token it issued, a <c>message</c> activity, Adaptive Card
/// attachments well formed; answers <c>201 {id}</c>; unknown conversations <c>404 ConversationNotFound</c>; more than
/// <see cref="PerConversationPerSecond"/> in a conversation <c>429</c> with <c>Retry-After</c>). It also mints the
/// tokens Teams would send to the bot's webhook.
/// </summary>
public sealed class LoopbackTeams : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TeamsActivity> _activities = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastByConversation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RsaSecurityKey> _rolledIn = new();
    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherChannelKey = RSA.Create(2048);
    private readonly object _gate = new();
    private long _sequence;
    private int _rateLimited;
    private int _wireErrors;
    private int _tokenRequests;

    private LoopbackTeams(WebApplication app, string baseUrl, string appId, string appPassword)
    {
        _app = app;
        BaseUrl = new Uri(baseUrl + "/");
        AppId = appId;
        AppPassword = appPassword;
        SigningKey = new RsaSecurityKey(_key) { KeyId = "loopback-msteams" };
        OtherChannelKey = new RsaSecurityKey(_otherChannelKey) { KeyId = "loopback-other-channel" };
    }

    public Uri BaseUrl { get; }

    public string AppId { get; }

    public string AppPassword { get; }

    public Uri TokenEndpoint => new(BaseUrl, "botframework.com/oauth2/v2.0/token");

    public Uri OpenIdMetadataUrl => new(BaseUrl, "v1/.well-known/openidconfiguration");

    /// <summary>The service URL of the conversations (what Teams puts in activities and the directory keeps).</summary>
    public Uri ServiceUrl => new(BaseUrl, "connector/");

    /// <summary>The published key endorsed for <c>msteams</c>.</summary>
    public RsaSecurityKey SigningKey { get; }

    /// <summary>A published key endorsed only for another channel (<c>skype</c>).</summary>
    public RsaSecurityKey OtherChannelKey { get; }

    public double PerConversationPerSecond { get; set; } = 1;

    /// <summary>Conversations that do not exist (the bot was removed): 404.</summary>
    public ConcurrentDictionary<string, bool> UnknownConversations { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, the next this-many activities answer 503.</summary>
    public int FailNext { get; set; }

    public IReadOnlyList<TeamsActivity> Activities => [.. _activities];

    public int RateLimited => _rateLimited;

    public int WireErrors => _wireErrors;

    public int TokenRequests => _tokenRequests;

    public static async Task<LoopbackTeams> StartAsync(string appId = "8e0b3f6a-55c2-4c5e-9a4b-2f1d7c9e0a11", string appPassword = "loopback-app-password")
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var teams = new LoopbackTeams(app, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", appId, appPassword);
        app.MapPost("/botframework.com/oauth2/v2.0/token", teams.TokenAsync);
        app.MapGet("/v1/.well-known/openidconfiguration", () => Results.Json(new JsonObject
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = new Uri(teams.BaseUrl, "v1/.well-known/authorize").ToString(),
            ["jwks_uri"] = new Uri(teams.BaseUrl, "v1/.well-known/keys").ToString(),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
        }));
        app.MapGet("/v1/.well-known/keys", () => Results.Json(new JsonObject
        {
            ["keys"] = new JsonArray([Jwk(teams.SigningKey, "msteams", "webchat"), Jwk(teams.OtherChannelKey, "skype"), .. teams._rolledIn.Select(k => Jwk(k, "msteams"))]),
        }));
        app.MapPost("/connector/v3/conversations/{conversation}/activities", (HttpRequest r, string conversation) => teams.ActivityAsync(r, conversation, null));
        app.MapPost("/connector/v3/conversations/{conversation}/activities/{replyTo}", (HttpRequest r, string conversation, string replyTo) => teams.ActivityAsync(r, conversation, replyTo));
        app.MapFallback((HttpContext context) =>
        {
            Interlocked.Increment(ref teams._wireErrors);
            return Results.Json(new { error = new { code = "NotFound", message = $"{context.Request.Method} {context.Request.Path}" } }, statusCode: 404);
        });
        await app.StartAsync().ConfigureAwait(false);
        return teams;
    }

    /// <summary>
    /// A token as the Bot Framework signs it for a request to the bot: issuer, audience (the app id), <c>serviceurl</c>,
    /// an hour of validity. Every part can be changed to make a bad one.
    /// </summary>
    public string MintToken(string? audience = null, string issuer = Issuer, string? serviceUrl = null, DateTime? expires = null, SecurityKey? key = null)
    {
        var until = expires ?? DateTime.UtcNow.AddHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience ?? AppId,
            IssuedAt = until.AddHours(-1),
            NotBefore = until.AddHours(-1),
            Expires = until,
            Claims = new Dictionary<string, object> { ["serviceurl"] = serviceUrl ?? ServiceUrl.ToString() },
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>The Bot Framework rolls a new key in: published (for <c>msteams</c>) from now on.</summary>
    public RsaSecurityKey RollInKey()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rolled-" + Guid.NewGuid().ToString("N")[..8] };
        _rolledIn.Enqueue(key);
        return key;
    }

    /// <summary>A key nobody published (a forger's).</summary>
    public static RsaSecurityKey UnknownKey() => new(RSA.Create(2048)) { KeyId = "forged-" + Guid.NewGuid().ToString("N")[..8] };

    /// <summary>A person's message activity to the bot, as Teams sends it.</summary>
    public JsonObject Message(string conversation, string text, string? replyTo = null, string? id = null, string? serviceUrl = null) => new()
    {
        ["type"] = "message",
        ["id"] = id ?? NextId(),
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture),
        ["channelId"] = "msteams",
        ["serviceUrl"] = serviceUrl ?? ServiceUrl.ToString(),
        ["from"] = new JsonObject { ["id"] = "29:user-" + conversation, ["name"] = "A person", ["aadObjectId"] = Guid.NewGuid().ToString() },
        ["conversation"] = new JsonObject { ["id"] = conversation, ["conversationType"] = "personal", ["tenantId"] = "tenant" },
        ["recipient"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "Coordinator" },
        ["text"] = text,
        ["textFormat"] = "plain",
        ["replyToId"] = replyTo,
    };

    /// <summary>The press of an Adaptive Card's <c>Action.Submit</c>: a message with the action's data in <c>value</c>.</summary>
    public JsonObject Submit(string conversation, string replyTo, JsonNode data, string? id = null)
    {
        var activity = Message(conversation, "", replyTo, id);
        activity.Remove("text");
        activity["value"] = data.DeepClone();
        return activity;
    }

    private string NextId() => "1" + Interlocked.Increment(ref _sequence).ToString("D12", CultureInfo.InvariantCulture);

    private static JsonObject Jwk(RsaSecurityKey key, params string[] endorsements)
    {
        var parameters = key.Rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["endorsements"] = new JsonArray([.. endorsements.Select(e => (JsonNode)e)]),
        };
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (!request.HasFormContentType)
            return WireError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
        var form = await request.ReadFormAsync().ConfigureAwait(false);
        if (form["grant_type"] != "client_credentials" || form["scope"] != "https://api.botframework.com/.default")
            return WireError(400, "invalid_request", "grant_type must be client_credentials and scope https://api.botframework.com/.default");
        if (form["client_id"] != AppId || form["client_secret"] != AppPassword)
            return Results.Json(new { error = "invalid_client", error_description = "AADSTS7000215: Invalid client secret provided." }, statusCode: 401);
        var token = "loopback-access-" + Guid.NewGuid().ToString("N");
        _issued[token] = true;
        return Results.Json(new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token });
    }

    private async Task<IResult> ActivityAsync(HttpRequest request, string conversation, string? replyTo)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_issued.ContainsKey(authorization["Bearer ".Length..]))
            return Results.Json(new { message = "Authorization has been denied for this request." }, statusCode: 401);
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.Ordinal))
            return WireError(400, "BadSyntax", "the body must be application/json");
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            return WireError(400, "BadSyntax", "the body is not JSON");
        }
        if (body?["type"]?.GetValue<string>() != "message")
            return WireError(400, "BadArgument", "the activity's type must be message");
        if (string.IsNullOrEmpty(body["text"]?.GetValue<string>()) && body["attachments"] is not JsonArray { Count: > 0 })
            return WireError(400, "BadArgument", "a message needs text or an attachment");
        if (body["attachments"] is JsonArray attachments && !attachments.All(WellFormedCard))
            return WireError(400, "BadArgument", "an attachment is not a well-formed Adaptive Card");
        if (replyTo is not null && body["replyToId"]?.GetValue<string>() is { } inBody && inBody != replyTo)
            return WireError(400, "BadArgument", "replyToId differs from the path");
        if (FailNext > 0)
        {
            lock (_gate)
                FailNext--;
            return Results.StatusCode(503);
        }
        if (UnknownConversations.ContainsKey(conversation))
            return Results.Json(new { error = new { code = "ConversationNotFound", message = "Conversation not found." } }, statusCode: 404);
        var now = DateTimeOffset.UtcNow;
        string id;
        lock (_gate)
        {
            var interval = TimeSpan.FromSeconds(1 / PerConversationPerSecond) - TimeSpan.FromMilliseconds(20);
            if (_lastByConversation.TryGetValue(conversation, out var last) && now - last < interval)
            {
                Interlocked.Increment(ref _rateLimited);
                request.HttpContext.Response.Headers.RetryAfter = "1";
                return Results.Json(new { error = new { code = "TooManyRequests", message = "Too many requests." } }, statusCode: 429);
            }
            _lastByConversation[conversation] = now;
            id = NextId();
        }
        _activities.Enqueue(new TeamsActivity(conversation, id, replyTo, body, now));
        return Results.Json(new { id }, statusCode: 201);
    }

    /// <summary>An Adaptive Card attachment as Teams renders it: type, version, a body, actions with titles.</summary>
    private static bool WellFormedCard(JsonNode? attachment)
    {
        if (attachment?["contentType"]?.GetValue<string>() != "application/vnd.microsoft.card.adaptive" || attachment["content"] is not JsonObject card)
            return false;
        if (card["type"]?.GetValue<string>() != "AdaptiveCard" || card["version"]?.GetValue<string>() is not { Length: > 0 } || card["body"] is not JsonArray { Count: > 0 })
            return false;
        return (card["actions"] as JsonArray ?? []).All(a => a?["type"]?.GetValue<string>() is "Action.Submit" or "Action.OpenUrl" or "Action.Execute"
            && a["title"]?.GetValue<string>() is { Length: > 0 });
    }

    private IResult WireError(int status, string code, string message)
    {
        Interlocked.Increment(ref _wireErrors);
        return Results.Json(new { error = new { code, message } }, statusCode: status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _key.Dispose();
        _otherChannelKey.Dispose();
    }
}
