using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coordinator.Hosting.Api;

/// <summary>
/// Binds a request body to its request record, for both hosts (the Functions app hands its triggers
/// the same <see cref="HttpRequest"/>): at most <see cref="MaxBytes"/> (413), one JSON object of valid
/// Unicode text that gives each field once, only the record's members (an unknown one is refused by
/// name), each of its member's type. Every refusal is a <c>400</c> problem whose <c>errors</c> name the field.
/// </summary>
public static class JsonBody
{
    /// <summary>Largest accepted request body.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>How request records are read: camelCase names, no member the record lacks, no field twice.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Reads the body as a <typeparamref name="T"/>; the problem to answer instead when it is not one.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var (body, problem) = await ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return (null, problem);
        foreach (var property in body!.Value.EnumerateObject())
        {
            if (!Shape<T>.Members.ContainsKey(property.Name))
                return (null, Invalid(property.Name, $"Unknown field '{property.Name}'; the body has {Shape<T>.Names}."));
        }
        foreach (var (name, message) in Shape<T>.Required)
        {
            if (!body.Value.TryGetProperty(name, out _))
                return (null, Invalid(name, message));
        }
        try
        {
            return (body.Value.Deserialize(Shape<T>.Info), null);
        }
        catch (JsonException e)
        {
            if (e is JsonFieldException named)
                return (null, Invalid(named.Field, named.Message));
            var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            var expected = Shape<T>.Members.TryGetValue(field.Split('.', '[')[0], out var member) ? member : null;
            return (null, Invalid(field, expected is null
                ? $"{field} is not what the body may hold: {e.Message}"
                : $"{field} must be {expected}."));
        }
    }

    /// <summary>The body as one JSON object: refuses bodies over <see cref="MaxBytes"/> (413), bad framing and bad JSON (400).</summary>
    public static async Task<(JsonElement? Body, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
            return (null, TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                    return (null, TooLarge());
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            // Bad framing (chunk sizes, a body shorter than its Content-Length): Kestrel's reason, as a 400.
            // Kestrel reports a chunk size that overflows as a plain IOException; so does a client that went
            // away, which is past hearing any answer.
            return (null, TypedResults.Problem(statusCode: e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest,
                title: "Unreadable request body", detail: $"The request body could not be read: {e.Message} Send a well-formed HTTP request."));
        }
        if (buffer.Length == 0)
            return (null, Invalid("body", "The request needs a JSON object body."));
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, Invalid("body", "The body must be a JSON object."));
            if (CheckStrings(document.RootElement, "body") is { } bad)
                return (null, bad);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (null, Invalid("body", $"The body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>
    /// A 400 problem naming <paramref name="field"/> in <c>errors</c> (the shape of a validation problem,
    /// as a <see cref="ProblemHttpResult"/> so that every refusal of a handler is one result type).
    /// </summary>
    public static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Invalid request",
            Detail = message,
        });

    /// <summary>
    /// Refuses what <see cref="JsonDocument"/> accepts but no handler can read: a string or field name
    /// that is not valid UTF-8, or whose escapes make a lone surrogate (<c>"\ud800"</c>), and a field given
    /// twice in one object (which one would count?). The problem names the field: <c>text</c>,
    /// <c>context.deal_owner</c>; <c>body</c> for a field name at the top.
    /// </summary>
    private static ProblemHttpResult? CheckStrings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Invalid(path, $"A field name in {path} {NotText(JsonMarshal.GetRawUtf8PropertyName(property))}");
                    }
                    var field = path == "body" ? name : $"{path}.{name}";
                    if (!names.Add(name))
                        return Invalid(field, $"{field} is given twice; send each field once.");
                    if (CheckStrings(property.Value, field) is { } problem)
                        return problem;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (CheckStrings(item, $"{path}[{index++}]") is { } problem)
                        return problem;
                }
                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return Invalid(path, $"{path} {NotText(JsonMarshal.GetRawUtf8Value(element))}");
                }
            default:
                return null;
        }
    }

    /// <summary>Why a JSON string that does not decode is not text: raw bytes that are not UTF-8, or (valid bytes, so) an escaped lone surrogate.</summary>
    private static string NotText(ReadOnlySpan<byte> raw) => Utf8.IsValid(raw)
        ? "contains a lone surrogate escape (such as \\ud800 without the \\udc00-\\udfff that must follow it): it is not valid Unicode text."
        : "is not valid UTF-8; send JSON bodies as UTF-8 text.";

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
        detail: $"Request bodies are limited to {MaxBytes / 1024} KiB.");

    /// <summary>A request record's contract: its members by JSON name, each with what its value must be (for the 400s).</summary>
    private static class Shape<T>
    {
        public static readonly JsonTypeInfo<T> Info = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

        public static readonly IReadOnlyDictionary<string, string> Members =
            Info.Properties.ToDictionary(static p => p.Name, static p => Expected(p.PropertyType), StringComparer.Ordinal);

        /// <summary>The members a body must give, each with the 400's message when it does not: "type is required: done, progress, ...".</summary>
        public static readonly IReadOnlyList<(string Name, string Message)> Required = [.. Info.Properties.Where(static p => p.IsRequired).Select(static p =>
            (p.Name, p.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false) is [DescriptionAttribute { Description: { Length: > 0 } what }, ..]
                ? $"{p.Name} is required: {char.ToLowerInvariant(what[0])}{what[1..]}"
                : $"{p.Name} is required."))];

        /// <summary>The members, for a sentence: <c>'businessKey' and 'context'</c>.</summary>
        public static readonly string Names = Info.Properties.Count == 1
            ? $"'{Info.Properties[0].Name}'"
            : $"{string.Join(", ", Info.Properties.SkipLast(1).Select(static p => $"'{p.Name}'"))} and '{Info.Properties[^1].Name}'";

        private static string Expected(Type type) =>
            (Nullable.GetUnderlyingType(type) ?? type) switch
            {
                var t when t == typeof(string) => "a string",
                var t when t == typeof(bool) => "true or false",
                var t when t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(decimal) => "a number",
                var t when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) => "a JSON object of field names to values",
                _ => "a JSON value of the documented type",
            };
    }
}

/// <summary>A member's own reason a value is wrong, thrown by a request record's converter, naming the field as the API does (<c>context.deal_owner</c>).</summary>
public sealed class JsonFieldException(string field, string message) : JsonException(message)
{
    public string Field { get; } = field;
}
