using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Coordinator.Channels.Teams;

/// <summary>One signing key of the Bot Framework and the channels it is endorsed for (<c>msteams</c>, ...).</summary>
public sealed record BotSigningKey(JsonWebKey Key, IReadOnlySet<string> Endorsements);

/// <summary>
/// The keys that sign Teams' requests: the OpenID metadata at <see cref="TeamsOptions.OpenIdMetadataUrl"/> names the
/// <c>jwks_uri</c>, whose keys carry their <c>endorsements</c>. Cached for a day; a token signed by a key id not in the
/// cache fetches them again (the Bot Framework rolls its keys), at most once every 30 seconds, so forged key ids cannot
/// turn into a storm of requests. Both documents must come over HTTPS, except from a loopback address (tests).
/// </summary>
public sealed partial class TeamsSigningKeys(IHttpClientFactory clients, IOptions<TeamsOptions> options, TimeProvider time, ILogger<TeamsSigningKeys> logger)
{
    public const string HttpClientName = "Coordinator.Teams.Keys";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private static readonly TimeSpan MinimumRefresh = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private IReadOnlyDictionary<string, BotSigningKey> _keys = new Dictionary<string, BotSigningKey>();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    /// <summary>The key of <paramref name="keyId"/>, fetching the keys again when it is unknown (or the cache is old).</summary>
    public async Task<BotSigningKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _fetchedAt < Lifetime && _keys.TryGetValue(keyId, out var known))
            return known;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            now = time.GetUtcNow();
            if (_keys.TryGetValue(keyId, out known) && now - _fetchedAt < Lifetime)
                return known;
            if (now - _fetchedAt >= MinimumRefresh)
            {
                _keys = await FetchAsync(cancellationToken).ConfigureAwait(false);
                _fetchedAt = now;
            }
            return _keys.GetValueOrDefault(keyId);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<IReadOnlyDictionary<string, BotSigningKey>> FetchAsync(CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(HttpClientName);
        var metadata = await GetJsonAsync(client, options.Value.OpenIdMetadataUrl, cancellationToken).ConfigureAwait(false);
        if (metadata["jwks_uri"]?.GetValue<string>() is not { } jwks || !Uri.TryCreate(jwks, UriKind.Absolute, out var jwksUri))
            throw new InvalidOperationException($"The OpenID metadata at {options.Value.OpenIdMetadataUrl} has no jwks_uri.");
        var set = await GetJsonAsync(client, jwksUri, cancellationToken).ConfigureAwait(false);
        var keys = new Dictionary<string, BotSigningKey>(StringComparer.Ordinal);
        foreach (var node in set["keys"] as JsonArray ?? [])
        {
            if (node is not JsonObject raw || raw["kid"]?.GetValue<string>() is not { Length: > 0 } kid)
                continue;
            var endorsements = (raw["endorsements"] as JsonArray ?? [])
                .Select(e => e?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            keys[kid] = new BotSigningKey(new JsonWebKey(raw.ToJsonString()), endorsements);
        }
        LogFetched(logger, keys.Count, jwksUri);
        return keys;
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        if (!(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            throw new InvalidOperationException($"The Bot Framework's keys must come over HTTPS; {url} is not.");
        using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))
                ?? throw new InvalidOperationException($"{url} answered an empty document.");
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{url} did not answer JSON.", exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Teams: {Count} Bot Framework signing keys from {Url}")]
    private static partial void LogFetched(ILogger logger, int count, Uri url);
}
