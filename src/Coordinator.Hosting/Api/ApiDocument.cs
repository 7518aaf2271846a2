using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Coordinator.Hosting.Api;

/// <summary>
/// The OpenAPI document at <c>/api/openapi.json</c>: title and description, the API key as a security
/// scheme every operation needs, and per operation its request body and its answers (bodies and
/// problem details), so clients can be generated from it.
/// </summary>
public static class ApiDocument
{
    /// <summary>Where both hosts serve the document.</summary>
    public const string DocumentPath = "/api/openapi.json";
    public const string SecuritySchemeName = "ApiKey";

    /// <summary>How the published document is written: indented, and readable (<c>problem+json</c>, not <c>problem\u002Bjson</c>).</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Registers the document generator with the coordinator's title, description and security scheme.</summary>
    public static IServiceCollection AddCoordinatorOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Coordinator API",
                Version = "v1",
                Description = Describe("Every route needs the API key in the x-coordinator-key header; coordinator serve prints it at start-up."),
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKey.HeaderName,
                Description = "The coordinator's API key (Coordinator:ApiKey, or the one serve generates and keeps in its data folder).",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
            return Task.CompletedTask;
        }));

    /// <summary>The resource name of the published document (<c>Api/openapi.json</c>, what <c>serve</c> generates, checked by a test).</summary>
    private const string PublishedResource = "Coordinator.Hosting.Api.openapi.json";

    /// <summary>
    /// The published document, as <c>coordinator serve</c> generates it (without its <c>servers</c>): the
    /// contract of the API, kept in the repository at <c>src/Coordinator.Hosting/Api/openapi.json</c>.
    /// </summary>
    public static string Published()
    {
        using var stream = typeof(ApiDocument).Assembly.GetManifestResourceStream(PublishedResource)
            ?? throw new InvalidOperationException($"The embedded resource {PublishedResource} is missing from {typeof(ApiDocument).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The published document as the Azure Functions app serves it: the same operations and schemas,
    /// with function keys (header <c>x-functions-key</c>) in place of the coordinator's API key.
    /// </summary>
    public static string ForFunctions() => FunctionsDocument.Value;

    private static readonly Lazy<string> FunctionsDocument = new(WithFunctionKeys);

    /// <summary>The document's description: what the API does, how it is keyed (per host), how it answers errors.</summary>
    private static string Describe(string keys) =>
        "Start workflow instances, follow their steps and report what people did (done, progress, blocked, decide, reassign). "
        + keys + " Errors are RFC 7807 problem details; a 400 names the field at fault in errors. Texts that enter an instance have documented limits"
        + " (ids 200 characters, notes and reasons 4,000, context values 2,000, a start context 32 KiB; no control characters but tabs and line breaks in notes and reasons);"
        + " bodies are UTF-8 JSON objects that give each field once.";

    private static string WithFunctionKeys()
    {
        var document = JsonNode.Parse(Published())!.AsObject();
        document["info"]!["description"] = Describe("Every route but this document needs a function key, in the x-functions-key header or the code query parameter.");
        document["components"]!["securitySchemes"] = new JsonObject
        {
            ["FunctionKey"] = new JsonObject
            {
                ["type"] = "apiKey",
                ["description"] = "An Azure Functions function or host key of the app.",
                ["name"] = "x-functions-key",
                ["in"] = "header",
            },
        };
        document["security"] = new JsonArray(new JsonObject { ["FunctionKey"] = new JsonArray() });
        return document.ToJsonString(WriteOptions);
    }

    /// <summary>The answers every API operation may give: problem details for 401 (no or wrong key).</summary>
    internal static RouteHandlerBuilder DescribedAsApi(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>An operation that takes a JSON body: 400 naming the field, 413 over 256 KiB.</summary>
    internal static RouteHandlerBuilder TakesJson<TRequest>(this RouteHandlerBuilder endpoint)
        where TRequest : notnull =>
        endpoint.Accepts<TRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
}
