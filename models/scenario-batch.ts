/**
 * Scenarios of the differential property (properties/differential.test.ts): a random economy and
 * a few epochs of random commands, run by the TypeScript reference, stored as data that the Python
 * and Rust ports replay (`python -m qfs_conformance.batch`, `cargo run --release --bin batch`).
 *
 * A plan (what fast-check generates) is a genesis (`economyGenesis`) and, per epoch, a list of the
 * model suite's commands (models/commands/: user actions valid and invalid, oracle snapshots,
 * validator answers, safe mode) closed by an advance. `buildScenario` executes the plan with the
 * model suite's own machinery (so every command is resolved against the current state and every
 * epoch is checked as in economy.model) and records each epoch's stored inputs document (P6.7).
 *
 * The scenario, as the ports read it (one JSON line each):
 *   { id, genesis: <genesis document>, epochs: [{ safe_mode: boolean, inputs: <P6.7 inputs> }] }
 * run from the state at epoch 0: `safe_mode: true` sets S.mode = "safe" before the epoch (the
 * model's SafeMode command), then the inputs are replayed. The result of every runtime:
 *   { start_root, epochs: [{ root, record_hash }], error }
 */
import fc from 'fast-check';
import type { Json } from '../src/math/canonical.ts';
import { recordHash } from '../src/epoch/epoch-record.ts';
import { epochContext, replayHonestEpoch, runHonestEpoch, type StoredInputs } from '../src/epoch/epoch.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import type { StoredSnapshot } from '../src/epoch/oracle.ts';
import { readProposal } from '../src/ledger/proposal.ts';
import { initialState, stateRoot, type State } from '../src/economics/state.ts';
import type { AdvanceData, CommandData } from './commands/data.ts';
import type { Engine } from './commands/engine.ts';
import { EconomyStats } from './commands/stats.ts';
import { economySetup, finishRun } from './commands/model.ts';
import { EconomyCommand } from './commands/command.ts';
import { advanceData, duplicateData, safeModeData, snapshotData, submitData, validatorData } from './commands/arbitraries.ts';
import { asJson, economyGenesis, genesisFromData, genesisToData, type EconomyShape } from './economy.ts';

// ---------------------------------------------------------------------------------------------
// Data

export type ScenarioEpoch = { readonly safe_mode: boolean; readonly inputs: Json };
export type Scenario = { readonly genesis: Json; readonly epochs: readonly ScenarioEpoch[] };
export type EpochRoots = { readonly root: string; readonly record_hash: string };
/** What a runtime reached on a scenario; `epochs` stops at the first epoch it could not run (`error`). */
export type ScenarioRoots = { readonly start_root: string | null; readonly epochs: readonly EpochRoots[]; readonly error: string | null };

// ---------------------------------------------------------------------------------------------
// Plans

export type ScenarioPlan = { readonly genesis: Genesis; readonly epochs: readonly { readonly commands: readonly CommandData[]; readonly advance: AdvanceData }[] };

const w = <T>(arbitrary: fc.Arbitrary<T>, weight: number): fc.WeightedArbitrary<T> => ({ arbitrary, weight });

/**
 * The commands inside one epoch. Snapshots are rarer than in the model suite: each distinct one
 * costs an ML-DSA-87 signature here and a verification in every port (~19 ms in the Python port).
 */
export const epochCommandData: fc.Arbitrary<CommandData> = fc.oneof(
  w<CommandData>(submitData, 40),
  w<CommandData>(duplicateData, 4),
  w<CommandData>(snapshotData, 4),
  w<CommandData>(validatorData, 8),
  w<CommandData>(safeModeData, 1),
);

export type PlanShape = EconomyShape & { readonly epochs?: number; readonly commandsPerEpoch?: number };

/** Small economies (≤ 5 shards, ≤ 10 nodes by default) over 1 to 4 epochs of up to 8 commands each. */
export function scenarioPlan(max: PlanShape = {}): fc.Arbitrary<ScenarioPlan> {
  const epoch = fc.record({ commands: fc.array(epochCommandData, { maxLength: max.commandsPerEpoch ?? 8 }), advance: advanceData });
  return fc.record({
    genesis: economyGenesis({ shards: max.shards ?? 5, nodes: max.nodes ?? 10 }),
    epochs: fc.array(epoch, { minLength: 1, maxLength: max.epochs ?? 4 }),
  });
}

// ---------------------------------------------------------------------------------------------
// Building a scenario with the reference

export type BuiltScenario = {
  readonly scenario: Scenario;
  /** The roots the reference reached while running the plan (`runHonestEpoch`, epoch by epoch). */
  readonly roots: ScenarioRoots;
  readonly stats: EconomyStats;
};

/**
 * Runs a plan with the model suite's commands on the reference and records every epoch's stored
 * inputs. A model check that fails throws its `InvariantFailure` (a bug of the reference itself,
 * which economy.model would report too).
 */
