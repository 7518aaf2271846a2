using System.Security.Cryptography;
using System.Text;

namespace Coordinator.Application;

/// <summary>
/// Instance ids: <c>{workflow}.{business key}</c> when the business key is a plain token, else
/// <c>{workflow}.{sha256 prefix}</c>; a random suffix when there is no business key. The id is a
/// function of (workflow, business key), so starting the same pair twice finds the same instance.
/// </summary>
public static class InstanceIds
{
    public static string For(string workflowId, string? businessKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        if (string.IsNullOrEmpty(businessKey))
            return $"{workflowId}.{Guid.NewGuid():N}";
        var plain = businessKey.Length <= 64 && businessKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        return plain
            ? $"{workflowId}.{businessKey}"
            : $"{workflowId}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(businessKey)))[..32]}";
    }

    /// <summary>The prefix every instance of a workflow has.</summary>
    public static string PrefixOf(string workflowId) => workflowId + ".";
}
