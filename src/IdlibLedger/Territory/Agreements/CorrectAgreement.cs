using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;
using PartyNames = IdlibLedger.Common.Parties;

namespace IdlibLedger.Territory.Agreements;

/// <summary>
/// CorrectAgreement: replaces the fields it carries, named as in the registration, for a reason. Fields left out
/// stay as they were. <c>expectedVersion</c> is the version the corrector saw; a stale one is refused (409).
/// </summary>
/// <param name="ExpectedVersion">The version the corrector read (&gt; 0); 409 when it is not the current one.</param>
/// <param name="Reason">Why the agreement is corrected. Required; free text, at most 4000 characters.</param>
/// <param name="Name">New name, at most 200 characters; absent or null keeps it.</param>
/// <param name="SignedOn">New day of signature (YYYY-MM-DD), not in the future; absent or null keeps it.</param>
/// <param name="Parties">New signing parties (at least one, each named once); absent or null keeps them.</param>
/// <param name="Zones">New zones (the whole list; may be empty); absent or null keeps them.</param>
/// <param name="Lines">New lines (the whole list; may be empty); absent or null keeps them.</param>
/// <param name="Sources">New sources (the whole list); absent or null keeps them.</param>
public sealed record CorrectAgreement(
    long ExpectedVersion,
    string? Reason,
    string? Name = null,
    DateOnly? SignedOn = null,
    IReadOnlyList<string>? Parties = null,
    IReadOnlyList<AgreementZone>? Zones = null,
    IReadOnlyList<AgreementLine>? Lines = null,
    IReadOnlyList<Source>? Sources = null)
{
    public sealed class Validator : AbstractValidator<CorrectAgreement>
    {
        public Validator(GeometryLimits limits, LedgerClock clock)
        {
            RuleFor(c => c.ExpectedVersion).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(Limits.Text);
            RuleFor(c => c.Name).NotEmpty().MaximumLength(Limits.Name).When(c => c.Name is not null);
            RuleFor(c => c.SignedOn).Must(d => AgreementRules.NotInFuture(d, clock)).WithMessage(AgreementRules.FutureSignature);
            RuleFor(c => c.Parties).NotEmpty().WithMessage("an agreement has at least one party")
                .Must(PartyNames.NoneTwice).WithMessage(AgreementRules.PartyTwice).When(c => c.Parties is not null);
            RuleForEach(c => c.Parties).NotEmpty().MaximumLength(Limits.Name);
            RuleForEach(c => c.Zones).NotNull().SetValidator(new AgreementZone.Validator(limits));
            RuleForEach(c => c.Lines).NotNull().SetValidator(new AgreementLine.Validator(limits));
            RuleForEach(c => c.Sources).NotNull().SetValidator(new Source.Validator(clock));
            RuleFor(c => c)
                .Must(c => c.Name is not null || c.SignedOn is not null || c.Parties is not null || c.Zones is not null || c.Lines is not null || c.Sources is not null)
                .OverridePropertyName("reason")
                .WithMessage("a correction changes at least one field of the agreement");
        }
    }

    /// <summary>The agreement as this correction makes it read, and the wire names of the fields that change.</summary>
    public (AgreementRegistered Agreement, IReadOnlyList<string> Fields) Apply(AgreementRegistered current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var changes = new FieldChanges();
        var corrected = current with
        {
            Name = changes.Take("name", Name?.Trim(), current.Name),
            SignedOn = changes.TakeValue("signedOn", SignedOn, current.SignedOn),
            Parties = changes.Take("parties", Parties?.Select(p => p.Trim()).ToList(), current.Parties),
            Zones = changes.Take("zones", Zones, current.Zones),
            Lines = changes.Take("lines", Lines, current.Lines),
            Sources = changes.Take("sources", Sources, current.Sources),
        };
        return (corrected, changes.Names);
    }
}

public static class CorrectAgreementEndpoint
{
    /// <summary>Who may, which version, still open; then a correction must change something.</summary>
    public static ProblemDetails Before(CorrectAgreement command, Agreement agreement, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(agreement);
        return Revisions.Allow(user, agreement, command.ExpectedVersion, "correct")
            ?? (command.Apply(agreement.Terms()).Fields.Count == 0
                ? LedgerProblems.Invalid("reason", $"the correction changes nothing: every field it gives already has that value at version {agreement.Version}")
                : WolverineContinue.NoProblems);
    }

    public static AgreementCorrected Decide(CorrectAgreement command, Agreement agreement)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(agreement);
        var (corrected, fields) = command.Apply(agreement.Terms());
        return new AgreementCorrected(agreement.Id, corrected, fields, command.Reason!.Trim());
    }

    /// <summary>Correct an agreement</summary>
    /// <remarks>Appends the agreement as corrected: the fields given replace the current ones, the others stay (a correction cannot clear a field). Reads at an `asOf` before the correction show the original, after it the corrected agreement, wherever it is used (a proposal's baseline, a ceasefire implementing it). `expectedVersion` must be the current version (409 otherwise, or for a retracted agreement); only the client that recorded the agreement or an admin may correct it (403). 404 for an unknown id. Refused with 400 naming each wrong field, or `reason` when nothing would change; nothing is recorded then.</remarks>
    [WolverinePost("/api/agreements/{id}/corrections", OperationId = "CorrectAgreement")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        CorrectAgreement command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Agreement agreement) =>
        (new Receipt(agreement.Id, agreement.Version + 1, AlreadyRecorded: false), [Decide(command, agreement)]);
}

public static class RetractAgreementEndpoint
{
    public static ProblemDetails Before(Retraction command, Agreement agreement, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(agreement);
        return Revisions.Allow(user, agreement, command.ExpectedVersion, "retract")
            ?? WolverineContinue.NoProblems;
    }

    /// <summary>Retract an agreement</summary>
    /// <remarks>Retracts the agreement: it stays readable by id (with `retracted: true` and its history) but counts as not registered from then on: a new proposal or ceasefire naming it is refused as for an unknown agreement, and a proposal read at a later `asOf` has no comparison against it. It takes no further correction or retraction. 403 unless the caller recorded it or is an admin; 404 for an unknown id; 409 for a stale `expectedVersion` or an agreement already retracted.</remarks>
    [WolverinePost("/api/agreements/{id}/retraction", OperationId = "RetractAgreement")]
    [ForAnalysts]
    [Tags("Territory")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public static (Receipt, Events) Post(
        Retraction command,
        [WriteAggregate(OnMissing = OnMissing.ProblemDetailsWith404)] Agreement agreement) =>
        (new Receipt(agreement.Id, agreement.Version + 1, AlreadyRecorded: false), [new AgreementRetracted(agreement.Id, command.Reason!.Trim())]);
}
