using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Channels;
using Coordinator.Channels.Rendering;
using Coordinator.Channels.Replies;
using Coordinator.Core.Input;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Api;

/// <summary>
/// The OpenAI-compatible chat endpoint: any chat client (Open WebUI, LibreChat, the OpenAI SDKs) is a channel.
/// <c>GET /v1/models</c> lists the one model, <c>coordinator</c>; <c>POST /v1/chat/completions</c> answers the last user
/// message of the conversation as the other channels answer a reply (<see cref="ReplyHandler"/>: the commands, "what is
/// waiting for me?", free text through the topic-guardrail and, with a model, the interpreter with its yes / no), in the
/// chat completions wire format, whole or as server-sent events (<c>stream: true</c>). Each person authenticates with
/// their own bearer key (<c>coordinator people key PERSON</c>), and sees and acts on their own work only. Errors answer in
/// OpenAI's error format (<c>{"error": {"message", "type", "code"}}</c>), which the SDKs turn into their exceptions.
/// </summary>
public static class ChatEndpoints
{
    /// <summary>The one model the endpoint lists and answers as.</summary>
    public const string Model = "coordinator";

    /// <summary>The largest request body read (a long conversation's history fits many times over).</summary>
    public const int MaxBodyBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapChatEndpoint(this IEndpointRouteBuilder app)
    {
        // Described by OpenAI's own specification, not the coordinator's document.
        var v1 = app.MapGroup("/v1").ExcludeFromDescription();
        v1.MapGet("/models", ListModelsAsync);
        v1.MapGet("/models/{model}", GetModelAsync);
        v1.MapPost("/chat/completions", static (HttpContext context) => CompleteAsync(context));
        return app;
    }

