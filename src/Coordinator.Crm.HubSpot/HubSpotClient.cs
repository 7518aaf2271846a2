using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Core.Definitions;
using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

/// <summary>What kind of failure a HubSpot answer is, and so what the caller does about it.</summary>
public enum HubSpotFailure
{
    /// <summary>429: wait <see cref="HubSpotException.RetryAfter"/> (the bucket shared by the hosts is emptied for that long).</summary>
    RateLimited,

    /// <summary>5xx, a timeout, no connection: try again later, with a growing wait.</summary>
    Unavailable,

    /// <summary>400, 401, 403: the token is wrong or lacks a scope, or a property is missing; tried again later (someone has to fix the settings), logged as an error.</summary>
    Misconfigured,

    /// <summary>404 and the other 4xx: this request will never succeed (the record is gone).</summary>
    Refused,
}

/// <summary>A HubSpot request that did not succeed; <see cref="HubSpotFailure"/> says what to do.</summary>
public sealed class HubSpotException(HubSpotFailure failure, string message, TimeSpan retryAfter = default, Exception? inner = null) : Exception(message, inner)
{
    public HubSpotFailure Failure { get; } = failure;

    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// HubSpot's CRM v3 API as the coordinator uses it, on a client of <c>IHttpClientFactory</c> (no .NET client of HubSpot's is
/// served: a typed client, like Slack's): read an object's properties, update them, post a note on its timeline (and look
/// one up by the reference it carries), and set up the coordinator's properties. No automatic retries: creating a note is
/// not idempotent, so the outbox decides when to try again (<see cref="HubSpotDispatcher"/>).
/// </summary>
public sealed class HubSpotClient(IHttpClientFactory clients, IOptions<HubSpotOptions> options)
{
    public const string HttpClientName = "hubspot";

    /// <summary>HubSpot-defined association types from a note to the object it is on (CRM v4 associations: note → deal 214, note → ticket 228).</summary>
    public static int NoteAssociationType(CrmObjectType type) => type == CrmObjectType.Ticket ? 228 : 214;

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>The object's properties (those asked for, and the ones HubSpot always returns); null when there is no such object.</summary>
    public async Task<IReadOnlyDictionary<string, string?>?> GetObjectAsync(CrmObjectType type, string id, IEnumerable<string> properties, CancellationToken cancellationToken)
    {
        var path = $"crm/v3/objects/{type.PathName()}/{Uri.EscapeDataString(id)}?properties={string.Join(',', properties.Select(Uri.EscapeDataString))}";
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken, notFoundIsAnswer: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        var json = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (json?["properties"] is JsonObject values)
        {
            foreach (var (name, value) in values)
                result[name] = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString();
        }
        return result;
    }

    /// <summary><c>PATCH /crm/v3/objects/{type}/{id}</c> with the properties.</summary>
    public async Task UpdateObjectAsync(CrmObjectType type, string id, IReadOnlyDictionary<string, string?> properties, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["properties"] = new JsonObject(properties.Select(static p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
        using var response = await SendAsync(HttpMethod.Patch, $"crm/v3/objects/{type.PathName()}/{Uri.EscapeDataString(id)}", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /crm/v3/objects/notes</c> associated with the object; answers the note's id.</summary>
    public async Task<string> CreateNoteAsync(CrmObjectType type, string id, string text, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["hs_timestamp"] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["hs_note_body"] = text,
            },
            ["associations"] = new JsonArray(new JsonObject
            {
                ["to"] = new JsonObject { ["id"] = id },
                ["types"] = new JsonArray(new JsonObject { ["associationCategory"] = "HUBSPOT_DEFINED", ["associationTypeId"] = NoteAssociationType(type) }),
            }),
        };
        using var response = await SendAsync(HttpMethod.Post, "crm/v3/objects/notes", body, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, cancellationToken).ConfigureAwait(false))?["id"]?.ToString()
            ?? throw new HubSpotException(HubSpotFailure.Unavailable, "HubSpot created the note but answered no id.");
    }

    /// <summary>The note whose body holds <paramref name="token"/> (<c>POST /crm/v3/objects/notes/search</c>, <c>CONTAINS_TOKEN</c>); null when there is none.</summary>
    public async Task<string?> FindNoteAsync(string token, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["filterGroups"] = new JsonArray(new JsonObject
            {
                ["filters"] = new JsonArray(new JsonObject { ["propertyName"] = "hs_note_body", ["operator"] = "CONTAINS_TOKEN", ["value"] = token }),
            }),
            ["properties"] = new JsonArray("hs_note_body"),
            ["limit"] = 1,
        };
        using var response = await SendAsync(HttpMethod.Post, "crm/v3/objects/notes/search", body, cancellationToken).ConfigureAwait(false);
        var json = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return json?["results"] is JsonArray { Count: > 0 } results ? results[0]?["id"]?.ToString() : null;
    }

