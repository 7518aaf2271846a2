using System.Globalization;

namespace Coordinator.HostBenchmarks;

/// <summary>The benchmark's command line.</summary>
internal sealed record HostBenchSettings
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Coordinator.HostBenchmarks -- [options]
          --instances N          measured instances per side and round (default 60)
          --rounds N             measurement rounds, alternating which side goes first (default 3)
          --concurrency N        instances driven at once (default 8)
          --warmup N             unmeasured instances per side before measuring, so the JIT has compiled the hot paths (default 40)
          --poll-ms N            status polling interval of the driver, milliseconds (default 200)
          --max-queue-poll-ms N  the backend's MaxQueuePollingInterval on both sides, milliseconds (default 500)
          --partitions N         control-queue partitions on both sides (default 4, as coordinator serve)
          --timeout-minutes N    total time limit of the run (default 20)
          --timeline             print the orchestration history of one instance per side, with times
          --storage CONN         an Azure Storage connection string instead of a private Azurite
                                 (fresh task hubs are created and deleted afterwards)
          --azurite PATH         the azurite executable (default .data/tools/azurite/node_modules/.bin/azurite)
        """;

    public int Instances { get; init; } = 60;
    public int Rounds { get; init; } = 3;
    public int Concurrency { get; init; } = 8;
    public int Warmup { get; init; } = 40;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public int Partitions { get; init; } = 4;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(20);
    public bool Timeline { get; init; }
    public string? Storage { get; init; }
    public string? AzuritePath { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static HostBenchSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new HostBenchSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            settings = name switch
            {
                "--instances" => settings with { Instances = Positive(name, Value()) },
                "--rounds" => settings with { Rounds = Positive(name, Value()) },
                "--concurrency" => settings with { Concurrency = Positive(name, Value()) },
                "--warmup" => settings with { Warmup = NonNegative(name, Value()) },
                "--poll-ms" => settings with { PollInterval = TimeSpan.FromMilliseconds(Positive(name, Value())) },
                "--max-queue-poll-ms" => settings with { MaxQueuePollingInterval = TimeSpan.FromMilliseconds(Positive(name, Value())) },
                "--partitions" => settings with { Partitions = Positive(name, Value()) is var p and <= 16 ? p : throw new ArgumentException("--partitions must be between 1 and 16.") },
                "--timeout-minutes" => settings with { Timeout = TimeSpan.FromMinutes(Positive(name, Value())) },
                "--timeline" => settings with { Timeline = true },
                "--storage" => settings with { Storage = Value() },
                "--azurite" => settings with { AzuritePath = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        return settings;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a whole number > 0; got '{value}'.");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{name} must be a whole number ≥ 0; got '{value}'.");
}
