// The scenario of tests/IdlibLedger.ClientTests/kiota_client.cs, through the types openapi-typescript makes of
// docs/openapi.json and the requests openapi-fetch sends: reports an attack at a Point, records a control change
// over a Polygon, corrects the attack with its version, and reads the totals, the control map and the attack back.
// No JSON by hand, no `any`, no casts: what the contract types wrongly does not compile. Exits non-zero on a mismatch.
// Environment: LEDGER_BASE_URL (e.g. http://127.0.0.1:5080) and LEDGER_API_KEY (a key holding reporter and analyst).
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/ledger.js";

type Schemas = components["schemas"];

function required(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`${name} is not set`);
    }
    return value;
}

const ledger = createClient<paths>({
    baseUrl: required("LEDGER_BASE_URL").replace(/\/$/, ""),
    headers: { "X-Api-Key": required("LEDGER_API_KEY") },
});

function ok<T>(what: string, answer: { data?: T; error?: unknown; response: Response }): T {
    if (answer.data === undefined) {
        throw new Error(`${what}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
    }
    return answer.data;
}

const taftanaz: Schemas["Source"] = { outlet: "Daily Sabah", publishedAt: "2020-02-26", title: "Turkey expects Russia to halt regime attacks" };
const killed = (n: number): Schemas["CategoryCasualties"][] => [
    { category: "military", party: "Turkish Armed Forces", killed: { low: n, best: n, high: n } },
];

const report: Schemas["ReportAttack"] = {
    perpetrator: "Russian Armed Forces",
    targets: ["Turkish Armed Forces"],
    eventType: "explosions-remote-violence",
    location: { type: "Point", coordinates: [36.78, 35.93] },
    locationPrecision: "within-25km",
    occurredAt: "2020-02-10",
    datePrecision: "day",
    description: "Regime shelling near Taftanaz kills Turkish soldiers (TypeScript client)",
    sources: [taftanaz],
    casualties: killed(5),
    reportedBy: "desk-typescript",
};
const reported = ok("ReportAttack", await ledger.POST("/api/attacks", { body: report }));
assert.equal(reported.version, 1);

const change: Schemas["RecordControlChange"] = {
    actor: "Syrian opposition",
    area: { type: "Polygon", coordinates: [[[36.6, 35.8], [36.9, 35.8], [36.9, 36.0], [36.6, 36.0], [36.6, 35.8]]] },
    occurredAt: "2020-02-01",
    sources: [{ outlet: "Reuters" }],
    reportedBy: "desk-typescript",
};
const changed = ok("RecordControlChange", await ledger.POST("/api/control-changes", { body: change }));
assert.equal(changed.version, 1);

const correction: Schemas["CorrectAttackReport"] = {
    expectedVersion: reported.version,
    reason: "The Turkish Ministry of Defence confirmed seven killed",
    targets: report.targets,
    sources: report.sources,
    casualties: killed(7),
};
const corrected = ok("CorrectAttackReport", await ledger.POST("/api/attacks/{id}/corrections", {
    params: { path: { id: reported.id } },
    body: correction,
}));
assert.equal(corrected.version, 2);

// The C# client reports for another perpetrator on the same ledger.
const totals = ok("GetCasualtyTotals", await ledger.GET("/api/casualties/totals", { params: { query: { perpetrator: "Russian Armed Forces" } } }));
assert.equal(totals.attacks, 1);
assert.equal(totals.killed.best, 7);

const map = ok("GetControlMap", await ledger.GET("/api/control-map", { params: { query: { at: "2020-03-01" } } }));
assert.ok(JSON.stringify(map).includes("Syrian opposition"), "the control map names the actor");

const details = ok("GetAttack", await ledger.GET("/api/attacks/{id}", { params: { path: { id: reported.id } } }));
assert.equal(details.report.version, 2);
assert.equal(details.report.facts.perpetrator, "Russian Armed Forces");
assert.deepEqual(details.report.facts.location?.coordinates, [36.78, 35.93]);
assert.equal(details.report.facts.occurrence.occurredAt, "2020-02-10T00:00:00+00:00");
assert.equal(details.report.facts.casualties[0]?.killed?.best, 7);

console.log(`TypeScript client: attack ${reported.id} reported, corrected to version ${corrected.version}; ${totals.attacks} attack(s), ${totals.killed.best} killed`);
