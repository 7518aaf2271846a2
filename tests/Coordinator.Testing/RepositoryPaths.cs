using System.Reflection;

namespace Coordinator.Testing;

/// <summary>Paths inside the repository, found from the test binaries wherever they were built.</summary>
public static class RepositoryPaths
{
    /// <summary>
    /// The repository root: the folder holding Coordinator.sln above the test binaries, else the
    /// folder recorded at build time (builds routed to COORDINATOR_ARTIFACTS live outside the tree).
    /// </summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The sample workflow definitions.</summary>
    public static string Definitions => Path.Combine(Root, "workflow-definitions");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (IsRoot(directory.FullName))
            {
                return directory.FullName;
            }
        }

        var recorded = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return recorded is not null && IsRoot(recorded)
            ? recorded
            : throw new InvalidOperationException(
                $"Cannot find the repository root (the folder holding Coordinator.sln) above {AppContext.BaseDirectory} nor at the recorded {recorded}. Rebuild the tests from the repository.");
    }

    private static bool IsRoot(string directory) => File.Exists(Path.Combine(directory, "Coordinator.sln"));
}
