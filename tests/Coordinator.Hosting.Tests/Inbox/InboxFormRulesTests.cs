using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coordinator.Hosting.Tests.Support;

namespace Coordinator.Hosting.Tests.Inbox;

/// <summary>
/// The web inbox's forms, posted as a browser would (its antiforgery cookie and form token, its Origin, no HTML validation):
/// the server applies the API's text rules, shows what is wrong, and starts or raises nothing.
/// </summary>
public sealed partial class InboxFormRulesTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    /// <summary>Start forms that break the rules: the business key, extra form fields, the More details box, and the message the page shows.</summary>
    public static TheoryData<string, string, string, string> BadStartForms() => new()
    {
        { "FORM-LONG-" + new string('k', 200), "", "", "Not started: deal_id is 210 characters long; at most 200 are allowed. Fix it and press Start again." },
        { "FORM-TAB", "segment=ent\tprise", "", "Not started: segment contains the control character U+0009 at position 4; a context value may contain no control characters" },
        { "FORM-LONG-VALUE", "segment=" + new string('s', 2001), "", "Not started: segment is 2,001 characters long; at most 2,000 are allowed." },
        // A long line is quoted by its first 60 characters.
        { "FORM-DETAILS-VALUE", "", "system: core\nnotes: " + new string('n', 2001), "Not started: line 2 of More details (“notes: " + new string('n', 53) + "…”): notes is 2,001 characters long; at most 2,000 are allowed." },
        { "FORM-DETAILS-CONTROL", "", "system: co\u0001re", "Not started: line 1 of More details (“system: co\u0001re”): system contains the control character U+0001 at position 3" },
        // 17 values of 1,000 é: 17,170 characters (within the box's limit), over 34,000 bytes in UTF-8.
        { "FORM-SIZE", "", string.Join("\n", Enumerable.Range(0, 17).Select(i => $"extra_{i:00}: {new string('é', 1000)}")), "Not started: the form's fields and More details come to" },
    };

    [Theory]
    [MemberData(nameof(BadStartForms))]
    public async Task InboxStart_TextBreakingTheRules_ShowsWhatIsWrongAndStartsNothing(string businessKey, string extraField, string moreDetails, string message)
    {
        using var browser = new InboxBrowser(server.BaseAddress);
        var fields = new Dictionary<string, string>
        {
            ["workflow"] = "b2b-onboarding", ["businessKey"] = businessKey, ["context.deal_owner"] = "sales.rep", ["moreDetails"] = moreDetails,
        };
        if (extraField.Length > 0)
            fields["context." + extraField[..extraField.IndexOf('=', StringComparison.Ordinal)]] = extraField[(extraField.IndexOf('=', StringComparison.Ordinal) + 1)..];

        var flash = await browser.PostAsync("/inbox/instances", fields);

        Assert.StartsWith(message, flash, StringComparison.Ordinal);
        var instances = await server.Api.GetFromJsonAsync<JsonElement>("/api/instances?workflow=b2b-onboarding");
        Assert.DoesNotContain(instances.EnumerateArray(), i => i.GetProperty("businessKey").GetString() == businessKey);
    }

    [Fact]
    public async Task InboxEvent_NoteOrReasonBreakingTheRules_ShowsWhatIsWrongAndRaisesNothing()
    {
        var instanceId = await server.StartAsync("b2b-onboarding", "FORM-EVENTS-1", new { deal_owner = "sales.rep", segment = "smb" });
        await MemoryServerFixture.UntilAsync(async () => await server.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");
        using var browser = new InboxBrowser(server.BaseAddress);
        Dictionary<string, string> Form(string type, string field, string value) => new()
        {
            ["person"] = "sales.rep", ["instance"] = instanceId, ["step"] = "contract", ["title"] = "Contract", ["type"] = type, [field] = value,
        };

        // A NUL is refused by the form reader itself (InvalidDataException): a 400 page, no longer a 500.
        using (var nul = await browser.PostRawAsync("/inbox/events", Form("progress", "text", "Met\0them")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
            Assert.Contains("The form could not be read: The form value contains invalid characters.", await nul.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.StartsWith(
            "Not accepted: The progress note contains the control character U+0002 at position 4; a note or reason may contain tabs and line breaks",
            await browser.PostAsync("/inbox/events", Form("progress", "text", "Met\u0002them")), StringComparison.Ordinal);
        Assert.StartsWith(
            "Not accepted: The progress note is 4,001 characters long; at most 4,000 are allowed. Nothing was sent",
            await browser.PostAsync("/inbox/events", Form("progress", "text", new string('n', 4001))), StringComparison.Ordinal);
        Assert.StartsWith(
            "Not accepted: The block reason contains the control character U+001B at position 8",
            await browser.PostAsync("/inbox/events", Form("blocked", "reason", "Waiting\u001b[31m")), StringComparison.Ordinal);
        Assert.StartsWith(
            "Progress note added",
            await browser.PostAsync("/inbox/events", Form("progress", "text", "Called them:\r\n\tthey sign on Monday")), StringComparison.Ordinal);

        // The accepted note was raised after the refused ones: once it is applied, any of them raised would be too.
        await MemoryServerFixture.UntilAsync(() => Task.FromResult(server.Audit.All.Any(e => e.InstanceId == instanceId && e.Action == "step.progress")), "the note to be applied");
        var actions = server.Audit.All.Where(e => e.InstanceId == instanceId && e.StepId == "contract").Select(e => e.Action).ToArray();
        Assert.Single(actions, a => a == "step.progress");
        Assert.DoesNotContain("step.blocked", actions);
    }

    [Fact]
    public async Task InboxStart_FormWithMoreFieldsThanTheFormReaderTakes_Answers400NotA500()
    {
        using var browser = new InboxBrowser(server.BaseAddress);
        var fields = Enumerable.Range(0, 2000).ToDictionary(i => $"context.f{i}", i => "x");
        fields["workflow"] = "b2b-onboarding";
        fields["businessKey"] = "FORM-TOO-MANY";

        using var response = await browser.PostRawAsync("/inbox/instances", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form could not be read", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zz\r\ntype=done\r\n0\r\n\r\n")] // a chunk size that is not hexadecimal
    [InlineData("1ffffffff\r\ntype=done\r\n0\r\n\r\n")] // a chunk size that overflows (Kestrel says so with a plain IOException)
    public async Task InboxEvents_BadChunkFraming_Answers400NotA500(string chunks)
    {
        var response = await RawHttp.SendAsync(
            server.BaseAddress, "POST", "/inbox/events", ["Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked"],
            Encoding.ASCII.GetBytes(chunks));

        Assert.True(response.StatusCode == 400, response.ToString());
        Assert.Contains("The form could not be read", response.Body, StringComparison.Ordinal);
    }

    /// <summary>A browser of the inbox: its cookies (the antiforgery cookie, the flash message), the page's form token, and the Origin a browser sends.</summary>
    private sealed partial class InboxBrowser : IDisposable
    {
        private readonly HttpClient _http;
        private string? _token;

        public InboxBrowser(Uri baseAddress)
        {
            _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = baseAddress };
            _http.DefaultRequestHeaders.Add("Origin", baseAddress.GetLeftPart(UriPartial.Authority));
        }

        /// <summary>Posts a form with the page's token, follows the redirect and returns the message the page shows.</summary>
        public async Task<string> PostAsync(string path, Dictionary<string, string> fields)
        {
            using var response = await PostRawAsync(path, fields);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
            var flash = FlashPattern().Match(html);
            Assert.True(flash.Success, $"the page shows no message: {html}");
            return WebUtility.HtmlDecode(flash.Groups[1].Value);
        }

        public async Task<HttpResponseMessage> PostRawAsync(string path, Dictionary<string, string> fields)
        {
            _token ??= TokenPattern().Match(await _http.GetStringAsync("/")).Groups[1].Value;
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = _token });
            return await _http.PostAsync(path, form);
        }

        public void Dispose() => _http.Dispose();

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex TokenPattern();

        [GeneratedRegex("""<div class="flash [^"]*" role="status">(.*?)</div>""", RegexOptions.Singleline)]
        private static partial Regex FlashPattern();
    }
}
