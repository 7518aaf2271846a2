using System.Diagnostics;

namespace Coordinator.Testing;

/// <summary>
/// The providers' published npm clients (scripts/provider-clients.sh installs them into .data/tools/provider-clients):
/// runs a Node.js script there, so its <c>require</c> finds them, with a JSON input on stdin; answers what it printed.
/// </summary>
public static class ProviderClients
{
    public static string Folder => Path.Combine(RepositoryPaths.Root, ".data", "tools", "provider-clients");

    public static async Task<string> RunNodeAsync(string script, string input, TimeSpan timeout)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules")))
            throw new InvalidOperationException($"The providers' clients are not installed in {Folder}. Run scripts/provider-clients.sh install (scripts/test.sh does it).");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}");
        return await stdout.ConfigureAwait(false);
    }
}
