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

/// <summary>A PATCH the loopback HubSpot applied.</summary>
public sealed record HubSpotPatch(string ObjectType, string ObjectId, JsonObject Properties, DateTimeOffset At);

/// <summary>A note the loopback HubSpot created, with the object it is associated with.</summary>
public sealed record HubSpotNote(string Id, string Body, string Timestamp, string ObjectType, string ObjectId, int AssociationTypeId);

/// <summary>
/// A loopback HubSpot CRM v3 API that checks the documented wire format and answers HubSpot's documented shapes. Every
/// request needs <c>Authorization: Bearer &lt;token&gt;</c> (else 401 <c>INVALID_AUTHENTICATION</c>); JSON bodies. It keeps
/// deals and tickets in memory: <c>GET /crm/v3/objects/{type}/{id}?properties=</c> (404 <c>OBJECT_NOT_FOUND</c>),
/// <c>PATCH /crm/v3/objects/{type}/{id}</c> <c>{properties}</c> (a property the type does not define: 400
/// <c>VALIDATION_ERROR</c>), <c>POST /crm/v3/objects/notes</c> with <c>hs_timestamp</c>, <c>hs_note_body</c> and one
/// <c>HUBSPOT_DEFINED</c> association to an existing object (type 214 to a deal, 228 to a ticket),
/// <c>POST /crm/v3/objects/notes/search</c> (<c>CONTAINS_TOKEN</c> on <c>hs_note_body</c>), and the properties API
/// (<c>GET/POST /crm/v3/properties/{type}</c>, <c>.../groups</c>; 409 <c>OBJECT_ALREADY_EXISTS</c>). Injected failures:
/// <see cref="Down"/> (503 to everything), <see cref="FailNext"/>, <see cref="RateLimitNext"/> (429 with
/// <c>Retry-After</c> and HubSpot's ten-secondly body), <see cref="DropNextNoteAnswer"/> (the note is created, the answer lost).
/// </summary>
public sealed class LoopbackHubSpot : IAsyncDisposable
{
    public const string DefaultToken = "pat-na1-11111111-2222-3333-4444-555555555555";

    private static readonly Dictionary<string, string[]> StandardProperties = new(StringComparer.Ordinal)
    {
        ["deals"] = ["dealname", "dealstage", "pipeline", "amount", "hubspot_owner_id", "hs_object_id", "createdate", "hs_lastmodifieddate", "customer_segment"],
        ["tickets"] = ["subject", "hs_pipeline", "hs_pipeline_stage", "hubspot_owner_id", "hs_object_id", "createdate", "hs_lastmodifieddate"],
    };

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<(string Type, string Id), Dictionary<string, string?>> _objects = [];
    private readonly Dictionary<string, HashSet<string>> _properties = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HubSpotPatch> _patches = new();
    private readonly ConcurrentQueue<HubSpotNote> _notes = new();
    private readonly ConcurrentQueue<(string Type, JsonObject Property)> _created = new();
    private int _requests, _wireErrors, _rateLimited, _failNext, _rateLimitNext, _dropNextNote, _noteIds = 9000;
    private volatile bool _down;

    private LoopbackHubSpot(WebApplication app, string baseUrl, string token)
    {
        _app = app;
        ApiBaseUrl = new Uri(baseUrl);
        AccessToken = token;
        foreach (var (type, names) in StandardProperties)
        {
            _properties[type] = new HashSet<string>(names, StringComparer.Ordinal);
            _groups[type] = new HashSet<string>(["dealinformation", "ticketinformation"], StringComparer.Ordinal);
        }
    }

    public Uri ApiBaseUrl { get; }

    public string AccessToken { get; }

    /// <summary>While true, every request answers 503 (an outage); the request still counts in <see cref="Requests"/>.</summary>
    public bool Down { get => _down; set => _down = value; }

    /// <summary>The next this-many authenticated requests answer 503.</summary>
    public int FailNext { get => Volatile.Read(ref _failNext); set => Volatile.Write(ref _failNext, value); }

    /// <summary>The next this-many authenticated requests answer 429 with <c>Retry-After</c> = <see cref="RetryAfter"/>.</summary>
    public int RateLimitNext { get => Volatile.Read(ref _rateLimitNext); set => Volatile.Write(ref _rateLimitNext, value); }

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The next this-many note creations are performed, then the connection is aborted without an answer.</summary>
    public int DropNextNoteAnswer { get => Volatile.Read(ref _dropNextNote); set => Volatile.Write(ref _dropNextNote, value); }

