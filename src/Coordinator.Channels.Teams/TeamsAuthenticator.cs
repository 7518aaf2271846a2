using Coordinator.Channels.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coordinator.Channels.Teams;

/// <summary>
/// Authenticates a request of the Bot Framework as it documents: the JWT in <c>Authorization: Bearer</c> is signed
/// (RS256) by one of its published keys, issued by <c>https://api.botframework.com</c> for our app id, not expired
/// (five minutes of skew); the signing key is endorsed for the activity's <c>channelId</c>; the token's
/// <c>serviceurl</c> claim is the activity's <c>serviceUrl</c> (so a token for one service cannot send us to another).
/// </summary>
public sealed class TeamsAuthenticator(TeamsSigningKeys keys, IOptions<TeamsOptions> options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>The first check: the token itself. On success, <paramref name="token"/> is kept for <see cref="CheckActivity"/>.</summary>
    public async Task<(WebhookVerdict Verdict, ValidatedBotToken? Token)> ValidateTokenAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(authorization))
            return (WebhookVerdict.Deny("no Authorization header"), null);
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return (WebhookVerdict.Deny("the Authorization header is not a bearer token"), null);
        var raw = authorization["Bearer ".Length..].Trim();
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(raw);
        }
        catch (ArgumentException)
        {
            return (WebhookVerdict.Deny("the bearer token is not a JWT"), null);
        }
        if (string.IsNullOrEmpty(jwt.Kid))
            return (WebhookVerdict.Deny("the token names no signing key (kid)"), null);
        var key = await keys.FindAsync(jwt.Kid, cancellationToken).ConfigureAwait(false);
        if (key is null)
            return (WebhookVerdict.Deny("the token is signed by a key the Bot Framework does not publish"), null);

        var settings = options.Value;
        var result = await Handler.ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.AppId,
            IssuerSigningKey = key.Key,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = WebhookSignatures.MaxSkew,
            LifetimeValidator = (notBefore, expires, _, parameters) => Lifetime(notBefore, expires, parameters.ClockSkew),
        }).ConfigureAwait(false);
        if (!result.IsValid)
            return (WebhookVerdict.Deny(Reason(result.Exception)), null);
        var serviceUrl = jwt.TryGetPayloadValue<string>("serviceurl", out var claim) ? claim : null;
        return (WebhookVerdict.Accept, new ValidatedBotToken(key.Endorsements, serviceUrl));
    }

    /// <summary>The second check, once the activity is read: endorsement of its channel, and its service URL.</summary>
    public static WebhookVerdict CheckActivity(ValidatedBotToken token, string? channelId, string? serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (string.IsNullOrEmpty(channelId) || !token.Endorsements.Contains(channelId))
            return WebhookVerdict.Deny($"the signing key is not endorsed for the channel '{channelId}'");
        if (token.ServiceUrl is null)
            return WebhookVerdict.Deny("the token has no serviceurl claim");
        if (serviceUrl is null || !string.Equals(token.ServiceUrl.TrimEnd('/'), serviceUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            return WebhookVerdict.Deny("the token's serviceurl claim is not the activity's serviceUrl");
        return WebhookVerdict.Accept;
    }

    private bool Lifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } until && until.ToUniversalTime() + skew >= now && (notBefore is not { } from || from.ToUniversalTime() - skew <= now);
    }

    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenInvalidAudienceException => "the token is for another app (audience)",
        SecurityTokenInvalidIssuerException => "the token is not issued by the Bot Framework (issuer)",
        SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException or SecurityTokenNotYetValidException => "the token has expired or is not valid yet",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the token's signature does not verify",
        SecurityTokenInvalidAlgorithmException => "the token is not signed with RS256",
        _ => "the token is not valid",
    };
}

/// <summary>What a valid token says: the endorsements of its signing key and its <c>serviceurl</c> claim.</summary>
public sealed record ValidatedBotToken(IReadOnlySet<string> Endorsements, string? ServiceUrl);
