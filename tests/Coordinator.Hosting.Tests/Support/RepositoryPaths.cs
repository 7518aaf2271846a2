namespace Coordinator.Hosting.Tests.Support;

internal static class RepositoryPaths
{
    /// <summary>The repository root: the folder holding Coordinator.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Definitions => Path.Combine(Root, "workflow-definitions");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
                return dir.FullName;
        }
        // Builds routed to COORDINATOR_ARTIFACTS live outside the tree: use the path recorded at build time.
        var recorded = typeof(RepositoryPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "Coordinator.sln")))
            return recorded;
        throw new InvalidOperationException("Cannot find the repository root (Coordinator.sln) above " + AppContext.BaseDirectory);
    }
}
