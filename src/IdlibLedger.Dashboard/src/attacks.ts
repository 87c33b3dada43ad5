// Attacks: the popup of one report as known at (at, asOf), and the table of the attacks in view, which lists exactly the
// markers on the map (sortable, paged) and is the map's accessible equivalent.
import type { Schemas } from './api';
import { escapeHtml } from './map';
import { estimate } from './panels';
import { occurrence, occurrenceStart, utc } from './time';
import type { SortKey, View } from './view';

type Attack = Schemas['AttackSummary'];

export const pageSize = 25;

export function killed(attack: { facts: Schemas['AttackFacts'] }): Schemas['Estimate'] {
  return sum(attack.facts.casualties.map((c) => c.killed));
}

export function injured(attack: { facts: Schemas['AttackFacts'] }): Schemas['Estimate'] {
  return sum(attack.facts.casualties.map((c) => c.injured));
}

function sum(values: Array<Schemas['Estimate'] | undefined>): Schemas['Estimate'] {
  const present = values.filter((v): v is Schemas['Estimate'] => v !== undefined);
  return {
    low: present.reduce((total, v) => total + (v.low ?? v.best), 0),
    best: present.reduce((total, v) => total + v.best, 0),
    high: present.reduce((total, v) => total + (v.high ?? v.best), 0),
  };
}

/** The popup: when and how precisely, who, against whom, casualties per category, sources, disputes and grading. */
export function popup(details: Schemas['AttackDetails']): string {
  const report = details.report;
  const facts = report.facts;
  const casualties = facts.casualties.map((c) => `<tr>
      <td>${escapeHtml(c.category)}${c.party ? ` (${escapeHtml(c.party)})` : ''}</td>
      <td data-field="killed">${estimate(c.killed)}</td><td data-field="injured">${estimate(c.injured)}</td></tr>`).join('');
  const sources = facts.sources.map((s) => `<li>${s.url && /^https?:\/\//.test(s.url)
    ? `<a href="${escapeHtml(s.url)}" rel="noopener noreferrer" target="_blank">${escapeHtml(s.outlet)}</a>` : escapeHtml(s.outlet)}${s.title ? `: “${escapeHtml(s.title)}”` : ''}${s.publishedAt ? `, ${escapeHtml(s.publishedAt)}` : ''}</li>`).join('');
  const disputes = (report.disputes ?? []).map((d) => `<li><strong>${escapeHtml(d.party)}</strong>: ${escapeHtml(d.reason)}</li>`).join('');
  return `<div class="attack-popup" data-attack-id="${escapeHtml(report.id)}" data-version="${report.version}">
    <h3>${escapeHtml(facts.description)}</h3>
    <p><span class="label">Occurred</span> ${escapeHtml(occurrence(facts.occurrence))}<br>
       <span class="label">Place</span> ${facts.location.coordinates[1]?.toFixed(3)} N, ${facts.location.coordinates[0]?.toFixed(3)} E (${escapeHtml(facts.locationPrecision)})<br>
       <span class="label">Perpetrator</span> ${escapeHtml(facts.perpetrator)}${facts.claimedBy ? ` (claimed by ${escapeHtml(facts.claimedBy)})` : ''}<br>
       <span class="label">Targets</span> ${escapeHtml(facts.targets.join(', '))}<br>
       <span class="label">Type</span> ${escapeHtml(facts.eventType)}${facts.subEventType ? ` / ${escapeHtml(facts.subEventType)}` : ''}</p>
    ${casualties ? `<table class="compact casualties"><caption>Casualties: best (low–high)</caption>
      <thead><tr><th scope="col">Category</th><th scope="col">Killed</th><th scope="col">Injured</th></tr></thead><tbody>${casualties}</tbody></table>` : '<p>No casualties reported.</p>'}
    <p><span class="label">Grading</span> <span class="badge grading-${escapeHtml(details.grading)}" data-field="grading">${escapeHtml(details.grading)}</span>
      ${report.retracted ? `<span class="badge retracted">retracted${report.retractionReason ? `: ${escapeHtml(report.retractionReason)}` : ''}</span>` : ''}</p>
    <details><summary>Sources (${facts.sources.length})</summary><ul>${sources}</ul></details>
    ${disputes ? `<details open><summary>Disputed (${report.disputes?.length ?? 0})</summary><ul>${disputes}</ul></details>` : ''}
    <p class="note">Version ${report.version}, recorded ${utc(report.recordedAt)} by ${escapeHtml(report.reportedBy)}; as known on ${utc(details.asOf)}.</p>
  </div>`;
}