    /// <summary>Whether the object type has the property (<c>GET /crm/v3/properties/{type}/{name}</c>).</summary>
    public Task<bool> HasPropertyAsync(CrmObjectType type, string name, CancellationToken cancellationToken) =>
        ExistsAsync($"crm/v3/properties/{type.PathName()}/{Uri.EscapeDataString(name)}", cancellationToken);

    /// <summary>Whether the object type has the property group (<c>GET /crm/v3/properties/{type}/groups/{name}</c>).</summary>
    public Task<bool> HasGroupAsync(CrmObjectType type, string name, CancellationToken cancellationToken) =>
        ExistsAsync($"crm/v3/properties/{type.PathName()}/groups/{Uri.EscapeDataString(name)}", cancellationToken);

    /// <summary><c>POST /crm/v3/properties/{type}/groups</c>.</summary>
    public async Task CreateGroupAsync(CrmObjectType type, string name, string label, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"crm/v3/properties/{type.PathName()}/groups", new JsonObject { ["name"] = name, ["label"] = label }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /crm/v3/properties/{type}</c> with the property's definition.</summary>
    public async Task CreatePropertyAsync(CrmObjectType type, JsonObject property, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"crm/v3/properties/{type.PathName()}", property, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken, notFoundIsAnswer: true).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, bool notFoundIsAnswer = false)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(method, new Uri(new Uri(settings.ApiBaseUrl.ToString().TrimEnd('/') + "/"), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new HubSpotException(HubSpotFailure.Unavailable, $"HubSpot did not answer {method} /{path.Split('?')[0]}: {e.Message}", inner: e);
        }
        if (response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound))
            return response;
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var message = $"HubSpot answered {(int)response.StatusCode} to {method} /{path.Split('?')[0]}: {ErrorMessage(text)}";
            var status = (int)response.StatusCode;
            throw status switch
            {
                429 => new HubSpotException(HubSpotFailure.RateLimited, message, RetryAfterOf(response)),
                // 400: a property HubSpot does not have or a value it does not take — settings to fix (crm setup), not a lost record.
                400 or 401 or 403 => new HubSpotException(HubSpotFailure.Misconfigured, message),
                408 or >= 500 => new HubSpotException(HubSpotFailure.Unavailable, message),
                _ => new HubSpotException(HubSpotFailure.Refused, message),
            };
        }
    }

    private static TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { Delta: { } delta })
            return delta;
        if (response.Headers.RetryAfter is { Date: { } date })
            return date - DateTimeOffset.UtcNow;
        return DefaultRetryAfter;
    }

    /// <summary>HubSpot's error JSON (<c>{status, message, correlationId, category}</c>): its message and category; else the text, shortened.</summary>
    private static string ErrorMessage(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject error && error["message"]?.ToString() is { } message)
                return error["category"]?.ToString() is { } category ? $"{message} ({category})" : message;
        }
        catch (JsonException)
        {
        }
        return text.Length <= 200 ? text : text[..200];
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new HubSpotException(HubSpotFailure.Unavailable, "HubSpot answered something that is not JSON.", inner: e);
        }
    }
}
