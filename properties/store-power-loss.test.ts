/**
 * Power loss, simulated deterministically (docs/spec.md P10.11; models/power-loss-run.ts and
 * models/power-loss-storage.ts): appends, openings, recoveries and the storage attacker against a
 * simulated disk that loses unsynced writes, tears the last one and drops unsynced renames at a
 * power cut. Every anchored epoch survives, no crash alone causes an EA-14 recovery, the reopened
 * store re-verifies, and nothing under the store is lost. A failure prints its seed and path:
 * `QFS_SEED=<seed> npx vitest run properties/store-power-loss.test.ts -t store.power-loss`.
 *
 * The planted bugs: the same property with one fsync of the store's code path skipped (the file's
 * before its rename, the directory's after it, a new directory's parent, the directories of
 * moved files) must find a counterexample — else the property could not see that fsync.
 * (The SIGKILL crash test, test/store/crash.test.ts, kills real processes beside it.)
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OMITTED_FSYNCS } from '../src/io/storage.ts';
import { powerLossRunArbitrary, runPowerLoss, type PowerLossReport } from '../models/power-loss-run.ts';

const RUNS = Number(process.env.QFS_POWER_LOSS_RUNS ?? process.env.QFS_RUNS ?? '30');
const PLANTED_RUNS = Number(process.env.QFS_POWER_LOSS_PLANTED_RUNS ?? '300');

describe('store: power loss (simulated disk)', () => {
  test('store.power-loss: every anchored epoch survives a power cut at any point; the store reopens clean and loses nothing', () => {
    const reports: PowerLossReport[] = [];
    fc.assert(
      fc.property(powerLossRunArbitrary, (r) => {
        reports.push(runPowerLoss(r));
      }),
      { numRuns: RUNS },
    );
    const sum = (f: (x: PowerLossReport) => number) => reports.reduce((s, x) => s + f(x), 0);
    console.log(
      `store.power-loss: ${reports.length} runs, ${sum((x) => x.cuts)} power cuts, ${sum((x) => x.disk.lostWrites)} unsynced writes lost, ${sum((x) => x.disk.tornWrites)} torn, ${sum((x) => x.disk.keptWrites)} kept, ` +
        `${sum((x) => x.disk.droppedOps)} unsynced directory changes dropped, ${sum((x) => x.disk.keptOps)} kept; ${sum((x) => x.recoveries)} EA-14 recoveries, ${sum((x) => x.repairs)} caches repaired, ${sum((x) => x.residue)} residue files set aside; max head ${Math.max(...reports.map((x) => x.head))}`,
    );
    if (RUNS >= 10) expect(sum((x) => x.cuts), "power cuts generated").toBeGreaterThan(0);
  });

  for (const omit of OMITTED_FSYNCS) {
    test(`store.power-loss.planted: without the ${omit} fsync the property finds a counterexample`, () => {
      const d = fc.check(
        fc.property(powerLossRunArbitrary, (r) => {
          runPowerLoss(r, omit);
        }),
        { numRuns: PLANTED_RUNS, endOnFailure: true },
      );
      expect(d.failed, `no counterexample in ${d.numRuns} runs without the ${omit} fsync`).toBe(true);
      console.log(`store.power-loss.planted ${omit}: found after ${d.numRuns} runs: ${String((d.errorInstance as Error | undefined)?.message ?? d.errorInstance)}`);
    });
  }
});
