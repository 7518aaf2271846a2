using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Replies;

/// <summary>Runs <see cref="ReplyBatch"/> rounds on serve: at once when a webhook kept a reply on this host, else every poll interval.</summary>
public sealed partial class ReplyWorker(
    ReplyBatch batch,
    ReplyHandler handler,
    ReplySignal signal,
    IOptions<ChannelDispatchOptions> options,
    ILogger<ReplyWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                if (await batch.RunOnceAsync(handler, 32, settings.Lease, stoppingToken).ConfigureAwait(false) > 0)
                    continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                InboundUnavailable(logger, e.Message);
                wait = settings.PollInterval * 5;
            }
            await signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The replies table cannot be read ({Reason}); replies wait in it and are handled when the database answers")]
    private static partial void InboundUnavailable(ILogger logger, string reason);
}
