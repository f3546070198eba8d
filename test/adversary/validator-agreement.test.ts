/**
 * The counterexample validator (models/counterexample-check.ts, P13.6) and the generators agree:
 * every run the adversary arbitraries generate, written as §12 commands, passes validation and
 * reads back as the same run. A generator that learns a new strategy fails here until the
 * validator accepts it (else its counterexamples could not be replayed).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runArbitrary } from '../../models/adversary-arbitraries.ts';
import { adversaryChain, EAS, runCommands } from '../../models/adversary.ts';
import { checkAdversaryCounterexample } from '../../models/counterexample-check.ts';
import { COUNTEREXAMPLE_FORMAT, type Counterexample } from '../../src/io/counterexamples.ts';

describe('counterexample validator against the generators', () => {
  for (const ea of EAS.filter((e) => e !== 'EA-14')) {
    test(`counterexample.validator.${ea}: generated runs validate and read back`, () => {
      for (const run of fc.sample(runArbitrary(ea), { numRuns: 40, seed: 7 })) {
        const c: Counterexample = {
          format: COUNTEREXAMPLE_FORMAT,
          property: `adversary.${ea}`,
          invariant: 'adversary.incidents',
          seed: 7n,
          path: '0',
          genesis_hash: adversaryChain(run.shards).ctx.genesisHash,
          commands: runCommands(run),
          failure: { epoch: null, message: 'probe', expected: '', actual: '' } as never,
          roots: [],
        };
        const checked = checkAdversaryCounterexample(c);
        if (checked.storage) throw new Error('an epoch-attack run read as a storage run');
        // Read back, the run is the one generated (up to flags written false, which read as absent).
        expect(checked.run.epochs.length).toBe(run.epochs.length);
        expect(checked.run.byzantine).toEqual(run.byzantine);
        expect(checked.run.epochs.map((e) => e.attacks.map((x) => x.ea))).toEqual(run.epochs.map((e) => e.attacks.map((x) => x.ea)));
      }
    });
  }
});
