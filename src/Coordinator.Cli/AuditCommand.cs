using System.CommandLine;
using Coordinator.Persistence;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;

namespace Coordinator.Cli;

/// <summary>
/// <c>coordinator audit verify|anchor|export</c>. Exit codes: 0 success, 1 invalid arguments,
/// 2 the command could not run (connection, schema, permissions), 3 the chain is broken,
/// 4 the chain is intact but forked (two actions with one instance's action number).
/// </summary>
public static class AuditCommand
{
    public const string AnchorPathVariable = "Coordinator__Audit__AnchorPath";

    private static readonly Option<string> AnchorPathOption = new("--anchor-path")
    {
        Description = $"Folder of the chain anchors (default: environment variable {AnchorPathVariable}, else {AuditOptions.DefaultAnchorPath}).",
    };

    public static Command Create()
    {
        var command = new Command("audit", "Verify, anchor and export the tamper-evident audit registry.");
        command.Subcommands.Add(CreateVerify());
        command.Subcommands.Add(CreateAnchor());
        command.Subcommands.Add(CreateExport());
        return command;
    }

    private static Command CreateVerify()
    {
        var instance = new Option<string>("--instance")
        {
            Description = "Verify only this instance's rows and their links to the neighbouring rows (default: the whole chain, against the chain head and the latest anchor).",
        };
        var verify = new Command("verify", "Recompute the hash chain and check the fork rule; report OK with the row count and head hash (and a warning per action.superseded), or the first broken sequence number, or the forks.");
        verify.Options.Add(instance);
        verify.Options.Add(CliDatabase.ConnectionOption);
        verify.Options.Add(AnchorPathOption);
        verify.SetAction((parseResult, cancellationToken) => CliDatabase.RunAsync(parseResult, async (dataSource, output) =>
        {
            var verifier = new AuditChainVerifier(dataSource, AnchorStore(parseResult).Store);
            var instanceId = parseResult.GetValue(instance);
            var result = instanceId is null
                ? await verifier.VerifyAsync(new ConsoleProgress(parseResult.InvocationConfiguration.Error), cancellationToken).ConfigureAwait(false)
                : await verifier.VerifyInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
            var error = parseResult.InvocationConfiguration.Error;
            if (result.IsOk)
            {
                await output.WriteLineAsync(result.Message).ConfigureAwait(false);
                await WriteSupersessionsAsync(output, result).ConfigureAwait(false);
                return 0;
            }

            if (result.Status == AuditVerificationStatus.Forked)
            {
                await error.WriteLineAsync($"FORK DETECTED at seq {result.FirstBadSeq}: {result.Message}").ConfigureAwait(false);
                foreach (var fork in result.Forks)
                {
                    await error.WriteLineAsync($"ERROR fork: {fork}").ConfigureAwait(false);
                }

                await WriteSupersessionsAsync(output, result).ConfigureAwait(false);
                return CliDatabase.Forked;
            }

            await error.WriteLineAsync(
                $"TAMPERING DETECTED ({result.Status}) at seq {result.FirstBadSeq}: {result.Message}").ConfigureAwait(false);
            return CliDatabase.ChainBroken;
        }));
        return verify;
    }

    private static Command CreateAnchor()
    {
        var anchor = new Command("anchor", "Write the current chain head (seq, hash, time) to the anchor store outside the database.");
        anchor.Options.Add(CliDatabase.ConnectionOption);
        anchor.Options.Add(AnchorPathOption);
        anchor.SetAction((parseResult, cancellationToken) => CliDatabase.RunAsync(parseResult, async (dataSource, output) =>
        {
            var (store, where) = AnchorStore(parseResult);
            var written = await new AuditAnchorWriter(dataSource, store, TimeProvider.System).AnchorAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(written is null
                ? "The audit registry is empty; nothing to anchor."
                : $"Anchored chain {written.ChainId} at seq {written.Seq}, hash {written.Hash}, in {where}.").ConfigureAwait(false);
            return 0;
        }));
        return anchor;
    }

