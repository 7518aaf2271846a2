using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Coordinator.AI.Tests;

/// <summary>Each provider's client against a loopback server that checks the documented wire format and answers its documented shape.</summary>
public sealed class ProviderWireTests
{
    private const string Prompt = "Remind Ana that the lease renewal is due on Friday.";
    private const string Answer = "Hi Ana, a reminder: the lease renewal is due on Friday.";

    private static readonly string OpenAIResponse = $$$"""
        {"id":"chatcmpl-1","object":"chat.completion","created":1733300000,"model":"mistral-small-latest",
         "choices":[{"index":0,"message":{"role":"assistant","content":"{{{Answer}}}"},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":12,"completion_tokens":14,"total_tokens":26}}
        """;

    private static readonly string AnthropicResponse = $$$"""
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
         "content":[{"type":"text","text":"{{{Answer}}}"}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":12,"output_tokens":14}}
        """;

    private static string OllamaChunk(string content, bool done) => $$"""
        {"model":"llama3.2","created_at":"2026-12-04T10:00:00.000000Z","message":{"role":"assistant","content":"{{content}}"},"done":{{(done ? "true" : "false")}}{{(done ? ",\"done_reason\":\"stop\",\"total_duration\":1000,\"load_duration\":10,\"prompt_eval_count\":12,\"prompt_eval_duration\":100,\"eval_count\":14,\"eval_duration\":200" : "")}}}
        """.ReplaceLineEndings("");

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static async Task<string> AskAsync(IChatClient client)
    {
        using var cancel = new CancellationTokenSource(Bound);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)], cancellationToken: cancel.Token);
        return response.Text;
    }

    private static void AssertOpenAIRequest(RecordedRequest request, string model, string key)
    {
        Assert.Equal("POST", request.Method);
        Assert.Equal($"Bearer {key}", request.Headers["authorization"]);
        Assert.Equal(model, (string?)request.Body!["model"]);
        var messages = request.Body["messages"]!.AsArray();
        var message = Assert.Single(messages)!;
        Assert.Equal("user", (string?)message["role"]);
        // The SDK sends content as a string or as [{type:text,text}]: both are the documented shapes.
        var content = message["content"]!;
        var text = content.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)content : (string?)content.AsArray().Single()!["text"];
        Assert.Equal(Prompt, text);
    }

    [Fact]
    public async Task GetResponse_OpenAICompatibleEndpoint_SendsChatCompletionsAndReturnsText()
    {
        await using var server = await LoopbackModelServer.StartAsync((_, c) => LoopbackModelServer.Json(c, OpenAIResponse));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "openai-compatible",
            ["Endpoint"] = $"{server.BaseUri}v1",
            ["Model"] = "mistral-small-latest",
            ["ApiKey"] = "test-key-1",
        }, out var registered);

        Assert.True(registered);
        Assert.Equal(Answer, await AskAsync(ModelFactory.Client(provider)));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        AssertOpenAIRequest(request, "mistral-small-latest", "test-key-1");
    }

    [Fact]
    public async Task GetResponse_OpenAICompatibleLoopbackWithoutKey_IsAccepted()
    {
        await using var server = await LoopbackModelServer.StartAsync((_, c) => LoopbackModelServer.Json(c, OpenAIResponse));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "openai-compatible",
            ["Endpoint"] = $"{server.BaseUri}v1",
            ["Model"] = "qwen2.5-7b-instruct",
        }, out _);

        Assert.Equal(Answer, await AskAsync(ModelFactory.Client(provider)));
        Assert.Equal("qwen2.5-7b-instruct", (string?)Assert.Single(server.Requests).Body!["model"]);
    }

    [Fact]
    public async Task GetResponse_OpenAIWithEndpointOverride_SendsChatCompletionsAndReturnsText()
    {
        await using var server = await LoopbackModelServer.StartAsync((_, c) => LoopbackModelServer.Json(c, OpenAIResponse));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "openai",
            ["Endpoint"] = $"{server.BaseUri}v1",
            ["Model"] = "gpt-4o-mini",
            ["ApiKey"] = "sk-test",
        }, out _);

        Assert.Equal(Answer, await AskAsync(ModelFactory.Client(provider)));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        AssertOpenAIRequest(request, "gpt-4o-mini", "sk-test");
    }

    [Fact]
    public async Task GetResponse_AzureOpenAI_SendsDeploymentPathWithApiKeyHeader()
    {
        await using var server = await LoopbackModelServer.StartAsync((_, c) => LoopbackModelServer.Json(c, OpenAIResponse));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "azure-openai",
            ["Endpoint"] = server.BaseUri.ToString(),
            ["Model"] = "my-gpt-4o-mini",
            ["ApiKey"] = "azure-key",
        }, out _);

        Assert.Equal(Answer, await AskAsync(ModelFactory.Client(provider)));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/openai/deployments/my-gpt-4o-mini/chat/completions", request.Path);
        Assert.Contains("api-version=", request.Query, StringComparison.Ordinal);
        Assert.Equal("azure-key", request.Headers["api-key"]);
        Assert.Equal(Prompt, (string?)request.Body!["messages"]![0]!["content"] ?? (string?)request.Body["messages"]![0]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task GetResponse_Anthropic_SendsMessagesApiAndReturnsText()
    {
        await using var server = await LoopbackModelServer.StartAsync((_, c) => LoopbackModelServer.Json(c, AnthropicResponse));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "anthropic",
            ["Endpoint"] = server.BaseUri.ToString(),
            ["Model"] = "claude-sonnet-4-5",
            ["ApiKey"] = "sk-ant-test",
        }, out _);

        Assert.Equal(Answer, await AskAsync(ModelFactory.Client(provider)));
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/messages", request.Path);
        Assert.True(request.Headers.GetValueOrDefault("x-api-key") == "sk-ant-test" || request.Headers.GetValueOrDefault("authorization") == "Bearer sk-ant-test",
            $"no x-api-key or Authorization: Bearer in {string.Join(", ", request.Headers.Keys)}");
        Assert.False(string.IsNullOrEmpty(request.Headers.GetValueOrDefault("anthropic-version")));
        Assert.Equal("claude-sonnet-4-5", (string?)request.Body!["model"]);
        Assert.True(request.Body["max_tokens"]!.GetValue<int>() > 0);
        var message = Assert.Single(request.Body["messages"]!.AsArray())!;
        Assert.Equal("user", (string?)message["role"]);
        var content = message["content"]!;
        var text = content.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)content : (string?)content.AsArray().Single()!["text"];
        Assert.Equal(Prompt, text);
    }

    [Fact]
    public async Task GetResponse_Ollama_SendsApiChatAndReturnsText()
    {
        await using var server = await LoopbackModelServer.StartAsync((request, c) =>
            // Ollama answers one object when stream is false and NDJSON chunks otherwise (its default).
            request.Body?["stream"]?.GetValue<bool>() == false
                ? LoopbackModelServer.Json(c, OllamaChunk(Answer, done: true))
                : LoopbackModelServer.Json(c, OllamaChunk(Answer[..10], false) + "\n" + OllamaChunk(Answer[10..], false) + "\n" + OllamaChunk("", true) + "\n", contentType: "application/x-ndjson"));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "ollama",
            ["Endpoint"] = server.BaseUri.ToString(),
            ["Model"] = "llama3.2",
        }, out _);

        Assert.Equal(Answer, await AskAsync(ModelFactory.Client(provider)));
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/chat", request.Path);
        Assert.Equal("llama3.2", (string?)request.Body!["model"]);
        var message = Assert.Single(request.Body["messages"]!.AsArray())!;
        Assert.Equal("user", (string?)message["role"]);
        Assert.Equal(Prompt, (string?)message["content"]);
    }

    public static TheoryData<string> Providers => new() { "openai-compatible", "azure-openai", "anthropic", "ollama" };

    private static Dictionary<string, string?> Settings(string provider, Uri server, int timeoutSeconds) => new()
    {
        ["Provider"] = provider,
        ["Endpoint"] = provider == "openai-compatible" ? $"{server}v1" : server.ToString(),
        ["Model"] = "some-model",
        ["ApiKey"] = provider == "ollama" ? null : "key",
        ["TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MaxRetries"] = "0",
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponse_ServerError500_ThrowsPromptly(string providerName)
    {
        await using var server = await LoopbackModelServer.StartAsync((_, c) =>
            LoopbackModelServer.Json(c, """{"error":{"message":"internal error","type":"server_error"}}""", status: StatusCodes.Status500InternalServerError));
        using var provider = ModelFactory.Provider(Settings(providerName, server.BaseUri, 30), out _);

        var started = Stopwatch.GetTimestamp();
        var error = await Record.ExceptionAsync(() => AskAsync(ModelFactory.Client(provider)));

        Assert.NotNull(error);
        Assert.IsNotType<OperationCanceledException>(error); // failed on the answer, not on the test's own bound
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {Stopwatch.GetElapsedTime(started)}");
        Assert.Single(server.Requests); // MaxRetries=0: one attempt
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponse_ServerSlowerThanTimeout_ThrowsWithinBound(string providerName)
    {
        await using var server = await LoopbackModelServer.StartAsync(async (_, c) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), c.RequestAborted);
            await LoopbackModelServer.Json(c, OpenAIResponse);
        });
        using var provider = ModelFactory.Provider(Settings(providerName, server.BaseUri, 1), out _);
        var client = ModelFactory.Client(provider);

        var started = Stopwatch.GetTimestamp();
        var error = await Record.ExceptionAsync(async () =>
        {
            // No test-side bound here: the client's own timeout must end the call.
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)]);
        });
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.NotNull(error);
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9) && elapsed < TimeSpan.FromSeconds(8), $"{error.GetType().Name} after {elapsed}");
    }
}
