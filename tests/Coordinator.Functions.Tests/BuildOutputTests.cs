using System.Text.Json;
using Coordinator.Testing;

namespace Coordinator.Functions.Tests;

/// <summary>The Functions app runs on the Durable Functions extension: it ships none of the standalone host's embedded sidecar.</summary>
public sealed class BuildOutputTests
{
    private static readonly string[] SidecarPackages =
    [
        "Microsoft.DurableTask.InProcessTestHost", "Microsoft.Azure.DurableTask.AzureStorage", "Grpc.AspNetCore.Server", "Coordinator.Hosting.Embedded",
    ];

    [Fact]
    public void FunctionsApp_BuildOutput_HoldsNoneOfTheEmbeddedSidecarsAssemblies()
    {
        // The dependency manifest the build writes next to the app (rewritten by every build, unlike stale files in bin/).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var manifest = Path.Combine(RepositoryPaths.Root, "src", "Coordinator.Functions", "bin", configuration, "net10.0", "Coordinator.Functions.deps.json");
        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var libraries = document.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToArray();

        Assert.Contains("Microsoft.Azure.Functions.Worker.Extensions.DurableTask", libraries);
        Assert.Contains("Coordinator.Hosting", libraries);
        Assert.Empty(libraries.Intersect(SidecarPackages, StringComparer.OrdinalIgnoreCase));
    }
}
