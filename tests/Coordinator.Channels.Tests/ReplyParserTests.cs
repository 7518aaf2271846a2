using Coordinator.Channels.Replies;

namespace Coordinator.Channels.Tests;

public sealed class ReplyParserTests
{
    [Theory]
    [InlineData("done", ReplyCommand.Done, null)]
    [InlineData("Done!", ReplyCommand.Done, null)]
    [InlineData("  DONE.  ", ReplyCommand.Done, null)]
    [InlineData("fatto", ReplyCommand.Done, null)]
    [InlineData("Fatta.", ReplyCommand.Done, null)]
    [InlineData("done: contract countersigned", ReplyCommand.Done, "contract countersigned")]
    [InlineData("fatto - migrazione conclusa", ReplyCommand.Done, "migrazione conclusa")]
    [InlineData("blocked: waiting for the customer's SSO choice", ReplyCommand.Blocked, "waiting for the customer's SSO choice")]
    [InlineData("Blocked:waiting", ReplyCommand.Blocked, "waiting")]
    [InlineData("bloccato: il cliente non ha scelto tra Okta ed Entra", ReplyCommand.Blocked, "il cliente non ha scelto tra Okta ed Entra")]
    [InlineData("Bloccata — manca il contratto firmato", ReplyCommand.Blocked, "manca il contratto firmato")]
    [InlineData("blocked", ReplyCommand.BlockedWithoutReason, null)]
    [InlineData("bloccato:", ReplyCommand.BlockedWithoutReason, null)]
    [InlineData("note: called the customer, answer tomorrow", ReplyCommand.Note, "called the customer, answer tomorrow")]
    [InlineData("nota: sentito il cliente", ReplyCommand.Note, "sentito il cliente")]
    [InlineData("2", ReplyCommand.Choice, "2")]
    [InlineData("#3", ReplyCommand.Choice, "3")]
    [InlineData(" 1. ", ReplyCommand.Choice, "1")]
    [InlineData("option extend-sso", ReplyCommand.Option, "extend-sso")]
    [InlineData("Opzione go_live.later", ReplyCommand.Option, "go_live.later")]
    [InlineData("help", ReplyCommand.Help, null)]
    [InlineData("Aiuto!", ReplyCommand.Help, null)]
    [InlineData("?", ReplyCommand.Help, null)]
    [InlineData("list", ReplyCommand.List, null)]
    [InlineData("What is waiting for me?", ReplyCommand.List, null)]
    [InlineData("what’s waiting for me", ReplyCommand.List, null)]
    [InlineData("Elenco", ReplyCommand.List, null)]
    [InlineData("cosa mi aspetta?", ReplyCommand.List, null)]
    [InlineData("Why is the claim 2024-0847 blocked?", ReplyCommand.Status, "the claim 2024-0847")]
    [InlineData("why is D-1001 still stuck", ReplyCommand.Status, "D-1001")]
    [InlineData("status D-1001", ReplyCommand.Status, "D-1001")]
    [InlineData("Status of ACME-7?", ReplyCommand.Status, "ACME-7")]
    [InlineData("where is D-1001 at?", ReplyCommand.Status, "D-1001")]
    [InlineData("what's the status of claim 2024-0847?", ReplyCommand.Status, "claim 2024-0847")]
    [InlineData("Perché la pratica 2024-0847 è bloccata?", ReplyCommand.Status, "la pratica 2024-0847")]
    [InlineData("a che punto è D-1001?", ReplyCommand.Status, "D-1001")]
    [InlineData("stato: D-1001", ReplyCommand.Status, "D-1001")]
    public void Parse_Commands_InEnglishAndItalian(string text, ReplyCommand command, string? argument)
    {
        var reply = ReplyParser.Parse(text);

        Assert.Equal(command, reply.Command);
        Assert.Equal(argument, reply.Argument);
    }

    [Theory]
    [InlineData("still waiting for the customer to choose between Okta and Entra")]
    [InlineData("ho finito la migrazione")]
    [InlineData("done with the first half")] // no separator: not the command, nothing is guessed
    [InlineData("note")] // a note without its text
    [InlineData("help me please")]
    [InlineData("123")] // not the number of a choice (at most 99)
    [InlineData("option")]
    [InlineData("status")] // a status question without its reference
    [InlineData("why is this so hard")] // a "why" that asks about no block
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_FreeText_IsUnknown(string text)
    {
        Assert.Equal(ReplyCommand.Unknown, ReplyParser.Parse(text).Command);
    }

    [Theory]
    [InlineData("mark D-1001 IT set-up done", "D-1001 IT set-up")]
    [InlineData("Mark ACME-9 as complete.", "ACME-9")]
    [InlineData("segna D-1001 come fatto", "D-1001")]
    [InlineData("segna la migrazione completata", "la migrazione")]
    public void Parse_MarkDone_IsADoneNamingItsItem(string text, string target)
    {
        var reply = ReplyParser.Parse(text);

        Assert.Equal((ReplyCommand.Done, null, target), (reply.Command, reply.Argument, reply.Target));
    }

    [Fact]
    public void Parse_Choice_CarriesItsNumber()
    {
        Assert.Equal(2, ReplyParser.Parse("2").Number);
        Assert.Null(ReplyParser.Parse("done").Number);
    }
}
