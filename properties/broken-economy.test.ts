/**
 * The harness can fail: the same commands model (models/commands/) run against deliberately
 * broken economies must be refuted, shrunk to a few commands, and name the expected invariant.
 * Each broken economy wraps the honest epoch and transforms its result here, in the test (src/ is
 * not changed): the bug is consistent with itself (state, record, moves and root agree), so only
 * a recomputation from the previous state and the inputs can see it.
 *
 * For each: `fc.check` (not assert) must report a failure whose error is an `InvariantFailure`
 * with the expected id; the shrunk counterexample runs at most 5 commands; replaying it by
 * seed + path (+ the commands' replayPath) reproduces it; and the commands stored as plain data
 * (with the genesis as canonical JSON) replay to the same failure through `fc.modelRun`.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import type { Json } from '../src/math/canonical.ts';
import { runHonestEpoch, replayHonestEpoch, type EpochContext } from '../src/epoch/epoch.ts';
import { stateRoot, type Move, type State } from '../src/economics/state.ts';
import { distributeTreasury } from '../src/economics/treasury-distribution.ts';
import type { CommandData } from '../models/commands/data.ts';
import type { Engine, EpochOutput } from '../models/commands/engine.ts';
import { InvariantFailure } from '../models/commands/failures.ts';
import { economySetup } from '../models/commands/model.ts';
import { commandsFromData, ranCommandData } from '../models/commands/command.ts';
import { economyCommands } from '../models/commands/arbitraries.ts';
import { economyGenesis, genesisFromData, genesisToData } from '../models/economy.ts';
import type { Genesis } from '../src/genesis/genesis.ts';

type Mutable<T> = T extends bigint | string | number | boolean | null | undefined ? T : { -readonly [K in keyof T]: Mutable<T[K]> };

/** An engine whose every result (run and replay alike) goes through `transform`. */
function broken(name: string, transform: (ctx: EpochContext, S: State, out: EpochOutput) => EpochOutput, pre?: Engine['run']): Engine {
  return {
    name,
    run: (ctx, S, inputs) => {
      const h = (pre ?? runHonestEpoch)(ctx, S, inputs);
      return { ...h, ...transform(ctx, S, h) };
    },
    replay: (ctx, S, stored) => transform(ctx, S, replayHonestEpoch(ctx, S, stored)),
  };
}

const mutable = (out: EpochOutput): Mutable<EpochOutput> => structuredClone(out) as Mutable<EpochOutput>;
const sealed = (e: Mutable<EpochOutput>): EpochOutput => {
  // A buggy engine writes the root of the state it computed.
  e.record.root = stateRoot(e.state as State);
  return e as EpochOutput;
};

/** (a) Rewards by largest remainder instead of floor shares (state, moves and record consistent with them). */
const largestRemainder = broken('largest-remainder rewards', (ctx, S, out) => {
  if (out.record.outcome !== 'commit') return out;
  const R = out.record.rewards.budget;
  const w = out.record.rewards.nodes.map((n) => n.w);
  const W = w.reduce((a, b) => a + b, 0n);
  if (W === 0n) return out;
  const r = w.map((x) => (R * x) / W);
  let left = R - r.reduce((a, b) => a + b, 0n);
  if (left === 0n) return out;
  const order = w.map((x, i) => ({ i, rem: (R * x) % W })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    r[i]! += 1n;
    left--;
  }
  const e = mutable(out);
  const flx5 = e.state.nodes.map((n, i) => n.flx - e.record.rewards.nodes[i]!.k);
  const dist = distributeTreasury(ctx.topology, r, flx5, S.users.map((u) => u.flx), S.treasury);
  e.state.nodes.forEach((n, i) => (n.flx = dist.nodeFlx[i]!));
  e.state.users.forEach((u, j) => (u.flx = dist.userFlx[j]!));
  e.state.treasury = dist.treasury;
  e.record.moves = [...e.record.moves.filter((m) => m.kind !== 'cut' && m.kind !== 'payout'), ...(dist.moves as Move[])];
  e.record.rewards.nodes.forEach((n, i) => {
    n.r = r[i]!;
    n.k = dist.cuts[i]!;
  });
  e.record.rewards.users = dist.users.map((u) => ({ ...u }));
  return sealed(e);
});

/** (b) The CHR pool's floor remainder dropped instead of kept for the next epoch. */
const chrPoolDropped = broken('CHR pool remainder dropped', (_ctx, _S, out) => {
  if (out.record.outcome !== 'commit' || out.state.chr_pool === 0n) return out;
  const e = mutable(out);
  e.state.chr_pool = 0n;
  e.record.chr.pool = 0n;
  return sealed(e);
});

/** (c) The EA-11 incidents left out of the record (the rejected snapshots leave no evidence). */
const oracleIncidentsDropped = broken('EA-11 incidents dropped', (_ctx, _S, out) => {
  if (!out.record.incidents.some((i) => i.ea === 'EA-11')) return out;
  const e = mutable(out);
  e.record.incidents = e.record.incidents.filter((i) => i.ea !== 'EA-11');
  return e as EpochOutput;
});

