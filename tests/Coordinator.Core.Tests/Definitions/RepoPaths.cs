using System.Runtime.CompilerServices;

namespace Coordinator.Core.Tests.Definitions;

/// <summary>Locates the repository (the folder holding Coordinator.sln) from the test binaries or, when
/// they are built outside the tree (COORDINATOR_ARTIFACTS), from this source file's compile-time path.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Samples => Path.Combine(Root, "workflow-definitions");

    public static string Fixtures => Path.Combine(Root, "tests", "Coordinator.Core.Tests", "Definitions", "Fixtures");

    public static string Sample(string name) => Path.Combine(Samples, name);

    /// <summary>The sample workflow definitions (the *.yaml of the samples folder but the people directory).</summary>
    public static IEnumerable<string> SampleDefinitionFiles =>
        Directory.EnumerateFiles(Samples, "*.yaml").Where(f => !Core.People.PeopleDirectoryLoader.IsDirectoryFile(f)).Order(StringComparer.Ordinal);

    public static string Fixture(string name) => Path.Combine(Fixtures, name);

    private static string Find([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Coordinator.sln not found above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
