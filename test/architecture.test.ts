/**
 * The layout is a rule, not a habit (README "Layout"): src/ imports nothing from the harness or the
 * CLI, no two source files import each other (directly or around a loop), and every import points
 * down the layers, in this order. Type-only imports count: they are arrows too.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
/** The layers of src/, lowest first: a file may import its own layer and the layers below it. */
export const LAYERS = ['core', 'math', 'genesis', 'field', 'economics', 'epoch', 'ledger', 'invariants', 'coherence', 'evidence', 'runs', 'io'] as const;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import and re-export of a file, as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, normalize(join(dirname(file), s))).split('\\').join('/'));
}

const files = tsFiles(join(ROOT, 'src')).map((f) => relative(ROOT, f).split('\\').join('/')).sort();
const graph = new Map(files.map((f) => [f, importsOf(join(ROOT, f))]));
const layerOf = (f: string): number => LAYERS.indexOf(f.split('/')[1] as (typeof LAYERS)[number]);

/** Strongly connected components with more than one file, or a file that imports itself (Tarjan). */
function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('architecture', () => {
  test('architecture.boundary: no file under src/ imports models/, properties/, test/, cli/ or anything outside src/', () => {
    const bad = [...graph].flatMap(([f, deps]) => deps.filter((d) => !d.startsWith('src/')).map((d) => `${f} -> ${d}`));
    expect(bad).toEqual([]);
  });

  test('architecture.acyclic: no import cycle among the files of src/', () => {
    expect(cycles(graph)).toEqual([]);
  });

  test('architecture.layers: every file is in a layer folder and imports only its own layer or lower ones', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
    const up = [...graph].flatMap(([f, deps]) => deps.filter((d) => d.startsWith('src/') && layerOf(d) > layerOf(f)).map((d) => `${f} -> ${d}`));
    expect(up).toEqual([]);
  });

  test("architecture.readme: the README's layout table names every folder of src/ in layer order, and every path it names exists", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## Determinism'));
    const rows = [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!);
    const srcRows = rows.filter((r) => r.startsWith('src/')).map((r) => r.replace(/^src\/|\/$/g, ''));
    expect(srcRows).toEqual([...LAYERS]);
    const folders = readdirSync(join(ROOT, 'src')).filter((n) => statSync(join(ROOT, 'src', n)).isDirectory()).sort();
    expect(folders).toEqual([...LAYERS].sort());
    const paths = [...table.matchAll(/`((?:src|cli|models|properties|test|scripts|bench|docs|conformance|counterexamples|evidence)[^`]*)`/g)].map((m) => m[1]!);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  test('architecture.cycle-detector: the checker itself finds a planted cycle and a planted upward arrow', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(layerOf('src/io/x.ts') > layerOf('src/math/y.ts')).toBe(true);
  });
});
