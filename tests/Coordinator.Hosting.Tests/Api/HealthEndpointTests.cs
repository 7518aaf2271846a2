using System.Net;
using System.Text.Json;
using Coordinator.Hosting.Tests.Support;

namespace Coordinator.Hosting.Tests.Api;

/// <summary><c>/healthz</c> and <c>/readyz</c> on <c>serve</c>: no API key, no secrets, each dependency named.</summary>
public sealed class HealthEndpointTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    [Fact]
    public async Task Healthz_WithoutTheApiKey_Returns200()
    {
        using var response = await server.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a probe's answer must not be cached");
    }

    [Fact]
    public async Task Readyz_EverythingThere_Returns200WithEachCheckAndNoSecrets()
    {
        using var response = await server.Http.GetAsync("/readyz");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("ready", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal(["database", "definitions", "durable"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, c => Assert.Equal("ready", c.GetProperty("status").GetString()));
        Assert.Contains("b2b-onboarding v", checks["definitions"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("in memory", checks["database"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Server.ApiKey.Value, text, StringComparison.Ordinal);
    }
}
