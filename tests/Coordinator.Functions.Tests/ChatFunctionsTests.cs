using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Functions.Tests.Support;
using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Functions.Tests;

/// <summary>
/// The Functions app composed with a real PostgreSQL (a throwaway cluster: the keys, the read model, the inbox, the
/// audit) and an in-process Durable Task host running its orchestrator and activity triggers.
/// </summary>
public sealed class ChatAppFixture : IAsyncLifetime
{
    private const string People = """
        schema: coordinator/people-v1
        people:
          ann.author: { name: Ann Author, email: ann.author@example.com }
          rita.reviewer: { name: Rita Reviewer, email: rita.reviewer@example.com }
          pat.owner: { name: Pat Owner, email: pat.owner@example.com }
        """;

    private readonly ThrowawayPostgres _postgres = new();
    private ServiceProvider? _services;
    private DurableTaskTestHost? _host;
    private DirectoryInfo? _folder;

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialized.");

    public DurableTaskClient Client => (_host ?? throw new InvalidOperationException("The Durable test host is not started.")).Client;

    public NpgsqlDataSource Database => Services.GetRequiredService<NpgsqlDataSource>();

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        var database = await _postgres.CreateDatabaseAsync();
        await using (var owner = NpgsqlDataSource.Create(_postgres.ConnectionString(database, ThrowawayPostgres.Superuser)))
            await new MigrationRunner(owner).ApplyAsync();
        _folder = Directory.CreateTempSubdirectory("coordinator-chat-functions-");
        var people = Path.Combine(_folder.FullName, "people.yaml");
        await File.WriteAllTextAsync(people, People);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Coordinator"] = _postgres.ConnectionString(database, ThrowawayPostgres.ApplicationRole),
            ["Coordinator:DefinitionsPath"] = "test-definitions",
            ["Coordinator:Directory"] = people,
            ["Coordinator:TimeScale"] = FunctionsAppFixture.TimeScale.ToString(CultureInfo.InvariantCulture),
        }).Build();
        _services = new ServiceCollection().AddLogging().AddCoordinatorFunctions(configuration).BuildServiceProvider();
        _host = await FunctionsAppFixture.StartDurableHostAsync(_services);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
        if (_services is not null)
            await _services.DisposeAsync();
        await _postgres.DisposeAsync();
        _folder?.Delete(recursive: true);
    }
}

/// <summary>
/// The chat endpoint's triggers (<c>/api/v1/models</c>, <c>/api/v1/chat/completions</c>) called as the worker calls
/// them: a person's key lists the model, sees their step, finishes it in a streamed answer through the app's own
/// orchestrator, and an unknown key is refused with a <c>webhook.denied</c> row.
/// </summary>
public sealed class ChatFunctionsTests(ChatAppFixture app) : IClassFixture<ChatAppFixture>
{
    private static HttpRequest Request(IServiceProvider services, string method, string path, string? key, string? json = null)
    {
        var request = HttpCall.Request(services, method, path, json);
        if (key is not null)
            request.Headers.Authorization = "Bearer " + key;
        return request;
    }

    private static string BodyOf(HttpRequest request)
    {
        var body = request.HttpContext.Response.Body;
        body.Position = 0;
        return new StreamReader(body, Encoding.UTF8).ReadToEnd();
    }

    private async Task<(int Status, string Body)> CompleteAsync(ChatFunctions chat, string? key, string text, bool stream = false)
    {
        var json = JsonSerializer.Serialize(new { model = "coordinator", stream, messages = new[] { new { role = "user", content = text } } });
        var request = Request(app.Services, "POST", "/api/v1/chat/completions", key, json);
        await chat.ChatCompletions(request, app.Client);
        return (request.HttpContext.Response.StatusCode, BodyOf(request));
    }

    [Fact]
    public async Task ChatTriggers_APersonsKey_ListsTheModel_SeesTheirStep_AndFinishesItStreamed_AnUnknownKeyIsRefused()
    {
        var key = await app.Services.GetRequiredService<IChatKeys>().CreateAsync("ann.author");
        var chat = ActivatorUtilities.CreateInstance<ChatFunctions>(app.Services);
        var api = ActivatorUtilities.CreateInstance<ApiFunctions>(app.Services);

        var models = Request(app.Services, "GET", "/api/v1/models", key);
        await chat.ChatModels(models);
        Assert.Equal(StatusCodes.Status200OK, models.HttpContext.Response.StatusCode);
        Assert.Equal("coordinator", JsonDocument.Parse(BodyOf(models)).RootElement.GetProperty("data")[0].GetProperty("id").GetString());

        var ticket = $"T-{Guid.NewGuid():N}"[..12];
        var start = HttpCall.Request(app.Services, "POST", "/api/workflows/draft-review/instances", $$"""{ "businessKey": "{{ticket}}", "context": { "author": "ann.author" } }""");
        var started = await HttpCall.RunAsync(await api.StartInstance(start, "draft-review", app.Client, CancellationToken.None), start);
        Assert.Equal(StatusCodes.Status202Accepted, started.StatusCode);
        var instanceId = started.Body.GetProperty("instanceId").GetString()!;
        var work = app.Services.GetRequiredService<IWorkQueries>();
        using (var patience = new CancellationTokenSource(FunctionsAppFixture.WaitLimit))
        {
            while ((await work.WaitingOnAsync("ann.author", 10, patience.Token)).Count == 0)
                await Task.Delay(TimeSpan.FromMilliseconds(50), patience.Token);
        }

        var (listStatus, list) = await CompleteAsync(chat, key, "what is waiting for me?");
        Assert.Equal(StatusCodes.Status200OK, listStatus);
        var listed = JsonDocument.Parse(list).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Contains($"1. Write the draft · Draft and review · {ticket}", listed, StringComparison.Ordinal);

        var (doneStatus, streamed) = await CompleteAsync(chat, key, "done", stream: true);
        Assert.Equal(StatusCodes.Status200OK, doneStatus);
        var events = streamed.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var text = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var c) ? c.GetString() : ""));
        Assert.Contains("Write the draft: done", text, StringComparison.Ordinal);
        using (var patience = new CancellationTokenSource(FunctionsAppFixture.WaitLimit))
        {
            // The draft done, the review waits for the reviewer.
            while ((await work.WaitingOnAsync("rita.reviewer", 10, patience.Token)).Count == 0)
                await Task.Delay(TimeSpan.FromMilliseconds(50), patience.Token);
        }

        var (refusedStatus, refused) = await CompleteAsync(chat, "ck_" + new string('x', 43), "list");
        Assert.Equal(StatusCodes.Status401Unauthorized, refusedStatus);
        Assert.Equal("invalid_api_key", JsonDocument.Parse(refused).RootElement.GetProperty("error").GetProperty("code").GetString());
        await using var connection = await app.Database.OpenConnectionAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log WHERE instance_id = 'channel:chat' AND action = 'webhook.denied'"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE instance_id = @instanceId AND action = 'step.completed' AND step_id = 'draft'", new { instanceId }));
    }
}
