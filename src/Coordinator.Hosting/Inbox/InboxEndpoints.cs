using Coordinator.Core.Ports;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Inbox;
using Coordinator.Hosting.Inbox.Components;
using Coordinator.Hosting.SideEffects;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Coordinator.Hosting;

/// <summary>
/// The local web inbox, the built-in notification channel of the standalone host: <c>GET /</c> shows a
/// person's steps, decisions and notifications (and, with no person picked, a start form per workflow);
/// <c>GET /?started={instanceId}</c> follows a just-started instance until its first step is assigned;
/// <c>POST /inbox/events</c> takes the forms (done, progress note, blocked with reason, decide) through
/// the API's event path, <c>POST /inbox/instances</c> the start forms through the API's start path,
/// and both redirect back. The pages are Razor components (<see cref="InboxView"/>, <see cref="MessagePage"/>)
/// rendered on the server; the stylesheet is a static file (<see cref="InboxStyles"/>).
/// No API key: it answers only on this machine, and takes only posts with its antiforgery token from its
/// own origin (see <see cref="InboxSecurity"/>).
/// </summary>
public static class InboxEndpoints
{
    public const string EventsPath = "/inbox/events";
    public const string InstancesPath = "/inbox/instances";

    /// <summary>The prefix of a start form's context inputs: <c>context.deal_owner</c>.</summary>
    public const string ContextPrefix = "context.";
    private const int MaxPersonIdLength = 200;
    private const int MaxInstanceIdLength = 300;
    private static readonly string[] FormTypes = ["done", "progress", "blocked", "decide"];

    /// <summary>The inbox page of one person: <c>/?person=it.engineer</c>.</summary>
    internal static string PersonPath(string personId) => "/?person=" + Uri.EscapeDataString(personId);

