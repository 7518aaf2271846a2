using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Coordinator.Hosting.Api;

/// <summary>The API key that protects every non-webhook route (header <c>x-coordinator-key</c>).</summary>
public sealed class ApiKey(string value)
{
    public const string HeaderName = "x-coordinator-key";

    public string Value { get; } = string.IsNullOrWhiteSpace(value)
        ? throw new ArgumentException("The API key must not be empty.", nameof(value))
        : value;

    /// <summary>Constant-time comparison of a presented key.</summary>
    public bool Matches(string? presented) =>
        presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Value));

    /// <summary>
    /// The configured key, else the one kept in <paramref name="dataPath"/>, else a new random key
    /// written there (mode 600) so it survives restarts. <paramref name="generated"/> tells whether
    /// the key comes from the data folder rather than configuration.
    /// </summary>
    public static ApiKey Resolve(string? configured, string dataPath, out bool generated)
    {
        generated = false;
        if (!string.IsNullOrWhiteSpace(configured))
            return new ApiKey(configured.Trim());
        generated = true;
        var file = Path.Combine(dataPath, "api-key");
        if (File.Exists(file))
        {
            var kept = File.ReadAllText(file).Trim();
            if (kept.Length > 0)
                return new ApiKey(kept);
        }
        Directory.CreateDirectory(dataPath);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(file, key + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new ApiKey(key);
    }
}

/// <summary>Refuses requests without the right API key with 401 problem details.</summary>
public sealed class ApiKeyFilter(ApiKey key) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!key.Matches(context.HttpContext.Request.Headers[ApiKey.HeaderName]))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Missing or wrong API key",
                detail: $"Send the coordinator's API key in the '{ApiKey.HeaderName}' header. 'coordinator serve' prints it at start-up.");
        }
        return await next(context).ConfigureAwait(false);
    }
}
