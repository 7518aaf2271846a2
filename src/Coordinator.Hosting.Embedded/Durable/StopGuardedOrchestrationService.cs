using System.Reflection;
using System.Runtime.ExceptionServices;
using DurableTask.Core;

namespace Coordinator.Hosting.Durable;

/// <summary>
/// Forwards every call to the real orchestration service, except that a failing <c>StopAsync</c>
/// cannot take the process down. The embedded sidecar stops the backend from an <c>async void</c>
/// shutdown callback, where an exception is fatal; the Azure Storage provider has been seen to
/// throw a NullReferenceException from <c>StopAsync</c> during shutdown. Stopping is best effort:
/// the backend's leases expire and another host takes the partitions over.
/// </summary>
public class StopGuardedOrchestrationService : DispatchProxy
{
    private IOrchestrationService _target = null!;
    private Action<Exception>? _onStopFailure;

    /// <summary>Wraps <paramref name="target"/>; <paramref name="onStopFailure"/> hears about swallowed stop failures.</summary>
    public static IOrchestrationService Wrap(IOrchestrationService target, Action<Exception>? onStopFailure = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var proxy = Create<IOrchestrationService, StopGuardedOrchestrationService>();
        var guard = (StopGuardedOrchestrationService)(object)proxy;
        guard._target = target;
        guard._onStopFailure = onStopFailure;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var isStop = targetMethod.Name == nameof(IOrchestrationService.StopAsync);
        object? result;
        try
        {
            result = targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException e) when (isStop && e.InnerException is not null)
        {
            _onStopFailure?.Invoke(e.InnerException);
            return Task.CompletedTask;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        return isStop && result is Task stop ? GuardAsync(stop) : result;
    }

    private async Task GuardAsync(Task stop)
    {
        try
        {
            await stop.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Stopping is best effort; the failure is reported, not rethrown (see the class summary).
        catch (Exception e)
#pragma warning restore CA1031
        {
            _onStopFailure?.Invoke(e);
        }
    }
}
