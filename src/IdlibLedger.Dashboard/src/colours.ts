// One colour per actor, the same on the map, in the legend and in the charts. A fixed palette that stays apart for
// the common kinds of colour blindness (Okabe & Ito), assigned by name so a reload keeps it.

const palette = ['#D55E00', '#009E73', '#0072B2', '#CC79A7', '#E69F00', '#56B4E9', '#8C6D31', '#6A3D9A'];
const assigned = new Map<string, string>();

export function actorColour(actor: string): string {
  const known = assigned.get(actor);
  if (known) {
    return known;
  }

  const colour = palette[assigned.size % palette.length] ?? '#555555';
  assigned.set(actor, colour);
  return colour;
}

/** Assign colours in name order, so that the same set of actors always gets the same colours. */
export function assignColours(actors: Iterable<string>): void {
  for (const actor of [...new Set(actors)].sort((a, b) => a.localeCompare(b))) {
    actorColour(actor);
  }
}

export function knownActors(): Array<[string, string]> {
  return [...assigned.entries()];
}
