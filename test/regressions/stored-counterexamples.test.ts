/**
 * Every stored counterexample (SPEC §12) is a regression case: an adversary counterexample replays
 * to exactly its stored failure and roots when it runs a planted bug (the harness must keep
 * catching it), and passes every check otherwise (a fixed bug stays fixed). Counterexamples of
 * other suites must at least read (their suites replay them).
 */
import { describe, expect, it } from 'vitest';
import { listCounterexamples, loadCounterexample } from '../../src/io/counterexamples.ts';
import { replayCounterexample } from '../../models/adversary-check.ts';
import { checkAdversaryCounterexample } from '../../models/counterexample-check.ts';

const files = listCounterexamples('counterexamples');

describe('stored counterexamples', () => {
  it('there is at least the planted-bug example', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(file, () => {
      const c = loadCounterexample(file);
      if (!c.property.startsWith('adversary.')) return;
      // Validated as data first (P13.6); an EA-14 case holds a storage run, which has no planted bug.
      const checked = checkAdversaryCounterexample(c, file);
      const planted = !checked.storage && checked.run.mutant !== undefined;
      const r = replayCounterexample(c);
      if (planted) expect(r.kind, r.kind === 'different' ? r.why : r.kind).toBe('reproduced');
      else expect(r.kind, r.kind === 'passes' ? '' : r.failure.message).toBe('passes');
    });
  }
});
