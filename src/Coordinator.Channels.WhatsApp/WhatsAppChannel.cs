using System.Globalization;
using System.Net;
using System.Text.Json;
using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Coordinator.Channels.WhatsApp;

/// <summary>
/// WhatsApp through Twilio's Messages resource, with the Twilio package on a client of <see cref="IHttpClientFactory"/>:
/// <c>POST /2010-04-01/Accounts/{AccountSid}/Messages.json</c> with <c>To=whatsapp:+...</c>, <c>From</c> and
/// <c>Body</c> (the text with its numbered choices, since WhatsApp free-form text has no buttons), or the kind's
/// <c>ContentSid</c> and <c>ContentVariables</c> when a content template is configured for it. The message's
/// <c>Sid</c> is the receipt. WhatsApp has no threads: a reply answers the latest message sent to that person.
/// </summary>
public sealed class WhatsAppChannel(IHttpClientFactory clients, IOptions<WhatsAppOptions> options) : IChannel
{
    /// <summary>The name of the client of <see cref="IHttpClientFactory"/> (the rewriting handler, resilience).</summary>
    public const string HttpClientName = "Coordinator.Twilio";

    /// <summary>Twilio's error codes (https://www.twilio.com/docs/api/errors) that another try will not fix: the message is given up.</summary>
    private static readonly Dictionary<int, string> Refusals = new()
    {
        [21211] = "the 'To' number is not a valid phone number",
        [21408] = "sending to this region is not enabled on the account",
        [21610] = "the person has opted out (replied STOP)",
        [21612] = "the 'To' number cannot be reached",
        [21614] = "the 'To' number is not a mobile number",
        [63003] = "the 'To' number is not on WhatsApp",
        [63016] = "outside WhatsApp's 24-hour window free-form text is not delivered; configure a content template (ContentSids) for this kind",
        [63024] = "the 'To' number is not a valid WhatsApp recipient",
    };

    /// <summary>Codes that mean this host's settings are wrong, not the message.</summary>
    private static readonly Dictionary<int, string> Misconfigured = new()
    {
        [20003] = "Twilio refused the credentials (20003 Authenticate): check Coordinator__Channels__WhatsApp__AccountSid and Coordinator__Channels__WhatsApp__AuthToken (Twilio Console → Account Info); a rotated Auth Token must be set here too.",
        [20404] = "Twilio does not know the account (20404): check Coordinator__Channels__WhatsApp__AccountSid.",
        [21212] = "Twilio refused the sender (21212 invalid From): check Coordinator__Channels__WhatsApp__From (whatsapp:+E.164).",
        [21606] = "Twilio refused the sender (21606: the From number is not one of the account's): check Coordinator__Channels__WhatsApp__From.",
        [63007] = "Twilio has no WhatsApp channel for the sender (63007): check Coordinator__Channels__WhatsApp__From against the approved WhatsApp sender (or the sandbox's whatsapp:+14155238886).",
    };

    public ChannelKind Kind => ChannelKind.WhatsApp;

    public ChannelLimits Limits { get; } = new(
        options.Value.PerConversationPerSecond, options.Value.ConversationBurst, options.Value.PerSenderPerSecond, options.Value.SenderBurst);

    public async Task<ChannelReceipt> SendAsync(ChannelSend send, Person recipient, RenderedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(message);
        var create = Message(send.Address, message, options.Value);
        var sid = await CreateAsync(create, send.Address, cancellationToken).ConfigureAwait(false);
        return new ChannelReceipt(sid, null);
    }

