/**
 * A scenario run that fails a check stays in the evidence (issue 15): its epochs up to the failing
 * one and its failure go into phase3_ledger_consistency.json, so its row counts it and fails.
 * The failure is planted: the ledger bug "first-proposal-wins" under EA-8's equivocation.
 */
import { describe, expect, test } from 'vitest';
import type { Encodable } from '../../src/math/canonical.ts';
import { defaultGenesis } from '../../src/genesis/default-genesis.ts';
import { ledgerConsistencyRun } from '../../src/evidence/layouts.ts';
import { chainOf } from '../../models/adversary.ts';
import { focusedRun, scenarioRun } from '../../models/phase3-run.ts';

describe('main job: failed scenario runs', () => {
  test('phase3.failed-run-kept: a failing EA-8 run keeps its epochs up to the failure and the failure itself', () => {
    const chain = chainOf(defaultGenesis());
    let found = false;
    for (let r = 0; r < 6 && !found; r++) {
      const run = { ...focusedRun(chain, 'EA-8', 1n, r), mutant: 'first-proposal-wins' as const };
      const s = scenarioRun(chain, 'EA-8', run, `EA-8#${r + 1}`);
      if (s.failure === null) continue;
      found = true;
      expect(s.report).toBeNull();
      expect(s.steps.length).toBe(Number(s.failure.epoch));
      expect(s.steps.at(-1)!.record.epoch).toBe(s.failure.epoch);
      expect(s.expected.flat().some((x) => x.ea === 'EA-8')).toBe(true);
      const doc = ledgerConsistencyRun(s.label, 'EA-8', chain.ctx.genesisHash, s.start, s.steps, { expected: s.expected, failure: { invariant: s.failure.invariant, epoch: s.failure.epoch, message: s.failure.detail } }) as {
        failure: { invariant: string } | null;
        epochs: Encodable[];
      };
      expect(doc.failure?.invariant).toBe(s.failure.invariant);
      expect(doc.epochs).toHaveLength(s.steps.length);
    }
    expect(found, 'no focused EA-8 run applied the equivocation under the planted bug').toBe(true);
  }, 300_000);
});