    public int Requests => Volatile.Read(ref _requests);

    public int WireErrors => Volatile.Read(ref _wireErrors);

    public int RateLimited => Volatile.Read(ref _rateLimited);

    public ConcurrentQueue<string> WireErrorReasons { get; } = new();

    public IReadOnlyList<HubSpotPatch> Patches => [.. _patches];

    public IReadOnlyList<HubSpotNote> Notes => [.. _notes];

    /// <summary>The properties created through the API, as <c>type/name</c>.</summary>
    public IReadOnlyList<string> CreatedProperties => [.. _created.Select(static c => $"{c.Type}/{c.Property["name"]}")];

    /// <summary>The definition a created property was given.</summary>
    public JsonObject? CreatedProperty(string type, string name) => _created.FirstOrDefault(c => c.Type == type && c.Property["name"]?.ToString() == name).Property;

    /// <summary>Adds (or replaces) an object with its properties (<c>hs_object_id</c> is set to the id).</summary>
    public void PutObject(string type, string id, IDictionary<string, string?> properties)
    {
        lock (_gate)
            _objects[(type, id)] = new Dictionary<string, string?>(properties, StringComparer.Ordinal) { ["hs_object_id"] = id };
    }

    /// <summary>An object's current properties; null when there is none.</summary>
    public IReadOnlyDictionary<string, string?>? Properties(string type, string id)
    {
        lock (_gate)
            return _objects.TryGetValue((type, id), out var p) ? new Dictionary<string, string?>(p, StringComparer.Ordinal) : null;
    }

    /// <summary>Defines a property on a type as if it had been created earlier (for tests that skip the set-up).</summary>
    public void DefineProperty(string type, string name)
    {
        lock (_gate)
            _properties[type].Add(name);
    }