export function buildScenario(plan: ScenarioPlan): BuiltScenario {
  const ctx = epochContext(plan.genesis);
  let last: State = initialState(plan.genesis, ctx.genesisHash);
  const epochs: ScenarioEpoch[] = [];
  const roots: EpochRoots[] = [];
  // The model suite runs each epoch three times (its inputs, a permutation, a replay): the first
  // run of each epoch is the one recorded.
  const recording: Engine = {
    name: 'recording',
    run(c, S, inputs) {
      const out = runHonestEpoch(c, S, inputs);
      if (S.epoch === last.epoch) {
        const safe = S.mode === 'safe' && last.mode !== 'safe';
        // The only edit between epochs that a scenario can express is the model's SafeMode.
        if (stateRoot(safe ? { ...S, mode: last.mode } : S) !== stateRoot(last)) throw new Error(`scenario: the state before epoch ${S.epoch + 1n} was edited in a way a scenario cannot store`);
        epochs.push({ safe_mode: safe, inputs: asJson(out.inputs) });
        roots.push({ root: out.record.root, record_hash: recordHash(out.record) });
        last = out.state;
      }
      return out;
    },
    replay: replayHonestEpoch,
  };
  const { model, real } = economySetup(plan.genesis, recording)();
  const exec = (d: CommandData): void => {
    const c = new EconomyCommand(d);
    if (c.check(model)) c.run(model, real);
  };
  for (const e of plan.epochs) {
    for (const d of e.commands) exec(d);
    exec(e.advance);
  }
  const scenario: Scenario = { genesis: genesisToData(plan.genesis), epochs };
  return { scenario, roots: { start_root: stateRoot(initialState(plan.genesis, ctx.genesisHash)), epochs: roots, error: null }, stats: finishRun(real) };
}

// ---------------------------------------------------------------------------------------------
// The reference as the third runtime: the stored form replayed, exactly what the ports receive

const obj = (x: Json | undefined, what: string): { readonly [k: string]: Json } => {
  if (x === null || x === undefined || typeof x !== 'object' || Array.isArray(x)) throw new Error(`scenario: ${what} is not an object`);
  return x as { readonly [k: string]: Json };
};
const list = (x: Json | undefined, what: string): readonly Json[] => {
  if (!Array.isArray(x)) throw new Error(`scenario: ${what} is not a list`);
  return x as readonly Json[];
};
const str = (x: Json | undefined, what: string): string => {
  if (typeof x !== 'string') throw new Error(`scenario: ${what} is not a string`);
  return x;
};

/** A stored inputs document (P6.7) read from its JSON form. */
function storedInputs(doc: Json, genesis: ReturnType<typeof epochContext>): StoredInputs {
  const o = obj(doc, 'inputs');
  const epoch = str(o.epoch, 'inputs.epoch');
  if (!/^(0|[1-9][0-9]*)$/.test(epoch)) throw new Error(`scenario: inputs.epoch ${JSON.stringify(epoch)} is not an epoch`);
  const snapshots = list(o.snapshots, 'inputs.snapshots').map((x, i): StoredSnapshot => {
    const s = obj(x, `inputs.snapshots[${i}]`);
    return { digest: str(s.digest, `inputs.snapshots[${i}].digest`), snapshot: s.snapshot ?? null, signature: str(s.signature, `inputs.snapshots[${i}].signature`) };
  });
  const proposals = list(o.proposals, 'inputs.proposals').map((x, i) => {
    const r = readProposal(x, genesis.topology);
    if (!r.ok) throw new Error(`scenario: inputs.proposals[${i}]: ${r.error.field}: ${r.error.message}`);
    return r.value;
  });
  return { epoch: BigInt(epoch), snapshots, validator: o.validator ?? null, proposals };
}

/** The reference's roots for a stored scenario (the third runtime of the differential property). */
export function referenceRoots(s: Scenario): ScenarioRoots {
  let start: string | null = null;
  const epochs: EpochRoots[] = [];
  try {
    const g = genesisFromData(s.genesis);
    const ctx = epochContext(g);
    let st = initialState(g, ctx.genesisHash);
    start = stateRoot(st);
    for (const [k, e] of s.epochs.entries()) {
      if (e.safe_mode) st = { ...st, mode: 'safe' };
      try {
        const out = replayHonestEpoch(ctx, st, storedInputs(e.inputs, ctx));
        epochs.push({ root: stateRoot(out.state), record_hash: recordHash(out.record) });
        st = out.state;
      } catch (err) {
        throw new Error(`epoch ${k + 1}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    return { start_root: start, epochs, error: (err as Error).message };
  }
  return { start_root: start, epochs, error: null };
}

// ---------------------------------------------------------------------------------------------
// Scenarios as counterexample commands, and as batch lines

/** The scenario as counterexample commands (SPEC §12: data that replays without the generators). */
export const scenarioCommands = (s: Scenario): Json[] => [
  { kind: 'genesis', genesis: s.genesis },
  ...s.epochs.map((e): Json => ({ kind: 'epoch', safe_mode: e.safe_mode, inputs: e.inputs })),
];

/** The scenario stored by `scenarioCommands`. */
export function scenarioFromCommands(commands: readonly Json[]): Scenario {
  const [first, ...rest] = commands.map((c, i) => obj(c, `commands[${i}]`));
  if (first === undefined || first.kind !== 'genesis') throw new Error('scenario: commands[0] is not { kind: "genesis", genesis }');
  const epochs = rest.map((c, i): ScenarioEpoch => {
    if (c.kind !== 'epoch' || typeof c.safe_mode !== 'boolean' || c.inputs === undefined) throw new Error(`scenario: commands[${i + 1}] is not { kind: "epoch", safe_mode, inputs }`);
    return { safe_mode: c.safe_mode, inputs: c.inputs };
  });
  return { genesis: first.genesis ?? null, epochs };
}

/** One input line of the ports' batch runners. */
export const batchLine = (id: string, s: Scenario): string => `${JSON.stringify({ id, genesis: s.genesis, epochs: s.epochs })}\n`;
