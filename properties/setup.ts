/** Per-worker setup: every property of the run uses the one recorded seed (see global-setup.ts). */
import fc from 'fast-check';
import { inject } from 'vitest';

const seed = inject('qfsSeed');
const numRuns = process.env.QFS_RUNS ? Number(process.env.QFS_RUNS) : undefined;
fc.configureGlobal({ seed, ...(numRuns ? { numRuns } : {}) });
