using Coordinator.Core.Definitions;
using Coordinator.Core.People;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Coordinator.Core.Tests.Definitions;

/// <summary>
/// Property: whatever happens to a definition file (lines deleted or duplicated, characters swapped,
/// indentation changed, truncation, random tokens inserted), the loader returns a result and never
/// throws; a result that is not a success carries at least one error, and every location is inside the file.
/// </summary>
public sealed class LoaderRobustnessTests
{
    private static readonly string[] Tokens =
    [
        ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "\"", "'", "#", "&a ", "*a", "!!int ", "!x ", "---\n", "...\n", "? ",
        "|", ">", "~", "null", "0", "-1", "99999999999999999999", "1M", "P1Y", "PT", "2d", "lead", "owner", "process_owner",
        "decision", "none", "\t", "\n", "\r\n", "\r", "  ", "\0", "\uFEFF", "\uD83D\uDE42", "\uD800", "%YAML 1.1\n", "<<: *a\n",
        "id: x\n", "steps: []\n", "after: [", "when: { decision: ", "\\u0000", "\"\\ud800\"",
    ];

    private static readonly (string Text, string Name)[] Inputs = BuildInputs();

    private static (string, string)[] BuildInputs()
    {
        var yaml = RepoPaths.SampleDefinitionFiles.ToList();
        var samples = yaml.Select(f => (File.ReadAllText(f), Path.GetFileName(f))).ToList();
        var json = samples.Select(s => (DefinitionJson.Canonical(WorkflowLoader.LoadText(s.Item1, s.Item2).Definition!), Path.ChangeExtension(s.Item2, ".json")));
        var pretty = samples.Select(s => (SampleDefinitionTests.YamlToJson(s.Item1), Path.ChangeExtension(s.Item2, ".pretty.json")));
        return [.. samples, .. json, .. pretty];
    }

    internal sealed record Mutation(int Kind, int Position, int Amount, string Token)
    {
        public string Apply(string text)
        {
            if (text.Length == 0)
                return Token;
            var lines = text.Split('\n').ToList();
            var line = Position % lines.Count;
            var at = Position % text.Length;
            switch (Kind)
            {
                case 0: // delete lines
                    lines.RemoveRange(line, Math.Min(Amount, lines.Count - line));
                    return string.Join('\n', lines);
                case 1: // duplicate a line
                    lines.Insert(line, lines[line]);
                    return string.Join('\n', lines);
                case 2: // swap two neighbouring characters
                    if (at + 1 >= text.Length)
                        return text;
                    var chars = text.ToCharArray();
                    (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
                    return new string(chars);
                case 3: // change the indentation of a line
                    var trimmed = lines[line].TrimStart(' ');
                    var indent = lines[line].Length - trimmed.Length;
                    lines[line] = new string(' ', Math.Max(0, indent + (Position % 2 == 0 ? Amount : -Amount))) + trimmed;
                    return string.Join('\n', lines);
                case 4: // truncate
                    return text[..at];
                default: // insert a token
                    return text.Insert(at, Token);
            }
        }
    }

    internal sealed record Case(int Input, Mutation[] Mutations)
    {
        public string Name => Inputs[Input].Name;

        public string Text => Mutations.Aggregate(Inputs[Input].Text, (text, m) => m.Apply(text));

        public override string ToString() => $"{Name} with {string.Join(", ", Mutations.Select(m => m.ToString()))}";
    }

    private static readonly Gen<Mutation> MutationGen =
        from kind in Gen.Choose(0, 5)
        from position in Gen.Choose(0, int.MaxValue)
        from amount in Gen.Choose(1, 6)
        from token in Gen.Elements(Tokens)
        select new Mutation(kind, position, amount, token);

    private static readonly Gen<Case> CaseGen =
        from input in Gen.Choose(0, Inputs.Length - 1)
        from count in Gen.Choose(1, 6)
        from mutations in Gen.ArrayOf(MutationGen, count)
        select new Case(input, mutations);

    [Property(MaxTest = 3000)]
    public Property LoadText_RandomMutationsOfSamples_AlwaysReturnAResult() =>
        Prop.ForAll(Arb.From(CaseGen), c =>
        {
            var text = c.Text;
            var result = WorkflowLoader.LoadText(text, c.Name);
            // YAML also breaks lines at \r, NEL and the Unicode line and paragraph separators.
            var lineCount = 1 + text.Count(ch => ch is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029');
            Assert.True(result.Succeeded || result.Diagnostics.Any(d => d.IsError), "a failed load must carry an error");
            Assert.All(result.Diagnostics, d => Assert.InRange(d.Location.Line, 1, lineCount));
            Assert.All(result.Diagnostics, d => Assert.True(d.Location.Column >= 1, d.ToString()));
        });

    private static readonly string PeopleSample = File.ReadAllText(RepoPaths.Sample("people.yaml"));

    private static readonly Gen<Mutation[]> MutationsGen =
        from count in Gen.Choose(1, 6)
        from mutations in Gen.ArrayOf(MutationGen, count)
        select mutations;

    [Property(MaxTest = 1000)]
    public Property LoadText_RandomMutationsOfThePeopleDirectory_AlwaysReturnAResult() =>
        Prop.ForAll(Arb.From(MutationsGen), mutations =>
        {
            var text = mutations.Aggregate(PeopleSample, (t, m) => m.Apply(t));
            var result = PeopleDirectoryLoader.LoadText(text, "people.yaml");
            var lineCount = 1 + text.Count(ch => ch is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029');
            Assert.True(result.Succeeded || result.Diagnostics.Any(d => d.IsError), "a failed load must carry an error");
            Assert.All(result.Diagnostics, d => Assert.InRange(d.Location.Line, 1, lineCount));
        });

    [Fact]
    public void LoadText_EveryPrefixOfASample_ReturnsAResult()
    {
        var text = File.ReadAllText(RepoPaths.Sample("b2b-onboarding.yaml"));

        for (var length = 0; length < text.Length; length++)
        {
            var result = WorkflowLoader.LoadText(text[..length], "prefix.yaml");
            Assert.True(result.Succeeded || result.Diagnostics.Any(d => d.IsError), $"prefix of {length} characters");
        }
    }
}
