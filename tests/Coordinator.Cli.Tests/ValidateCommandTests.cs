using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Coordinator.Cli;

namespace Coordinator.Cli.Tests;

public sealed partial class ValidateCommandTests : IDisposable
{
    private static readonly string Samples = Path.Combine(FindRepoRoot(), "workflow-definitions");
    private readonly string folder = Directory.CreateTempSubdirectory("coordinator-validate-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Run_SampleDefinitions_ExitsZeroWithASummary()
    {
        var (exitCode, lines) = Validate(Samples);

        Assert.Equal(0, exitCode);
        Assert.Equal(["3 definitions, 1 message template and the people directory (27 people) checked: 0 errors, 0 warnings"], lines);
    }

    [Fact]
    public void Run_TemplateWithAnUnknownPlaceholder_PrintsItWithLineAndColumnAndExitsOne()
    {
        var folder = Path.GetDirectoryName(Write("b2b-onboarding.yaml", Sample("b2b-onboarding.yaml")))!;
        Directory.CreateDirectory(Path.Combine(folder, "templates", "b2b-onboarding"));
        var template = Path.Combine(folder, "templates", "b2b-onboarding", "overdue.en.md");
        File.WriteAllText(template, "*{step} is late*\nIt was due {deadline}.\n");

        var (exitCode, lines) = Validate(folder);

        Assert.Equal(1, exitCode);
        Assert.Contains(lines, l => l.StartsWith($"{template}(2,12): error WF0504: '{{deadline}}' is not a placeholder", StringComparison.Ordinal));
        Assert.EndsWith("checked: 1 error, 0 warnings", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BrokenDefinition_PrintsEveryProblemInMsBuildFormatAndExitsOne()
    {
        var file = Write("broken.yaml", Sample("b2b-onboarding.yaml")
            .Replace("    owner: legal\n", "    owner: lawyers\n", StringComparison.Ordinal)
            .Replace("    due: 10d\n", "    due: ten days\n", StringComparison.Ordinal));

        var (exitCode, lines) = Validate(file);

        Assert.Equal(1, exitCode);
        Assert.Equal(3, lines.Length);
        Assert.All(lines[..^1], line => Assert.Matches(CanonicalLine(), line));
        Assert.StartsWith($"{file}(48,12): error WF0202: owner 'lawyers' of step 'legal-review' names no declared role.", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{file}(62,10): error WF0106: 'ten days' is not a valid duration", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 definition checked: 2 errors, 0 warnings", lines[2]);
    }

    [Fact]
    public void Run_WarningsOnly_ExitsZero()
    {
        var file = Write("warn.yaml", Sample("b2b-onboarding.yaml").Replace("    due: 3d\n", "    due: 1d\n", StringComparison.Ordinal));

        var (exitCode, lines) = Validate(file);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"\(\d+,\d+\): warning WF0302: ", lines[0]);
        Assert.Equal("1 definition checked: 0 errors, 1 warning", lines[^1]);
    }

    [Fact]
    public void Run_NonexistentPath_ExitsOneWithAClearError()
    {
        var missing = Path.Combine(folder, "nope");

        var (exitCode, lines) = Validate(missing);

        Assert.Equal(1, exitCode);
        Assert.Equal($"{missing}: error WF0002: no such file or folder; pass workflow definition files or folders that contain them.", lines[0]);
        Assert.Equal("0 definitions checked: 1 error, 0 warnings", lines[1]);
    }

    [Fact]
    public void Command_SeveralPathArguments_ValidatesEachAndWritesToTheInvocationOutput()
    {
        var first = Write("a.yaml", Sample("it-change-management.yaml"));
        var second = Write("b.yaml", Sample("auto-liability-claim.yaml"));
        using var output = new StringWriter();

        var exitCode = ValidateCommand.Create().Parse([first, second]).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exitCode);
        Assert.Equal("2 definitions checked: 0 errors, 0 warnings", output.ToString().Trim());
    }

    [Fact]
    public void Command_BrokenDirectoryOption_ReportsItsProblemAndExitsOne()
    {
        var definition = Write("b2b.yaml", Sample("b2b-onboarding.yaml"));
        var directory = Write("team.yaml", Sample("people.yaml").Replace("    slack: U024BE7LH\n", "    slack: marco\n", StringComparison.Ordinal));
        using var output = new StringWriter();

        var exitCode = ValidateCommand.Create().Parse([definition, "--directory", directory]).Invoke(new InvocationConfiguration { Output = output });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(1, exitCode);
        Assert.Equal($"{directory}(63,12): error WF0402: 'marco' is not a valid 'slack' handle of person 'it.engineer'; write a Slack user id such as U024BE7LH (in Slack: the person's profile, More, Copy member ID).", lines[0]);
        Assert.Equal("1 definition and the people directory checked: 1 error, 0 warnings", lines[^1]);
    }

    private static (int ExitCode, string[] Lines) Validate(params string[] paths)
    {
        using var output = new StringWriter();
        var exitCode = ValidateCommand.Run(paths, output);
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Sample(string name) => File.ReadAllText(Path.Combine(Samples, name));

    [GeneratedRegex(@"^.+\(\d+,\d+\): (error|warning) WF\d{4}: .+$")]
    private static partial Regex CanonicalLine();

    private static string FindRepoRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException("Coordinator.sln not found.");
    }
}
