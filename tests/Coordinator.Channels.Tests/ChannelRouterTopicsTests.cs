using Coordinator.Core.People;

namespace Coordinator.Channels.Tests;

/// <summary>What the drafter's guardrail keeps a message on: the workflow, the step and the topics the workflow declares.</summary>
public sealed class ChannelRouterTopicsTests
{
    [Fact]
    public void TopicsOf_WorkflowDeclaringTopics_AddsThemToTheWorkflowAndTheStep_OnceEach()
    {
        var notification = Messages.TaskSend(ChannelKind.Slack, "U1").Notification with { Topics = ["single sign-on", "it set-up"] };

        Assert.Equal(["B2B customer onboarding", "IT set-up", "single sign-on"], ChannelRouter.TopicsOf(notification));
    }

    [Fact]
    public void TopicsOf_NoDeclaredTopics_IsTheWorkflowAndTheStep()
    {
        var notification = Messages.TaskSend(ChannelKind.Slack, "U1").Notification with { StepTitle = null };

        Assert.Equal(["B2B customer onboarding"], ChannelRouter.TopicsOf(notification));
        Assert.Equal(["B2B customer onboarding", "IT set-up"], ChannelRouter.TopicsOf(Messages.TaskSend(ChannelKind.Slack, "U1").Notification));
    }
}
