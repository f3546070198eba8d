/**
 * The model-based economy suite (issue "Economy core"): fast-check's model-based testing
 * (`fc.commands` + `fc.modelRun`) over random economies. Each run starts from a generated genesis
 * and executes a random sequence of commands (models/commands/): user actions (valid and
 * invalid), oracle snapshots (timely, stale, future, replayed, competing, malformed; good or wrong
 * key), validator answers (honest, lying, malformed), safe mode, and AdvanceEpoch — which runs the
 * honest epoch and checks every applicable §9 step invariant, record.inputs, ledger.deterministic
 * (permuted arrival), record.replay, and the spec model's predictions.
 *
 * A failure names the invariant id, the epoch, the expected and the actual value; fast-check prints
 * the seed, the path and the commands with their replayPath (`/*replayPath="…"*\/`). Replay the whole
 * run with `QFS_SEED=<seed> npx vitest run properties/economy.model.test.ts`, or go straight to the
 * shrunk counterexample with `QFS_SEED=<seed> QFS_PATH=<path> QFS_REPLAY_PATH=<replayPath> npx vitest
 * run properties/economy.model.test.ts -t economy.model:`.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { validateGenesis } from '../src/genesis/genesis.ts';
import { EconomyStats } from '../models/commands/stats.ts';
import { economySetup, finishRun, type EconomyModel, type EconomyReal } from '../models/commands/model.ts';
import { economyCommands } from '../models/commands/arbitraries.ts';
import { economyFacts, economyGenesis, genesisToData } from '../models/economy.ts';

/** Runs per property: 200 unless QFS_RUNS (the global config) says otherwise. */
const numRuns = fc.readConfigureGlobal().numRuns ?? 200;
/** Replay of one counterexample: its path (with the global seed) and its commands' replayPath. */
const replay = process.env.QFS_PATH === undefined ? {} : { path: process.env.QFS_PATH, endOnFailure: true };
const replayPath = process.env.QFS_REPLAY_PATH === undefined ? {} : { replayPath: process.env.QFS_REPLAY_PATH };
const stats = new EconomyStats();
const started = Date.now();

afterAll(() => {
  console.log(`${stats.format('economy.model')}\n  wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('economy.model', () => {
  test('economy.arbitrary: every generated economy is a valid genesis; triangles and cross-shard edges are common', () => {
    const facts = { triangles: 0, cross: 0, several: 0, runs: 0 };
    fc.assert(
      fc.property(economyGenesis(), (g) => {
        const r = validateGenesis(genesisToData(g));
        if (!r.ok) throw new Error(r.error.message);
        const f = economyFacts(g);
        facts.runs++;
        if (f.triangles > 0) facts.triangles++;
        if (f.crossEdges > 0) facts.cross++;
        if (f.shards > 1) facts.several++;
        expect(f.nodes).toBeLessThanOrEqual(16);
        expect(f.shards).toBeLessThanOrEqual(6);
      }),
      { numRuns },
    );
    if (facts.runs >= 100) {
      expect(facts.triangles / facts.runs).toBeGreaterThan(0.7);
      expect(facts.cross / facts.several).toBeGreaterThan(0.85);
    }
  });

  test('economy.model: every §9 step invariant holds after every epoch', () => {
    fc.assert(
      // The commands come first: fast-check shrinks them first, then the genesis (with the genesis
      // first, fast-check 4.10's fc.commands shrinker often keeps every command). Shrinking stops
      // after max(120 s, 0.3 s per run) with the smallest counterexample so far; runs that cannot
      // reach numRuns in that time fail (failOnInterrupt: a slow machine never silently runs fewer).
      fc.property(fc.commands(economyCommands(), { maxCommands: 64, size: 'medium', ...replayPath }), economyGenesis(), (cmds, genesis) => {
        const setup = economySetup(genesis);
        let real: EconomyReal | undefined;
        fc.modelRun(() => {
          const s = setup();
          real = s.real;
          return s as { model: EconomyModel; real: EconomyReal };
        }, cmds);
        stats.merge(finishRun(real!));
      }),
      { numRuns, ...replay, plugins: [fc.interruptAfterTimeLimit(Math.max(120_000, numRuns * 300), { failOnInterrupt: true })] },
    );
    if (process.env.QFS_PATH === undefined) expect(stats.runs).toBe(numRuns);
  });
});