const columns: Array<{ key: SortKey | null; label: string }> = [
  { key: 'occurred', label: 'Occurred (UTC)' },
  { key: 'perpetrator', label: 'Perpetrator' },
  { key: null, label: 'Targets' },
  { key: 'killed', label: 'Killed' },
  { key: 'injured', label: 'Injured' },
  { key: 'grading', label: 'Grading' },
  { key: null, label: 'Place (precision)' },
];

function compare(view: View): (a: Attack, b: Attack) => number {
  const value = (attack: Attack): string | number => {
    switch (view.sort) {
      case 'perpetrator': return attack.facts.perpetrator.toLowerCase();
      case 'killed': return killed(attack).best;
      case 'injured': return injured(attack).best;
      case 'grading': return attack.grading;
      default: return occurrenceStart(attack.facts.occurrence);
    }
  };
  const direction = view.order === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    return (x < y ? -1 : x > y ? 1 : a.id.localeCompare(b.id)) * direction;
  };
}

/** Draws the table for the view's sort and page; calls back when a header, a page or a row is chosen. */
export function showTable(attacks: Attack[], total: number, view: View, on: { sort: (key: SortKey) => void; page: (page: number) => void; open: (id: string) => void }): void {
  const table = document.getElementById('attack-table') as HTMLTableElement | null;
  const summary = document.getElementById('attacks-summary');
  const pager = document.getElementById('pager');
  if (!table || !summary || !pager) {
    return;
  }

  const pages = Math.max(1, Math.ceil(attacks.length / pageSize));
  const page = Math.min(view.page, pages);
  const rows = [...attacks].sort(compare(view)).slice((page - 1) * pageSize, page * pageSize);
  summary.textContent = attacks.length === 0
    ? 'No attack in view.'
    : `${attacks.length} attack${attacks.length === 1 ? '' : 's'} in view${total > attacks.length ? ` (the map and table show the latest ${attacks.length} of ${total}; narrow the window)` : ''}; page ${page} of ${pages}.`;

  table.tHead!.innerHTML = `<tr>${columns.map((column) => column.key === null
    ? `<th scope="col">${column.label}</th>`
    : `<th scope="col" aria-sort="${view.sort === column.key ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none'}">
        <button type="button" data-sort="${column.key}">${column.label}<span aria-hidden="true">${view.sort === column.key ? (view.order === 'asc' ? ' ▲' : ' ▼') : ''}</span></button></th>`).join('')}</tr>`;
  table.tBodies[0]!.innerHTML = rows.map((attack) => `<tr data-attack-id="${escapeHtml(attack.id)}">
      <td><button type="button" class="link" data-open="${escapeHtml(attack.id)}" title="Show on the map">${escapeHtml(occurrence(attack.facts.occurrence))}</button></td>
      <td>${escapeHtml(attack.facts.perpetrator)}</td>
      <td>${escapeHtml(attack.facts.targets.join(', '))}</td>
      <td data-field="killed">${estimate(killed(attack))}</td>
      <td data-field="injured">${estimate(injured(attack))}</td>
      <td>${escapeHtml(attack.grading)}</td>
      <td>${attack.facts.location.coordinates[1]?.toFixed(2)} N, ${attack.facts.location.coordinates[0]?.toFixed(2)} E (${escapeHtml(attack.facts.locationPrecision)})</td>
    </tr>`).join('');

  pager.innerHTML = pages <= 1 ? '' : `
    <button type="button" data-page="${page - 1}" ${page <= 1 ? 'disabled' : ''}>Previous</button>
    <span>Page ${page} of ${pages}</span>
    <button type="button" data-page="${page + 1}" ${page >= pages ? 'disabled' : ''}>Next</button>`;

  for (const button of table.tHead!.querySelectorAll<HTMLButtonElement>('button[data-sort]')) {
    button.addEventListener('click', () => on.sort(button.dataset.sort as SortKey));
  }

  for (const button of pager.querySelectorAll<HTMLButtonElement>('button[data-page]')) {
    button.addEventListener('click', () => on.page(Number(button.dataset.page)));
  }

  for (const button of table.tBodies[0]!.querySelectorAll<HTMLButtonElement>('button[data-open]')) {
    button.addEventListener('click', () => on.open(button.dataset.open ?? ''));
  }
}
