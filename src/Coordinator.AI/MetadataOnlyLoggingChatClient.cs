using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Coordinator.AI;

/// <summary>
/// Logs each model call's provider, model, duration and outcome, never its messages: prompts and answers carry personal
/// data. (Microsoft.Extensions.AI's UseLogging is not used because it logs contents at Trace level.)
/// </summary>
internal sealed partial class MetadataOnlyLoggingChatClient(IChatClient inner, ILogger logger, string provider, string model) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            LogCall(logger, provider, model, Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
            return response;
        }
        catch (Exception ex) when (LogFailure(ex, started))
        {
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await using var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    break;
                update = enumerator.Current;
            }
            catch (Exception ex) when (LogFailure(ex, started))
            {
                throw;
            }
            yield return update;
        }
        LogCall(logger, provider, model, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null, null);
    }

    private bool LogFailure(Exception ex, long started)
    {
        // The exception's type only: provider error messages can echo the request.
        LogFailed(logger, provider, model, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.GetType().Name);
        return false;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Model call to {Provider} {Model} took {ElapsedMs:F0} ms (tokens in {InputTokens}, out {OutputTokens})")]
    private static partial void LogCall(ILogger logger, string provider, string model, double elapsedMs, long? inputTokens, long? outputTokens);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Model call to {Provider} {Model} failed after {ElapsedMs:F0} ms with {ExceptionType}")]
    private static partial void LogFailed(ILogger logger, string provider, string model, double elapsedMs, string exceptionType);
}
