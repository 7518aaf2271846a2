using System.Net;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.WhatsApp;

/// <summary>What one call through the Twilio package saw on the wire, which its exceptions do not carry.</summary>
internal sealed class TwilioCall(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The last HTTP status Twilio answered (after the resilience handler's retries).</summary>
    public HttpStatusCode? Status { get; set; }

    /// <summary>The <c>Retry-After</c> of a 429.</summary>
    public TimeSpan? RetryAfter { get; set; }
}

/// <summary>
/// The outermost handler of the <c>Coordinator.Twilio</c> client: sends the Twilio package's requests for
/// <c>https://api.twilio.com</c> to <see cref="WhatsAppOptions.ApiBaseUrl"/> (a loopback Twilio in tests), gives
/// them the caller's cancellation (the package passes none), and records the status and <c>Retry-After</c> for
/// <see cref="WhatsAppChannel"/>, since the package's <c>ApiException</c> drops the headers.
/// </summary>
internal sealed class TwilioApiHandler(IOptions<WhatsAppOptions> options) : DelegatingHandler
{
    private static readonly AsyncLocal<TwilioCall?> CurrentCall = new();

    public static readonly Uri TwilioApi = new("https://api.twilio.com");

    /// <summary>Makes <paramref name="call"/> the one the requests of the current async flow report to.</summary>
    public static void Begin(TwilioCall call) => CurrentCall.Value = call;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.RequestUri = Rewrite(request.RequestUri, options.Value.ApiBaseUrl);
        var call = CurrentCall.Value;
        using var linked = call is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken);
        var response = await base.SendAsync(request, linked?.Token ?? cancellationToken).ConfigureAwait(false);
        if (call is not null)
        {
            call.Status = response.StatusCode;
            call.RetryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? RetryAfterOf(response) : null;
        }
        return response;
    }

    /// <summary><c>https://api.twilio.com/2010-04-01/...</c> on <paramref name="baseUrl"/> (its path prefix kept); other URLs as they are.</summary>
    internal static Uri? Rewrite(Uri? uri, Uri baseUrl)
    {
        if (uri is null || !uri.IsAbsoluteUri || !string.Equals(uri.Host, TwilioApi.Host, StringComparison.OrdinalIgnoreCase) || baseUrl == TwilioApi)
            return uri;
        var prefix = baseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri(prefix + uri.PathAndQuery);
    }

    private static TimeSpan RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta ? delta
        : response.Headers.RetryAfter?.Date is { } date ? (date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero)
        : TimeSpan.FromSeconds(1);
}
