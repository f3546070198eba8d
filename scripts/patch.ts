/**
 * A tiny patch language for genesis vectors, so that the ports see small mutations of one
 * document: `set` (path to a value), `delete` (a key or list element), `copy` (from one path to another).
 * Paths are lists of object keys and list indices.
 */
import type { Json } from '../src/math/canonical.ts';

export type Path = (string | number)[];
export type Patch = ({ op: 'set'; path: Path; value: Json } | { op: 'delete'; path: Path } | { op: 'copy'; from: Path; path: Path })[];

type Mutable = { [k: string]: Json } | Json[];

function get(doc: Json, path: Path): Json {
  let cur: Json = doc;
  for (const k of path) cur = (cur as Record<string | number, Json>)[k as never] as Json;
  return cur;
}

export function applyPatch(doc: Json, patch: Patch): Json {
  const out = structuredClone(doc) as Json;
  for (const p of patch) {
    const parent = get(out, p.path.slice(0, -1)) as Mutable;
    const last = p.path[p.path.length - 1]!;
    if (p.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last as string];
    } else {
      const value = p.op === 'set' ? p.value : structuredClone(get(out, p.from));
      (parent as Record<string | number, Json>)[last] = value;
    }
  }
  return out;
}
