using Coordinator.Channels.Rendering;
using Coordinator.Core.Definitions;

namespace Coordinator.Channels.Tests;

public sealed class TemplateLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("coordinator-templates-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, TemplateLoader.FolderName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private TemplateLoadResult Load() => TemplateLoader.Load([_root], ["b2b-onboarding", "it-change-management"]);

    [Fact]
    public void Load_TheSampleTemplates_AreValid()
    {
        var result = TemplateLoader.Load([Samples.Definitions], ["auto-liability-claim", "b2b-onboarding", "it-change-management"]);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.True(result.Templates.OverrideCount >= 1);
    }

    [Fact]
    public void Load_ValidTemplate_OverridesThatKindAndLanguageOfThatWorkflow()
    {
        Write("b2b-onboarding/overdue.en.md", "*{step} is late*\nPlease reply.\n");

        var result = Load();

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.Equal("*{step} is late*\nPlease reply.".Replace("{step}", "X", StringComparison.Ordinal),
            result.Templates.For("b2b-onboarding", MessageKind.Overdue, "en").Render(new Dictionary<string, string> { ["step"] = "X" }));
        Assert.NotSame(result.Templates.For("b2b-onboarding", MessageKind.Overdue, "en"), result.Templates.For("it-change-management", MessageKind.Overdue, "en"));
    }

    [Fact]
    public void Load_UnknownPlaceholder_IsAnErrorAtItsLineAndColumn()
    {
        var path = Write("b2b-onboarding/reminder.it.md", "*Promemoria*\nScade il {scadenza}.\n");

        var error = Assert.Single(Load().Diagnostics);

        Assert.Equal((DiagnosticCodes.TemplateText, path, 2, 10), (error.Code, error.Location.File, error.Location.Line, error.Location.Column));
        Assert.Contains("'{scadenza}' is not a placeholder", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("b2b-onboarding/reminderr.en.md", DiagnosticCodes.UnknownTemplateKind, "'reminderr' is not a kind of message")]
    [InlineData("b2b-onboarding/reminder.de.md", DiagnosticCodes.UnknownTemplateLanguage, "'de' is not a language")]
    [InlineData("b2b-onbording/reminder.en.md", DiagnosticCodes.TemplateForUnknownWorkflow, "the folder 'b2b-onbording' names no loaded workflow")]
    [InlineData("b2b-onboarding/reminder.md", DiagnosticCodes.UnknownTemplateKind, "is not named <kind>.<language>.md")]
    [InlineData("reminder.en.md", DiagnosticCodes.TemplateForUnknownWorkflow, "belongs in the folder of its workflow")]
    public void Load_MisplacedOrMisnamedFile_IsAnErrorNamingTheFile(string relative, string code, string message)
    {
        var path = Write(relative, "*Hello {step}*\n");

        var result = Load();

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((code, path, 1, 1), (error.Code, error.Location.File, error.Location.Line, error.Location.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.Templates.OverrideCount);
    }

    [Fact]
    public void Load_NoTemplatesFolder_IsTheBuiltInSet()
    {
        var result = Load();

        Assert.True(result.Succeeded);
        Assert.Equal(0, result.Templates.OverrideCount);
    }
}
