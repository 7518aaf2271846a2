using Coordinator.Hosting.Durable;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>
/// <c>serve</c> composes without side effects and does its start-up work when it starts: the API key
/// file, the task hub and the database are hosted lifecycle work, after the options are validated.
/// </summary>
public sealed class ServeCompositionTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "coordinator-compose-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task CreateBuilder_WritesNothing_TheApiKeyFileIsWrittenWhenTheServerStarts()
    {
        var builder = CoordinatorServer.CreateBuilder(Settings());
        var keyFile = Path.Combine(_dataPath, "api-key");

        Assert.False(File.Exists(keyFile), "composing the server wrote the API key file");
        await using var server = await CoordinatorServer.StartAsync(builder);
        Assert.Equal(server.ApiKey.Value, File.ReadAllText(keyFile).Trim());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Contains($"(kept in {keyFile})", server.ReadyLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_OptionTheAnnotationsRefuse_FailsWithOneLineNamingTheSettingBeforeAnyStartupWork()
    {
        var builder = CoordinatorServer.CreateBuilder(Settings("--Coordinator:Durable:PartitionCount", "99"));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => CoordinatorServer.StartAsync(builder));

        Assert.Equal(
            "Invalid settings in Coordinator:Durable: Coordinator:Durable:PartitionCount must be between 1 and 16.",
            StartupOptions.Describe(failure));
        Assert.False(File.Exists(Path.Combine(_dataPath, "api-key")), "start-up work ran although the options were invalid");
    }

    [Fact]
    public void CreateBuilder_TimeScaleBelowOneInTheConfiguration_SaysWhichSettingAndWhatItMayBe()
    {
        var failure = Assert.Throws<StartupException>(() => CoordinatorServer.CreateBuilder(
            Settings("--Coordinator:TimeScale", "0.5") with { TimeScale = null }));

        Assert.Equal(CoordinatorHostOptions.TimeScaleProblem, failure.Message);
    }

    private ServeSettings Settings(params string[] configuration) => new()
    {
        Urls = $"http://127.0.0.1:{ThrowawayAzurite.FreePort()}",
        Backend = DurableBackendKind.Memory,
        DefinitionsPath = RepositoryPaths.Definitions,
        DataPath = _dataPath,
        TimeScale = 60,
        ConfigurationArgs = configuration,
    };

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
            Directory.Delete(_dataPath, recursive: true);
    }
}
