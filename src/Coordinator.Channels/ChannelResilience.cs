using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Coordinator.Channels;

/// <summary>
/// The standard resilience handler as every channel's HTTP client uses it: retries and the circuit breaker react to
/// network errors, timeouts and 5xx, not to 429, which the dispatcher handles (it empties the conversation's bucket for
/// the <c>Retry-After</c> and gives the message back to the outbox instead of holding a worker). A message is retried at
/// once only when the provider cannot have taken it (the connection failed, a gateway answered 502/503/504); after a
/// timeout it may have, so it goes back to the outbox, whose lease and receipt keep the repeat to that window.
/// </summary>
public static class ChannelResilience
{
    public static void Configure(HttpStandardResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.ShouldHandle = args => ValueTask.FromResult(NotDelivered(args.Outcome));
        options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
    }

    /// <summary>Failures after which the provider certainly has not taken the message.</summary>
    public static bool NotDelivered(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException { InnerException: System.Net.Sockets.SocketException } } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        _ => false,
    };

    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };
}
