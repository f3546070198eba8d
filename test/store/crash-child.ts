/**
 * The crash test's child (crash.test.ts bundles it with esbuild, or runs it with `node --import
 * tsx`): opens the store with its anchor file the way `qfs ledger recover` does (residue set aside,
 * caches repaired, EA-14 recovery if an epoch's inputs were altered or lost, anchor rewritten),
 * then appends honest epochs, rewriting the anchor after each. The parent kills it with SIGKILL:
 * by the store's hook (QFS_CRASH_AFTER_WRITES=i: after its i-th write, new directory or rename aside) or after
 * a delay.
 *
 *   crash-child <store> <anchor file> <epochs to append> <seed> <checkpoint every>
 */
import { recoverStore } from '../../src/io/store-recovery.ts';
import { appendHonest } from './fixtures.ts';

const [store, anchorPath, appends, seed, every] = process.argv.slice(2);
if (store === undefined || anchorPath === undefined || appends === undefined || seed === undefined || every === undefined) {
  process.stderr.write('usage: crash-child <store> <anchor> <epochs> <seed> <checkpoint-every>\n');
  process.exit(2);
}
const opened = recoverStore(store, anchorPath);
appendHonest(store, anchorPath, opened.ctx, opened, Number(appends), { seed: BigInt(seed), checkpointEvery: BigInt(every) });