    /// <summary>Maps the inbox at <c>/</c>, <c>/inbox/events</c> and <c>/inbox/instances</c>, and its stylesheet.</summary>
    public static RouteGroupBuilder MapInbox(this IEndpointRouteBuilder app)
    {
        // Static and public, so even the refusal of a request from elsewhere is styled.
        app.MapGet(InboxStyles.Path, InboxStyles.Serve).ExcludeFromDescription();
        var inbox = app.MapGroup("").ExcludeFromDescription().AddEndpointFilter(async (context, next) =>
            InboxSecurity.IsLocal(context.HttpContext)
                ? await next(context).ConfigureAwait(false)
                : Page(StatusCodes.Status403Forbidden, "This inbox is local",
                    "The web inbox has no login, so it answers only on the machine coordinator serve runs on, at http://localhost:PORT/. "
                    + "From elsewhere, use the HTTP API under /api with the API key."));
        inbox.MapGet("/", ShowAsync);
        inbox.MapPost(EventsPath, ActAsync);
        inbox.MapPost(InstancesPath, StartAsync);
        return inbox;
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, WorkflowRegistry registry, DurableTaskClient client, CoordinatorService core, INotificationInbox notifications, CancellationToken cancellationToken)
    {
        var person = context.Request.Query["person"].ToString().Trim();
        if (person.Length > MaxPersonIdLength)
            person = person[..MaxPersonIdLength];
        var flash = FlashCookie.Take(context);
        int? reloadAfterSeconds = null;
        if (person.Length == 0 && context.Request.Query[InboxStarts.FollowParameter].ToString().Trim() is { Length: > 0 and <= MaxInstanceIdLength } started)
        {
            var follow = await InboxStarts.FollowAsync(registry, client, started, cancellationToken).ConfigureAwait(false);
            if (follow.RedirectTo is { } target)
            {
                FlashCookie.Set(context, follow.Flash);
                context.Response.Headers.Location = target;
                return Results.StatusCode(StatusCodes.Status303SeeOther);
            }
            flash ??= follow.Flash;
            reloadAfterSeconds = follow.KeepWaiting ? InboxStarts.FollowReloadSeconds : null;
        }
        var directory = await InboxDirectory.LoadAsync(core, person, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Core.Ports.Notification> recent = person.Length == 0 ? [] : await notifications.ForAsync(person, 50, cancellationToken).ConfigureAwait(false);
        var inbox = person.Length == 0
            ? null
            : new PersonInbox(person, directory.KnowsPerson, directory.Steps, directory.Decisions, recent);
        return new RazorComponentResult<InboxView>(new Dictionary<string, object?>
        {
            [nameof(InboxView.People)] = directory.People,
            [nameof(InboxView.Inbox)] = inbox,
            [nameof(InboxView.Workflows)] = registry.All,
            [nameof(InboxView.Running)] = inbox is null ? directory.Running : [],
            [nameof(InboxView.Flash)] = flash,
            [nameof(InboxView.ReloadAfterSeconds)] = reloadAfterSeconds,
        });
    }

    private static async Task<IResult> ActAsync(HttpContext context, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        var (form, refused) = await ReadGenuineFormAsync(context, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
            return refused;

        string Field(string name) => form[name].ToString().Trim();
        var person = Field("person");
        var instanceId = Field("instance");
        var stepId = Field("step");
        var type = Field("type");
        var title = Field("title");
        var back = PersonPath(person);
        if (person.Length == 0 || instanceId.Length == 0 || stepId.Length == 0 || !FormTypes.Contains(type))
            return Page(StatusCodes.Status400BadRequest, "Incomplete form", "The form lacks the person, instance, step or action; open the inbox again and repeat the action.");

        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = type, ["by"] = person };
        foreach (var optional in new[] { "text", "reason", "option" })
        {
            if (Field(optional) is { Length: > 0 } value)
                fields[optional] = value;
        }

        var outcome = await InboxEvents.SendAsync(coordinator, instanceId, stepId, fields, cancellationToken).ConfigureAwait(false);
        FlashCookie.Set(context, outcome.Accepted
            ? new Flash(true, Confirmation(type, title.Length > 0 ? title : stepId, fields) + (outcome.Processed ? "" : " The coordinator is still processing it: reload in a moment."))
            : new Flash(false, "Not accepted: " + outcome.Reason));
        context.Response.Headers.Location = back;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> StartAsync(
        HttpContext context, WorkflowRegistry registry, CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        var (form, refused) = await ReadGenuineFormAsync(context, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
            return refused;

        var workflowId = form["workflow"].ToString().Trim();
        if (registry.Latest(workflowId) is not { } definition)
            return Page(StatusCodes.Status400BadRequest, "Unknown workflow", $"This coordinator serves no workflow '{workflowId}'; open the inbox again and use one of its start forms.");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in form)
        {
            if (name.StartsWith(ContextPrefix, StringComparison.Ordinal) && name.Length > ContextPrefix.Length && values.ToString().Trim() is { Length: > 0 } value)
                fields[name[ContextPrefix.Length..]] = value;
        }

        var outcome = await InboxStarts.StartAsync(
            definition, form["businessKey"].ToString().Trim(), fields, form[InboxStarts.MoreDetailsField].ToString(), coordinator, cancellationToken).ConfigureAwait(false);
        FlashCookie.Set(context, outcome.Flash);
        context.Response.Headers.Location = outcome.RedirectTo;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>
    /// Reads a posted form and checks it carries this browser's antiforgery token and was sent from this
    /// origin; otherwise the page to answer with (and nothing is done).
    /// </summary>
    private static async Task<(IFormCollection Form, IResult? Refused)> ReadGenuineFormAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
            return (FormCollection.Empty, Page(StatusCodes.Status400BadRequest, "Not a form", "Post the inbox's forms from the inbox page."));
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException)
        {
            // Bad framing (Kestrel; an overflowing chunk size is a plain IOException), or what the form reader
            // refuses: more or longer fields than a form may have, a NUL in a value.
            return (FormCollection.Empty, Page(StatusCodes.Status400BadRequest, "The form could not be read",
                $"The form could not be read: {e.Message} Open the inbox again and repeat the action."));
        }
        if (!await InboxSecurity.CarriesTokenAsync(context).ConfigureAwait(false))
        {
            return (form, Page(StatusCodes.Status403Forbidden, "The form has expired",
                "The form did not carry this browser's inbox token (cookies cleared, or it was sent from another site). Open the inbox again and repeat the action."));
        }
        if (!InboxSecurity.SentFromOwnOrigin(context.Request, out var sentFrom))
        {
            return (form, Page(StatusCodes.Status403Forbidden, "The form came from another page",
                $"The form was sent from {sentFrom}, not from this inbox ({InboxSecurity.OwnOrigin(context.Request)}): only the inbox's own pages may post to it. Open the inbox again and repeat the action."));
        }
        return (form, null);
    }

    private static string Confirmation(string type, string title, Dictionary<string, string> fields) => type switch
    {
        "done" => $"“{title}” is done.",
        "progress" => $"Progress note added to “{title}”.",
        "blocked" => $"“{title}” is reported blocked ({fields["reason"]}); the people who decide how to go on have been asked.",
        "decide" when !fields.ContainsKey("option") => $"“{title}” is resumed: it is active again, and its owner can carry on.",
        _ => $"Decision recorded on “{title}”: {fields.GetValueOrDefault("option")}.",
    };

    /// <summary>A refusal page (the security headers are added by <see cref="SecurityHeaders"/>, as on every answer).</summary>
    private static RazorComponentResult<MessagePage> Page(int statusCode, string title, string message) =>
        new(new Dictionary<string, object?> { [nameof(MessagePage.Title)] = title, [nameof(MessagePage.Message)] = message }) { StatusCode = statusCode };
}
