using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Coordinator.Functions.Tests.Support;

/// <summary>An HTTP function's answer after its <see cref="IResult"/> was executed against a real response.</summary>
public sealed record ApiResponse(int StatusCode, JsonElement Body, IHeaderDictionary Headers)
{
    /// <summary>The message a validation problem gives for <paramref name="field"/>; fails when the field is not named.</summary>
    public string ErrorFor(string field)
    {
        if (Body.ValueKind != JsonValueKind.Object || !Body.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(field, out var messages))
            throw new Xunit.Sdk.XunitException($"Expected a validation error for '{field}', got: {Body}");
        return messages[0].GetString()!;
    }
}

/// <summary>Builds requests the way the Functions host hands them to HTTP triggers, and runs the results.</summary>
public static class HttpCall
{
    public static HttpRequest Request(IServiceProvider services, string method, string path, string? json = null, string? query = null)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        var request = context.Request;
        request.Method = method;
        request.Scheme = "http";
        request.Host = new HostString("localhost", 7071);
        request.Path = path;
        if (query is not null)
            request.QueryString = new QueryString(query);
        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            request.ContentType = "application/json";
            request.ContentLength = bytes.Length;
            request.Body = new MemoryStream(bytes);
        }
        context.Response.Body = new MemoryStream();
        return request;
    }

    public static async Task<ApiResponse> RunAsync(IResult result, HttpRequest request)
    {
        var (response, text) = await RunForTextAsync(result, request);
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiResponse(response.StatusCode, body, response.Headers);
    }

    /// <summary>Runs the result and returns the response with its body as text (for answers that are not JSON, such as CSV).</summary>
    public static async Task<(HttpResponse Response, string Body)> RunForTextAsync(IResult result, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(request);
        var response = request.HttpContext.Response;
        await result.ExecuteAsync(request.HttpContext);
        response.Body.Position = 0;
        return (response, await new StreamReader(response.Body).ReadToEndAsync());
    }
}