/** (d) An oracle that reads only the first snapshot copy to arrive: the stored inputs are not what was received. */
const firstSnapshotOnly = broken(
  'first-arrived snapshot only',
  (_ctx, _S, out) => out,
  (ctx, S, inputs) => runHonestEpoch(ctx, S, { ...inputs, snapshots: inputs.snapshots.slice(0, 1) }),
);

/**
 * (e) Refusals reported in the order the actions arrived, not in the agent's (P6.9) order: every
 * record and state is right, but the agents' output depends on arrival order.
 */
const refusalsByArrival: Engine = {
  name: 'refusals in arrival order',
  run: (ctx, S, inputs) => {
    const h = runHonestEpoch(ctx, S, inputs);
    const arrival = inputs.actions.flatMap((g) => g.actions.map((a) => JSON.stringify(a)));
    const at = (action: Json): number => arrival.indexOf(JSON.stringify(action));
    return { ...h, refusals: [...h.refusals].sort((x, y) => at(x.action) - at(y.action)) };
  },
  replay: replayHonestEpoch,
};

/**
 * The same commands and arbitraries as economy.model, in shorter runs (at most 24 commands): a
 * failure is found as soon, and each shrinking step re-executes fewer epochs. The commands come
 * first in the property's tuple, as in economy.model: fast-check shrinks them first, then the
 * genesis (with the genesis first, fast-check 4.10's `fc.commands` shrinker often keeps every
 * command, and `fc.limitShrink` on the genesis stops the commands from shrinking too).
 */
const commandsArb = (replayPath?: string) => fc.commands(economyCommands(), { maxCommands: 24, size: 'medium', ...(replayPath === undefined ? {} : { replayPath }) });
const genesisArb = economyGenesis();

const modelProperty = (engine: Engine, replayPath?: string) =>
  fc.property(commandsArb(replayPath), genesisArb, (cmds, genesis) => {
    fc.modelRun(economySetup(genesis, engine), cmds);
  });

/** Runs stored commands (plain data) over a stored genesis (canonical JSON): the failure, or null. */
function replayStored(stored: { genesis: Json; commands: CommandData[] }, engine: Engine): InvariantFailure | null {
  const genesis: Genesis = genesisFromData(stored.genesis);
  try {
    fc.modelRun(economySetup(genesis, engine), commandsFromData(stored.commands));
    return null;
  } catch (e) {
    if (e instanceof InvariantFailure) return e;
    throw e;
  }
}

const report: string[] = [];
afterAll(() => {
  console.log(`[qfs] broken economies (shrunk counterexamples):\n${report.join('\n')}`);
});

const cases: [Engine, string][] = [
  [largestRemainder, 'reward.cap'],
  [chrPoolDropped, 'chr.conserved'],
  [oracleIncidentsDropped, 'incident.evidence'],
  [firstSnapshotOnly, 'record.inputs'],
  [refusalsByArrival, 'ledger.deterministic'],
];

describe('broken economies are refuted by the model-based suite', () => {
  for (const [engine, id] of cases) {
    test(`broken-economy: ${engine.name} → ${id}`, () => {
      const started = Date.now();
      const details = fc.check(modelProperty(engine), { numRuns: 200 });
      expect(details.failed, `${engine.name}: the suite did not refute it`).toBe(true);
      const error = details.errorInstance;
      expect(error).toBeInstanceOf(InvariantFailure);
      const failure = error as InvariantFailure;
      expect(failure.id, failure.message).toBe(id);

      const [cmds, genesis] = details.counterexample!;
      const ran = ranCommandData(cmds);
      expect(ran.length, String(cmds)).toBeLessThanOrEqual(5);

      // Replay by seed and path (the commands' own replayPath tells which commands ran while shrinking).
      const replayPath = /replayPath="([^"]*)"/.exec(String(cmds))?.[1];
      const again = fc.check(modelProperty(engine, replayPath), { seed: details.seed, path: details.counterexamplePath!, endOnFailure: true });
      expect(again.failed).toBe(true);
      expect((again.errorInstance as InvariantFailure).id).toBe(id);
      expect(ranCommandData(again.counterexample![0])).toEqual(ran);

      // Stored as plain data (JSON) and replayed without any generator.
      const stored = JSON.parse(JSON.stringify({ genesis: genesisToData(genesis), commands: ran })) as { genesis: Json; commands: CommandData[] };
      const replayed = replayStored(stored, engine);
      expect(replayed?.id).toBe(id);
      expect(replayed?.epoch).toBe(failure.epoch);
      // The honest engine passes the same commands.
      expect(replayStored(stored, { name: 'honest', run: runHonestEpoch, replay: replayHonestEpoch })).toBeNull();

      report.push(
        `  ${engine.name}: ${id} at epoch ${failure.epoch}, ${ran.length} command(s) after ${details.numRuns} run(s) and ${details.numShrinks} shrinks ` +
          `(seed ${details.seed}, path ${details.counterexamplePath}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n    ${String(cmds)}\n    ${failure.message.split('\n').join('\n    ')}`,
      );
    });
  }
});
