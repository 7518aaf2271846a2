using System.Globalization;
using Coordinator.Core.Ports;
using Coordinator.Functions.Tests.Support;
using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Functions.Tests;

/// <summary>The Functions app composed with a real PostgreSQL audit registry (a throwaway cluster) holding a few rows.</summary>
public sealed class AuditRegistryFixture : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly ThrowawayPostgres _postgres = new();
    private ServiceProvider? _services;

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The HTTP functions, created from the app's composition as the worker would.</summary>
    public ApiFunctions Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        var database = await _postgres.CreateDatabaseAsync();
        await using (var owner = NpgsqlDataSource.Create(_postgres.ConnectionString(database, ThrowawayPostgres.Superuser)))
            await new MigrationRunner(owner).ApplyAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Coordinator"] = _postgres.ConnectionString(database, ThrowawayPostgres.ApplicationRole),
            ["Coordinator:DefinitionsPath"] = "test-definitions",
        }).Build();
        _services = new ServiceCollection().AddLogging().AddCoordinatorFunctions(configuration).BuildServiceProvider();
        Api = ActivatorUtilities.CreateInstance<ApiFunctions>(_services);
        await _services.GetRequiredService<IAuditLog>().AppendAsync(
            [Entry("draft-review.T-7", "T-7", 1, "instance.started"), Entry("draft-review.T-7", "T-7", 2, "step.activated"), Entry("draft-review.T-8", "T-8", 1, "instance.started")]);
    }

    /// <summary>Stops PostgreSQL (as an outage would); <see cref="StartPostgresAsync"/> brings it back.</summary>
    public Task StopPostgresAsync() => _postgres.StopAsync();

    /// <summary>Starts PostgreSQL again and drops the app's pooled connections, which died with it.</summary>
    public async Task StartPostgresAsync()
    {
        await _postgres.StartAsync();
        Services.GetRequiredService<NpgsqlDataSource>().Clear();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private static AuditEntry Entry(string instanceId, string businessKey, int sequence, string action) => new()
    {
        IdempotencyKey = string.Create(CultureInfo.InvariantCulture, $"{instanceId}/{sequence}"),
        At = At.AddMinutes(sequence),
        InstanceId = instanceId,
        WorkflowId = "draft-review",
        WorkflowVersion = 1,
        BusinessKey = businessKey,
        Action = action,
        Actor = AuditEntry.CoordinatorActor,
    };
}

/// <summary>The audit export trigger of the Functions app, called directly, over a real PostgreSQL audit registry.</summary>
public sealed class AuditExportFunctionTests(AuditRegistryFixture registry) : IClassFixture<AuditRegistryFixture>
{
    [Fact]
    public async Task ExportAudit_ByInstanceAsJson_ReturnsThatInstancesRowsInOrder()
    {
        var (status, contentType, body) = await ExportAsync("?instanceId=draft-review.T-7");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        using var rows = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(["instance.started", "step.activated"], rows.RootElement.EnumerateArray().Select(r => r.GetProperty("action").GetString()));
        Assert.All(rows.RootElement.EnumerateArray(), r => Assert.Equal(64, r.GetProperty("hash").GetString()!.Length));
    }

    [Fact]
    public async Task ExportAudit_ByBusinessKeyAsCsv_ReturnsTheHeaderAndOneLinePerRow()
    {
        var (status, contentType, body) = await ExportAsync("?businessKey=T-8&format=csv");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.StartsWith("text/csv", contentType, StringComparison.Ordinal);
        var lines = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("seq,at,instance_id,workflow_id,", lines[0], StringComparison.Ordinal);
        Assert.Contains(",draft-review.T-8,draft-review,1,T-8,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAudit_NeitherInstanceNorBusinessKey_Returns400NamingInstanceId()
    {
        var request = HttpCall.Request(registry.Services, "GET", "/api/audit");

        var response = await HttpCall.RunAsync(await registry.Api.ExportAudit(request, CancellationToken.None), request);

        Assert.Equal(StatusCodes.Status400BadRequest, response.StatusCode);
        Assert.Contains("exactly one of instanceId and businessKey", response.ErrorFor("instanceId"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAudit_PostgreSqlDown_Returns503ProblemDetailsBeforeAnyRow()
    {
        await registry.StopPostgresAsync();
        try
        {
            var (status, contentType, body) = await ExportAsync("?instanceId=draft-review.T-7");

            Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
            Assert.Equal("application/problem+json", contentType);
            var detail = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
            Assert.StartsWith("The audit registry is unreachable: ", detail, StringComparison.Ordinal);
            Assert.EndsWith("; retry when PostgreSQL is back.", detail, StringComparison.Ordinal);
        }
        finally
        {
            await registry.StartPostgresAsync();
        }
        Assert.Equal(StatusCodes.Status200OK, (await ExportAsync("?instanceId=draft-review.T-7")).Status);
    }

    private async Task<(int Status, string? ContentType, string Body)> ExportAsync(string query)
    {
        var request = HttpCall.Request(registry.Services, "GET", "/api/audit", query: query);
        var (response, body) = await HttpCall.RunForTextAsync(await registry.Api.ExportAudit(request, CancellationToken.None), request);
        return (response.StatusCode, response.ContentType, body);
    }
}
