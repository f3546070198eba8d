/** SPEC §1 is mechanical: the lint rules refuse floating point, Math, randomness, clocks and `/` in src/. */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function problems(code: string, file = 'src/probe.ts'): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(root, file) });
  return (r?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('determinism lint (src/)', () => {
  const bad: [string, string][] = [
    ['Math.random()', 'export const x = Math.random();'],
    ['a float literal', 'export const x = 1.5;'],
    ['an exponent literal', 'export const x = 1e18;'],
    ['Math.floor', 'export const f = (a: number) => Math.floor(a);'],
    ['Date.now()', 'export const t = Date.now();'],
    ['new Date()', 'export const t = new Date();'],
    ['performance.now()', 'export const t = performance.now();'],
    ['process.hrtime', 'export const t = process.hrtime.bigint();'],
    ['toLocaleString', 'export const s = (1n).toLocaleString();'],
    ['localeCompare', "export const c = 'a'.localeCompare('b');"],
    ['Intl', 'export const f = new Intl.NumberFormat();'],
    ['parseFloat', "export const x = parseFloat('1');"],
    ['a bare division', 'export const q = (a: bigint, b: bigint) => a / b;'],
    ['sort() without comparator', 'export const s = [3, 1].sort();'],
    ['for…in', 'export function f(o: object) { for (const k in o) void k; }'],
    ['randomBytes', "import { randomBytes } from 'node:crypto';\nexport const r = randomBytes(4);"],
  ];
  for (const [what, code] of bad) {
    test(`lint.src refuses ${what}`, async () => {
      expect(await problems(code)).not.toEqual([]);
    });
  }

  test('lint.src accepts bigint fixed point through certified-math', async () => {
    const ok = "import { mulDiv, SCALE } from './certified-math.ts';\nexport const half = (a: bigint) => mulDiv(a, SCALE, 2n * SCALE);\n";
    expect(await problems(ok)).toEqual([]);
  });

  test('lint.scope: the rules bind src/ only (the harness may use floats for statistics)', async () => {
    expect(await problems('export const x = 1.5;', 'models/probe.ts')).toEqual([]);
  });
});