    public static async Task ListModelsAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await AuthenticateAsync(context).ConfigureAwait(false) is null)
            return;
        await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(ModelObject()),
        }).ConfigureAwait(false);
    }

    public static async Task GetModelAsync(HttpContext context, string model)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await AuthenticateAsync(context).ConfigureAwait(false) is null)
            return;
        if (model != Model)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, $"The model '{Shorten(model)}' does not exist: this endpoint answers as '{Model}'.", "invalid_request_error", "model_not_found").ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, StatusCodes.Status200OK, ModelObject()).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers a chat completion request with <paramref name="handler"/>, or the host's <see cref="ReplyHandler"/> when
    /// none is given (the Functions app gives one per request: its core needs the trigger's Durable client).
    /// </summary>
    public static async Task CompleteAsync(HttpContext context, ReplyHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } person)
            return;
        var cancellationToken = context.RequestAborted;
        var (request, problem) = await ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            await ErrorAsync(context, problem!.Status, problem.Message, "invalid_request_error", problem.Code, problem.Param).ConfigureAwait(false);
            return;
        }
        handler ??= context.RequestServices.GetService<ReplyHandler>();
        if (handler is null)
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "The chat endpoint is not composed on this host.", "server_error", "unavailable").ConfigureAwait(false);
            return;
        }

        var handling = await handler.HandleAsync(new InboundReply
        {
            Channel = ChannelKind.Chat,
            DeliveryId = request.DeliveryId,
            Sender = person.Id,
            Text = request.Text,
            ReceivedAt = DateTimeOffset.UtcNow,
        }, cancellationToken).ConfigureAwait(false);
        // A chat client cannot be written to first: what was delivered to the person since their last message comes on top.
        var notices = context.RequestServices.GetService<IChatNotices>() is { } unseen
            ? await unseen.TakeAsync(person.Id, NoticeDigest.MaxShown, cancellationToken).ConfigureAwait(false)
            : ChatNotices.None;
        var answer = NoticeDigest.Prepend(notices, person, context.RequestServices.GetRequiredService<MessageRenderer>(), handling.Answer ?? "");
        var id = "chatcmpl-" + request.DeliveryId[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request.Stream)
        {
            await StreamAsync(context, id, created, answer).ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["usage"] = Usage(request.Text, answer),
        }).ConfigureAwait(false);
    }

    /// <summary>The answer as server-sent events: the role, the text in pieces (line by line), the stop, <c>[DONE]</c>.</summary>
    private static async Task StreamAsync(HttpContext context, string id, long created, string answer)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = Model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
        };
        await EventAsync(response, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null)).ConfigureAwait(false);
        foreach (var piece in Pieces(answer))
            await EventAsync(response, Chunk(new JsonObject { ["content"] = piece }, null)).ConfigureAwait(false);
        await EventAsync(response, Chunk([], "stop")).ConfigureAwait(false);
        await response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task EventAsync(HttpResponse response, JsonObject chunk)
    {
        await response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", response.HttpContext.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The answer line by line, each piece keeping its line break, so a client shows it as it comes.</summary>
    internal static IEnumerable<string> Pieces(string answer)
    {
        var start = 0;
        while (start < answer.Length)
        {
            var end = answer.IndexOf('\n', start);
            end = end < 0 ? answer.Length : end + 1;
            yield return answer[start..end];
            start = end;
        }
    }

    private sealed record ChatRequest(string Text, bool Stream, string DeliveryId);

    private sealed record ChatProblem(int Status, string Message, string Code, string? Param = null);

    /// <summary>
    /// The request: its last user message's text (a string, or the text parts of an array), whether to stream, and the
    /// delivery id: the SHA-256 of the person and the whole conversation (or of the <c>Idempotency-Key</c> header when
    /// the client sends one), so a client's retry or "regenerate" of the same conversation raises nothing twice.
    /// </summary>
    private static async Task<(ChatRequest? Request, ChatProblem? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
            return (null, new ChatProblem(StatusCodes.Status413PayloadTooLarge, $"The request body is over {MaxBodyBytes / 1024} KiB.", "request_too_large"));
        JsonNode? body;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                    return (null, new ChatProblem(StatusCodes.Status413PayloadTooLarge, $"The request body is over {MaxBodyBytes / 1024} KiB.", "request_too_large"));
                buffer.Write(chunk, 0, read);
            }
            body = JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            return (null, new ChatProblem(StatusCodes.Status400BadRequest, $"The body is not JSON: {e.Message}", "invalid_json"));
        }
        if (body is not JsonObject root)
            return (null, new ChatProblem(StatusCodes.Status400BadRequest, "The body must be a JSON object with 'model' and 'messages'.", "invalid_request"));
        if (root["model"] is JsonValue modelValue && modelValue.TryGetValue<string>(out var model) && model != Model)
            return (null, new ChatProblem(StatusCodes.Status404NotFound, $"The model '{Shorten(model)}' does not exist: this endpoint answers as '{Model}'.", "model_not_found", "model"));
        if (root["messages"] is not JsonArray { Count: > 0 } messages)
            return (null, new ChatProblem(StatusCodes.Status400BadRequest, "'messages' must be a non-empty array of { role, content }.", "invalid_request", "messages"));
        var last = messages.LastOrDefault(static m => m is JsonObject o && o["role"] is JsonValue r && r.TryGetValue<string>(out var role) && role == "user");
        var text = last?["content"] switch
        {
            JsonValue value when value.TryGetValue<string>(out var s) => s,
            JsonArray parts => string.Join('\n', parts.OfType<JsonObject>()
                .Where(p => p["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "text")
                .Select(p => p["text"] is JsonValue v && v.TryGetValue<string>(out var part) ? part : "")),
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(text))
            return (null, new ChatProblem(StatusCodes.Status400BadRequest, "The conversation has no user message with text to answer.", "invalid_request", "messages"));
        if (TextRules.Validate("content", text, TextKind.Note) is { } bad)
            return (null, new ChatProblem(StatusCodes.Status400BadRequest, bad, "invalid_request", "messages"));
        var stream = root["stream"] is JsonValue streamValue && streamValue.TryGetValue<bool>(out var streaming) && streaming;

        var person = request.HttpContext.Items[PersonItem] as Person;
        var identity = request.Headers["Idempotency-Key"].FirstOrDefault() is { Length: > 0 and <= 200 } key
            ? "key\n" + key
            : "conversation\n" + messages.ToJsonString();
        var deliveryId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(person!.Id + "\n" + identity)));
        return (new ChatRequest(text.Trim(), stream, deliveryId), null);
    }

    private const string PersonItem = "coordinator.chat.person";

    /// <summary>
    /// The person the bearer key opens, or null once the refusal is written (and its <c>webhook.denied</c> row): <c>401</c>
    /// without a key or with an unknown or revoked one, <c>403</c> for a key of someone no longer in the directory,
    /// <c>404</c> when this host has no database (keys live in PostgreSQL).
    /// </summary>
    private static async Task<Person?> AuthenticateAsync(HttpContext context)
    {
        if (context.RequestServices.GetService<IChatKeys>() is not { } keys)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound,
                "The chat endpoint needs the database (its keys are kept in PostgreSQL): set ConnectionStrings__Coordinator.", "invalid_request_error", "chat_unavailable").ConfigureAwait(false);
            return null;
        }
        var header = context.Request.Headers.Authorization.FirstOrDefault();
        var key = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (string.IsNullOrEmpty(key))
        {
            await DeniedAsync(context, "no bearer key").ConfigureAwait(false);
            await UnauthorizedAsync(context, "No chat key: send Authorization: Bearer <key>. A key is created with: coordinator people key <person>.").ConfigureAwait(false);
            return null;
        }
        if (await keys.PersonOfAsync(key, context.RequestAborted).ConfigureAwait(false) is not { } personId)
        {
            await DeniedAsync(context, "an unknown or revoked bearer key").ConfigureAwait(false);
            await UnauthorizedAsync(context, "Incorrect chat key. Ask whoever runs the coordinator for yours (coordinator people key <person>).").ConfigureAwait(false);
            return null;
        }
        if (context.RequestServices.GetRequiredService<IPersonDirectory>().Find(personId) is not { } person)
        {
            await DeniedAsync(context, "the key's person is no longer in the people directory").ConfigureAwait(false);
            await ErrorAsync(context, StatusCodes.Status403Forbidden,
                $"This key is '{personId}''s, who is no longer in the people directory.", "permission_error", "unknown_person").ConfigureAwait(false);
            return null;
        }
        context.Items[PersonItem] = person;
        return person;
    }

    /// <summary>A refused request's <c>webhook.denied</c> audit row (<c>DENY</c>, instance <c>channel:chat</c>): the reason, never the key.</summary>
    private static Task DeniedAsync(HttpContext context, string reason) =>
        context.RequestServices.GetService<ChannelAudit>() is { } audit
            ? audit.DeniedAsync(ChannelKind.Chat, reason, context.RequestAborted)
            : Task.CompletedTask;

    private static Task UnauthorizedAsync(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorAsync(context, StatusCodes.Status401Unauthorized, message, "invalid_request_error", "invalid_api_key");
    }

    private static Task ErrorAsync(HttpContext context, int status, string message, string type, string code, string? param = null) =>
        WriteJsonAsync(context, status, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject ModelObject() => new()
    {
        ["id"] = Model,
        ["object"] = "model",
        ["created"] = 1764547200L,
        ["owned_by"] = "coordinator",
    };

    /// <summary>Rough token counts (a token is about four characters): no model runs here, but clients read the field.</summary>
    private static JsonObject Usage(string prompt, string answer)
    {
        int Tokens(string text) => (text.Length + 3) / 4;
        var (input, output) = (Tokens(prompt), Tokens(answer));
        return new JsonObject { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output };
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..60]}…");
}