    public static async Task<LoopbackHubSpot> StartAsync(string token = DefaultToken)
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var hubspot = new LoopbackHubSpot(app, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", token);
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref hubspot._requests);
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + hubspot.AccessToken)
            {
                await Error(401, "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", "INVALID_AUTHENTICATION").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            if (hubspot.Down || (hubspot.FailNext > 0 && Interlocked.Decrement(ref hubspot._failNext) >= 0))
            {
                await Error(503, "internal error", "INTERNAL_ERROR").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            if (hubspot.RateLimitNext > 0 && Interlocked.Decrement(ref hubspot._rateLimitNext) >= 0)
            {
                Interlocked.Increment(ref hubspot._rateLimited);
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(hubspot.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Json(new JsonObject
                {
                    ["status"] = "error",
                    ["message"] = "You have reached your ten_secondly_rolling limit.",
                    ["errorType"] = "RATE_LIMIT",
                    ["correlationId"] = Guid.NewGuid().ToString(),
                    ["policyName"] = "TEN_SECONDLY_ROLLING",
                }, statusCode: 429).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/crm/v3/objects/{type}/{id}", (string type, string id, string? properties) => hubspot.GetObject(type, id, properties));
        app.MapMethods("/crm/v3/objects/{type}/{id}", ["PATCH"], (HttpRequest request, string type, string id) => hubspot.PatchAsync(request, type, id));
        app.MapPost("/crm/v3/objects/notes", (HttpContext context) => hubspot.CreateNoteAsync(context));
        app.MapPost("/crm/v3/objects/notes/search", (HttpRequest request) => hubspot.SearchNotesAsync(request));
        app.MapGet("/crm/v3/properties/{type}/groups/{name}", (string type, string name) => hubspot.GetGroup(type, name));
        app.MapPost("/crm/v3/properties/{type}/groups", (HttpRequest request, string type) => hubspot.CreateGroupAsync(request, type));
        app.MapGet("/crm/v3/properties/{type}/{name}", (string type, string name) => hubspot.GetProperty(type, name));
        app.MapPost("/crm/v3/properties/{type}", (HttpRequest request, string type) => hubspot.CreatePropertyAsync(request, type));
        app.MapFallback((HttpContext context) => hubspot.WireError($"no such endpoint: {context.Request.Method} {context.Request.Path}", 404));
        await app.StartAsync().ConfigureAwait(false);
        return hubspot;
    }

    private IResult GetObject(string type, string id, string? properties)
    {
        if (!_properties.ContainsKey(type))
            return WireError($"unknown object type {type}");
        lock (_gate)
        {
            if (!_objects.TryGetValue((type, id), out var values))
                return Error(404, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND");
            var shown = new JsonObject { ["hs_object_id"] = id, ["createdate"] = "2026-11-20T10:00:00.000Z", ["hs_lastmodifieddate"] = "2026-12-01T09:00:00.000Z" };
            foreach (var name in (properties ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                shown[name] = values.GetValueOrDefault(name);
            return Results.Json(new JsonObject
            {
                ["id"] = id,
                ["properties"] = shown,
                ["createdAt"] = "2026-11-20T10:00:00.000Z",
                ["updatedAt"] = "2026-12-01T09:00:00.000Z",
                ["archived"] = false,
            });
        }
    }

    private async Task<IResult> PatchAsync(HttpRequest request, string type, string id)
    {
        if (await BodyAsync(request).ConfigureAwait(false) is not { } body || body["properties"] is not JsonObject properties)
            return WireError("PATCH without a properties object");
        lock (_gate)
        {
            if (!_properties.TryGetValue(type, out var defined))
                return WireError($"unknown object type {type}");
            if (!_objects.TryGetValue((type, id), out var values))
                return Error(404, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND");
            var unknown = properties.Select(static p => p.Key).Where(name => !defined.Contains(name)).ToList();
            if (unknown.Count > 0)
            {
                return Error(400, $"Property values were not valid: [{string.Join(",", unknown.Select(n => $"{{\"isValid\":false,\"message\":\"Property \\\"{n}\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"{n}\"}}"))}]", "VALIDATION_ERROR");
            }
            foreach (var (name, value) in properties)
            {
                if (value is not null && value.GetValueKind() != JsonValueKind.String)
                    return WireError($"property {name} is not a string (HubSpot takes property values as strings)");
                values[name] = value?.GetValue<string>();
            }
            _patches.Enqueue(new HubSpotPatch(type, id, (JsonObject)properties.DeepClone(), DateTimeOffset.UtcNow));
        }
        return GetObject(type, id, string.Join(',', properties.Select(static p => p.Key)));
    }

    private async Task CreateNoteAsync(HttpContext context)
    {
        var body = await BodyAsync(context.Request).ConfigureAwait(false);
        var properties = body?["properties"] as JsonObject;
        var text = properties?["hs_note_body"]?.GetValueKind() == JsonValueKind.String ? properties["hs_note_body"]!.GetValue<string>() : null;
        var timestamp = properties?["hs_timestamp"]?.ToString();
        if (text is null || timestamp is null)
        {
            await WireError("a note needs properties.hs_note_body and properties.hs_timestamp").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        if (body!["associations"] is not JsonArray { Count: 1 } associations || associations[0]?["to"]?["id"]?.ToString() is not { } objectId
            || associations[0]?["types"] is not JsonArray { Count: 1 } types || types[0]?["associationCategory"]?.ToString() != "HUBSPOT_DEFINED"
            || types[0]?["associationTypeId"] is not JsonValue typeId || !typeId.TryGetValue<int>(out var association))
        {
            await WireError("a note needs one association {to:{id}, types:[{associationCategory: HUBSPOT_DEFINED, associationTypeId}]}").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var objectType = association switch { 214 => "deals", 228 => "tickets", _ => null };
        if (objectType is null)
        {
            await WireError($"associationTypeId {association} is not note → deal (214) or note → ticket (228)").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        lock (_gate)
        {
            if (!_objects.ContainsKey((objectType, objectId)))
            {
                Error(400, $"One or more associations are invalid: {objectType} {objectId} does not exist", "VALIDATION_ERROR").ExecuteAsync(context).GetAwaiter().GetResult();
                return;
            }
        }
        var id = Interlocked.Increment(ref _noteIds).ToString(CultureInfo.InvariantCulture);
        _notes.Enqueue(new HubSpotNote(id, text, timestamp, objectType, objectId, association));
        if (DropNextNoteAnswer > 0 && Interlocked.Decrement(ref _dropNextNote) >= 0)
        {
            context.Abort();
            return;
        }
        await Results.Json(new JsonObject
        {
            ["id"] = id,
            ["properties"] = new JsonObject { ["hs_note_body"] = text, ["hs_timestamp"] = timestamp, ["hs_object_id"] = id },
            ["createdAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["updatedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["archived"] = false,
        }, statusCode: 201).ExecuteAsync(context).ConfigureAwait(false);
    }

    private async Task<IResult> SearchNotesAsync(HttpRequest request)
    {
        var body = await BodyAsync(request).ConfigureAwait(false);
        var filter = body?["filterGroups"]?[0]?["filters"]?[0];
        if (filter?["propertyName"]?.ToString() != "hs_note_body" || filter["operator"]?.ToString() != "CONTAINS_TOKEN" || filter["value"]?.ToString() is not { Length: > 0 } token)
            return WireError("the coordinator searches notes with one CONTAINS_TOKEN filter on hs_note_body");
        var found = _notes.Where(n => n.Body.Contains(token, StringComparison.Ordinal)).ToList();
        return Results.Json(new JsonObject
        {
            ["total"] = found.Count,
            ["results"] = new JsonArray([.. found.Select(static n => (JsonNode)new JsonObject { ["id"] = n.Id, ["properties"] = new JsonObject { ["hs_note_body"] = n.Body } })]),
        });
    }

    private IResult GetGroup(string type, string name)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(type, out var groups) && groups.Contains(name)
                ? Results.Json(new JsonObject { ["name"] = name, ["label"] = name, ["displayOrder"] = -1, ["archived"] = false })
                : Error(404, $"Unable to find property group {name}", "OBJECT_NOT_FOUND");
        }
    }

    private async Task<IResult> CreateGroupAsync(HttpRequest request, string type)
    {
        if (await BodyAsync(request).ConfigureAwait(false) is not { } body || body["name"]?.ToString() is not { Length: > 0 } name || body["label"] is null)
            return WireError("a property group needs name and label");
        lock (_gate)
        {
            if (!_groups.TryGetValue(type, out var groups))
                return WireError($"unknown object type {type}");
            if (!groups.Add(name))
                return Error(409, $"A property group named '{name}' already exists.", "OBJECT_ALREADY_EXISTS");
        }
        return Results.Json(new JsonObject { ["name"] = name, ["label"] = body["label"]!.ToString(), ["displayOrder"] = -1, ["archived"] = false }, statusCode: 201);
    }

    private IResult GetProperty(string type, string name)
    {
        lock (_gate)
        {
            return _properties.TryGetValue(type, out var names) && names.Contains(name)
                ? Results.Json(new JsonObject { ["name"] = name, ["label"] = name, ["type"] = "string", ["fieldType"] = "text", ["groupName"] = "dealinformation" })
                : Error(404, $"Unable to find property {name}", "OBJECT_NOT_FOUND");
        }
    }

    private async Task<IResult> CreatePropertyAsync(HttpRequest request, string type)
    {
        if (await BodyAsync(request).ConfigureAwait(false) is not JsonObject body)
            return WireError("a property definition must be a JSON object");
        string? Text(string key) => body[key]?.GetValueKind() == JsonValueKind.String ? body[key]!.GetValue<string>() : null;
        if (Text("name") is not { Length: > 0 } name || Text("label") is null || Text("type") is not { } kind || Text("fieldType") is not { } field || Text("groupName") is not { } group)
            return WireError("a property needs name, label, type, fieldType and groupName");
        var allowed = kind switch
        {
            "enumeration" => field is "select" or "radio" or "checkbox" or "booleancheckbox",
            "string" => field is "text" or "textarea",
            "number" => field is "number",
            "datetime" or "date" => field is "date",
            _ => false,
        };
        if (!allowed)
            return WireError($"type {kind} with fieldType {field} is not a combination HubSpot takes");
        if (kind == "enumeration" && body["options"] is not JsonArray { Count: > 0 })
            return WireError("an enumeration needs options");
        lock (_gate)
        {
            if (!_properties.TryGetValue(type, out var names) || !_groups[type].Contains(group))
                return Error(400, $"Property group {group} does not exist", "VALIDATION_ERROR");
            if (!names.Add(name))
                return Error(409, $"Property named '{name}' already exists.", "OBJECT_ALREADY_EXISTS");
        }
        _created.Enqueue((type, (JsonObject)body.DeepClone()));
        return Results.Json(body, statusCode: 201);
    }

    private async Task<JsonNode?> BodyAsync(HttpRequest request)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.Ordinal))
        {
            WireErrorReasons.Enqueue($"content type {request.ContentType}");
            return null;
        }
        try
        {
            return await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Error(int status, string message, string category) =>
        Results.Json(new JsonObject { ["status"] = "error", ["message"] = message, ["correlationId"] = Guid.NewGuid().ToString(), ["category"] = category }, statusCode: status);

    private IResult WireError(string reason, int status = 400)
    {
        Interlocked.Increment(ref _wireErrors);
        WireErrorReasons.Enqueue(reason);
        return Error(status, "Invalid input JSON: " + reason, "VALIDATION_ERROR");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
