/**
 * The fast tier (issue 19): a few runs of every adversary property, cheapest first
 * (CHEAPEST_FIRST in models/adversary-check.ts), and of the ledger model's agreement, so that most
 * bugs surface within the first minute of CI; `npm test` runs this file before the full suites
 * (`qfs check` has the same tier, `--fast N`). QFS_FAST_RUNS sets the runs (default 2). It claims
 * no coverage and applies no applied-fraction gate: the full suites do.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CHEAPEST_FIRST, checkAdversaryProperty } from '../models/adversary-check.ts';
import { executeRun } from '../models/adversary.ts';
import { runArbitrary } from '../models/adversary-arbitraries.ts';
import { ledgerModelFault } from '../models/ledger-model/check.ts';

const runs = process.env.QFS_FAST_RUNS ? Number(process.env.QFS_FAST_RUNS) : 2;
const seed = fc.readConfigureGlobal().seed ?? 0;

describe('fast tier', () => {
  test('fast:ledger-model', () => {
    fc.assert(
      fc.property(runArbitrary(null), (run) => {
        executeRun(run, ({ chain, S, e }) => {
          const fault = ledgerModelFault(chain, S, e.out);
          expect(fault, `${fault?.id} at epoch ${e.out.record.epoch}: ${fault?.message}`).toBeNull();
        });
      }),
      { numRuns: runs },
    );
  }, 300_000);

  for (const property of CHEAPEST_FIRST) {
    test(`fast:${property}`, () => {
      const r = checkAdversaryProperty({ property, seed, runs, counterexamples: 'counterexamples' });
      if (r.failure !== null) expect.fail(`${property} failed (seed ${seed}): ${r.failure.message}\n  ${r.failure.commands} commands; counterexample ${r.failure.file}\n  replay: ${r.failure.replay}`);
    }, 300_000);
  }
});
