/**
 * The EconomicAdversarySuite (SPEC §8): one property per attack. `adversary.EA-1` …
 * `adversary.EA-13` run over runs (4–7 shards, f ≤ floorDiv(n − 1, 3) Byzantine) whose focus
 * epoch carries that attack among honest load and other attacks; every epoch is checked against
 * its twin (models/adversary.ts). `adversary.EA-14` is the storage attacker: it alters a store of
 * honest epochs and checks the recovery (models/storage-attack.ts).
 * Real ML-DSA-87 signatures throughout.
 *
 * Runs per property: 50 (QFS_ADVERSARY_RUNS). Every run carries its property's attack once, so
 * each attack is generated at least 50 times whatever the seed. A failure is shrunk and written to
 * counterexamples/<invariant>/<hash12>.json; the message gives `npx qfs replay <file>`, and the
 * whole property replays with `npx qfs check --property adversary.EA-k --seed <seed>`.
 * The statistics printed at the end show how often each attack was generated and applied.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { ADVERSARY_PROPERTIES, AdversaryStats, appliedGate, checkAdversaryProperty } from '../models/adversary-check.ts';
import { EAS } from '../models/adversary.ts';

const runs = process.env.QFS_ADVERSARY_RUNS ? Number(process.env.QFS_ADVERSARY_RUNS) : 50;
const seed = fc.readConfigureGlobal().seed ?? 0;
const total = new AdversaryStats();
const started = Date.now();

afterAll(() => {
  console.log(`${total.format(`adversary (seed ${seed})`)}\n  wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('adversary', () => {
  for (const property of ADVERSARY_PROPERTIES) {
    test(property, () => {
      const n = property === 'adversary.EA-14' ? Math.max(runs, 50) : runs;
      const r = checkAdversaryProperty({ property, seed, runs: n, counterexamples: 'counterexamples' });
      total.merge(r.stats);
      if (r.failure !== null) {
        expect.fail(
          `${property} failed (seed ${seed}): ${r.failure.message}\n  ${r.failure.commands} commands; counterexample ${r.failure.file}\n  replay: ${r.failure.replay}`,
        );
      }
      expect(r.runsDone).toBe(n);
      // The focus attack applied in most runs (its shard active, the lie possible) and every applied
      // one detected (its expected incident observed): the gate `qfs check` and the main job apply too.
      expect(appliedGate(r)).toBeNull();
    }, 600_000);
  }

  test('adversary.coverage: every attack was generated at least 50 times', () => {
    if (runs < 50) return; // a reduced campaign (QFS_ADVERSARY_RUNS) does not claim coverage
    for (const ea of EAS) expect(total.byEa.get(ea)!.generated, ea).toBeGreaterThanOrEqual(50);
  });
});
