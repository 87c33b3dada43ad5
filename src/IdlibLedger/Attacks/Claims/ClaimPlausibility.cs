using IdlibLedger.Attacks.Timeline;
using IdlibLedger.Spatial;

namespace IdlibLedger.Attacks.Claims;

/// <summary>The recorded activity nearest to a claim, and where the claim lies from it.</summary>
/// <param name="AttackId">The nearby attack's id.</param>
/// <param name="Perpetrator">Its perpetrator.</param>
/// <param name="Description">Its description.</param>
/// <param name="Location">Its location (GeoJSON Point, lon/lat WGS 84).</param>
/// <param name="DistanceKm">Distance from the claim's location, km.</param>
/// <param name="BearingToActivityDegrees">Bearing from the claim's location to the activity, degrees from north.</param>
/// <param name="ClaimBearingFromActivityDegrees">Bearing from the activity to the claim's location, degrees from north.</param>
/// <param name="ClaimLies">Whether the claim's location lies in the direction the claim implies.</param>
public sealed record NearestActivity(
    Guid AttackId, string Perpetrator, string Description, double[] Location,
    double DistanceKm, double BearingToActivityDegrees, double ClaimBearingFromActivityDegrees, string ClaimLies);

/// <summary>For a party's claim: the distance and bearing between the claimed location and the nearest activity.</summary>
/// <param name="ClaimedBy">The party whose claim it is.</param>
/// <param name="NearestActivity">The nearest recorded attack of the same period, or null when none.</param>
/// <param name="PeriodMarginDays">Days either side of the claim's period that were searched.</param>
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
