using System.Globalization;
using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels.Replies;

/// <summary>
/// The top of an answer in a channel that cannot be written to first (the chat endpoint): the notifications delivered to
/// the person since their previous message, oldest first, one line each (the message's headline and its reference),
/// then how many older ones there were, then the answer.
/// </summary>
public static class NoticeDigest
{
    /// <summary>The most notifications one answer shows; older unseen ones are counted, and wait in the web inbox.</summary>
    public const int MaxShown = 5;

    public static string Prepend(ChatNotices notices, Person person, MessageRenderer renderer, string answer)
    {
        ArgumentNullException.ThrowIfNull(notices);
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(renderer);
        var lines = notices.Newest
            .Reverse()
            .Select(n => (Notification: n, Message: renderer.Render(n, person)))
            .Where(static m => m.Message is not null)
            .Select(static m => $"• {m.Message!.Headline} · {m.Notification.BusinessKey ?? m.Notification.InstanceId}")
            .ToList();
        if (lines.Count == 0)
            return answer;
        var answers = ReplyAnswers.For(person.Language);
        var top = answers.NewSince + "\n" + string.Join('\n', lines);
        if (notices.Earlier > 0)
            top += "\n" + string.Format(CultureInfo.InvariantCulture, answers.AndEarlier, notices.Earlier);
        return string.IsNullOrEmpty(answer) ? top : top + "\n\n" + answer;
    }
}
