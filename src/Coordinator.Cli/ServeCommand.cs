using System.CommandLine;
using Coordinator.Hosting;
using Coordinator.Hosting.Durable;

namespace Coordinator.Cli;

/// <summary><c>coordinator serve</c>: the standalone coordinator (embedded Durable sidecar, workers, HTTP API).</summary>
internal static class ServeCommand
{
    /// <summary>Exit code for a start-up refused by a setting or the environment (a definition with errors exits with 1, as <c>validate</c> does).</summary>
    internal const int ConfigurationError = 2;

    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the HTTP API listens.", DefaultValueFactory = _ => "http://localhost:7071" };
        var backend = new Option<string>("--backend")
        {
            Description = "Durable backend: azure-storage (durable; Azurite locally) or memory (quick tries, NOT durable).",
            DefaultValueFactory = _ => "azure-storage",
        };
        backend.AcceptOnlyFromAmong("azure-storage", "memory");
        var definitions = new Option<string?>("--definitions") { Description = "Folder (or file) of workflow definitions; default workflow-definitions/." };
        var timeScale = new Option<double?>("--time-scale") { Description = "Run every workflow duration N times faster (demos, tests)." };
        var data = new Option<string?>("--data") { Description = "Folder for the host's own files (generated API key); default .data/coordinator." };

        var command = new Command("serve", "Run the coordinator: Durable orchestrations of every workflow instance and the HTTP API.")
        {
            urls, backend, definitions, timeScale, data,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ServeSettings
            {
                Urls = parse.GetValue(urls)!,
                Backend = parse.GetValue(backend) == "memory" ? DurableBackendKind.Memory : DurableBackendKind.AzureStorage,
                DefinitionsPath = parse.GetValue(definitions),
                TimeScale = parse.GetValue(timeScale),
                DataPath = parse.GetValue(data),
                ConfigurationArgs = [.. parse.UnmatchedTokens],
                Progress = Console.Out,
            };
            RunningServer server;
            try
            {
                server = await CoordinatorServer.StartAsync(settings, cancellationToken);
            }
            catch (DefinitionLoadException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            catch (Exception e) when (StartupOptions.Describe(e) is { } settingsProblem)
            {
                // Options that failed their validation at start-up (one class, or several at once).
                Console.Error.WriteLine($"coordinator serve could not start: {settingsProblem}");
                return ConfigurationError;
            }
            catch (Exception e) when (e is StartupException or InvalidOperationException or ArgumentException or IOException or Npgsql.NpgsqlException)
            {
                // A setting or the environment: one line that says what to fix, no stack trace.
                Console.Error.WriteLine($"coordinator serve could not start: {e.Message.ReplaceLineEndings(" ")}");
                return ConfigurationError;
            }
            await using (server)
            {
                Console.WriteLine(server.ReadyLine);
                Console.WriteLine("Press Ctrl+C to stop.");
                await server.WaitForShutdownAsync(cancellationToken);
                Console.WriteLine("Stopping: letting running turns finish and releasing the Durable backend ...");
            }
            Console.WriteLine("Stopped.");
            return 0;
        });
        return command;
    }
}
