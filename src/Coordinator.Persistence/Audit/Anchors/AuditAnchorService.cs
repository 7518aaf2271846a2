using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>Anchors the chain head every <see cref="AuditOptions.AnchorInterval"/> while the host runs.</summary>
public sealed class AuditAnchorService(
    AuditAnchorWriter writer,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    ILogger<AuditAnchorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AnchorInterval, timeProvider);
        do
        {
            try
            {
                var anchor = await writer.AnchorAsync(stoppingToken).ConfigureAwait(false);
                if (anchor is not null)
                {
                    Log.AnchorWritten(logger, anchor.Seq, anchor.Hash);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.AnchorFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
