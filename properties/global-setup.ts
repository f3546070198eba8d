/**
 * One fast-check seed for the whole run, chosen here (or taken from QFS_SEED) and printed, so that
 * any failure replays with `QFS_SEED=<seed> npm test` (fast-check also prints the failing path).
 */
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    qfsSeed: number;
  }
}

export default function setup(project: TestProject): void {
  const fromEnv = process.env.QFS_SEED;
  if (fromEnv !== undefined && !/^-?[0-9]+$/.test(fromEnv)) throw new Error(`QFS_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
  const seed = fromEnv !== undefined ? Number(fromEnv) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  project.provide('qfsSeed', seed);
  console.log(`\n[qfs] fast-check seed ${seed}  (replay the whole run: QFS_SEED=${seed} npm test)\n`);
}
