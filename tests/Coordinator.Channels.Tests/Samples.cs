using System.Runtime.CompilerServices;
using Coordinator.Core.Definitions;
using Coordinator.Core.People;

namespace Coordinator.Channels.Tests;

/// <summary>The repository's sample definitions and people directory.</summary>
internal static class Samples
{
    public static string Root { get; } = FindRoot();

    public static string Definitions => Path.Combine(Root, "workflow-definitions");

    public static WorkflowDefinition Definition(string id)
    {
        var result = WorkflowLoader.LoadFile(Path.Combine(Definitions, id + ".yaml"));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Definition!;
    }

    public static IPersonDirectory People()
    {
        var result = PeopleDirectoryLoader.LoadFile(Path.Combine(Definitions, "people.yaml"));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Directory!;
    }

    private static string FindRoot([CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Coordinator.sln above {AppContext.BaseDirectory} or {source}.");
    }
}
