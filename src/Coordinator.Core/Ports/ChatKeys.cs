using System.Security.Cryptography;
using System.Text;

namespace Coordinator.Core.Ports;

/// <summary>
/// The per-person bearer keys of the OpenAI-compatible chat endpoint. A key is shown once, when it is created; only its
/// SHA-256 is kept, so a stolen copy of the store opens nothing, and every host accepts a new key at once.
/// </summary>
public interface IChatKeys
{
    /// <summary>Creates a key for <paramref name="personId"/> and returns it (the only time it is ever seen).</summary>
    Task<string> CreateAsync(string personId, CancellationToken cancellationToken = default);

    /// <summary>The person whose key <paramref name="key"/> is, or null when no such key exists (or it was revoked).</summary>
    Task<string?> PersonOfAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Revokes every key of <paramref name="personId"/> at once (on every host) and answers how many were still valid.</summary>
    Task<int> RevokeAsync(string personId, CancellationToken cancellationToken = default);
}

/// <summary>
/// The notifications a person has not yet seen through the chat endpoint: a chat client cannot be written to first, so
/// the next answer begins with what was delivered to the person since their previous one. Each is shown once, across
/// hosts: taking them moves the person's mark past them in the same transaction.
/// </summary>
public interface IChatNotices
{
    /// <summary>
    /// The newest <paramref name="limit"/> notifications delivered to <paramref name="personId"/> after their mark, newest
    /// first, and how many older unseen ones there were beyond them; the mark moves past all of them. A person without a
    /// mark gets one now, and nothing from before it.
    /// </summary>
    Task<ChatNotices> TakeAsync(string personId, int limit, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IChatNotices.TakeAsync"/> found: the notifications to show, newest first, and how many more there were.</summary>
public sealed record ChatNotices(IReadOnlyList<Notification> Newest, int Earlier)
{
    public static ChatNotices None { get; } = new([], 0);
}

/// <summary>How chat keys look and are hashed.</summary>
public static class ChatKey
{
    /// <summary>Every key starts with this, so a leaked one is recognisable (secret scanners, logs).</summary>
    public const string Prefix = "ck_";

    /// <summary>A new key: the prefix and 32 random bytes, Base64url.</summary>
    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>What the store keeps: the key's SHA-256.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key ?? ""));

    /// <summary>Whether <paramref name="text"/> has the shape of a key (checked before any lookup).</summary>
    public static bool LooksLikeKey(string? text) =>
        text is { Length: > 10 and < 100 } && text.StartsWith(Prefix, StringComparison.Ordinal) && !text.AsSpan(Prefix.Length).ContainsAnyExcept(KeyCharacters);

    private static readonly System.Buffers.SearchValues<char> KeyCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
