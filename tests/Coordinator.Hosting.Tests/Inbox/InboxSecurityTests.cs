using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coordinator.Hosting.Tests.Support;

namespace Coordinator.Hosting.Tests.Inbox;

/// <summary>
/// The inbox's defences on a real server: a post needs ASP.NET Core's antiforgery token of this browser
/// and must come from the inbox's own origin (scheme, host and port); a refused post changes nothing.
/// Every answer, error pages included, carries the security headers, and the CSP allows no inline style.
/// </summary>
public sealed partial class InboxSecurityTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    private const string TokenField = "__RequestVerificationToken";

    private string OwnOrigin => server.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>The same host on another port: what a page served by another local program would send.</summary>
    private string OtherPortOrigin(string host) => $"http://{host}:{(server.BaseAddress.Port == 65535 ? 1024 : server.BaseAddress.Port + 1)}";

    [Fact]
    public async Task InboxEvents_MissingOrForgedToken_ForbiddenAndRaisesNothing()
    {
        var instanceId = await StartOnboardingAsync("SEC-TOKEN-1");
        using var browser = await InboxBrowser.OpenAsync(server.BaseAddress);
        using var other = await InboxBrowser.OpenAsync(server.BaseAddress);
        var done = DoneForm(instanceId);

        var refusals = new (string What, string? Token)[]
        {
            ("no token", null),
            ("a made-up token", "CfDJ8" + new string('A', 150)),
            ("this browser's token, altered", Altered(browser.Token)),
            ("another browser's token", other.Token),
        };
        foreach (var (what, token) in refusals)
        {
            using var response = await browser.PostAsync("/inbox/events", done, token: token, origin: OwnOrigin);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)response.StatusCode} {html}");
            Assert.Contains("inbox token", html, StringComparison.Ordinal);
            AssertSecurityHeaders(response);
        }
        // Without the antiforgery cookie, the form token alone does not do either.
        using (var cookieless = await browser.PostAsync("/inbox/events", done, token: browser.Token, origin: OwnOrigin, withCookies: false))
            Assert.Equal(HttpStatusCode.Forbidden, cookieless.StatusCode);

        await AssertNothingRaisedAsync(browser, instanceId);
    }

    [Fact]
    public async Task InboxEvents_PostFromAnotherSiteOrAnotherLocalhostPort_ForbiddenAndRaisesNothing()
    {
        var instanceId = await StartOnboardingAsync("SEC-ORIGIN-1");
        using var browser = await InboxBrowser.OpenAsync(server.BaseAddress);
        var done = DoneForm(instanceId);

        var refusals = new (string What, Dictionary<string, string> Headers)[]
        {
            ("another site", new() { ["Origin"] = "http://evil.example" }),
            ("another localhost port", new() { ["Origin"] = OtherPortOrigin("localhost") }),
            ("another port of 127.0.0.1", new() { ["Origin"] = OtherPortOrigin("127.0.0.1") }),
            ("https on this host and port", new() { ["Origin"] = "https://" + server.BaseAddress.Authority }),
            ("an opaque origin", new() { ["Origin"] = "null" }),
            ("no Origin, a Referer on another localhost port", new() { ["Referer"] = OtherPortOrigin("localhost") + "/?person=sales.rep" }),
            ("no Origin, a Referer on another site", new() { ["Referer"] = "http://evil.example/page" }),
            // Another port of localhost is the same site, so Sec-Fetch-Site alone says same-site: not enough.
            ("no Origin or Referer, Sec-Fetch-Site: same-site", new() { ["Sec-Fetch-Site"] = "same-site" }),
            ("no Origin or Referer, Sec-Fetch-Site: cross-site", new() { ["Sec-Fetch-Site"] = "cross-site" }),
            ("no Origin, Referer or Sec-Fetch-Site", new()),
        };
        foreach (var (what, headers) in refusals)
        {
            using var response = await browser.PostAsync("/inbox/events", done, token: browser.Token, headers: headers);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)response.StatusCode} {html}");
            Assert.Contains("The form came from another page", html, StringComparison.Ordinal);
            Assert.Contains($"not from this inbox ({OwnOrigin})", html, StringComparison.Ordinal);
            AssertSecurityHeaders(response);
        }

        await AssertNothingRaisedAsync(browser, instanceId);
    }

    [Fact]
    public async Task InboxInstances_PostFromAnotherSiteOrPort_ForbiddenAndStartsNothing()
    {
        using var browser = await InboxBrowser.OpenAsync(server.BaseAddress);
        foreach (var origin in new[] { "http://evil.example", OtherPortOrigin("localhost"), OtherPortOrigin("127.0.0.1") })
        {
            using var response = await browser.PostAsync("/inbox/instances", StartForm("SEC-START-FORGED"), token: browser.Token, origin: origin);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{origin}: {(int)response.StatusCode}");
        }
        using (var tokenless = await browser.PostAsync("/inbox/instances", StartForm("SEC-START-FORGED"), token: null, origin: OwnOrigin))
            Assert.Equal(HttpStatusCode.Forbidden, tokenless.StatusCode);

        using var instance = await server.Api.GetAsync("/api/instances/b2b-onboarding.SEC-START-FORGED");
        Assert.Equal(HttpStatusCode.NotFound, instance.StatusCode);

        // The same form, genuine, starts it: the refusals were the token and the origin, not the form.
        using var genuine = await browser.PostAsync("/inbox/instances", StartForm("SEC-START-GENUINE"), token: browser.Token, origin: OwnOrigin);
        Assert.Equal(HttpStatusCode.SeeOther, genuine.StatusCode);
        using var started = await server.Api.GetAsync("/api/instances/b2b-onboarding.SEC-START-GENUINE");
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
    }

    [Fact]
    public async Task InboxEvents_GenuinePost_ByOriginOrRefererOrSecFetchSite_IsTaken()
    {
        var instanceId = await StartOnboardingAsync("SEC-GENUINE-1");
        using var browser = await InboxBrowser.OpenAsync(server.BaseAddress);

        var genuine = new (string Note, Dictionary<string, string> Headers)[]
        {
            ("by Origin", new() { ["Origin"] = OwnOrigin }),
            ("by Referer", new() { ["Referer"] = OwnOrigin + "/?person=sales.rep" }),
            ("by Sec-Fetch-Site", new() { ["Sec-Fetch-Site"] = "same-origin" }),
        };
        foreach (var (note, headers) in genuine)
        {
            using var response = await browser.PostAsync("/inbox/events", ProgressForm(instanceId, note), token: browser.Token, headers: headers);
            Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"{note}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("/?person=sales.rep", response.Headers.Location?.OriginalString);
        }
        using (var done = await browser.PostAsync("/inbox/events", DoneForm(instanceId), token: browser.Token, origin: OwnOrigin))
            Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);

        await MemoryServerFixture.UntilAsync(async () => await server.StepStatusAsync(instanceId, "contract") == "done", "the contract step to be done");
        Assert.Equal(3, server.Audit.All.Count(e => e.InstanceId == instanceId && e.StepId == "contract" && e.Action == "step.progress"));
    }

    [Fact]
    public async Task InboxPage_ContentSecurityPolicyAllowsNoInlineStyle_AndTheStylesheetIsServed()
    {
        using var page = await server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertSecurityHeaders(page);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);

        var href = StylesheetPattern().Match(html);
        Assert.True(href.Success, "the page links no stylesheet");
        using var css = await server.Http.GetAsync(WebUtility.HtmlDecode(href.Groups[1].Value));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".flash-ok", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(css.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(1), $"Cache-Control: {css.Headers.CacheControl}");
    }

    [Fact]
    public async Task ErrorPages_CarryTheSecurityHeaders()
    {
        // 403: the inbox asked for under another host name.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "inbox.attacker.example" } })
        using (var notLocal = await server.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notLocal.StatusCode);
            Assert.Contains("This inbox is local", await notLocal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            AssertSecurityHeaders(notLocal);
        }
        // 400: not a form.
        using (var notAForm = await server.Http.PostAsJsonAsync("/inbox/events", new { type = "done" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notAForm.StatusCode);
            AssertSecurityHeaders(notAForm);
        }
        // 404: no such page (problem details).
        using (var missing = await server.Http.GetAsync("/inbox/no-such-page"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            AssertSecurityHeaders(missing);
        }
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("form-action 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"Cache-Control: {response.Headers.CacheControl}");
    }

    private async Task<string> StartOnboardingAsync(string dealId)
    {
        var instanceId = await server.StartAsync("b2b-onboarding", dealId, new { deal_owner = "sales.rep", segment = "smb" });
        await MemoryServerFixture.UntilAsync(async () => await server.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");
        return instanceId;
    }

    /// <summary>
    /// Nothing the refused posts asked for happened: the step is still active, and once a genuine note
    /// (posted after them) is applied, it is the only event of the step, so none of them was raised.
    /// </summary>
    private async Task AssertNothingRaisedAsync(InboxBrowser browser, string instanceId)
    {
        Assert.Equal("active", await server.StepStatusAsync(instanceId, "contract"));
        using (var genuine = await browser.PostAsync("/inbox/events", ProgressForm(instanceId, "genuine"), token: browser.Token, origin: OwnOrigin))
            Assert.Equal(HttpStatusCode.SeeOther, genuine.StatusCode);
        await MemoryServerFixture.UntilAsync(
            () => Task.FromResult(server.Audit.All.Any(e => e.InstanceId == instanceId && e.Action == "step.progress")), "the genuine note to be applied");
        var actions = server.Audit.All.Where(e => e.InstanceId == instanceId && e.StepId == "contract").Select(e => e.Action).ToArray();
        Assert.Single(actions, a => a == "step.progress");
        Assert.DoesNotContain("step.completed", actions);
        Assert.Equal("active", await server.StepStatusAsync(instanceId, "contract"));
    }

    private static Dictionary<string, string> DoneForm(string instanceId) => new()
    {
        ["person"] = "sales.rep", ["instance"] = instanceId, ["step"] = "contract", ["title"] = "Contract", ["type"] = "done",
    };

    private static Dictionary<string, string> ProgressForm(string instanceId, string text) => new(DoneForm(instanceId)) { ["type"] = "progress", ["text"] = text };

    private static Dictionary<string, string> StartForm(string dealId) => new()
    {
        ["workflow"] = "b2b-onboarding", ["businessKey"] = dealId, ["context.deal_owner"] = "sales.rep", ["context.segment"] = "smb",
    };

    /// <summary>The token with one character changed (still well-formed base64url).</summary>
    private static string Altered(string token)
    {
        var middle = token.Length / 2;
        return token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"([^\"]+)\"")]
    private static partial Regex StylesheetPattern();

    /// <summary>A browser of the inbox: its cookies (the antiforgery cookie) and the token its page carries; redirects not followed.</summary>
    private sealed partial class InboxBrowser : IDisposable
    {
        private readonly HttpClient _http;
        private readonly HttpClient _cookieless;

        private InboxBrowser(Uri baseAddress)
        {
            _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };
            _cookieless = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        }

        public string Token { get; private set; } = "";

        public static async Task<InboxBrowser> OpenAsync(Uri baseAddress)
        {
            var browser = new InboxBrowser(baseAddress);
            var token = TokenPattern().Match(await browser._http.GetStringAsync("/"));
            Assert.True(token.Success, "the inbox page carries no antiforgery token");
            browser.Token = token.Groups[1].Value;
            return browser;
        }

        public async Task<HttpResponseMessage> PostAsync(
            string path, Dictionary<string, string> fields, string? token, string? origin = null, Dictionary<string, string>? headers = null, bool withCookies = true)
        {
            var values = new Dictionary<string, string>(fields);
            if (token is not null)
                values[TokenField] = token;
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(values) };
            if (origin is not null)
                request.Headers.Add("Origin", origin);
            foreach (var (name, value) in headers ?? [])
                request.Headers.Add(name, value);
            return await (withCookies ? _http : _cookieless).SendAsync(request);
        }

        public void Dispose()
        {
            _http.Dispose();
            _cookieless.Dispose();
        }

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex TokenPattern();
    }
}
