using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Tests.Support;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>
/// The HTTP edge of a running <c>coordinator serve</c>: every text that enters an instance follows the text
/// rules (a 400 naming the field, nothing started or raised), and no bad request gets a 500 or an empty body.
/// Requests HttpClient will not send go over a raw socket.
/// </summary>
public sealed class HttpEdgeTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    private const string StartPath = "/api/workflows/b2b-onboarding/instances";

    /// <summary>Cases of a start body that breaks the text rules: the business key that names it, the JSON, the field the 400 names, what it says.</summary>
    public static TheoryData<string, string, string, string> BadStarts()
    {
        static string Body(string key, string contextJson) => $$"""{ "businessKey": "{{key}}", "context": { {{contextJson}} } }""";
        const string Owner = "\"deal_owner\": \"sales.rep\", \"segment\": \"smb\"";
        var longValue = new string('x', 2001);
        var seventeenFields = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"\"extra_{i:00}\": \"{new string('x', 2000)}\""));
        return new()
        {
            { "BAD-NUL-KEY", Body("BAD-NUL-KEY\\u0000", Owner), "businessKey", "businessKey contains the control character U+0000 at position 12" },
            { "BAD-C1-KEY", Body("BAD-C1-KEY\\u0085", Owner), "businessKey", "businessKey contains the control character U+0085" },
            { "BAD-LONG-KEY", Body("BAD-LONG-KEY" + new string('k', 200), Owner), "businessKey", "businessKey is 212 characters long; at most 200 are allowed." },
            { "BAD-NUL-VALUE", Body("BAD-NUL-VALUE", "\"deal_owner\": \"sales\\u0000rep\", \"segment\": \"smb\""), "context.deal_owner", "context.deal_owner contains the control character U+0000 at position 6" },
            { "BAD-TAB-VALUE", Body("BAD-TAB-VALUE", Owner + ", \"system\": \"payments\\tcore\""), "context.system", "context.system contains the control character U+0009 at position 9" },
            { "BAD-FFFF-VALUE", Body("BAD-FFFF-VALUE", Owner + ", \"system\": \"core\\uffff\""), "context.system", "context.system contains the Unicode noncharacter U+FFFF at position 5" },
            { "BAD-LONG-VALUE", Body("BAD-LONG-VALUE", Owner + $", \"notes\": \"{longValue}\""), "context.notes", "context.notes is 2,001 characters long; at most 2,000 are allowed." },
            { "BAD-NAME", Body("BAD-NAME", Owner + ", \"sys\\ntem\": \"core\""), "context", "A field name of context contains the control character U+000A at position 4" },
            { "BAD-CONTEXT-SIZE", Body("BAD-CONTEXT-SIZE", Owner + ", " + seventeenFields), "context", "a start context may be at most 32,768 bytes (32 KiB)" },
            { "BAD-KEY-FROM-CONTEXT", $$"""{ "context": { "deal_id": "BAD-KEY-FROM-CONTEXT{{new string('k', 200)}}", {{Owner}} } }""", "context.deal_id", "context.deal_id is 220 characters long; at most 200 are allowed. It names the instance" },
            { "BAD-SURROGATE", Body("BAD-SURROGATE", "\"deal_owner\": \"sales\\ud800rep\", \"segment\": \"smb\""), "context.deal_owner", "context.deal_owner contains a lone surrogate escape" },
            { "BAD-DUPLICATE", Body("BAD-DUPLICATE", Owner + ", \"deal_owner\": \"someone.else\""), "context.deal_owner", "context.deal_owner is given twice; send each field once." },
            { "BAD-UNKNOWN", $$"""{ "businessKey": "BAD-UNKNOWN", "contxt": { {{Owner}} } }""", "contxt", "Unknown field 'contxt'; the body has 'businessKey' and 'context'." },
            { "BAD-KEY-TYPE", $$"""{ "businessKey": ["BAD-KEY-TYPE"], "context": { {{Owner}} } }""", "businessKey", "businessKey must be a string." },
            { "BAD-CONTEXT-TYPE", """{ "businessKey": "BAD-CONTEXT-TYPE", "context": ["sales.rep"] }""", "context", "context must be a JSON object of field names to values." },
            { "BAD-VALUE-TYPE", Body("BAD-VALUE-TYPE", Owner + ", \"systems\": [\"core\"]"), "context.systems", "context.systems must be a string, number or boolean." },
        };
    }

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task StartInstance_TextBreakingTheRules_Returns400NamingTheFieldAndStartsNothing(string businessKey, string json, string field, string message)
    {
        using var response = await server.Api.PostAsync(StartPath, new StringContent(json, Encoding.UTF8, "application/json"));

        var error = await AssertValidationProblemAsync(response, field);
        Assert.Contains(message, error, StringComparison.Ordinal);
        var instances = await server.Api.GetFromJsonAsync<JsonElement>("/api/instances?workflow=b2b-onboarding");
        Assert.DoesNotContain(instances.EnumerateArray(), i => i.GetProperty("businessKey").GetString()?.StartsWith(businessKey, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task StartInstance_NumbersAndBooleansInTheContext_AreKeptAsTheirJsonText()
    {
        const string Json = """{ "businessKey": "EDGE-NUMBERS", "context": { "deal_owner": "sales.rep", "segment": "smb", "seats": 1200, "discount": 0.15, "renewal": true } }""";

        using var response = await server.Api.PostAsync(StartPath, new StringContent(Json, Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var instanceId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString();
        var context = (await server.Api.GetFromJsonAsync<JsonElement>($"/api/instances/{instanceId}")).GetProperty("context");
        Assert.Equal("1200", context.GetProperty("seats").GetString());
        Assert.Equal("0.15", context.GetProperty("discount").GetString());
        Assert.Equal("true", context.GetProperty("renewal").GetString());
    }

    [Fact]
    public async Task StartInstance_InvalidUtf8InAValue_Returns400NamingTheField()
    {
        byte[] body = [.. """{ "businessKey": "BAD-UTF8", "context": { "deal_owner": "sales"""u8, 0xFF, 0xC3, .. """rep", "segment": "smb" } }"""u8];

        var response = await RawHttp.SendAsync(server.BaseAddress, "POST", StartPath, Headers(body.Length), body);

        Assert.True(response.StatusCode == 400, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        var errors = response.Json().GetProperty("errors");
        Assert.Contains("is not valid UTF-8", errors.GetProperty("context.deal_owner")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostStepEvent_InvalidUtf8InAFieldName_Returns400NamingTheBody()
    {
        byte[] body = [.. """{ "type": "progress", "by": "sales.rep", "te"""u8, 0xE2, 0x82, .. """xt": "x" }"""u8];

        var response = await RawHttp.SendAsync(server.BaseAddress, "POST", "/api/instances/b2b-onboarding.ANY/steps/contract/events", Headers(body.Length), body);

        Assert.True(response.StatusCode == 400, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("A field name in body is not valid UTF-8", response.Json().GetProperty("errors").GetProperty("body")[0].GetString(), StringComparison.Ordinal);
    }

    /// <summary>Event bodies that break the text rules (on the contract step of a running instance) and the field the 400 names.</summary>
    public static TheoryData<string, string, string> BadEvents() => new()
    {
        { """{ "type": "progress", "by": "sales.rep", "text": "a\u0000b" }""", "text", "text contains the control character U+0000 at position 2" },
        { $$"""{ "type": "progress", "by": "sales.rep", "text": "{{new string('n', 4001)}}" }""", "text", "text is 4,001 characters long; at most 4,000 are allowed." },
        { """{ "type": "progress", "by": "sales.rep", "text": "half \ud83d of a pair" }""", "text", "text contains a lone surrogate escape" },
        { """{ "type": "blocked", "by": "sales.rep", "reason": "bell\u0007" }""", "reason", "reason contains the control character U+0007 at position 5" },
        { $$"""{ "type": "blocked", "by": "sales.rep", "reason": "{{new string('r', 40_000)}}" }""", "reason", "reason is 40,000 characters long; at most 4,000 are allowed." },
        { """{ "type": "done", "by": "sales.rep\t" }""", "by", "by contains the control character U+0009 at position 10" },
        { $$"""{ "type": "done", "by": "{{new string('p', 201)}}" }""", "by", "by is 201 characters long; at most 200 are allowed." },
        { """{ "type": "reassign", "by": "sales.rep", "to": "sales.lead\n" }""", "to", "to contains the control character U+000A" },
        { """{ "type": "decide", "by": "sales.rep", "option": "temporary\u0000accounts" }""", "option", "option contains the control character U+0000" },
        { """{ "type": "done", "by": "sales.rep", "by": "sales.lead" }""", "by", "by is given twice; send each field once." },
        { """{ "type": "done", "by": "sales.rep", "note": "signed" }""", "note", "Unknown field 'note'; the body has 'type', 'by', 'text', 'reason', 'option', 'to' and 'id'." },
        { """{ "type": "done", "by": 42 }""", "by", "by must be a string." },
        { """{ "type": null, "by": "sales.rep" }""", "type", "type must be a string." },
        { """{ "by": "sales.rep" }""", "type", "type is required: done, progress, blocked, decide or reassign." },
        { """{ "type": "done", "text": "signed" }""", "by", "by is required: the person id of who reports the event" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task PostStepEvent_TextBreakingTheRules_Returns400NamingTheField(string json, string field, string message)
    {
        using var response = await server.Api.PostAsync(
            "/api/instances/b2b-onboarding.ANY/steps/contract/events", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Contains(message, await AssertValidationProblemAsync(response, field), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostStepEvent_RefusedTexts_RaiseNothingAndANoteWithTabsAndLineBreaksIsTaken()
    {
        var instanceId = await server.StartAsync("b2b-onboarding", "EDGE-EVENTS-1", new { deal_owner = "sales.rep", segment = "smb" });
        await MemoryServerFixture.UntilAsync(async () => await server.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");
        var events = $"/api/instances/{instanceId}/steps/contract/events";

        foreach (var (json, field, _) in BadEvents().Select(row => ((string)row[0], (string)row[1], (string)row[2])))
        {
            using var refused = await server.Api.PostAsync(events, new StringContent(json, Encoding.UTF8, "application/json"));
            await AssertValidationProblemAsync(refused, field);
        }
        const string Note = "Checked the order form:\r\n\t- prices agreed\n\t- signature pending";
        using (var taken = await server.Api.PostAsJsonAsync(events, new { type = "progress", by = "sales.rep", text = Note }))
            Assert.True(taken.IsSuccessStatusCode, await taken.Content.ReadAsStringAsync());

        // Events are applied in the order they were raised: once the note is in, any refused event raised before it would be too.
        await MemoryServerFixture.UntilAsync(() => Task.FromResult(server.Audit.All.Any(e => e.InstanceId == instanceId && e.Action == "step.progress")), "the note to be applied");
        var actions = server.Audit.All.Where(e => e.InstanceId == instanceId && e.StepId == "contract").Select(e => e.Action).ToArray();
        Assert.Single(actions, a => a == "step.progress");
        Assert.DoesNotContain(actions, a => a is "step.blocked" or "step.completed" or "step.reassigned" or "decision.made");
        Assert.Equal("active", await server.StepStatusAsync(instanceId, "contract"));
    }

    [Theory]
    [InlineData("999")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("running,failed")]
    [InlineData("Running, Completed")]
    [InlineData("continuedasnew")]
    public async Task ListInstances_StatusThatIsNotOneOfTheNames_Returns400NamingStatus(string status)
    {
        using var response = await server.Api.GetAsync("/api/instances?status=" + Uri.EscapeDataString(status));

        Assert.Contains("use running, completed, failed, terminated, pending or suspended", await AssertValidationProblemAsync(response, "status"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("running")]
    [InlineData("Completed")]
    [InlineData("SUSPENDED")]
    public async Task ListInstances_StatusByNameInAnyCase_Returns200(string status)
    {
        using var response = await server.Api.GetAsync("/api/instances?status=" + status);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("zz\r\n{}\r\n0\r\n\r\n")] // a chunk size that is not hexadecimal
    [InlineData("2\r\n{}}\r\n0\r\n\r\n")] // a chunk longer than its size
    [InlineData("1ffffffff\r\n{}\r\n0\r\n\r\n")] // a chunk size beyond what a chunk may be
    public async Task StartInstance_BadChunkFraming_Returns400ProblemDetailsWithKestrelsReason(string chunks)
    {
        var response = await RawHttp.SendAsync(
            server.BaseAddress, "POST", StartPath,
            [$"{ApiKey.HeaderName}: {server.Server.ApiKey.Value}", "Content-Type: application/json", "Transfer-Encoding: chunked"],
            Encoding.Latin1.GetBytes(chunks));

        Assert.True(response.StatusCode == 400, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = response.Json();
        Assert.Equal("Unreadable request body", problem.GetProperty("title").GetString());
        Assert.StartsWith("The request body could not be read: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_UrlOverTheLimit_Returns414ProblemDetails()
    {
        var response = await RawHttp.SendAsync(
            server.BaseAddress, "GET", "/api/instances?workflow=" + new string('w', 16 * 1024), [$"{ApiKey.HeaderName}: {server.Server.ApiKey.Value}"], []);

        Assert.True(response.StatusCode == 414, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("8 KiB", response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_UrlOverKestrelsLimit_Returns414NotA500()
    {
        var response = await RawHttp.SendAsync(server.BaseAddress, "GET", "/api/instances?workflow=" + new string('w', 200 * 1024), [], []);

        Assert.Equal(414, response.StatusCode);
    }

    [Fact]
    public async Task Request_HeadersOverTheLimit_Returns431ProblemDetails()
    {
        var response = await RawHttp.SendAsync(
            server.BaseAddress, "GET", "/api/workflows", [$"{ApiKey.HeaderName}: {server.Server.ApiKey.Value}", "X-Padding: " + new string('h', 40 * 1024)], []);

        Assert.True(response.StatusCode == 431, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("32 KiB", response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The headers of a raw JSON request with the API key.</summary>
    private string[] Headers(int contentLength) =>
        ["Content-Type: application/json", $"Content-Length: {contentLength}", $"{ApiKey.HeaderName}: {server.Server.ApiKey.Value}"];

    /// <summary>Asserts a 400 validation problem naming <paramref name="field"/>; returns its message.</summary>
    private static async Task<string> AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"expected an error on '{field}': {text}");
        return messages[0].GetString()!;
    }
}
