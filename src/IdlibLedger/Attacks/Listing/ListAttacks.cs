using IdlibLedger.Access;
using IdlibLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using IdlibLedger.Territory.Regions;
using Npgsql;
using Wolverine.Http;

namespace IdlibLedger.Attacks.Listing;

/// <summary>One attack in a list: the report as known at <c>asOf</c>, without its history.</summary>
public sealed record AttackSummary(
    Guid Id, int Version, AttackFacts Facts, string ReportedBy, DateTimeOffset RecordedAt, DateTimeOffset LastRecordedAt, bool Retracted, string Grading);

public sealed record AttackList(IReadOnlyList<AttackSummary> Items, int Page, int PageSize, long TotalItems, long TotalPages, DateTimeOffset At, DateTimeOffset AsOf);

public static class ListAttacksEndpoint
{
    /// <summary>Attacks known at <c>asOf</c> that had begun by <c>at</c>, newest occurrence first; <c>region</c> keeps those inside a region's polygon.</summary>
    [WolverineGet("/api/attacks", OperationId = "ListAttacks")]
    [ForViewers]
    [Tags("Attacks")]
    [ProducesResponseType<AttackList>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Get(
        string? from, string? to, string? bbox, string? perpetrator, string? region, int? page, int? pageSize, string? at, string? asOf, bool? includeRetracted,
        NpgsqlDataSource database, IDocumentStore store, RegionLookup regions, LedgerClock clock, CancellationToken cancellation)
    {
        var errors = new Dictionary<string, string[]>();
        var valid = AttackFilter.TryParse(at, asOf, from, to, bbox, perpetrator, clock, out var filter, errors);
        valid &= Paging.TryParse(page, pageSize, errors, out var pageNumber, out var size);
        var regionId = await RegionFilter.ResolveAsync(region, regions, errors, cancellation);
        valid &= errors.Count == 0;
        if (!valid)
        {
            return LedgerProblems.Invalid(errors, "Fix the query parameters named under 'errors'.").ToResult();
        }

        filter = filter with { IncludeRetracted = includeRetracted ?? false, RegionId = regionId };
        var schema = store.Options.DatabaseSchemaName;
        var table = $"{schema}.{AttackTimeline.TableName}";
        await using var command = database.CreateCommand();
        var where = filter.Where(command, schema);
        command.CommandText =
            $"select t.report, first.recorded_from, t.recorded_from, count(*) over () from {table} t " +
            $"join {table} first on first.attack_id = t.attack_id and first.version = 1 " +
            $"where {where} order by t.occurred_from desc, t.attack_id limit @limit offset @offset";
        command.Parameters.AddWithValue("limit", size);
        command.Parameters.AddWithValue("offset", (long)(pageNumber - 1) * size);

        var serializer = store.Options.Serializer();
        var items = new List<AttackSummary>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                var report = serializer.FromJson<AttackReport>(reader.GetStream(0));
                items.Add(new AttackSummary(report.Id, report.Version, report.Facts, report.ReportedBy, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), report.Retracted, report.Grading));
                total = reader.GetInt64(3);
            }
        }

        if (items.Count == 0 && pageNumber > 1)
        {
            total = await CountAsync(database, schema, filter, cancellation);
        }

        return Results.Ok(new AttackList(items, pageNumber, size, total, (total + size - 1) / size, filter.Temporal.At, filter.Temporal.AsOf));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database, string schema, AttackFilter filter, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand();
        command.CommandText = $"select count(*) from {schema}.{AttackTimeline.TableName} t where {filter.Where(command, schema)}";
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }
}
