using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// Example requests, keyed by operationId: what Scalar's "Test Request" sends and what the round-trip test posts to a
/// fresh ledger (tests/IdlibLedger.Tests/Contract). Realistic values from the seed scenario (Idlib, February 2020,
/// Demo/seed-scenario.json); streams have fixed ids so that the reads' examples can name them.
/// </summary>
public static class OpenApiExamples
{
    public static IReadOnlyDictionary<string, string> Requests { get; } = new Dictionary<string, string>
    {
        ["ReportAttack"] = """
{
  "id": "0194a3f0-2020-7a26-8000-000000000013",
  "perpetrator": "Syrian Arab Army",
  "targets": [
    "Turkish Armed Forces"
  ],
  "eventType": "explosions-remote-violence",
  "subEventType": "shelling-artillery-missile-attack",
  "location": {
    "type": "Point",
    "coordinates": [
      36.78,
      35.93
    ]
  },
  "locationPrecision": "governorate",
  "occurredFrom": "2020-02-03",
  "occurredUntil": "2020-02-11",
  "datePrecision": "week",
  "description": "The recent escalation in Idlib where Assad regime forces killed 13 Turkish soldiers (seed article; the attacks near Saraqib on 3 February and Taftanaz on 10 February 2020).",
  "sources": [
    {
      "outlet": "Daily Sabah (Anadolu Agency)",
      "publishedAt": "2020-02-26",
      "title": "Turkey expects Russia to halt regime attacks in Idlib"
    }
  ],
  "casualties": [
    {
      "category": "military",
      "party": "Turkish Armed Forces",
      "killed": {
        "low": 13,
        "best": 13,
        "high": 13
      }
    }
  ],
  "reportedBy": "demo-seed"
}
""",
        ["RecordControlChange"] = """
{
  "id": "0194a3f0-2020-7c00-8000-000000000002",
  "actor": "Syrian Arab Army",
  "area": {
    "type": "Polygon",
    "coordinates": [
      [
        [
          36.55,
          35.2
        ],
        [
          37.35,
          35.2
        ],
        [
          37.35,
          35.45
        ],
        [
          36.55,
          35.45
        ],
        [
          36.55,
          35.2
        ]
      ]
    ]
  },
  "occurredAt": "2019-08-23",
  "datePrecision": "day",
  "sources": [
    {
      "outlet": "Reuters",
      "publishedAt": "2019-08-23",
      "title": "Syrian army takes Khan Shaykhun and the northern Hama pocket (approximate area)"
    }
  ],
  "reportedBy": "demo-seed"
}
""",
        ["EstablishObservationPost"] = """
{
  "id": "0194a3f0-2018-7f00-8000-000000000001",
  "operator": "Turkish Armed Forces",
  "name": "Salwa",
  "location": {
    "type": "Point",
    "coordinates": [
      36.445,
      36.265
    ]
  },
  "establishedAt": "2018-05-16"
}
""",
        ["ReportCasualtyFigure"] = """
{
  "id": "0194a3f0-2020-7226-8000-0000000000d1",
  "source": {
    "outlet": "United Nations, as reported by Daily Sabah (Anadolu Agency)",
    "publishedAt": "2020-02-26",
    "title": "Turkey expects Russia to halt regime attacks in Idlib"
  },
  "metric": "killed",
  "category": "civilian",
  "qualifier": "at-least",
  "value": 1700,
  "periodFrom": "2019-05-01",
  "periodUntil": "2020-02-26",
  "area": "Idlib de-escalation zone",
  "reportedBy": "demo-seed"
}
""",
    };

    public static void Apply(OpenApiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.OperationId is { } id && Requests.TryGetValue(id, out var body)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true)
        {
            media.Example = JsonNode.Parse(body);
        }
    }
}
