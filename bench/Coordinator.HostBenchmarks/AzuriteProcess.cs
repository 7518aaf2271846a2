using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Coordinator.HostBenchmarks;

/// <summary>
/// A private Azurite (the Azure Storage emulator) on free loopback ports with its data in a temp
/// folder, started from the copy <c>scripts/azurite.sh install</c> puts into <c>.data/tools</c>.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;
    private readonly string _location;

    private AzuriteProcess(Process process, string location, string connectionString)
    {
        _process = process;
        _location = location;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Where this Azurite keeps its data (its storage, measured by the scale benchmark).</summary>
    public string DataFolder => _location;

    /// <summary>The Azurite process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Processor time Azurite has used so far (user + system).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Starts Azurite. With <paramref name="inMemory"/> it keeps its data in memory only
    /// (<c>--inMemoryPersistence</c>); otherwise it rewrites its whole database file every few seconds,
    /// which costs it processor time in proportion to everything stored.
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string? binary, CancellationToken cancellationToken, bool inMemory = false)
    {
        binary ??= DefaultBinary();
        if (!File.Exists(binary))
            throw new InvalidOperationException($"Azurite is not installed at {binary}. Run scripts/azurite.sh install, pass --azurite PATH, or use --storage CONN.");
        int blob = FreePort.Loopback(), queue = FreePort.Loopback(), table = FreePort.Loopback();
        var location = Path.Combine(Path.GetTempPath(), "coordinator-hostbench-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--silent", "--disableTelemetry", "--skipApiVersionCheck",
            "--blobHost", "127.0.0.1", "--blobPort", Invariant(blob),
            "--queueHost", "127.0.0.1", "--queuePort", Invariant(queue),
            "--tableHost", "127.0.0.1", "--tablePort", Invariant(table),
        })
        {
            start.ArgumentList.Add(arg);
        }
        // In memory, Azurite refuses a location.
        foreach (var arg in inMemory ? ["--inMemoryPersistence"] : new[] { "--location", location })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, location,
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
        try
        {
            foreach (var port in new[] { blob, queue, table })
                await azurite.WaitForPortAsync(port, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return azurite;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        return ValueTask.CompletedTask;
    }

    private static string DefaultBinary()
    {
        var root = typeof(AzuriteProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, ".data", "tools", "azurite", "node_modules", ".bin", "azurite");
    }

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task WaitForPortAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening on port {port}.");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cts.Token).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cts.Token).ConfigureAwait(false);
            }
        }
    }
}
