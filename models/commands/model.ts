/** The model (what the spec predicts) and the real system (the engine's state and pending inputs) of one run, its setup, and the model's prediction. */
import type { EpochRecord } from '../../src/epoch/epoch-record.ts';
import type { EpochContext } from '../../src/epoch/epoch.ts';
import type { Genesis } from '../../src/genesis/genesis.ts';
import type { SignedSnapshot } from '../../src/epoch/oracle.ts';
import type { Json } from '../../src/math/canonical.ts';
import { initialState, type State } from '../../src/economics/state.ts';
import { economyContext, economyFacts } from '../economy.ts';
import { chainShape, modelAgents, modelDis, modelNodes, modelOracle, modelPsi, type ChainShape, type ModelChoice, type ModelCopy, type ModelNode, type ModelSubmission } from '../spec-model.ts';
import type { CommandData, ValidatorData } from './data.ts';
import { HONEST, type Engine } from './engine.ts';
import { EconomyStats } from './stats.ts';

export type Submission = ModelSubmission & { readonly label: string };

export type EconomyModel = {
  readonly shape: ChainShape;
  epoch: bigint;
  mode: 'normal' | 'safe';
  lastOracleEpoch: bigint;
  nodes: ModelNode[];
  submissions: Submission[];
  copies: ModelCopy[];
  validator: ValidatorData | null;
  /** Copies admitted by earlier epochs (a "replayed" snapshot re-sends one). */
  admitted: ModelCopy[];
  /** Distinct ML-DSA signatures this run asked for (bounded: repeats are cached). */
  signatures: Set<string>;
};

export type EconomyReal = {
  readonly ctx: EpochContext;
  readonly engine: Engine;
  readonly stats: EconomyStats;
  state: State;
  prevRecord: EpochRecord | null;
  /** The state was edited between epochs (safe-mode): the next epoch is not chained to the previous record. */
  chainBroken: boolean;
  snapshots: SignedSnapshot[];
  actions: { shard: bigint; actions: Json[] }[];
  /** Commands executed, as data (for stored counterexamples). */
  readonly log: CommandData[];
};

/** At most this many distinct signatures per run (ML-DSA-87 signing is ~10–19 ms). */
export const MAX_SIGNATURES_PER_RUN = 5;

/** The `modelRun` setup of one run over `genesis`. */
export function economySetup(genesis: Genesis, engine: Engine = HONEST): () => { model: EconomyModel; real: EconomyReal } {
  return () => {
    const ctx = economyContext(genesis);
    const state = initialState(genesis, ctx.genesisHash);
    const stats = new EconomyStats();
    stats.runs = 1;
    const f = economyFacts(genesis);
    stats.economies.add(`${f.shards === 1 ? 'one shard' : 'several shards'}`);
    if (f.triangles > 0) stats.economies.add('with triangles');
    if (f.crossEdges > 0) stats.economies.add('with cross-shard edges');
    if (f.nearLimit) stats.economies.add('near a §3 supply bound');
    stats.totals.add('nodes', f.nodes);
    const model: EconomyModel = {
      shape: chainShape(genesis, ctx.genesisHash),
      epoch: 0n,
      mode: 'normal',
      lastOracleEpoch: 0n,
      nodes: modelNodes(state),
      submissions: [],
      copies: [],
      validator: null,
      admitted: [],
      signatures: new Set(),
    };
    const real: EconomyReal = { ctx, engine, stats, state, prevRecord: null, chainBroken: false, snapshots: [], actions: [], log: [] };
    return { model, real };
  };
}

/** Closes a run's statistics (call after `fc.modelRun` returned). */
export function finishRun(real: EconomyReal): EconomyStats {
  const epochs = real.stats.totals.get('epochs');
  real.stats.epochsPerRun.add(epochs >= 10 ? '10+' : String(epochs));
  if (epochs >= 2) real.stats.totals.add('multi-epoch runs');
  return real.stats;
}

// ---------------------------------------------------------------------------------------------
// The model's current prediction

export const active = (m: EconomyModel): bigint[] => (m.mode === 'normal' ? [...m.shape.shardIds] : []);

/** What the pending inputs lead to, as the model predicts it. */
export function predict(m: EconomyModel): { t: bigint; oracle: ReturnType<typeof modelOracle>; dis: bigint[]; psi: bigint[]; choice: ModelChoice } {
  const t = m.epoch + 1n;
  const oracle = m.mode === 'safe' ? { admitted: null, rejections: [] } : modelOracle(m.shape, m.copies, t, m.lastOracleEpoch);
  const dis = modelDis(m.shape, m.nodes, oracle.admitted);
  const psi = modelPsi(m.nodes, dis);
  const choice = modelAgents(m.shape, m.nodes, dis, psi, m.submissions, active(m));
  return { t, oracle, dis, psi, choice };
}
