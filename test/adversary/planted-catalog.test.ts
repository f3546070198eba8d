/**
 * The planted-bug catalog (models/planted-catalog.ts, issue 19): each bug is killed by its
 * property alone — the adversary property with its default 50 runs, no example test — and the
 * kill table (bug, property, invariant, commands, runs, seconds) is printed. To stay cheap in
 * `npm test` a kill stops at the first failure without shrinking; QFS_KILL_SHRINK=1 shrinks too
 * and requires every counterexample to be at most 5 commands.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { checkAdversaryProperty } from '../../models/adversary-check.ts';
import { PLANTED_CATALOG } from '../../models/planted-catalog.ts';

const seed = fc.readConfigureGlobal().seed ?? 0;
const shrink = process.env.QFS_KILL_SHRINK === '1';
const rows: string[] = [];

afterAll(() => {
  console.log([`kill table (seed ${seed}${shrink ? ', shrunk' : ', first failure, not shrunk'})`, '| bug | property | invariant | commands | runs | seconds |', ...rows].join('\n'));
});

describe('planted-bug catalog', () => {
  test('has at least 30 distinct bugs, each with an adversary property', () => {
    expect(new Set(PLANTED_CATALOG.map((c) => c.bug)).size).toBe(PLANTED_CATALOG.length);
    expect(PLANTED_CATALOG.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of PLANTED_CATALOG) {
    test(`${c.bug} is killed by ${c.property}`, () => {
      const t0 = Date.now();
      const r = checkAdversaryProperty({ property: c.property, seed, runs: 50, counterexamples: null, mutant: c.bug, shrink });
      const f = r.failure;
      rows.push(`| ${c.bug} | ${c.property} | ${f?.invariant ?? 'SURVIVED'} | ${f?.commands ?? '-'} | ${r.runsDone} | ${((Date.now() - t0) / 1000).toFixed(1)} |`);
      expect(f, `${c.bug} survived ${r.runsDone} runs of ${c.property} (seed ${seed})`).not.toBeNull();
      if (shrink) expect(f!.commands).toBeLessThanOrEqual(5);
    }, 600_000);
  }
});
