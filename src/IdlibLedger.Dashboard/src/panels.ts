// The panels beside the map: casualty sums with their low–best–high bands, the published aggregate figures (beside the
// sums, never added to them), ceasefires with their violations, proposed maps with their shares, and what changed.
import * as Plot from '@observablehq/plot';
import type { Schemas } from './api';
import { actorColour } from './colours';
import { escapeHtml } from './map';
import { utc, utcDay } from './time';

type Estimate = Schemas['Estimate'];

export function estimate(value: Estimate | undefined): string {
  if (!value) {
    return '–';
  }

  const low = value.low ?? value.best;
  const high = value.high ?? value.best;
  return low === value.best && high === value.best ? `${value.best}` : `${value.best} (${low}–${high})`;
}

function text(id: string, value: string): void {
  const element = document.getElementById(id);
  if (element) {
    element.textContent = value;
  }
}

export function showTotals(totals: Schemas['CasualtyTotals'], byMonth: Schemas['CasualtyTotals'], byPerpetrator: Schemas['CasualtyTotals']): void {
  text('totals-killed-best', String(totals.killed.best));
  text('totals-killed-range', range(totals.killed));
  text('totals-injured-best', String(totals.injured.best));
  text('totals-injured-range', range(totals.injured));
  text('totals-attacks', `${totals.attacks}${totals.anomalousReports > 0 ? ` (${totals.anomalousReports} flagged as anomalous)` : ''}`);

  const months = byMonth.groups.map((group) => {
    const start = new Date(`${group.key}-01T00:00:00Z`);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    return { start, end, month: group.key, low: group.killed.low ?? group.killed.best, best: group.killed.best, high: group.killed.high ?? group.killed.best };
  }).filter((month) => !Number.isNaN(month.start.getTime()));
  chart('chart-month', months.length === 0 ? null : Plot.plot({
    height: 180,
    marginLeft: 44,
    x: { type: 'utc', label: 'Month of occurrence (UTC)', ticks: 'month', tickFormat: '%b %Y' },
    y: { label: 'Killed', grid: true, zero: true },
    marks: [
      Plot.rectY(months, { x1: 'start', x2: 'end', y1: 0, y2: 'best', fill: '#dc2626', fillOpacity: 0.15, inset: 1 }),
      Plot.rectY(months, { x1: 'start', x2: 'end', y1: 'low', y2: 'high', fill: '#dc2626', fillOpacity: 0.35, stroke: '#dc2626', inset: 1 }),
      Plot.ruleY(months, { x1: 'start', x2: 'end', y: 'best', stroke: '#7f1d1d', strokeWidth: 2, title: (d: { month: string; low: number; best: number; high: number }) => `${d.month}: ${d.best} killed (${d.low}–${d.high})` }),
      Plot.ruleY([0]),
    ],
  }), months.map((m) => [m.month, `${m.best}`, `${m.low}–${m.high}`]));

  const perpetrators = byPerpetrator.groups.map((group) => ({
    perpetrator: group.key, low: group.killed.low ?? group.killed.best, best: group.killed.best, high: group.killed.high ?? group.killed.best,
  }));
  chart('chart-perpetrator', perpetrators.length === 0 ? null : Plot.plot({
    height: 40 + 28 * perpetrators.length,
    marginLeft: 150,
    x: { label: 'Killed', grid: true, zero: true },
    y: { label: null, domain: perpetrators.map((p) => p.perpetrator) },
    marks: [
      Plot.barX(perpetrators, { y: 'perpetrator', x: 'best', fill: (d: { perpetrator: string }) => actorColour(d.perpetrator), fillOpacity: 0.8 }),
      Plot.ruleY(perpetrators, { y: 'perpetrator', x1: 'low', x2: 'high', stroke: '#111827', strokeWidth: 2 }),
      Plot.text(perpetrators, { y: 'perpetrator', x: 'high', text: (d: { best: number }) => String(d.best), dx: 6, textAnchor: 'start' }),
    ],
  }), perpetrators.map((p) => [p.perpetrator, `${p.best}`, `${p.low}–${p.high}`]));

  const figures = totals.figures;
  const list = document.getElementById('figures-list');
  if (list) {
    list.innerHTML = figures.length === 0 ? '<p class="empty">No aggregate figure recorded for this view.</p>' : `
      <table class="compact">
        <thead><tr><th scope="col">Figure</th><th scope="col">Period (UTC)</th><th scope="col">Area</th><th scope="col">Source</th></tr></thead>
        <tbody>${figures.map((figure) => `<tr data-figure-id="${escapeHtml(figure.figureId)}">
          <td>${escapeHtml(`${figure.qualifier} ${figure.value?.toLocaleString('en') ?? '?'} ${figure.category} ${figure.metric}`)}</td>
          <td>${escapeHtml(`${utcDay(figure.periodFrom)} – ${utcDay(figure.periodUntil)}`)}</td>
          <td>${escapeHtml(figure.area ?? '–')}</td>
          <td>${escapeHtml(figure.source.outlet)}${figure.source.publishedAt ? `, ${escapeHtml(figure.source.publishedAt)}` : ''}</td></tr>`).join('')}</tbody>
      </table>`;
  }
}

function range(value: Estimate): string {
  const low = value.low ?? value.best;
  const high = value.high ?? value.best;
  return low === high ? '' : `(${low}–${high})`;
}

