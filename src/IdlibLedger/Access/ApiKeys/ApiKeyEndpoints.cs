using System.Security.Claims;
using FluentValidation;
using IdlibLedger.Common;
using IdlibLedger.Infrastructure;
using IdlibLedger.Infrastructure.Idempotency;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace IdlibLedger.Access.ApiKeys;

/// <summary>CreateApiKey: a key for <c>client</c> holding <c>roles</c>, valid for <c>expiresInDays</c> (default Ledger:ApiKeyDays).</summary>
/// <param name="Client">The client's name. Required; At most 200 characters.</param>
/// <param name="Roles">Its roles (viewer, reporter, analyst, auditor, admin); at least one.</param>
/// <param name="ExpiresInDays">Days until it expires; default never.</param>
public sealed record CreateApiKey(string? Client, IReadOnlyList<string>? Roles, int? ExpiresInDays = null)
{
    public const int MaxDays = 5 * 366;

    public sealed class Validator : AbstractValidator<CreateApiKey>
    {
        public Validator()
        {
            RuleFor(c => c.Client).NotEmpty().MaximumLength(Limits.ClientName).Matches("^[A-Za-z0-9][A-Za-z0-9._@-]*$")
                .WithMessage("client is letters, digits, '.', '_', '@' and '-' (e.g. 'desk-ankara'); it is recorded as recordedBy");
            RuleFor(c => c.Roles).NotEmpty().WithMessage($"at least one role: {string.Join(", ", Access.Roles.All)}");
            RuleForEach(c => c.Roles).Must(role => role is not null && Access.Roles.IsKnown(role))
                .WithMessage($"a role is one of: {string.Join(", ", Access.Roles.All)}");
            RuleFor(c => c.ExpiresInDays).InclusiveBetween(1, MaxDays);
        }
    }
}

/// <summary>A key as listed: never its secret.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Client">The client it names, recorded as recordedBy.</param>
/// <param name="Roles">Its roles.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="CreatedBy">Who created it.</param>
/// <param name="ExpiresAt">When it expires (UTC), or null for never.</param>
/// <param name="RevokedAt">When it was revoked (UTC), or null.</param>
/// <param name="RevokedBy">Who revoked it, or null.</param>
/// <param name="Active">Whether it is neither revoked nor expired.</param>
public sealed record ApiKeySummary(
    string Id, string Client, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, string? RevokedBy, bool Active)
{
    public static ApiKeySummary Of(ApiKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Id, key.Client, key.Roles, key.CreatedAt, key.CreatedBy, key.ExpiresAt, key.RevokedAt, key.RevokedBy, key.IsActiveAt(now));
    }
}

/// <summary>The answer to CreateApiKey: the key itself, shown this once, and what it holds.</summary>
/// <param name="Key">The key itself (ilk_…), shown only this once: send it in the X-Api-Key header.</param>
/// <param name="Details">The key's record.</param>
public sealed record IssuedApiKey(string Key, ApiKeySummary Details);

/// <summary>Key management, used by <c>POST/GET /api/keys</c> and by the <c>keys</c> command alike.</summary>
public static class ApiKeyLedger
{
    public static async Task<IssuedApiKey> IssueAsync(IDocumentSession session, CreateApiKey command, int defaultDays, string issuedBy, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(command);
        var now = TimeProvider.System.GetUtcNow();
        var (stored, key) = ApiKey.Issue(command.Client!.Trim(), command.Roles!, now, now.AddDays(command.ExpiresInDays ?? defaultDays), issuedBy);
        session.Insert(stored);
        await session.SaveChangesAsync(cancellation);
        return new IssuedApiKey(key, ApiKeySummary.Of(stored, now));
    }

    public static async Task<IReadOnlyList<ApiKeySummary>> ListAsync(IQuerySession session, bool includeInactive, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var now = TimeProvider.System.GetUtcNow();
        var keys = await session.Query<ApiKey>().OrderBy(k => k.Client).ThenBy(k => k.CreatedAt).ToListAsync(cancellation);
        return [.. keys.Where(k => includeInactive || k.IsActiveAt(now)).Select(k => ApiKeySummary.Of(k, now))];
    }

