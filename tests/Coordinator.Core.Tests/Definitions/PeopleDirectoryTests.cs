using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Definitions.Parsing;
using Coordinator.Core.People;

namespace Coordinator.Core.Tests.Definitions;

/// <summary>
/// The people directory (people.yaml): the sample loads, every rule has a broken fixture
/// (Fixtures/people/WFxxxx-*.yaml) reported at the offending node and nothing else, and the catalog
/// checks the definitions' people against it.
/// </summary>
public sealed class PeopleDirectoryTests : IDisposable
{
    private static readonly string PeopleFixtures = Path.Combine(RepoPaths.Fixtures, "people");
    private readonly string folder = Directory.CreateTempSubdirectory("coordinator-people-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void LoadFile_Sample_HasNoDiagnosticsAndUsesEveryChannel()
    {
        var result = PeopleDirectoryLoader.LoadFile(RepoPaths.Sample("people.yaml"));

        Assert.Empty(result.Diagnostics);
        var directory = Assert.IsType<PersonDirectory>(result.Directory);
        // Every channel a person can prefer (the chat endpoint answers; nothing is pushed to it).
        Assert.Equal(Enum.GetValues<ChannelKind>().Where(c => c != ChannelKind.Chat).Order(), directory.People.Select(p => p.Channel).Distinct().Order());
        Assert.All(directory.People, p => Assert.True(p.CanBeReachedOn(p.Channel), p.Id));
    }

    [Fact]
    public void LoadFile_Sample_ReadsEveryFieldOfAPerson()
    {
        var directory = PeopleDirectoryLoader.LoadFile(RepoPaths.Sample("people.yaml")).Directory!;

        var marco = directory.Find("it.engineer");

        Assert.NotNull(marco);
        Assert.Equal("Marco Ferri", marco.Name);
        Assert.Equal(ChannelKind.Slack, marco.Channel);
        Assert.Equal("U024BE7LH", marco.Slack);
        Assert.Equal("+393489876543", marco.WhatsApp);
        Assert.Equal(234567891, marco.Telegram);
        Assert.Equal(new TeamsAddress("a:1Xk9itEngineerChat", new Uri("https://smba.trafficmanager.net/emea/")), marco.Teams);
        Assert.Equal("marco.ferri@example.com", marco.Email);
        Assert.Equal("it", marco.Language);
        Assert.Equal("Europe/Rome", marco.TimeZone);
        Assert.Equal(new QuietHours(new TimeOnly(20, 0), new TimeOnly(8, 0), Weekends: true), marco.QuietHours);
        Assert.Equal(new SourceLocation(RepoPaths.Sample("people.yaml"), 63, 12), directory.Source!.Find("people.it.engineer.slack"));
    }

    [Fact]
    public void LoadText_PersonWithOnlyAName_GetsTheDefaults()
    {
        var result = PeopleDirectoryLoader.LoadText("schema: coordinator/people-v1\npeople:\n  a.person: { name: A Person }\n", "people.yaml");

        var person = Assert.Single(result.Directory!.People);
        Assert.Equal((ChannelKind.Inbox, "en", "UTC", (QuietHours?)null), (person.Channel, person.Language, person.TimeZone, person.QuietHours));
    }

    [Theory]
    [InlineData(ChannelKind.Slack, "U024BE7LH", "it.engineer")]
    [InlineData(ChannelKind.WhatsApp, "+393471234567", "billing.specialist")]
    [InlineData(ChannelKind.WhatsApp, "whatsapp:+393471234567", "billing.specialist")]
    [InlineData(ChannelKind.Telegram, "123456789", "finance.lead")]
    [InlineData(ChannelKind.Teams, "a:1legalCounselPersonalChat", "legal.counsel")]
    [InlineData(ChannelKind.Teams, "29:1legalCounselUser", "legal.counsel")]
    public void FindByHandle_KnownSender_IsThePerson(ChannelKind channel, string handle, string expected)
    {
        var directory = PeopleDirectoryLoader.LoadFile(RepoPaths.Sample("people.yaml")).Directory!;

        Assert.Equal(expected, directory.FindByHandle(channel, handle)?.Id);
    }

    [Theory]
    [InlineData(ChannelKind.Slack, "U999UNKNOWN")]
    [InlineData(ChannelKind.Telegram, "U024BE7LH")]
    [InlineData(ChannelKind.Slack, "123456789")]
    public void FindByHandle_UnknownSenderOrOtherChannel_IsNobody(ChannelKind channel, string handle)
    {
        var directory = PeopleDirectoryLoader.LoadFile(RepoPaths.Sample("people.yaml")).Directory!;

        Assert.Null(directory.FindByHandle(channel, handle));
    }

    [Theory]
    [InlineData("WF0101-unknown-person-key.yaml", "WF0101", 6, 5)]
    [InlineData("WF0107-workflow-schema.yaml", "WF0107", 2, 9)]
    [InlineData("WF0108-unknown-channel.yaml", "WF0108", 6, 14)]
    [InlineData("WF0401-channel-without-handle.yaml", "WF0401", 6, 14)]
    [InlineData("WF0402-slack-not-a-user-id.yaml", "WF0402", 6, 12)]
    [InlineData("WF0402-whatsapp-not-e164.yaml", "WF0402", 7, 15)]
    [InlineData("WF0403-unknown-time-zone.yaml", "WF0403", 6, 16)]
    [InlineData("WF0404-unknown-language.yaml", "WF0404", 6, 15)]
    [InlineData("WF0405-same-handle.yaml", "WF0405", 10, 15)]
    [InlineData("WF0407-quiet-hours.yaml", "WF0407", 6, 26)]
    public void LoadFile_BrokenFixture_ReportsOnlyItsRuleAtTheOffendingNode(string fixture, string code, int line, int column)
    {
        var result = PeopleDirectoryLoader.LoadFile(Path.Combine(PeopleFixtures, fixture));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal((line, column), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Null(result.Directory);
    }

    [Fact]
    public void LoadFile_RuleFixtures_CoverEveryDirectoryCodeAndAreAllInTheTheory()
    {
        var covered = typeof(PeopleDirectoryTests).GetMethod(nameof(LoadFile_BrokenFixture_ReportsOnlyItsRuleAtTheOffendingNode))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]).ToHashSet(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(PeopleFixtures, "WF*").Select(f => Path.GetFileName(f)).ToList();
        var directoryCodes = typeof(DiagnosticCodes).GetFields().Select(f => (string)f.GetRawConstantValue()!)
            .Where(c => c.StartsWith("WF04", StringComparison.Ordinal) && c != DiagnosticCodes.PersonNotInDirectory && c != DiagnosticCodes.NoHubSpotOwners);

        Assert.All(files, f => Assert.Contains(f, covered));
        Assert.All(directoryCodes, code => Assert.Contains(files, f => f.StartsWith(code, StringComparison.Ordinal)));
    }

    [Fact]
    public void LoadText_SeveralProblems_AreAllReportedInOnePass()
    {
        const string text = """
            schema: coordinator/people-v1
            people:
              a.person:
                name: A
                channel: teams
                whatsapp: "0039347"
                time_zone: Mars/Olympus
              b.person:
                language: fr
            """;

        var result = PeopleDirectoryLoader.LoadText(text, "people.yaml");

        Assert.Equal(
            [DiagnosticCodes.ChannelWithoutHandle, DiagnosticCodes.InvalidHandle, DiagnosticCodes.UnknownTimeZone, DiagnosticCodes.MissingRequired, DiagnosticCodes.UnknownLanguage],
            result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Load_SamplesFolder_ReadsTheDirectoryAndNotAsADefinition()
    {
        var result = WorkflowCatalogLoader.Load([RepoPaths.Samples]);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal(3, result.Definitions.Count);
        Assert.DoesNotContain(result.Files, f => f.EndsWith("people.yaml", StringComparison.Ordinal));
        Assert.Equal(RepoPaths.Sample("people.yaml"), result.DirectoryFile);
        Assert.True(result.Directory.IsConfigured);
        var named = result.Definitions.SelectMany(d => d.Roles).SelectMany(r => r.People).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(named, result.Directory.People.Select(p => p.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_DefinitionNamesAPersonTheDirectoryLacks_ReportsItAtThePerson()
    {
        var definition = Path.Combine(folder, "b2b.yaml");
        File.WriteAllText(definition, File.ReadAllText(RepoPaths.Sample("b2b-onboarding.yaml")).Replace("people: [legal.counsel]", "people: [legal.consel]", StringComparison.Ordinal));
        File.Copy(RepoPaths.Sample("people.yaml"), Path.Combine(folder, "people.yaml"));

        var result = WorkflowCatalogLoader.Load([folder]);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.PersonNotInDirectory, diagnostic.Code);
        Assert.Equal(new SourceLocation(definition, 24, 28), diagnostic.Location);
        Assert.Contains("Did you mean 'legal.counsel'?", diagnostic.Message, StringComparison.Ordinal);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Load_NoDirectory_AcceptsAnyPersonAndReachesEverybodyInTheInbox()
    {
        File.Copy(RepoPaths.Sample("b2b-onboarding.yaml"), Path.Combine(folder, "b2b.yaml"));

        var result = WorkflowCatalogLoader.Load([folder]);

        Assert.Empty(result.Diagnostics);
        Assert.False(result.Directory.IsConfigured);
        Assert.Null(result.DirectoryFile);
        Assert.Null(result.Directory.Find("legal.counsel"));
    }

    [Fact]
    public void Load_DirectoryGivenThatDoesNotExist_IsAnError()
    {
        File.Copy(RepoPaths.Sample("b2b-onboarding.yaml"), Path.Combine(folder, "b2b.yaml"));
        var missing = Path.Combine(folder, "elsewhere", "people.yaml");

        var result = WorkflowCatalogLoader.Load([folder], missing);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.FileUnreadable, missing), (diagnostic.Code, diagnostic.Location.File));
    }

    [Fact]
    public void Schema_Person_HasTheLoadersKeys()
    {
        var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Samples, "schema", "people-v1.schema.json"))).RootElement;
        static string[] PropertiesOf(JsonElement node) => [.. node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
        var person = schema.GetProperty("definitions").GetProperty("person");

        Assert.Equal(DirectoryReader.RootKeys.Order(StringComparer.Ordinal), PropertiesOf(schema));
        Assert.Equal(DirectoryReader.PersonKeys.Order(StringComparer.Ordinal), PropertiesOf(person));
        Assert.Equal(DirectoryReader.TeamsKeys.Order(StringComparer.Ordinal), PropertiesOf(person.GetProperty("properties").GetProperty("teams")));
        Assert.Equal(DirectoryReader.QuietHoursKeys.Order(StringComparer.Ordinal), PropertiesOf(person.GetProperty("properties").GetProperty("quiet_hours")));
        Assert.Equal(PeopleDirectoryLoader.SchemaV1, schema.GetProperty("properties").GetProperty("schema").GetProperty("const").GetString());
    }
}

public sealed class TimeZonesTests
{
    [Theory]
    [InlineData("Europe/Rome")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("UTC")]
    [InlineData("Etc/GMT+1")]
    public void TryFind_IanaName_IsKnown(string id) => Assert.True(TimeZones.TryFind(id, out _));

    [Theory]
    [InlineData("Europe")]
    [InlineData("Europe/Milano")]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/localtime")]
    [InlineData("Europe/../../../etc/hostname")]
    [InlineData("")]
    public void TryFind_FolderUnknownOrPath_IsNotAZone(string id) => Assert.False(TimeZones.TryFind(id, out _));
}
