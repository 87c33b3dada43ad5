using IdlibLedger.Spatial;
using Marten;
using Npgsql;

namespace IdlibLedger.Attacks.Claims;

/// <summary>The recorded activity nearest to a claim, and where the claim lies from it.</summary>
public sealed record NearestActivity(
    Guid AttackId, string Perpetrator, string Description, double[] Location,
    double DistanceKm, double BearingToActivityDegrees, double ClaimBearingFromActivityDegrees, string ClaimLies);

/// <summary>For a party's claim: the distance and bearing between the claimed location and the nearest activity.</summary>
public sealed record ClaimCheck(string ClaimedBy, NearestActivity? NearestActivity, int PeriodMarginDays);

/// <summary>
/// Spatial plausibility of claims (DOMAIN.md "Claims and disputes"): the nearest attack that is not a claim, not
/// retracted, known at <c>asOf</c>, whose occurrence window meets the claim's (widened by a few days), nearest on
/// the sphere (degrees of longitude and latitude are not the same length); distance and bearings by haversine.
/// </summary>
public sealed class ClaimPlausibility(NpgsqlDataSource database, IDocumentStore store)
{
    public const int PeriodMarginDays = 7;

    public async Task<ClaimCheck?> CheckAsync(AttackReport claim, DateTimeOffset asOf, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim.Facts.ClaimedBy is not { } claimant)
        {
            return null;
        }

        var (from, until) = claim.Facts.Occurrence.Window();
        await using var command = database.CreateCommand(
            $"select t.attack_id, t.perpetrator, t.report -> 'facts' ->> 'description', t.longitude, t.latitude " +
            $"from {store.Options.DatabaseSchemaName}.{AttackTimeline.TableName} t " +
            "where t.recorded_from <= @as_of and (t.recorded_until is null or t.recorded_until > @as_of) and not t.retracted " +
            "and t.attack_id <> @id and t.report -> 'facts' ->> 'claimedBy' is null " +
            "and t.occurred_from <= @until and t.occurred_until >= @from " +
            "order by ST_DistanceSphere(t.location, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)), t.attack_id limit 1");
        command.Parameters.AddWithValue("as_of", asOf);
        command.Parameters.AddWithValue("id", claim.Id);
        command.Parameters.AddWithValue("from", from.AddDays(-PeriodMarginDays));
        command.Parameters.AddWithValue("until", until.AddDays(PeriodMarginDays));
        command.Parameters.AddWithValue("lon", claim.Facts.Location.Longitude);
        command.Parameters.AddWithValue("lat", claim.Facts.Location.Latitude);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation))
        {
            return new ClaimCheck(claimant, null, PeriodMarginDays);
        }

        var claimed = Wgs84.Point(claim.Facts.Location.Longitude, claim.Facts.Location.Latitude);
        var activity = Wgs84.Point(reader.GetDouble(3), reader.GetDouble(4));
        var (km, toActivity) = Metric.DistanceAndBearing(claimed, activity);
        var (_, fromActivity) = Metric.DistanceAndBearing(activity, claimed);
        return new ClaimCheck(claimant, new NearestActivity(
            reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? string.Empty : reader.GetString(2), [activity.X, activity.Y],
            Math.Round(km, 3), Math.Round(toActivity, 1), Math.Round(fromActivity, 1), Compass(fromActivity) + " of the activity"), PeriodMarginDays);
    }

    /// <summary>The eight-point compass name of a bearing in degrees.</summary>
    public static string Compass(double bearing)
    {
        string[] names = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"];
        return names[(int)Math.Round(((bearing % 360) + 360) % 360 / 45.0) % 8];
    }
}
