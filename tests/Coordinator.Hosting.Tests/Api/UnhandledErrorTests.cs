using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>A server whose start handler fails with an exception carrying internals (as a bug or a broken dependency would).</summary>
public sealed class BrokenStartServerFixture : MemoryServerFixture
{
    public const string Internals = "password=hunter2 at /srv/coordinator/secret.cs:line 42";

    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<HostClock>(_ => throw new InvalidOperationException(Internals));
    }
}

/// <summary>Whatever fails inside, the answer is problem details, never an empty body, and never shows internals.</summary>
public sealed class UnhandledErrorTests(BrokenStartServerFixture server) : IClassFixture<BrokenStartServerFixture>
{
    [Fact]
    public async Task StartInstance_HandlerThrows_Returns500ProblemDetailsWithoutInternals()
    {
        using var response = await server.Api.PostAsJsonAsync(
            "/api/workflows/b2b-onboarding/instances", new { businessKey = "BROKEN-1", context = new { deal_owner = "sales.rep", segment = "smb" } });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _), text);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret.cs", text, StringComparison.Ordinal);
    }
}

/// <summary>A server whose Durable backend does not answer (the embedded sidecar's store is down): the start handler's dependency fails with the gRPC client's exception.</summary>
public sealed class UnreachableBackendServerFixture : MemoryServerFixture
{
    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<HostClock>(_ => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "Error connecting to subchannel.")));
    }
}

/// <summary>An outage of the Durable store is not a fault of the request: 503 with Retry-After, never a 500.</summary>
public sealed class UnreachableBackendTests(UnreachableBackendServerFixture server) : IClassFixture<UnreachableBackendServerFixture>
{
    [Fact]
    public async Task StartInstance_DurableBackendUnreachable_Returns503ProblemDetailsWithRetryAfter()
    {
        using var response = await server.Api.PostAsJsonAsync(
            "/api/workflows/b2b-onboarding/instances", new { businessKey = "OUTAGE-1", context = new { deal_owner = "sales.rep", segment = "smb" } });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(DependencyUnavailable.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("Durable backend unreachable", problem.GetProperty("title").GetString());
        Assert.Contains("Unavailable", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("subchannel", text, StringComparison.Ordinal);
    }
}
