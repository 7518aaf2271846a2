using Coordinator.HostBenchmarks;
using Coordinator.Hosting;

// The standalone host benchmark: the coordinator (coordinator serve, Durable Azure Storage backend)
// driven through its HTTP API, against a bare Durable orchestration calling as many activities,
// on the same backend settings, in one run. See bench/README.md.
if (args.Contains("--help"))
{
    Console.WriteLine(HostBenchSettings.Usage);
    return 0;
}

HostBenchSettings settings;
try
{
    settings = HostBenchSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(HostBenchSettings.Usage);
    return 2;
}

using var timeout = new CancellationTokenSource(settings.Timeout);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    timeout.Cancel();
};
try
{
    await HostBenchmark.RunAsync(settings, Console.Out, timeout.Token);
    return 0;
}
catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException or DefinitionLoadException)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"The benchmark did not finish: {e.Message}");
    return 1;
}
