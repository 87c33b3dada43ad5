namespace IdlibLedger.Common;

/// <summary>The length limits of text fields, one constant per limit, so that every command refuses the same sizes.</summary>
public static class Limits
{
    /// <summary>A name: an actor, a party, an outlet, a region, a place.</summary>
    public const int Name = 200;

    /// <summary>A free text: a description, a reason, a summary, an outcome.</summary>
    public const int Text = 4000;

    /// <summary>An item of a negotiation's agenda.</summary>
    public const int AgendaItem = 1000;

    /// <summary>A region id (a slug).</summary>
    public const int RegionId = 64;

    /// <summary>A region's administrative level.</summary>
    public const int RegionLevel = 32;

    /// <summary>An API client's name, which the events record as recordedBy.</summary>
    public const int ClientName = 100;
}
