using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Coordinator.Testing;

/// <summary>
/// A throwaway Azurite (the Azure Storage emulator) for one test run: started from the copy
/// <c>scripts/azurite.sh install</c> puts in <c>.data/tools/azurite</c>, on free loopback ports, with
/// its data in a fresh temporary folder; killed and deleted on dispose. Use it as an xunit fixture
/// (<see cref="IAsyncLifetime"/>) or through <see cref="StartNewAsync"/> with <c>await using</c>.
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> take it down and bring it back on the same
/// ports with the same data (an outage, as the fault tests need).
/// </summary>
public sealed class ThrowawayAzurite : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>The well-known development account every Azurite serves.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known (public) key of <see cref="AccountName"/>.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int StartAttempts = 3;
    private const int OutputLinesKept = 20;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(30);
    private const int SigTerm = 15;

    private readonly ConcurrentQueue<string> _output = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _process;

    /// <summary>Where the installed Azurite is expected.</summary>
    public static string BinaryPath => Path.Combine(RepositoryPaths.Root, ".data", "tools", "azurite", "node_modules", ".bin", "azurite");

    /// <summary>The temporary folder holding this instance's data.</summary>
    public string Location { get; } = Path.Combine(Path.GetTempPath(), "coordinator-azurite-" + Guid.NewGuid().ToString("N"));

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    /// <summary>A connection string with the blob, queue and table endpoints of this instance; empty until started.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Starts an instance; dispose it to kill it and delete its data.</summary>
    public static async Task<ThrowawayAzurite> StartNewAsync()
    {
        var azurite = new ThrowawayAzurite();
        try
        {
            await azurite.InitializeAsync().ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task InitializeAsync()
    {
        var binary = BinaryPath;
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {binary}. Run scripts/azurite.sh install (scripts/test.sh does it); it needs Node.js and npm.");
        }

        Directory.CreateDirectory(Location);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnFreePortsAsync(binary).ConfigureAwait(false);
                break;
            }
            catch (AzuriteExitedException) when (attempt < StartAttempts)
            {
                // Most likely another process took one of the free ports between probing and binding: try new ones.
                StopProcess();
            }
        }

        ConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
            + $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};"
            + $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};"
            + $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};");
    }

    /// <summary>Whether the Azurite process is up.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Stops Azurite as Ctrl+C would (SIGTERM: it closes its listeners and saves its data, which it
    /// otherwise writes only every few seconds) and waits until the process is gone; from then on
    /// every request is refused. Idempotent: does nothing when it is already stopped.
    /// </summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_process is not { HasExited: false } running)
                return;
            if (SendSignal(running.Id, SigTerm) != 0 && !running.HasExited)
                throw new InvalidOperationException($"Could not send SIGTERM to Azurite (pid {running.Id}).");
            using var timeout = new CancellationTokenSource(GracefulStopTimeout);
            try
            {
                await running.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"Azurite (pid {running.Id}) did not exit within {GracefulStopTimeout.TotalSeconds:0} s of SIGTERM. Its output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }
            running.Dispose();
            _process = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Starts Azurite again on the same ports and data folder and returns once all three services
    /// listen. Idempotent: does nothing when it is already running.
    /// </summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsRunning)
                return;
            if (ConnectionString.Length == 0)
                throw new InvalidOperationException("This Azurite was never started; call InitializeAsync first.");
            await StartProcessAsync(BinaryPath).ConfigureAwait(false);
        }
        catch (AzuriteExitedException e)
        {
            throw new InvalidOperationException(
                $"Azurite could not start again on its ports {BlobPort}, {QueuePort}, {TablePort} (another process may have taken one while it was stopped).", e);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public Task DisposeAsync()
    {
        StopProcess();
        _lifecycle.Dispose();
        try
        {
            Directory.Delete(Location, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover folder in the temp directory is harmless; the next run uses a new one.
        }

        return Task.CompletedTask;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>A free TCP port on the loopback interface (free when probed).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task StartOnFreePortsAsync(string binary)
    {
        (BlobPort, QueuePort, TablePort) = (FreePort(), FreePort(), FreePort());
        return StartProcessAsync(binary);
    }

    private async Task StartProcessAsync(string binary)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "--silent", "--disableTelemetry", "--skipApiVersionCheck",
            "--location", Location,
            "--blobHost", "127.0.0.1", "--blobPort", Invariant(BlobPort),
            "--queueHost", "127.0.0.1", "--queuePort", Invariant(QueuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Invariant(TablePort),
        ])
        {
            start.ArgumentList.Add(argument);
        }

        _output.Clear();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start Azurite ({binary}).");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        foreach (var port in (int[])[BlobPort, QueuePort, TablePort])
        {
            await WaitForPortAsync(_process, port, timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task WaitForPortAsync(Process process, int port, CancellationToken timeout)
    {
        while (true)
        {
            if (process.HasExited)
            {
                throw new AzuriteExitedException(
                    $"Azurite exited with code {process.ExitCode} before listening on port {port}. Its output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Azurite did not listen on port {port} within {StartTimeout.TotalSeconds:0} s. Its output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }
        }
    }

    private void StopProcess()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(StopTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        _process.Dispose();
        _process = null;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class AzuriteExitedException(string message) : Exception(message);
}
