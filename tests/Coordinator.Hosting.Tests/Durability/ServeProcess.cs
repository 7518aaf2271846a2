using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>
/// <c>coordinator serve</c> as a separate OS process (the built CLI run with <c>dotnet coordinator.dll</c>),
/// so a test can kill it hard. Its output is kept for failure messages and for counting log lines.
/// </summary>
internal sealed class ServeProcess : IDisposable
{
    public const string ReadyMarker = "Coordinator ready on ";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Where the build put coordinator.dll (recorded at build time by the test project).</summary>
    public static string CliPath { get; } = FindCli();

    /// <summary>Every line the process wrote to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public int Id => _process.Id;

    /// <summary>The line <c>serve</c> printed when it was ready (its URLs, backend, audit store and time scale).</summary>
    public string ReadyLine { get; private set; } = "";

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>coordinator serve</c> with the arguments and environment and waits for its ready line.</summary>
    public static async Task<ServeProcess> StartAsync(IReadOnlyList<string> serveArguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(CliPath)!,
        };
        start.ArgumentList.Add(CliPath);
        start.ArgumentList.Add("serve");
        foreach (var argument in serveArguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var serve = new ServeProcess(process);
        process.OutputDataReceived += (_, e) => serve.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => serve.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // The output readers may still hold the last lines (the error that made it exit): wait for the end of both streams.
            process.WaitForExit();
            serve._ready.TrySetException(new InvalidOperationException(
                $"coordinator serve exited with code {process.ExitCode} before it was ready:\n{serve.Tail()}"));
        };
        if (!process.Start())
            throw new InvalidOperationException($"Could not start dotnet {CliPath} serve.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            serve.ReadyLine = await serve._ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            serve.Dispose();
            throw new TimeoutException($"coordinator serve printed no ready line within {timeout}:\n{serve.Tail()}");
        }
        catch
        {
            serve.Dispose();
            throw;
        }
        return serve;
    }

    /// <summary>Kills the process and everything it started, at once (no shutdown hooks run), and waits until it is gone.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>
    /// Asks the process to stop as Ctrl+C or a service manager would (SIGTERM) and waits for it to exit;
    /// returns its exit code. Throws when it has not exited within <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> StopGracefullyAsync(TimeSpan timeout)
    {
        if (SendSignal(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"Could not send SIGTERM to pid {_process.Id}.");
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"coordinator serve did not exit within {timeout} of SIGTERM:\n{Tail()}");
        }
        return _process.ExitCode;
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int lines = 200) => string.Join('\n', Output.TakeLast(lines));

    public void Dispose()
    {
        try
        {
            KillHard();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        if (line.StartsWith(ReadyMarker, StringComparison.Ordinal))
            _ready.TrySetResult(line);
    }

    private static string FindCli()
    {
        var recorded = typeof(ServeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CoordinatorCliPath")?.Value;
        if (string.IsNullOrEmpty(recorded) || !File.Exists(recorded))
        {
            throw new InvalidOperationException(
                $"coordinator.dll not found (recorded at build time: '{recorded}'). Build the test project, which builds src/Coordinator.Cli first.");
        }
        return recorded;
    }
}
