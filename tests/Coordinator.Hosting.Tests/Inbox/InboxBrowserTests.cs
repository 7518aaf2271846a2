using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Coordinator.Hosting.Tests.Inbox;

/// <summary>The web inbox in headless Chromium: people play the roles of a sample workflow.</summary>
public sealed class InboxBrowserTests(InboxFixture fixture) : IClassFixture<InboxFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Inbox_PeoplePlayTheWholeOnboarding_StepsMoveOnTheDeciderResolvesTheBlockAndTheInstanceCompletes()
    {
        var instanceId = await fixture.StartAsync("b2b-onboarding", "DEAL-INBOX-1", new { deal_owner = "sales.alice", segment = "enterprise" });
        var page = await fixture.Browser.NewPageAsync();

        // The account executive (known from the running instance's context) picks herself and sees her step.
        await page.GotoAsync(fixture.BaseUrl + "/");
        var contract = Card(page, instanceId, "contract");
        await UntilVisibleAfterReloadAsync(page, PersonLink(page, "sales.alice"));
        await PersonLink(page, "sales.alice").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox of sales.alice" })).ToBeVisibleAsync();
        await Expect(contract).ToContainTextAsync("Countersigned contract and order form filed in the CRM");
        await Expect(contract).ToContainTextAsync("DEAL-INBOX-1");
        await Expect(contract).ToContainTextAsync("B2B customer onboarding");
        await Expect(contract).ToContainTextAsync("due ");

        await contract.GetByLabel("Progress note").FillAsync("Waiting for the customer's countersignature");
        await contract.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("Progress note added");

        await contract.GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("is done");
        await UntilAfterReloadAsync(page, contract, WaitForSelectorState.Detached);
        await Expect(contract).ToHaveCountAsync(0);

        // Billing gets the next step and finishes it; IT set-up appears for the engineer.
        await PersonLink(page, "billing.specialist").ClickAsync();
        var billing = Card(page, instanceId, "billing-setup");
        await UntilVisibleAfterReloadAsync(page, billing);
        await Expect(billing).ToContainTextAsync("Billing account, invoicing schedule and payment terms set up");
        await billing.GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("is done");

        // The IT engineer reports a block; the text is shown as text, never as markup.
        await PersonLink(page, "it.engineer").ClickAsync();
        var itSetup = Card(page, instanceId, "it-setup");
        await UntilVisibleAfterReloadAsync(page, itSetup);
        const string reason = "Customer has not chosen an <b>IdP</b> & SSO";
        await itSetup.GetByLabel("Block reason").FillAsync(reason);
        await itSetup.GetByRole(AriaRole.Button, new() { Name = "Report blocked" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("reported blocked");
        await UntilVisibleAfterReloadAsync(page, itSetup.Locator("p.block"));
        await Expect(itSetup).ToContainTextAsync("Blocked: " + reason);
        await Expect(itSetup.Locator("b")).ToHaveCountAsync(0);
        await Expect(itSetup.GetByRole(AriaRole.Button, new() { Name = "Mark done" })).ToHaveCountAsync(0);

        // The IT lead (decision_by) sees the decision with the alternatives and chooses one.
        await PersonLink(page, "it.lead").ClickAsync();
        var decisions = page.GetByRole(AriaRole.Region, new() { Name = "Decisions waiting for you" });
        var decision = decisions.Locator($"[data-step='{instanceId}/it-setup']");
        await UntilVisibleAfterReloadAsync(page, decision);
        await Expect(decision).ToContainTextAsync(reason);
        await Expect(decision.GetByRole(AriaRole.Button)).ToHaveCountAsync(3);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Recent notifications" })).ToContainTextAsync("IT environment set-up");
        await decision.GetByRole(AriaRole.Button, new() { Name = "Start with local accounts, move to SSO later" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("Decision recorded");
        await UntilAfterReloadAsync(page, decision, WaitForSelectorState.Detached);
        await Expect(decision).ToHaveCountAsync(0);

        // Back with the engineer, the step is active again.
        await PersonLink(page, "it.engineer").ClickAsync();
        await UntilVisibleAfterReloadAsync(page, itSetup.GetByRole(AriaRole.Button, new() { Name = "Mark done" }));
        Assert.Equal("active", await fixture.StepStatusAsync(instanceId, "it-setup"));

        // The rest of the onboarding, as docs/inbox.md plays it, to completion.
        foreach (var (person, step) in new[]
        {
            ("it.engineer", "it-setup"), ("legal.counsel", "legal-review"), ("it.engineer", "data-migration"),
            ("csm.lead", "training"), ("csm.lead", "go-live"), ("csm.lead", "handover"),
        })
        {
            await page.GotoAsync($"{fixture.BaseUrl}/?person={person}");
            var card = Card(page, instanceId, step);
            await UntilVisibleAfterReloadAsync(page, card);
            await card.GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();
            await Expect(Flash(page)).ToContainTextAsync("is done");
        }
        await EventuallyAsync(async () => await fixture.InstanceStatusAsync(instanceId) == "completed", "the onboarding to complete");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Inbox_ActionOnAStepFinishedElsewhere_ShowsTheEnginesReason()
    {
        var instanceId = await fixture.StartAsync("b2b-onboarding", "DEAL-INBOX-2", new { deal_owner = "sales.bob", segment = "smb" });
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/?person=sales.bob");
        var contract = Card(page, instanceId, "contract");
        await UntilVisibleAfterReloadAsync(page, contract);

        // A colleague finishes the step through the API while the page is open.
        await fixture.PostEventAsync(instanceId, "contract", new { type = "done", by = "sales.bob" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "done", "the contract step to be done");

        await contract.GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("Not accepted: Step 'contract' is already done");
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxStart_NewcomerFillsTheWelcomeForm_LandsOnTheFirstOwnersInboxAndTheSameKeyTwiceStartsNothingNew()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/");
        var form = StartForm(page, "B2B customer onboarding");
        await form.GetByLabel("deal_id", new() { Exact = true }).FillAsync("DEAL-START-1");
        await form.GetByLabel("deal_owner", new() { Exact = true }).FillAsync("sales.carol");
        await form.GetByLabel("segment", new() { Exact = true }).FillAsync("enterprise");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();

        // The browser lands on the inbox of the first step's owner, with the step there: at once when the
        // first turn runs within the start's wait, else through the follow page, which reloads until it has.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox of sales.carol" }))
            .ToBeVisibleAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        await Expect(Flash(page)).ToContainTextAsync(
            "Started B2B customer onboarding for DEAL-START-1 (instance b2b-onboarding.DEAL-START-1). Its first step, “Countersigned contract and order form filed in the CRM”, is with sales.carol.");
        var contract = Card(page, "b2b-onboarding.DEAL-START-1", "contract");
        await Expect(contract).ToBeVisibleAsync();
        await Expect(contract.GetByRole(AriaRole.Button, new() { Name = "Mark done" })).ToBeVisibleAsync();

        // The same business key again: the existing instance is named, nothing new starts.
        await page.GotoAsync(fixture.BaseUrl + "/");
        await form.GetByLabel("deal_id", new() { Exact = true }).FillAsync("DEAL-START-1");
        await form.GetByLabel("deal_owner", new() { Exact = true }).FillAsync("sales.dan");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("B2B customer onboarding DEAL-START-1 already exists and is running: instance b2b-onboarding.DEAL-START-1.");
        await Expect(Flash(page)).ToHaveClassAsync(new Regex("flash-error"));

        var instances = await fixture.Api.GetFromJsonAsync<JsonElement>("/api/instances?workflow=b2b-onboarding");
        Assert.Single(instances.EnumerateArray(), i => i.GetProperty("businessKey").GetString() == "DEAL-START-1");
        var owner = await fixture.Api.GetFromJsonAsync<JsonElement>("/api/instances/b2b-onboarding.DEAL-START-1");
        Assert.Equal(["sales.carol"], owner.GetProperty("steps")[0].GetProperty("owners").EnumerateArray().Select(o => o.GetString()));
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxWelcome_RunningInstance_ListsWhoItWaitsOnAndLinksToTheirInbox()
    {
        var instanceId = await fixture.StartAsync("b2b-onboarding", "DEAL-RUNNING-1", new { deal_owner = "sales.frank", segment = "smb" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");

        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/");
        var running = page.GetByRole(AriaRole.Region, new() { Name = "Running instances" });
        var row = running.Locator($"tr[data-instance='{instanceId}']");
        await Expect(row).ToContainTextAsync("B2B customer onboarding · DEAL-RUNNING-1");
        var contract = row.Locator("li[data-step='contract']");
        await Expect(contract).ToContainTextAsync("active Countersigned contract and order form filed in the CRM — sales.frank (due ");
        await Expect(contract.GetByRole(AriaRole.Link)).ToHaveCountAsync(1);

        // Blocked without alternatives: the process owner decides, and the row says so.
        await fixture.PostEventAsync(instanceId, "contract", new { type = "blocked", by = "sales.frank", reason = "Waiting for the purchase order" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "blocked", "the contract step to be blocked");
        await page.ReloadAsync();
        await Expect(contract).ToContainTextAsync("blocked Countersigned contract and order form filed in the CRM — decision by csm.lead");

        await contract.GetByRole(AriaRole.Link, new() { Name = "csm.lead" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox of csm.lead" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Decisions waiting for you" }).Locator($"[data-step='{instanceId}/contract']"))
            .ToContainTextAsync("Waiting for the purchase order");
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxFollow_InstanceThatFailedOrDoesNotExist_SaysSoAndStopsReloading()
    {
        var client = fixture.Server.Services.GetRequiredService<DurableTaskClient>();
        var failed = await client.ScheduleNewOrchestrationInstanceAsync(new TaskName("NoSuchOrchestration"), input: null, new StartOrchestrationOptions { InstanceId = "follow-failed-1" });
        using (var timeout = new CancellationTokenSource(Patience))
            Assert.Equal(OrchestrationRuntimeStatus.Failed, (await client.WaitForInstanceCompletionAsync(failed, timeout.Token)).RuntimeStatus);

        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/?started=" + failed);
        await Expect(Flash(page)).ToContainTextAsync("Instance follow-failed-1 ended (failed) before finishing its first turn");
        await Expect(Flash(page)).ToHaveClassAsync(new Regex("flash-error"));
        await Expect(page.Locator("meta[http-equiv='refresh']")).ToHaveCountAsync(0);

        await page.GotoAsync(fixture.BaseUrl + "/?started=b2b-onboarding.NO-SUCH-DEAL");
        await Expect(Flash(page)).ToContainTextAsync("There is no instance b2b-onboarding.NO-SUCH-DEAL.");
        await Expect(page.Locator("meta[http-equiv='refresh']")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxFollow_InstanceWhoseFirstTurnHasRun_OpensTheFirstOwnersInbox()
    {
        var instanceId = await fixture.StartAsync("b2b-onboarding", "DEAL-FOLLOW-1", new { deal_owner = "sales.erin", segment = "smb" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");

        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/?started=" + Uri.EscapeDataString(instanceId));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox of sales.erin" })).ToBeVisibleAsync();
        await Expect(Flash(page)).ToContainTextAsync(
            "Started B2B customer onboarding for DEAL-FOLLOW-1 (instance b2b-onboarding.DEAL-FOLLOW-1). Its first step, “Countersigned contract and order form filed in the CRM”, is with sales.erin.");
        await Expect(Card(page, instanceId, "contract")).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxStart_MoreDetails_AreKeptInTheInstancesContext()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/");
        var form = StartForm(page, "Change management on a critical system");
        await form.GetByLabel("change_id", new() { Exact = true }).FillAsync("CHG-DETAILS-1");
        await form.GetByLabel("requested_by", new() { Exact = true }).FillAsync("ops.engineer");
        await form.GetByLabel("More details").FillAsync("system: payments-core\nrisk_class: high");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox of ops.engineer" }))
            .ToBeVisibleAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        var instance = await fixture.Api.GetFromJsonAsync<JsonElement>("/api/instances/it-change-management.CHG-DETAILS-1");
        Assert.Equal(
            new Dictionary<string, string> { ["change_id"] = "CHG-DETAILS-1", ["requested_by"] = "ops.engineer", ["system"] = "payments-core", ["risk_class"] = "high" },
            instance.GetProperty("context").Deserialize<Dictionary<string, string>>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxStart_MoreDetailsLineWithoutAColon_ShowsTheLineAndStartsNothing()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/");
        var form = StartForm(page, "Change management on a critical system");
        await form.GetByLabel("change_id", new() { Exact = true }).FillAsync("CHG-DETAILS-2");
        await form.GetByLabel("requested_by", new() { Exact = true }).FillAsync("ops.engineer");
        await form.GetByLabel("More details").FillAsync("system: payments-core\nhigh risk");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();

        await Expect(Flash(page)).ToContainTextAsync(
            "Not started: line 2 of More details (“high risk”) is not a name: value pair, such as system: payments-core. Fix it and press Start again.");
        await Expect(Flash(page)).ToHaveClassAsync(new Regex("flash-error"));
        using var response = await fixture.Api.GetAsync("/api/instances/it-change-management.CHG-DETAILS-2");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxStart_RequiredFieldLeftEmpty_ShowsWhatIsMissingAndStartsNothing()
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/");
        var form = StartForm(page, "B2B customer onboarding");
        await form.GetByLabel("deal_id", new() { Exact = true }).FillAsync("DEAL-START-2");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();

        await Expect(Flash(page)).ToContainTextAsync(
            "Not started: B2B customer onboarding needs deal_owner (the person id of role sales). Fill it in and press Start again.");
        await Expect(Flash(page)).ToHaveClassAsync(new Regex("flash-error"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox", Exact = true })).ToBeVisibleAsync();
        using var response = await fixture.Api.GetAsync("/api/instances/b2b-onboarding.DEAL-START-2");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxDecision_BlockWithoutAlternatives_ProcessOwnerResumesTheStep()
    {
        // The contract step declares no on_blocked: its block goes to the process owner (csm.lead), with nothing to choose.
        var instanceId = await fixture.StartAsync("b2b-onboarding", "DEAL-RESUME-1", new { deal_owner = "sales.erin", segment = "smb" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");
        await fixture.PostEventAsync(instanceId, "contract", new { type = "blocked", by = "sales.erin", reason = "Customer legal is on holiday" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "blocked", "the contract step to be blocked");

        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/?person=csm.lead");
        var decision = page.GetByRole(AriaRole.Region, new() { Name = "Decisions waiting for you" }).Locator($"[data-step='{instanceId}/contract']");
        await UntilVisibleAfterReloadAsync(page, decision);
        await Expect(decision).ToContainTextAsync("Customer legal is on holiday");
        await Expect(decision).Not.ToContainTextAsync("does not accept");
        await decision.GetByRole(AriaRole.Button, new() { Name = "Resume the step" }).ClickAsync();

        await Expect(Flash(page)).ToContainTextAsync("“Countersigned contract and order form filed in the CRM” is resumed");
        await UntilAfterReloadAsync(page, decision, WaitForSelectorState.Detached);
        await Expect(decision).ToHaveCountAsync(0);
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active again");
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxInstances_PostWithoutTheBrowsersToken_ForbiddenAndStartsNothing()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["workflow"] = "b2b-onboarding", ["businessKey"] = "DEAL-FORGED", ["context.deal_owner"] = "sales.alice",
        });
        using var response = await http.PostAsync("/inbox/instances", form);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("inbox token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var instance = await fixture.Api.GetAsync("/api/instances/b2b-onboarding.DEAL-FORGED");
        Assert.Equal(HttpStatusCode.NotFound, instance.StatusCode);
    }

    [Fact]
    public async Task InboxEvents_PostWithoutTheBrowsersToken_Forbidden()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["person"] = "sales.alice", ["instance"] = "b2b-onboarding:DEAL-X", ["step"] = "contract", ["type"] = "done",
        });
        using var response = await http.PostAsync("/inbox/events", form);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("inbox token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InboxEvents_FormOnAPageOfAnotherLocalhostPort_EvenWithTheRealToken_RefusedAndTheStepStaysActive()
    {
        var instanceId = await fixture.StartAsync("b2b-onboarding", "DEAL-OTHER-PORT", new { deal_owner = "sales.mallory", segment = "smb" });
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "active", "the contract step to be active");
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/?person=sales.mallory");
        var contract = Card(page, instanceId, "contract");
        await UntilVisibleAfterReloadAsync(page, contract);
        // The worst case: the page on the other port even has this browser's token (the antiforgery cookie,
        // SameSite=Strict, is sent to it too: another port of 127.0.0.1 is the same site). Only the Origin check stands.
        var token = await contract.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");
        var inbox = new Uri(fixture.BaseUrl);
        var otherPort = $"http://{inbox.Host}:{(inbox.Port == 65535 ? 1024 : inbox.Port + 1)}/";
        await page.RouteAsync(otherPort, route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = $"""
                <!doctype html><title>Another local app</title>
                <form method="post" action="{fixture.BaseUrl}/inbox/events">
                <input type="hidden" name="__RequestVerificationToken" value="{token}"><input type="hidden" name="person" value="sales.mallory">
                <input type="hidden" name="instance" value="{instanceId}"><input type="hidden" name="step" value="contract">
                <button type="submit" name="type" value="done">Win a prize</button></form>
                """,
        }));
        await page.GotoAsync(otherPort);

        await page.GetByRole(AriaRole.Button, new() { Name = "Win a prize" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The form came from another page" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync($"The form was sent from {otherPort.TrimEnd('/')}, not from this inbox ({fixture.BaseUrl})");
        Assert.Equal("active", await fixture.StepStatusAsync(instanceId, "contract"));

        // From the inbox's own page, the same token and form are taken.
        await page.GotoAsync(fixture.BaseUrl + "/?person=sales.mallory");
        await contract.GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();
        await Expect(Flash(page)).ToContainTextAsync("is done");
        await EventuallyAsync(async () => await fixture.StepStatusAsync(instanceId, "contract") == "done", "the contract step to be done");
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxPage_StylesheetIsAStaticFile_AppliedUnderTheContentSecurityPolicy()
    {
        var page = await fixture.Browser.NewPageAsync();
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                refused.Add(message.Text);
        };
        var response = await page.GotoAsync(fixture.BaseUrl + "/");

        Assert.DoesNotContain("unsafe-inline", await response!.HeaderValueAsync("content-security-policy") ?? "", StringComparison.Ordinal);
        // The top bar's dark background comes from /inbox/inbox.css: the stylesheet loaded and applies.
        await Expect(page.Locator("header.top")).ToHaveCSSAsync("background-color", "rgb(29, 36, 51)");
        Assert.Empty(refused);
        await page.CloseAsync();
    }

    [Fact]
    public async Task InboxPage_RequestNamingAnotherHost_Forbidden()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "inbox.attacker.example";
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task InboxPage_NoApiKey_ListsThePeopleOfTheLoadedWorkflows()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        var html = await http.GetStringAsync("/");
        Assert.Contains("change.manager", html, StringComparison.Ordinal);
        Assert.Contains("it.lead", html, StringComparison.Ordinal);
        Assert.Contains("B2B customer onboarding", html, StringComparison.Ordinal);
    }

    private static ILocator Card(IPage page, string instanceId, string stepId) => page.Locator($"article[data-step='{instanceId}/{stepId}']");

    /// <summary>A person in the People list on the left.</summary>
    private static ILocator PersonLink(IPage page, string personId) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "People" }).GetByRole(AriaRole.Link, new() { Name = personId });

    private static ILocator Flash(IPage page) => page.Locator(".flash");

    private static ILocator StartForm(IPage page, string workflowTitle) => page.GetByRole(AriaRole.Form, new() { Name = "Start " + workflowTitle });

    /// <summary>Reloads the page until the locator shows (an instance's first turn, or a step another person just unlocked).</summary>
    private static Task UntilVisibleAfterReloadAsync(IPage page, ILocator locator) =>
        UntilAfterReloadAsync(page, locator, WaitForSelectorState.Visible);

    /// <summary>
    /// Waits for the locator to reach <paramref name="state"/>, reloading the page while it has not:
    /// when the coordinator is slower than the inbox's wait, the page after a form shows the state
    /// before it (and says to reload).
    /// </summary>
    private static async Task UntilAfterReloadAsync(IPage page, ILocator locator, WaitForSelectorState state)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            try
            {
                await locator.WaitForAsync(new() { State = state, Timeout = 1_000 });
                return;
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
                await page.ReloadAsync();
            }
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {Patience} waiting for {what}.");
            }
        }
    }
}
