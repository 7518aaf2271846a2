using System.Globalization;
using System.Net;
using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Durable;
using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>An in-process <c>coordinator serve</c> (in-memory backend) with the PostgreSQL audit registry on a throwaway cluster that tests stop and start.</summary>
public sealed class AuditServerFixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("coordinator-audit-outage-").FullName;
    private RunningServer? _server;
    private string _database = "";

    public ThrowawayPostgres Postgres { get; } = new();

    public HttpClient Api { get; private set; } = null!;

    public RunningServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The registry's database as the superuser (to see and end the export's session).</summary>
    public NpgsqlDataSource Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        _database = await Postgres.CreateDatabaseAsync();
        Database = NpgsqlDataSource.Create(Postgres.ConnectionString(_database, ThrowawayPostgres.Superuser));
        await new MigrationRunner(Database).ApplyAsync();
        var url = $"http://127.0.0.1:{ThrowawayAzurite.FreePort()}";
        _server = await CoordinatorServer.StartAsync(new ServeSettings
        {
            Urls = url, Backend = DurableBackendKind.Memory, DefinitionsPath = RepositoryPaths.Definitions, DataPath = Path.Combine(_folder, "data"),
            ConfigurationArgs =
            [
                $"--ConnectionStrings:Coordinator={Postgres.ConnectionString(_database, ThrowawayPostgres.ApplicationRole)}",
                $"--Coordinator:Audit:AnchorPath={Path.Combine(_folder, "anchors")}",
            ],
        });
        Api = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add(ApiKey.HeaderName, _server.ApiKey.Value);
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
        if (Database is not null)
            await Database.DisposeAsync();
        await Postgres.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    public Task StopPostgresAsync() => Postgres.StopAsync();

    /// <summary>Starts PostgreSQL again; the test's own pooled connections died with it.</summary>
    public async Task StartPostgresAsync()
    {
        await Postgres.StartAsync();
        Database.Clear();
    }

    /// <summary>Appends <paramref name="count"/> audit rows of one instance through the server's registry, each with a detail of about <paramref name="detailBytes"/>.</summary>
    public async Task AppendAsync(string instanceId, int count, int detailBytes = 10)
    {
        var audit = Server.Services.GetRequiredService<IAuditLog>();
        var at = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var padding = new string('p', detailBytes);
        for (var first = 1; first <= count; first += 5000)
        {
            var entries = Enumerable.Range(first, Math.Min(5000, count - first + 1)).Select(i => new AuditEntry
            {
                IdempotencyKey = string.Create(CultureInfo.InvariantCulture, $"{instanceId}:{i:000000}"),
                At = at.AddSeconds(i),
                InstanceId = instanceId,
                WorkflowId = "b2b-onboarding",
                WorkflowVersion = 1,
                BusinessKey = instanceId,
                Action = "step.progress",
                Actor = "sales.rep",
                Detail = JsonSerializer.SerializeToElement(new { text = padding }),
            }).ToArray();
            await audit.AppendAsync(entries);
        }
    }
}

/// <summary><c>GET /api/audit</c> when PostgreSQL goes away: a 503 before the first byte, or a broken connection once rows stream; never a valid-looking truncated 200.</summary>
public sealed class AuditExportOutageTests(AuditServerFixture fixture) : IClassFixture<AuditServerFixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    public async Task ExportAudit_PostgreSqlDown_Returns503ProblemDetailsAndServesAgainOnceItIsBack(string format)
    {
        var instanceId = "b2b-onboarding.OUTAGE-" + format;
        await fixture.AppendAsync(instanceId, 3);
        var path = $"/api/audit?instanceId={instanceId}&format={format}";
        using (var before = await fixture.Api.GetAsync(path))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await fixture.StopPostgresAsync();
        try
        {
            using var response = await fixture.Api.GetAsync(path);

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
            Assert.StartsWith("The audit registry is unreachable: ", detail, StringComparison.Ordinal);
            Assert.EndsWith("; retry when PostgreSQL is back.", detail, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.StartPostgresAsync();
        }

        // The pool's connections died with the server; once new ones are made the export serves again.
        await Support.MemoryServerFixture.UntilAsync(async () =>
        {
            using var after = await fixture.Api.GetAsync(path);
            return after.StatusCode == HttpStatusCode.OK;
        }, "the export to serve again");
    }

    [Fact]
    public async Task ReadyzAndPersonWork_PostgreSqlDown_Answer503NamingTheDatabase_AndReadyAgainOnceItIsBack()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using (var before = await anonymous.GetAsync("/readyz"))
            Assert.True(before.StatusCode == HttpStatusCode.OK, await before.Content.ReadAsStringAsync());

        await fixture.StopPostgresAsync();
        try
        {
            using var ready = await anonymous.GetAsync("/readyz");
            var text = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)ready.StatusCode}: {text}");
            var checks = JsonDocument.Parse(text).RootElement.GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
            Assert.Equal("unavailable", checks["database"]);
            Assert.Equal("ready", checks["durable"]);
            Assert.Equal("ready", checks["definitions"]);
            Assert.DoesNotContain(ThrowawayPostgres.ApplicationRole, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);

            // The API: a person's work lives in PostgreSQL; its outage is a 503 the client may retry, not a 500.
            using var work = await fixture.Api.GetAsync("/api/people/sales.rep/work");
            var problem = await work.Content.ReadAsStringAsync();
            Assert.True(work.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)work.StatusCode}: {problem}");
            Assert.Equal("application/problem+json", work.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(work.Headers.RetryAfter);
            Assert.Equal("Database unreachable", JsonDocument.Parse(problem).RootElement.GetProperty("title").GetString());
        }
        finally
        {
            await fixture.StartPostgresAsync();
        }

        await Support.MemoryServerFixture.UntilAsync(async () =>
        {
            using var after = await anonymous.GetAsync("/readyz");
            return after.StatusCode == HttpStatusCode.OK;
        }, "the host to be ready again");
    }

    [Theory]
    [InlineData("instanceId", "b2b-onboarding.A%00B", "instanceId contains the control character U+0000")]
    [InlineData("businessKey", "A%0AB", "businessKey contains the control character U+000A")]
    public async Task ExportAudit_IdNoInstanceCanHave_Returns400NamingIt(string parameter, string value, string message)
    {
        using var response = await fixture.Api.GetAsync($"/api/audit?{parameter}={value}");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains(message, JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAudit_SessionEndedWhileRowsStream_ClientSeesABrokenConnectionNotAShorterBody()
    {
        // 20,000 rows of about 1 KiB: far more than the socket and pipe buffers hold, so the export is mid-way when its session ends.
        const string InstanceId = "b2b-onboarding.OUTAGE-STREAM";
        await fixture.AppendAsync(InstanceId, 20_000, detailBytes: 1000);
        using var response = await fixture.Api.GetAsync($"/api/audit?instanceId={InstanceId}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        Assert.True(await body.ReadAsync(buffer) > 0);

        await using (var terminate = fixture.Database.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = $1 AND query LIKE '%FROM audit_log WHERE instance_id%' AND pid <> pg_backend_pid()"))
        {
            terminate.Parameters.Add(new NpgsqlParameter { Value = ThrowawayPostgres.ApplicationRole });
            Assert.Equal(1L, await terminate.ExecuteScalarAsync());
        }

        var read = 0L;
        var failure = await Record.ExceptionAsync(async () =>
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
                read += n;
        });
        Assert.True(failure is IOException or HttpRequestException, $"the body ended cleanly after {read:N0} more bytes ({failure})");
    }
}
