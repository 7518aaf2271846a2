namespace Coordinator.Core.Definitions;

/// <summary>
/// The stable diagnostic codes of the workflow language. WF00xx: the file, WF01xx: the structure of
/// the document, WF02xx: the meaning of the workflow (errors), WF03xx: warnings, WF04xx: the people directory, WF05xx: message templates. The table with
/// explanations is in docs/workflow-language.md; codes are never reused for another meaning.
/// </summary>
public static class DiagnosticCodes
{
    // The file.
    public const string SyntaxError = "WF0001";
    public const string FileUnreadable = "WF0002";
    public const string NotOneDocument = "WF0003";
    public const string UnsupportedYaml = "WF0004";

    // The structure.
    public const string UnknownKey = "WF0101";
    public const string DuplicateKey = "WF0102";
    public const string MissingRequired = "WF0103";
    public const string WrongType = "WF0104";
    public const string InvalidId = "WF0105";
    public const string InvalidDuration = "WF0106";
    public const string UnsupportedSchema = "WF0107";
    public const string InvalidValue = "WF0108";
    public const string RoleAssignment = "WF0109";
    public const string ConditionForm = "WF0110";

    // The meaning.
    public const string DuplicateStepId = "WF0201";
    public const string UnknownOwner = "WF0202";
    public const string UnknownDecisionBy = "WF0203";
    public const string UnknownNotifyTarget = "WF0204";
    public const string UnknownSummaryRecipient = "WF0205";
    public const string UnknownLeadRole = "WF0206";
    public const string UnknownProcessOwner = "WF0207";
    public const string UnknownPredecessor = "WF0208";
    public const string DependencyCycle = "WF0209";
    public const string ConditionNotADecision = "WF0210";
    public const string ConditionUnknownOption = "WF0211";
    public const string ConditionDecisionNotUpstream = "WF0212";
    public const string ConditionEmptyValues = "WF0213";
    public const string DecisionWithoutOptions = "WF0214";
    public const string DuplicateOptionId = "WF0215";
    public const string AlternativesWithoutDecider = "WF0216";
    public const string OptionsOnTask = "WF0217";
    public const string ConflictingVersion = "WF0218";
    public const string StartFieldUnused = "WF0219";
    public const string StartWithoutObjectKey = "WF0220";
    public const string StartMissingContext = "WF0221";
    public const string CrmObjectConflict = "WF0222";

    // Warnings.
    public const string DuplicateDefinition = "WF0301";
    public const string ReminderBeforeActivation = "WF0302";
    public const string LeadWithoutLead = "WF0303";
    public const string EscalationLevelsOutOfOrder = "WF0304";
    public const string RemindersWithoutDue = "WF0305";

    // The people directory (people.yaml).
    public const string ChannelWithoutHandle = "WF0401";
    public const string InvalidHandle = "WF0402";
    public const string UnknownTimeZone = "WF0403";
    public const string UnknownLanguage = "WF0404";
    public const string DuplicateHandle = "WF0405";
    public const string PersonNotInDirectory = "WF0406";
    public const string InvalidQuietHours = "WF0407";
    public const string NoHubSpotOwners = "WF0408";

    // Message templates (templates/<workflow>/<kind>.<language>.md).
    public const string UnknownTemplateKind = "WF0501";
    public const string UnknownTemplateLanguage = "WF0502";
    public const string TemplateForUnknownWorkflow = "WF0503";
    public const string TemplateText = "WF0504";
}
