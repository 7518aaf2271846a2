using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.AI.Tests;

/// <summary>Model calls are logged by provider, model and duration only: prompts and answers carry personal data.</summary>
public sealed class ModelLoggingTests
{
    private const string Prompt = "Ana Pereira, +351 912 345 678, owes 300 EUR.";
    private const string Answer = "Ana Pereira owes 300 EUR.";

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void Dispose() { }

        private sealed class Capturing(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue(formatter(state, exception) + " | " + state + " | " + exception);
        }
    }

    [Theory]
    [InlineData(200)]
    [InlineData(500)]
    public async Task GetResponse_AnyOutcome_LogsNeitherPromptNorAnswer(int status)
    {
        var capture = new CapturingProvider();
        var body = $$$"""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"{{{Answer}}}"},"finish_reason":"stop"}],"error":{"message":"echo {{{Prompt}}}"}}""";
        await using var server = await LoopbackModelServer.StartAsync((_, c) => LoopbackModelServer.Json(c, body, status));
        using var provider = ModelFactory.Provider(new Dictionary<string, string?>
        {
            ["Provider"] = "openai-compatible",
            ["Endpoint"] = $"{server.BaseUri}v1",
            ["Model"] = "m",
            ["MaxRetries"] = "0",
        }, s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(capture)), out _);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        _ = await Record.ExceptionAsync(() => provider.GetRequiredService<IChatClient>().GetResponseAsync(Prompt, cancellationToken: cancel.Token));

        Assert.Contains(capture.Lines, l => l.Contains("openai-compatible", StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Lines, l => l.Contains("Ana", StringComparison.Ordinal) || l.Contains("912", StringComparison.Ordinal));
    }
}
