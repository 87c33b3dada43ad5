// The map: registered regions as the base layer (no tile server is assumed), control areas per actor, front lines,
// ceasefire areas, corridors, observation posts, attacks sized by their best count of killed, and a proposal's map as a
// dashed overlay. Every layer is SVG, so each shape is an element a test (or a screen reader's user, through the table)
// can find.
import L from 'leaflet';
import type { Schemas } from './api';
import { actorColour, knownActors } from './colours';

type Geometry = GeoJSON.Geometry;
type Feature<P> = GeoJSON.Feature<Geometry, P>;

export interface AttackMark {
  id: string;
  location: [number, number];
  killedBest: number;
  perpetrator: string;
  label: string;
  change?: string | undefined;
  retracted?: boolean;
}

export interface MapLayers {
  regions?: GeoJSON.FeatureCollection | undefined;
  control?: GeoJSON.FeatureCollection | undefined;
  ceasefires?: Array<{ id: string; label: string; area: Geometry }>;
  corridors?: GeoJSON.FeatureCollection | undefined;
  posts?: GeoJSON.FeatureCollection | undefined;
  attacks?: AttackMark[];
  proposal?: { label: string; areas: Array<{ actor: string; area: Geometry; share?: number | undefined }>; lines: Array<{ name: string; line: Geometry }> } | null;
}

const syria: L.LatLngBoundsExpression = [[32.3, 35.6], [37.3, 42.4]];

export class LedgerMap {
  readonly map: L.Map;
  private readonly layers = {
    regions: L.layerGroup(),
    control: L.layerGroup(),
    ceasefires: L.layerGroup(),
    corridors: L.layerGroup(),
    proposal: L.layerGroup(),
    posts: L.layerGroup(),
    attacks: L.layerGroup(),
  };
  private readonly markers = new Map<string, L.CircleMarker>();
  private fitted = false;

  constructor(element: HTMLElement, tiles: { url: string | null; attribution: string | null }, private readonly onAttackOpened: (id: string, marker: L.CircleMarker) => void) {
    // No fading popups: a popup of a view that was replaced disappears at once (and nothing moves for those who asked for less motion).
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.map = L.map(element, { preferCanvas: false, zoomSnap: 0.25, keyboard: true, fadeAnimation: false, zoomAnimation: !still, markerZoomAnimation: !still })
      .fitBounds(syria);
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution('Boundaries: OCHA (CC BY-IGO) where registered');
    if (tiles.url) {
      L.tileLayer(tiles.url, { attribution: tiles.attribution ?? '' }).addTo(this.map);
    }

    for (const layer of Object.values(this.layers)) {
      layer.addTo(this.map);
    }

    L.control.layers(undefined, {
      'Regions': this.layers.regions,
      'Control areas': this.layers.control,
      'Ceasefire areas': this.layers.ceasefires,
      'Corridors': this.layers.corridors,
      'Proposal': this.layers.proposal,
      'Observation posts': this.layers.posts,
      'Attacks': this.layers.attacks,
    }, { collapsed: true }).addTo(this.map);
  }

