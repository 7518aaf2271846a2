using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Core.Input;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>The OpenAPI document <c>coordinator serve</c> publishes at <c>/api/openapi.json</c>: enough to generate a client from.</summary>
public sealed class OpenApiDocumentTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    [Fact]
    public async Task OpenApiDocument_WithoutKey_DescribesEveryOperationItsBodiesAnswersAndTheApiKey()
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("/api/openapi.json"));
        var root = document.RootElement;

        Assert.Equal("Coordinator API", root.GetProperty("info").GetProperty("title").GetString());
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "x-coordinator-key"),
            (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
        Assert.True(root.GetProperty("security")[0].TryGetProperty("ApiKey", out _), "the API key is not required globally");

        var operations = root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Path: path.Name, Method: op.Name, Operation: op.Value)))
            .ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!);
        Assert.Equal(
            ["EventsWebhook", "ExportAudit", "GetInstance", "GetPersonWork", "HubSpotWebhook", "ListInstances", "ListWorkflows", "PostStepEvent", "SlackWebhook", "StartInstance", "TeamsWebhook", "TelegramWebhook", "TwilioWebhook"],
            operations.Keys.Order(StringComparer.Ordinal));
        // The webhooks authenticate as their providers document, not with the API key.
        foreach (var (name, path) in new[] { ("SlackWebhook", "slack"), ("TeamsWebhook", "teams"), ("TwilioWebhook", "twilio"), ("TelegramWebhook", "telegram"), ("HubSpotWebhook", "hubspot"), ("EventsWebhook", "events") })
        {
            var webhook = operations[name];
            Assert.Equal(("/api/webhooks/" + path, "post"), (webhook.Path, webhook.Method));
            Assert.Equal(0, webhook.Operation.GetProperty("security").GetArrayLength());
        }
        // Every operation says how it refuses the unauthenticated: 401, or 403 where the provider documents it (Twilio).
        Assert.All(operations.Values, o => Assert.True(o.Operation.GetProperty("responses").TryGetProperty("401", out _)
            || (o.Path == "/api/webhooks/twilio" && o.Operation.GetProperty("responses").TryGetProperty("403", out _)), $"{o.Method} {o.Path} lacks its 401"));

        var start = operations["StartInstance"];
        Assert.Equal(("/api/workflows/{workflowId}/instances", "post"), (start.Path, start.Method));
        Assert.Equal("#/components/schemas/StartInstanceRequest", BodySchemaRef(start.Operation));
        Assert.Equal(["200", "202", "400", "401", "404", "413"], Responses(start.Operation));
        Assert.Equal("#/components/schemas/StartInstanceResponse",
            start.Operation.GetProperty("responses").GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        var stepEvent = operations["PostStepEvent"];
        Assert.Equal("#/components/schemas/StepEventRequest", BodySchemaRef(stepEvent.Operation));
        Assert.Equal(["200", "202", "400", "401", "404", "409", "413", "503"], Responses(stepEvent.Operation));
        Assert.Contains(stepEvent.Operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "wait" && p.GetProperty("in").GetString() == "query");
        Assert.Equal("#/components/schemas/StepEventOutcome",
            stepEvent.Operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var eventSchema = root.GetProperty("components").GetProperty("schemas").GetProperty("StepEventRequest");
        Assert.Equal(["type", "by"], eventSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("reassign", eventSchema.GetProperty("properties").GetProperty("type").GetProperty("description").GetString(), StringComparison.Ordinal);

        Assert.Equal(["200", "401", "404"], Responses(operations["GetInstance"].Operation));
        var stepView = root.GetProperty("components").GetProperty("schemas").GetProperty("StepView").GetProperty("properties");
        Assert.All(new[] { "status", "owners", "dueAt", "nextReminderAt", "escalationLevel" }, p => Assert.True(stepView.TryGetProperty(p, out _), $"StepView lacks {p}"));
    }

    [Fact]
    public async Task OpenApiDocument_RequestSchemas_StateTheTextLimits()
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("/api/openapi.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var start = schemas.GetProperty("StartInstanceRequest").GetProperty("properties");
        var stepEvent = schemas.GetProperty("StepEventRequest").GetProperty("properties");

        Assert.Equal(TextRules.MaxIdLength, start.GetProperty("businessKey").GetProperty("maxLength").GetInt32());
        Assert.All(new[] { "by", "option", "to" }, p => Assert.Equal(TextRules.MaxIdLength, stepEvent.GetProperty(p).GetProperty("maxLength").GetInt32()));
        Assert.All(new[] { "text", "reason" }, p =>
        {
            Assert.Equal(TextRules.MaxNoteLength, stepEvent.GetProperty(p).GetProperty("maxLength").GetInt32());
            Assert.Contains("tabs and line breaks allowed, no other control characters", stepEvent.GetProperty(p).GetProperty("description").GetString(), StringComparison.Ordinal);
        });
        var context = start.GetProperty("context").GetProperty("description").GetString();
        Assert.Contains("values at most 2,000 characters", context, StringComparison.Ordinal);
        Assert.Contains("at most 32 KiB as UTF-8 JSON", context, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_Served_EqualsThePublishedDocumentTheFunctionsAppServes()
    {
        var served = JsonNode.Parse(await server.Http.GetStringAsync("/api/openapi.json"))!.AsObject();
        served.Remove("servers");
        var publishedPath = Path.Combine(RepositoryPaths.Root, "src", "Coordinator.Hosting", "Api", "openapi.json");
        var update = Environment.GetEnvironmentVariable("COORDINATOR_UPDATE_OPENAPI") == "1";
        if (update)
            await File.WriteAllTextAsync(publishedPath, served.ToJsonString(ApiDocument.WriteOptions) + "\n");

        var published = update ? served : JsonNode.Parse(ApiDocument.Published());
        Assert.True(JsonNode.DeepEquals(served, published),
            $"The API's OpenAPI document changed but {publishedPath} did not. Run this test with COORDINATOR_UPDATE_OPENAPI=1 to rewrite it, review the difference and commit it.");
    }

    private static string? BodySchemaRef(JsonElement operation) =>
        operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private static string[] Responses(JsonElement operation) =>
        [.. operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal)];
}
