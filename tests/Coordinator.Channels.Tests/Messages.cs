using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels.Tests;

/// <summary>The notifications the channel tests send: a step assigned (as an outbox row) and a numbered reminder.</summary>
internal static class Messages
{
    /// <summary>The IT set-up assigned to <paramref name="personId"/>, claimed from the outbox for <paramref name="channel"/>.</summary>
    public static ChannelSend TaskSend(ChannelKind channel, string address, long id = 1, string personId = "it.engineer", string businessKey = "ACME <42> & Co") => new()
    {
        Id = id,
        PersonId = personId,
        Channel = channel,
        Address = address,
        Attempts = 1,
        Notification = new Notification
        {
            IdempotencyKey = "i-1:000004:step.activated:it-setup",
            InstanceId = "i-1",
            WorkflowId = "b2b-onboarding",
            WorkflowTitle = "B2B customer onboarding",
            BusinessKey = businessKey,
            StepTitle = "IT set-up",
            Recipients = [personId],
            Action = new CoordinationAction
            {
                Type = CoordinationActionType.StepActivated,
                At = new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero),
                Sequence = 4,
                Key = "000004:step.activated:it-setup",
                StepId = "it-setup",
                To = [personId],
                Due = new DateTimeOffset(2026, 6, 8, 15, 0, 0, TimeSpan.Zero),
            },
        },
    };

    /// <summary>Reminder number <paramref name="sequence"/> of the IT set-up, for <paramref name="person"/> (in an instance of their own).</summary>
    public static Notification Reminder(int sequence, string person) => new()
    {
        IdempotencyKey = $"i-{person}:{sequence:D6}:reminder:it-setup",
        InstanceId = "i-" + person,
        WorkflowId = "b2b-onboarding",
        WorkflowTitle = "B2B customer onboarding",
        BusinessKey = $"ACME-{sequence}",
        StepTitle = "IT set-up",
        Recipients = [person],
        Action = new CoordinationAction
        {
            Type = CoordinationActionType.Reminder,
            At = DateTimeOffset.UtcNow,
            Sequence = sequence,
            Key = $"{sequence:D6}:reminder:it-setup",
            StepId = "it-setup",
            To = [person],
            Due = DateTimeOffset.UtcNow.AddDays(2),
        },
    };
}
