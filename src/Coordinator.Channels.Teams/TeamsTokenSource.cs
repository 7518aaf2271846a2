using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Teams;

/// <summary>
/// The bot's token for the Bot Connector: OAuth 2.0 client credentials at <see cref="TeamsOptions.TokenEndpoint"/> with
/// the scope <c>https://api.botframework.com/.default</c>, cached until five minutes before it expires; one request at a
/// time renews it, however many messages wait for it.
/// </summary>
public sealed class TeamsTokenSource(IHttpClientFactory clients, IOptions<TeamsOptions> options, TimeProvider time)
{
    public const string HttpClientName = "Coordinator.Teams.Login";

    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile CachedToken? _current;

    public async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (Valid() is { } token)
            return token;
        await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Valid() is { } renewed)
                return renewed;
            var settings = options.Value;
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.TokenEndpoint)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = settings.AppId!,
                    ["client_secret"] = settings.AppPassword!,
                    ["scope"] = settings.Scope,
                }),
            };
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode is 400 or 401)
            {
                throw new InvalidOperationException(
                    $"The Bot Framework refused the bot's credentials ({(int)response.StatusCode}): check Coordinator__Channels__Teams__AppId and Coordinator__Channels__Teams__AppPassword (a client secret of the bot's App registration that has not expired).");
            }
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"The token endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            var answer = await response.Content.ReadFromJsonAsync<TokenAnswer>(cancellationToken).ConfigureAwait(false);
            if (answer is not { AccessToken.Length: > 0, ExpiresIn: > 0 })
                throw new HttpRequestException("The token endpoint answered without access_token and expires_in.");
            var until = time.GetUtcNow() + TimeSpan.FromSeconds(answer.ExpiresIn) - Margin;
            _current = new CachedToken(answer.AccessToken, until);
            return answer.AccessToken;
        }
        finally
        {
            _renewal.Release();
        }
    }

    /// <summary>Forgets the token (the connector refused it): the next message gets a new one.</summary>
    public void Invalidate() => _current = null;

    private string? Valid() => _current is { } current && current.Until > time.GetUtcNow() ? current.Token : null;

    /// <summary>One object, so a reader never sees a token with another token's expiry.</summary>
    private sealed record CachedToken(string Token, DateTimeOffset Until);

    private sealed record TokenAnswer(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