    /// <summary>Answers the person who wrote: a free-form message (they just wrote, so WhatsApp's 24-hour window is open).</summary>
    public async Task AnswerAsync(InboundReply reply, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(text);
        var to = reply.Conversation ?? reply.Sender;
        var create = new CreateMessageOptions(new PhoneNumber(WhatsAppAddress(to))) { From = new PhoneNumber(options.Value.From), Body = text };
        await CreateAsync(create, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Messages resource's parameters for one rendered message.</summary>
    internal static CreateMessageOptions Message(string address, RenderedMessage message, WhatsAppOptions options)
    {
        var create = new CreateMessageOptions(new PhoneNumber(WhatsAppAddress(address))) { From = new PhoneNumber(options.From) };
        var words = Vocabulary.For(message.Language);
        if (options.ContentSidFor(message.Kind) is { } contentSid)
        {
            create.ContentSid = contentSid;
            create.ContentVariables = ContentVariables(message, words);
        }
        else
        {
            create.Body = Body(message, words);
        }
        return create;
    }

    /// <summary>Twilio's longest message body (error 21617 beyond it).</summary>
    internal const int MaxBody = 1600;

    /// <summary>The text with its numbered choices; a text too long for Twilio is shortened, the choices kept whole.</summary>
    internal static string Body(RenderedMessage message, Vocabulary words)
    {
        var body = message.TextWithNumberedChoices(words.ReplyWithNumber);
        if (body.Length <= MaxBody)
            return body;
        var choices = body[message.Text.Length..];
        var room = Math.Max(0, MaxBody - choices.Length - 1);
        return message.Text[..Math.Min(room, message.Text.Length)].TrimEnd() + "…" + choices;
    }

    /// <summary>
    /// A content template's variables: <c>1</c> the headline, <c>2</c> the facts, <c>3</c> the numbered choices and the
    /// reply hint. WhatsApp refuses new lines and tabs in template variables, so each is one line.
    /// </summary>
    internal static string ContentVariables(RenderedMessage message, Vocabulary words)
    {
        var facts = string.Join(" · ", message.Facts.Select(f => $"{f.Key}: {f.Value}"));
        var choices = message.Actions.Count == 0 ? "" : string.Join(" · ", message.Actions.Select(a => $"{a.Number}. {a.Label}")) + " · " + words.ReplyWithNumber;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["1"] = OneLine(message.Headline.Trim('*')),
            ["2"] = OneLine(facts.Length == 0 ? "-" : facts),
            ["3"] = OneLine(choices.Length == 0 ? "-" : choices),
        };
        return JsonSerializer.Serialize(variables);
    }

    /// <summary><c>whatsapp:+39...</c> for a number of the directory (written with or without the prefix).</summary>
    internal static string WhatsAppAddress(string address) =>
        address.StartsWith("whatsapp:", StringComparison.OrdinalIgnoreCase) ? "whatsapp:" + address["whatsapp:".Length..] : "whatsapp:" + address;

    private async Task<string> CreateAsync(CreateMessageOptions create, string to, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var call = new TwilioCall(cancellationToken);
        TwilioApiHandler.Begin(call);
        var client = new TwilioRestClient(settings.AccountSid, settings.AuthToken, settings.AccountSid,
            httpClient: new SystemNetHttpClient(clients.CreateClient(HttpClientName)));
        try
        {
            var resource = await MessageResource.CreateAsync(create, client).ConfigureAwait(false);
            return resource.Sid is { Length: > 0 } sid ? sid : throw new HttpRequestException("Twilio answered without the message's sid.");
        }
        catch (ApiException e)
        {
            throw Failure(call, e.Code, e.Status, e.Message, to, e);
        }
        catch (ApiConnectionException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException($"Twilio could not be reached: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (TwilioException e)
        {
            throw Failure(call, 0, 0, e.Message, to, e);
        }
    }

    /// <summary>What a refusal of Twilio's means for the outbox: wait, give up, fix the settings, or try later.</summary>
    private static Exception Failure(TwilioCall call, int code, int status, string message, string to, Exception inner)
    {
        var http = call.Status is { } seen ? (int)seen : status;
        if (http == (int)HttpStatusCode.TooManyRequests || code == 20429)
            return new ChannelRateLimitedException(call.RetryAfter ?? TimeSpan.FromSeconds(1));
        if (code == 63018) // the sender's, not the conversation's: its throughput, or WhatsApp's daily limit of business-initiated conversations
            return new HttpRequestException(string.Create(CultureInfo.InvariantCulture,
                $"Twilio: 63018, the WhatsApp sender is over its rate or WhatsApp's messaging limit (business-initiated conversations per 24 hours); the message is tried again later ({message})."), inner);
        if (Misconfigured.TryGetValue(code, out var fix))
            return new InvalidOperationException(fix, inner);
        if (http == (int)HttpStatusCode.Unauthorized)
            return new InvalidOperationException(Misconfigured[20003], inner);
        if (Refusals.TryGetValue(code, out var why))
            return new ChannelRefusedException(string.Create(CultureInfo.InvariantCulture, $"Twilio refused the WhatsApp message to {to}: {code}, {why} ({message})."), inner);
        if (http >= 500 || http == 0)
            return new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"Twilio answered {http}: {message}"), inner, http == 0 ? null : (HttpStatusCode)http);
        return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Twilio answered {http}, error {code}: {message} (https://www.twilio.com/docs/errors/{code})."), inner);
    }

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        while (line.Contains("     ", StringComparison.Ordinal))
            line = line.Replace("     ", " ", StringComparison.Ordinal);
        return line;
    }
}