/** A chart, with the same figures as a table for screen readers and for copying. */
function chart(id: string, figure: (SVGSVGElement | HTMLElement) | null, rows: string[][]): void {
  const element = document.getElementById(id);
  if (!element) {
    return;
  }

  element.replaceChildren();
  if (!figure) {
    element.innerHTML = '<p class="empty">Nothing to chart in this view.</p>';
    return;
  }

  figure.setAttribute('aria-hidden', 'true');
  element.append(figure);
  const table = document.createElement('table');
  table.className = 'visually-hidden';
  table.innerHTML = `<thead><tr><th scope="col">Group</th><th scope="col">Killed (best)</th><th scope="col">Low–high</th></tr></thead>
    <tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  element.append(table);
}

export function showCeasefires(ceasefires: Schemas['CeasefireStatus'][]): void {
  const list = document.getElementById('ceasefires-list');
  if (!list) {
    return;
  }

  list.innerHTML = ceasefires.length === 0 ? '<p class="empty">No ceasefire recorded for this view.</p>' : `<ul class="cards">${ceasefires.map((ceasefire) => `
    <li data-ceasefire-id="${escapeHtml(ceasefire.id)}">
      <strong>${escapeHtml(ceasefire.declaredBy)}</strong> <span class="badge status-${escapeHtml(ceasefire.status)}">${escapeHtml(ceasefire.status)}</span>
      <div>${escapeHtml(ceasefire.parties.join(', '))}; from ${utcDay(ceasefire.effectiveFrom)}${ceasefire.effectiveUntil ? ` until ${utcDay(ceasefire.effectiveUntil)}` : ''}${ceasefire.collapsedAt ? `, collapsed ${utcDay(ceasefire.collapsedAt)}` : ''}</div>
      <div>${ceasefire.violationCount} violation${ceasefire.violationCount === 1 ? '' : 's'}; killed ${estimate(ceasefire.violationKilled)}, injured ${estimate(ceasefire.violationInjured)}</div>
    </li>`).join('')}</ul>`;
}

export function showProposals(proposals: Schemas['ProposalSummary'][], selected: string | null, select: (id: string | null) => void): void {
  const list = document.getElementById('proposals-list');
  const picker = document.getElementById('proposal') as HTMLSelectElement | null;
  if (picker) {
    picker.innerHTML = `<option value="">none</option>${proposals.map((proposal) =>
      `<option value="${escapeHtml(proposal.id)}">${escapeHtml(`${proposal.proposer}, ${utcDay(proposal.tabledAt)} (${proposal.status})`)}</option>`).join('')}`;
    picker.value = selected ?? '';
  }

  if (!list) {
    return;
  }

  list.innerHTML = proposals.length === 0 ? '<p class="empty">No proposed map tabled by then.</p>' : `<ul class="cards">${proposals.map((proposal) => `
    <li data-proposal-id="${escapeHtml(proposal.id)}" class="${proposal.id === selected ? 'selected' : ''}">
      <strong>${escapeHtml(proposal.proposer)}</strong> to ${escapeHtml(proposal.addressedTo.join(', '))}, tabled ${utcDay(proposal.tabledAt)}
      <span class="badge status-${escapeHtml(proposal.status)}">${escapeHtml(proposal.status)}</span>
      <div>${proposal.region ? `Shares of ${escapeHtml(proposal.region)}: ` : 'Shares: '}${proposal.shares.map((share) =>
        `${escapeHtml(share.actor)} ${(share.share * 100).toFixed(1)}% (${Math.round(share.areaKm2).toLocaleString('en')} km²)`).join('; ')}</div>
      <button type="button" data-show-proposal="${escapeHtml(proposal.id)}" aria-pressed="${proposal.id === selected}">${proposal.id === selected ? 'Hide on the map' : 'Show on the map'}</button>
    </li>`).join('')}</ul>`;
  for (const button of list.querySelectorAll<HTMLButtonElement>('button[data-show-proposal]')) {
    button.addEventListener('click', () => select(button.dataset.showProposal === selected ? null : button.dataset.showProposal ?? null));
  }
}

export interface Change {
  attackId: string;
  version: number;
  change: string;
  recordedAt: string;
  recordedBy?: string | undefined;
  perpetrator?: string | undefined;
}

export function showChanges(changes: Change[] | null, since: Date | null, total: number): void {
  const section = document.getElementById('changes');
  const list = document.getElementById('changes-list');
  if (!section || !list) {
    return;
  }

  section.hidden = changes === null;
  if (changes === null) {
    return;
  }

  const counts = new Map<string, number>();
  for (const change of changes) {
    counts.set(change.change, (counts.get(change.change) ?? 0) + 1);
  }

  list.innerHTML = `<p>Since ${utc(since)}: ${total === 0 ? 'nothing recorded about attacks.' : [...counts.entries()].map(([change, count]) => `${count} ${change}`).join(', ')}${total > changes.length ? ` (the first ${changes.length} of ${total} listed)` : ''}</p>
    <ul class="changes">${changes.map((change) => `<li data-change="${escapeHtml(change.change)}" data-attack-id="${escapeHtml(change.attackId)}">
      <span class="badge change-${escapeHtml(change.change)}">${escapeHtml(change.change)}</span>
      ${escapeHtml(change.perpetrator ?? 'attack')} (v${change.version}), ${utc(change.recordedAt)}${change.recordedBy ? ` by ${escapeHtml(change.recordedBy)}` : ''}</li>`).join('')}</ul>`;
}
