using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Tests.Support;

namespace Coordinator.Hosting.Tests.Api;

/// <summary><c>GET /api/people/{personId}/work</c>: the HTTP mapping of the core's "what waits for this person".</summary>
public sealed class PersonWorkEndpointTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    [Fact]
    public async Task GetPersonWork_OwnerOfAnActiveStep_AnswersTheItemWithWhereToReportOnIt()
    {
        using var start = await server.Api.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new
        {
            businessKey = "WORK-1",
            context = new { deal_owner = "work.owner.1", segment = "smb" },
        });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;

        var work = await WaitForItemsAsync("work.owner.1");

        Assert.True(work.GetProperty("known").GetBoolean());
        var item = Assert.Single(work.GetProperty("items").EnumerateArray());
        Assert.Equal(instanceId, item.GetProperty("instanceId").GetString());
        Assert.Equal("WORK-1", item.GetProperty("businessKey").GetString());
        Assert.Equal(("contract", "step", "active"), (item.GetProperty("stepId").GetString(), item.GetProperty("kind").GetString(), item.GetProperty("status").GetString()));
        Assert.False(item.GetProperty("overdue").GetBoolean());
        Assert.Equal($"{server.BaseAddress.ToString().TrimEnd('/')}/api/instances/{Uri.EscapeDataString(instanceId)}/steps/contract/events", item.GetProperty("eventsUri").GetString());
    }

    [Fact]
    public async Task GetPersonWork_SomeoneNobodyNames_AnswersUnknownWithNoItems()
    {
        var work = await server.Api.GetFromJsonAsync<JsonElement>("/api/people/nobody.at.all/work");

        Assert.False(work.GetProperty("known").GetBoolean());
        Assert.Empty(work.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task GetPersonWork_PersonIdWithAControlCharacter_Is400NamingPersonId()
    {
        using var response = await server.Api.GetAsync("/api/people/bad%01person/work");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("U+0001", problem.GetProperty("errors").GetProperty("personId")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetPersonWork_WithoutTheApiKey_Is401()
    {
        using var response = await server.Http.GetAsync("/api/people/csm.lead/work");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Reads the person's work until it holds an item (the instance's first turn projects it).</summary>
    private async Task<JsonElement> WaitForItemsAsync(string personId)
    {
        var work = default(JsonElement);
        await MemoryServerFixture.UntilAsync(
            async () => (work = await server.Api.GetFromJsonAsync<JsonElement>($"/api/people/{personId}/work")).GetProperty("items").GetArrayLength() > 0,
            $"something to wait for {personId}");
        return work;
    }
}
