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
    public const string Path = "/api/openapi.json";
    public const string SecuritySchemeName = "ApiKey";

    /// <summary>Registers the document generator with the coordinator's title, description and security scheme.</summary>
    public static IServiceCollection AddCoordinatorOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Coordinator API",
                Version = "v1",
                Description = "Start workflow instances, follow their steps and report what people did (done, progress, blocked, decide, reassign). "
                    + "Every route needs the API key in the x-coordinator-key header; coordinator serve prints it at start-up. "
                    + "Errors are RFC 7807 problem details; a 400 names the field at fault in errors.",
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
