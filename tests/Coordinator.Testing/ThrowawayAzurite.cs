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
/// (<see cref="IAsyncLifetime"/>) or through <see cref="StartAsync"/> with <c>await using</c>.
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

    private readonly ConcurrentQueue<string> _output = new();
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
    public static async Task<ThrowawayAzurite> StartAsync()
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

    public Task DisposeAsync()
    {
        StopProcess();
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

    private async Task StartOnFreePortsAsync(string binary)
    {
        (BlobPort, QueuePort, TablePort) = (FreePort(), FreePort(), FreePort());
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

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class AzuriteExitedException(string message) : Exception(message);
}
