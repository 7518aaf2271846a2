using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Coordinator.ScaleBenchmarks;

/// <summary>
/// <c>coordinator serve</c> as a separate process (the built CLI), so that its memory and processor
/// time are the host's alone; its output is kept for when something goes wrong.
/// </summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private const string ReadyMarker = "Coordinator ready on ";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<string, int> _warnings = new(StringComparer.Ordinal);
    private string? _pendingHeader;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeHost(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>How many warnings and errors the host logged, by their first words (for the report).</summary>
    public IReadOnlyDictionary<string, int> Warnings => _warnings;

    /// <summary>Resident memory of the host process (VmRSS), in bytes.</summary>
    public long ResidentBytes => ProcessStats.ResidentBytes(_process.Id);

    /// <summary>Processor time the host has used so far (user + system).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ServeHost> StartAsync(
        string definitions, string dataFolder, IReadOnlyDictionary<string, string> environment, double timeScale, CancellationToken cancellationToken)
    {
        var port = Coordinator.HostBenchmarks.FreePort.Loopback();
        var cli = CliPath();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(cli)!,
        };
        foreach (var argument in new[]
                 {
                     cli, "serve", "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--time-scale", timeScale.ToString(CultureInfo.InvariantCulture),
                     "--definitions", definitions, "--data", dataFolder,
                 })
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Coordinator.Hosting.Embedded.CoordinatorServer"] = "Information";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start dotnet {cli} serve.");
        var host = new ServeHost(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var exited = process.WaitForExitAsync(timeout.Token);
        if (await Task.WhenAny(host._ready.Task, exited).ConfigureAwait(false) != host._ready.Task)
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"coordinator serve did not get ready; its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, host._output.TakeLast(20))}");
        }
        return host;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(15_000);
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        // A log entry is a header line ("warn: Category[id]") and an indented message line.
        if (_pendingHeader is { } header)
        {
            var message = line.Trim();
            _warnings.AddOrUpdate(header + " " + (message.Length > 200 ? message[..200] : message), 1, (_, n) => n + 1);
            _pendingHeader = null;
        }
        if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal))
            _pendingHeader = line.Length > 60 ? line[..60] : line;
        while (_output.Count > 500)
            _output.TryDequeue(out _);
        if (line.Contains(ReadyMarker, StringComparison.Ordinal))
            _ready.TrySetResult();
    }

    private static string CliPath()
    {
        var recorded = typeof(ServeHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CoordinatorCliPath")?.Value;
        return recorded is { Length: > 0 } && File.Exists(recorded)
            ? recorded
            : throw new InvalidOperationException($"coordinator.dll not found (recorded at build time: '{recorded}'). Build this benchmark, which builds src/Coordinator.Cli first.");
    }
}

/// <summary>Memory and storage figures read from the operating system.</summary>
internal static class ProcessStats
{
    /// <summary>VmRSS of a process from <c>/proc/PID/status</c>, in bytes (0 when it cannot be read).</summary>
    public static long ResidentBytes(int processId)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    /// <summary>The bytes of every file under <paramref name="folder"/>.</summary>
    public static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(static f => f.Length) : 0;
}
