using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Spatial;

namespace IdlibLedger.Attacks.Claims;

/// <summary>The recorded activity nearest to a claim, and where the claim lies from it.</summary>
public sealed record NearestActivity(
    Guid AttackId, string Perpetrator, string Description, double[] Location,
    double DistanceKm, double BearingToActivityDegrees, double ClaimBearingFromActivityDegrees, string ClaimLies);

/// <summary>For a party's claim: the distance and bearing between the claimed location and the nearest activity.</summary>
public sealed record ClaimCheck(string ClaimedBy, NearestActivity? NearestActivity, int PeriodMarginDays);

/// <summary>
/// Spatial plausibility of claims (docs/domain.md, "Claims and disputes"): the nearest attack that is not a claim, not
/// retracted, known at <c>asOf</c>, whose occurrence window meets the claim's (widened by a few days), nearest on
/// the sphere (degrees of longitude and latitude are not the same length); distance and bearings by haversine.
/// </summary>
public sealed class ClaimPlausibility(TimelineQueries timeline)
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
        var nearest = await timeline.NearestActivityAsync(
            claim.Id, claim.Facts.Location.Longitude, claim.Facts.Location.Latitude, from.AddDays(-PeriodMarginDays), until.AddDays(PeriodMarginDays), asOf, cancellation);
        if (nearest is null)
        {
            return new ClaimCheck(claimant, null, PeriodMarginDays);
        }

        var claimed = Wgs84.Point(claim.Facts.Location.Longitude, claim.Facts.Location.Latitude);
        var activity = Wgs84.Point(nearest.Longitude, nearest.Latitude);
        var (km, toActivity) = Metric.DistanceAndBearing(claimed, activity);
        var (_, fromActivity) = Metric.DistanceAndBearing(activity, claimed);
        return new ClaimCheck(claimant, new NearestActivity(
            nearest.AttackId, nearest.Perpetrator, nearest.Description, [activity.X, activity.Y],
            Math.Round(km, 3), Math.Round(toActivity, 1), Math.Round(fromActivity, 1), Compass(fromActivity) + " of the activity"), PeriodMarginDays);
    }

    /// <summary>The eight-point compass name of a bearing in degrees.</summary>
    public static string Compass(double bearing)
    {
        string[] names = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"];
        return names[(int)Math.Round(((bearing % 360) + 360) % 360 / 45.0) % 8];
    }
}