  draw(data: MapLayers, fitTo: [number, number, number, number] | null): void {
    if (data.regions) {
      this.layers.regions.clearLayers();
      L.geoJSON(data.regions, {
        style: () => ({ className: 'region', color: '#6b7280', weight: 0.8, fillColor: '#f3f4f6', fillOpacity: 0.6 }),
        onEachFeature: (feature, layer) => layer.bindTooltip(`${feature.properties?.name ?? ''} (${feature.properties?.level ?? ''})`, { sticky: true }),
      }).addTo(this.layers.regions);
    }

    if (data.control) {
      this.layers.control.clearLayers();
      L.geoJSON(data.control, {
        style: (feature) => {
          const properties = (feature as Feature<Schemas['ControlMapFeature']['properties']>).properties;
          return properties.kind === 'front-line'
            ? { className: 'front-line', color: '#111827', weight: 2.5, dashArray: '6 4' }
            : { className: 'control-area', color: actorColour(properties.actor ?? ''), weight: 1, fillColor: actorColour(properties.actor ?? ''), fillOpacity: 0.3 };
        },
        onEachFeature: (feature, layer) => {
          const properties = (feature as Feature<Schemas['ControlMapFeature']['properties']>).properties;
          layer.bindTooltip(properties.kind === 'front-line'
            ? `Front line: ${(properties.between ?? []).join(' / ')} (${properties.lengthKm ?? '?'} km)`
            : `${properties.actor ?? ''}: ${properties.areaKm2?.toLocaleString('en') ?? '?'} km²`, { sticky: true });
          tag(layer, 'data-actor', properties.actor ?? '');
        },
      }).addTo(this.layers.control);
    }

    if (data.ceasefires) {
      this.layers.ceasefires.clearLayers();
      for (const ceasefire of data.ceasefires) {
        L.geoJSON(ceasefire.area, { style: () => ({ className: 'ceasefire-area', color: '#1d4ed8', weight: 2, dashArray: '2 6', fillOpacity: 0.05 }) })
          .bindTooltip(ceasefire.label, { sticky: true }).addTo(this.layers.ceasefires);
      }
    }

    if (data.corridors) {
      this.layers.corridors.clearLayers();
      L.geoJSON(data.corridors, {
        style: (feature) => ({ className: `corridor-line corridor-${String(feature?.properties?.status ?? '')}`, color: feature?.properties?.status === 'open' ? '#15803d' : '#b45309', weight: 4 }),
        onEachFeature: (feature, layer) => layer.bindTooltip(`Corridor ${feature.properties?.name ?? ''}: ${feature.properties?.status ?? ''}`, { sticky: true }),
      }).addTo(this.layers.corridors);
    }

    if (data.posts) {
      this.layers.posts.clearLayers();
      L.geoJSON(data.posts, {
        pointToLayer: (feature, position) => L.circleMarker(position, {
          className: `post-marker post-${String(feature.properties?.status ?? '')}`, radius: 5, color: '#111827', weight: 2,
          fillColor: feature.properties?.status === 'encircled' ? '#f59e0b' : '#ffffff', fillOpacity: 1,
        }),
        onEachFeature: (feature, layer) => layer.bindTooltip(
          `Observation post ${feature.properties?.name ?? ''} (${feature.properties?.operator ?? ''}): ${feature.properties?.status ?? ''}`),
      }).addTo(this.layers.posts);
    }

    if (data.proposal !== undefined) {
      this.layers.proposal.clearLayers();
      if (data.proposal) {
        for (const area of data.proposal.areas) {
          L.geoJSON(area.area, { style: () => ({ className: 'proposal-area', color: actorColour(area.actor), weight: 3, dashArray: '10 6', fillOpacity: 0.08 }) })
            .bindTooltip(`${data.proposal.label}: ${area.actor}${area.share === undefined ? '' : ` ${(area.share * 100).toFixed(1)}%`}`, { sticky: true })
            .addTo(this.layers.proposal);
        }

        for (const line of data.proposal.lines) {
          L.geoJSON(line.line, { style: () => ({ className: 'proposal-line', color: '#374151', weight: 2, dashArray: '4 4' }) })
            .bindTooltip(line.name).addTo(this.layers.proposal);
        }
      }
    }

    if (data.attacks) {
      // An open popup belongs to the view it was opened in.
      this.map.closePopup();
      this.layers.attacks.clearLayers();
      this.markers.clear();
      // Largest first, so that small markers stay clickable on top of big ones.
      for (const attack of [...data.attacks].sort((a, b) => b.killedBest - a.killedBest)) {
        const classes = ['attack-marker', attack.retracted ? 'retracted-marker' : '', attack.change ? `changed changed-${attack.change}` : ''].filter(Boolean).join(' ');
        const marker = L.circleMarker([attack.location[1], attack.location[0]], {
          className: classes,
          radius: Math.min(24, 5 + 2.5 * Math.sqrt(attack.killedBest)),
          color: attack.change ? '#111827' : '#7f1d1d',
          weight: attack.change ? 3 : 1.5,
          dashArray: attack.retracted ? '3 3' : undefined,
          fillColor: attack.retracted ? '#9ca3af' : '#dc2626',
          fillOpacity: attack.retracted ? 0.3 : 0.7,
        });
        marker.bindTooltip(attack.label);
        marker.bindPopup('Loading…', { maxWidth: 360, minWidth: 260 });
        marker.on('popupopen', () => this.onAttackOpened(attack.id, marker));
        marker.addTo(this.layers.attacks);
        tag(marker, 'data-attack-id', attack.id);
        this.markers.set(attack.id, marker);
      }
    }

    if (!this.fitted) {
      const bounds = fitTo ? L.latLngBounds([fitTo[1], fitTo[0]], [fitTo[3], fitTo[2]]) : null;
      if (bounds?.isValid()) {
        this.map.fitBounds(bounds.pad(0.3), { maxZoom: 9 });
        this.fitted = true;
      }
    }
  }

  /** Opens an attack's popup (from the table), centring it. */
  open(id: string): boolean {
    const marker = this.markers.get(id);
    if (!marker) {
      return false;
    }

    this.map.panTo(marker.getLatLng());
    marker.openPopup();
    return true;
  }

  legend(element: HTMLElement): void {
    const items = knownActors().map(([actor, colour]) =>
      `<li><span class="swatch" style="background:${colour}"></span>${escapeHtml(actor)}</li>`);
    element.innerHTML = `
      <h2 class="legend-title">Legend</h2>
      <ul>
        ${items.join('')}
        <li><span class="swatch line"></span>Front line</li>
        <li><span class="swatch attack"></span>Attack (size: killed, best)</li>
        <li><span class="swatch post"></span>Observation post (amber: encircled)</li>
        <li><span class="swatch ceasefire"></span>Ceasefire area</li>
        <li><span class="swatch corridor"></span>Corridor (green: open)</li>
        <li><span class="swatch proposal"></span>Proposed map (dashed)</li>
      </ul>`;
  }
}

/** Leaflet's SVG paths exist once a layer is on the map; tag them for the tests and the table's links. */
function tag(layer: L.Layer, name: string, value: string): void {
  const set = (): void => {
    const element = (layer as L.Path).getElement?.();
    element?.setAttribute(name, value);
  };
  if ((layer as L.Path).getElement?.()) {
    set();
  } else {
    layer.on('add', set);
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[character] ?? character);
}
