/**
 * The main job applies qfs check's applied-fraction gate to its property rows (issue 19): a property
 * whose attack applied in too few runs, or applied without its incident, is recorded as a failure,
 * so the recomputed `adversaries_detected` row fails.
 */
import { expect, test } from 'vitest';
import { AdversaryStats } from '../../models/adversary-check.ts';
import { gateFailure } from '../../models/phase3-run.ts';

function result(applied: number, detected: number) {
  const stats = new AdversaryStats();
  const s = stats.byEa.get('EA-5')!;
  s.applied = applied;
  s.detected = detected;
  s.notApplied = 8 - applied;
  return { property: 'adversary.EA-5', runsDone: 8, stats };
}

test('phase3.applied-gate: applied in every run and always detected passes; too few applied, or applied undetected, fails', () => {
  expect(gateFailure(result(8, 8))).toBeNull();
  expect(gateFailure(result(3, 3))).toMatchObject({ invariant: 'adversary.applied-gate', epoch: 0n });
  expect(gateFailure(result(8, 7))).toMatchObject({ invariant: 'adversary.applied-gate', epoch: 0n });
});
