using Coordinator.ScaleBenchmarks;

// How the cost grows with the number of running instances (issue 11): see bench/README.md.
if (args.Contains("--help"))
{
    Console.WriteLine(ScaleSettings.Usage);
    return 0;
}

ScaleSettings settings;
try
{
    settings = ScaleSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ScaleSettings.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromHours(2));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    if (settings.SixWeeks is { } onboardings)
        return await SixWeeks.RunAsync(settings, onboardings, Console.Out, cancel.Token);
    if (settings.Fleet is { } perRound)
        return await Fleet.RunAsync(settings, perRound, Console.Out, cancel.Token);
    return await ScaleBenchmark.RunAsync(settings, Console.Out, cancel.Token);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or HttpRequestException or TimeoutException)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"The benchmark did not finish: {e.Message}");
    return 1;
}