    /// <summary>Revokes the key; null when there is no such key. Revoking twice keeps the first revocation.</summary>
    public static async Task<ApiKeySummary?> RevokeAsync(IDocumentSession session, string id, string revokedBy, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        var key = await session.LoadAsync<ApiKey>(id, cancellation);
        if (key is null)
        {
            return null;
        }

        var now = TimeProvider.System.GetUtcNow();
        if (key.RevokedAt is null)
        {
            key.RevokedAt = now;
            key.RevokedBy = revokedBy;
            session.Update(key);
            await session.SaveChangesAsync(cancellation);
        }

        return ApiKeySummary.Of(key, now);
    }
}

public static class ApiKeyEndpoints
{
    /// <summary>Create an API key</summary>
    /// <remarks>Creates a key for a client with roles; the answer holds the key itself, which the ledger never shows again (only its hash is stored). Refused with 400 naming each wrong field; nothing is recorded then.</remarks>
    [WolverinePost("/api/keys", OperationId = "CreateApiKey")]
    [Tags("Access")]
    [ForAdmins]
    [AnswerNotKept]
    [ProducesResponseType<IssuedApiKey>(StatusCodes.Status201Created)]
    public static async Task<IResult> Create(
        CreateApiKey command, ClaimsPrincipal user, IDocumentSession session, IOptions<LedgerOptions> options, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        var issued = await ApiKeyLedger.IssueAsync(session, command, options.Value.ApiKeyDays, user.Identity!.Name!, cancellation);
        return Results.Created($"/api/keys/{issued.Details.Id}", issued);
    }

    /// <summary>List API keys</summary>
    /// <remarks>The keys, never their secrets; revoked and expired ones only with `includeInactive=true`.</remarks>
    /// <param name="includeInactive">true also lists revoked and expired keys; default false.</param>
    [WolverineGet("/api/keys", OperationId = "ListApiKeys")]
    [Tags("Access")]
    [ForAdmins]
    public static Task<IReadOnlyList<ApiKeySummary>> List(bool? includeInactive, IQuerySession session, CancellationToken cancellation) =>
        ApiKeyLedger.ListAsync(session, includeInactive ?? false, cancellation);

    /// <summary>Read one API key</summary>

    /// <remarks>The key's record, never its secret. 404 when unknown.</remarks>

    /// <param name="id">The key's id.</param>

    [WolverineGet("/api/keys/{id}", OperationId = "GetApiKey")]
    [Tags("Access")]
    [ForAdmins]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<Results<Ok<ApiKeySummary>, ProblemHttpResult>> Get(string id, IQuerySession session, CancellationToken cancellation) =>
        await session.LoadAsync<ApiKey>(id, cancellation) is { } key
            ? TypedResults.Ok(ApiKeySummary.Of(key, TimeProvider.System.GetUtcNow()))
            : TypedResults.Problem(LedgerProblems.NotFound($"no API key '{id}'"));

    /// <summary>Revoke an API key</summary>
    /// <remarks>Revokes the key at once: every later request with it gets 401. Its record stays, for the audit. 404 when unknown.</remarks>
    /// <param name="id">The key's id.</param>
    [WolverinePost("/api/keys/{id}/revocation", OperationId = "RevokeApiKey")]
    [Tags("Access")]
    [ForAdmins]
    [ProducesResponseType<ApiKeySummary>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Revoke(string id, ClaimsPrincipal user, IDocumentSession session, ApiKeyCache keys, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(keys);
        var revoked = await ApiKeyLedger.RevokeAsync(session, id, user.Identity!.Name!, cancellation);
        // Committed by RevokeAsync: this node refuses the key from the next request on.
        keys.Forget(id);
        return revoked is not null ? Results.Ok(revoked) : LedgerProblems.NotFound($"no API key '{id}'").ToResult();
    }
}