    private static Command CreateExport()
    {
        var instance = new Option<string>("--instance") { Description = "Export the rows of this instance." };
        var businessKey = new Option<string>("--business-key") { Description = "Export the rows of this business key (e.g. a claim number)." };
        var format = new Option<string>("--format") { Description = "csv or json.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var outputFile = new Option<FileInfo>("--output") { Description = "Write to this file instead of standard output." };

        var export = new Command("export", "Export audit rows of one instance or business key, in sequence order.");
        export.Options.Add(instance);
        export.Options.Add(businessKey);
        export.Options.Add(format);
        export.Options.Add(outputFile);
        export.Options.Add(CliDatabase.ConnectionOption);
        export.Validators.Add(result =>
        {
            var hasInstance = result.GetValue(instance) is not null;
            var hasKey = result.GetValue(businessKey) is not null;
            if (hasInstance == hasKey)
            {
                result.AddError("Pass exactly one of --instance ID or --business-key KEY.");
            }
        });
        export.SetAction((parseResult, cancellationToken) => CliDatabase.RunAsync(parseResult, async (dataSource, output) =>
        {
            var query = parseResult.GetValue(instance) is { } id ? AuditQuery.ForInstance(id) : AuditQuery.ForBusinessKey(parseResult.GetValue(businessKey)!);
            var exportFormat = parseResult.GetValue(format) == "json" ? AuditExportFormat.Json : AuditExportFormat.Csv;
            var exporter = new AuditExporter(new AuditReader(dataSource));
            var file = parseResult.GetValue(outputFile);
            var stream = file is null ? Console.OpenStandardOutput() : file.Create();
            await using (stream.ConfigureAwait(false))
            {
                var count = await exporter.ExportAsync(query, exportFormat, stream, cancellationToken).ConfigureAwait(false);
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                    $"Exported {count} audit row(s) of {query}{(file is null ? "" : " to " + file.FullName)}.").ConfigureAwait(false);
            }

            return 0;
        }));
        return export;
    }

    /// <summary>
    /// The anchor store: <c>--anchor-path</c> (a folder) when given, else the <c>Coordinator__Audit__*</c>
    /// environment variables as the host reads them (AnchorStore file|blob, AnchorPath,
    /// AnchorBlobConnectionString, AnchorContainer).
    /// </summary>
    private static (IAuditAnchorStore Store, string Where) AnchorStore(ParseResult parseResult)
    {
        if (parseResult.GetValue(AnchorPathOption) is { } folder)
            return (new FileAuditAnchorStore(folder), folder);
        var options = new AuditOptions
        {
            AnchorStore = Environment.GetEnvironmentVariable("Coordinator__Audit__AnchorStore") ?? AuditOptions.FileAnchorStore,
            AnchorPath = Environment.GetEnvironmentVariable(AnchorPathVariable) ?? AuditOptions.DefaultAnchorPath,
            AnchorBlobConnectionString = Environment.GetEnvironmentVariable("Coordinator__Audit__AnchorBlobConnectionString"),
            AnchorContainer = Environment.GetEnvironmentVariable("Coordinator__Audit__AnchorContainer") ?? AuditOptions.DefaultAnchorContainer,
        };
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), problems, validateAllProperties: true))
            throw new ArgumentException(string.Join(" ", problems.Select(p => p.ErrorMessage)));
        return (PersistenceServiceCollectionExtensions.CreateAuditAnchorStore(options),
            options.UsesBlobAnchorStore ? $"blob container '{options.AnchorContainer}'" : options.AnchorPath);
    }

    /// <summary>One warning line per <c>action.superseded</c> row: a fork the registry refused.</summary>
    private static async Task WriteSupersessionsAsync(TextWriter output, AuditVerificationResult result)
    {
        foreach (var supersession in result.Supersessions)
        {
            await output.WriteLineAsync($"WARNING action.superseded {supersession}").ConfigureAwait(false);
        }
    }

    /// <summary>Writes verification progress synchronously (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class ConsoleProgress(TextWriter error) : IProgress<long>
    {
        public void Report(long value) => error.WriteLine($"  verified {value:N0} rows ...");
    }
}
