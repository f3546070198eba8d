/**
 * The honest epoch (SPEC §6 without the two-phase ledger): step 0's frozen check and the active
 * set, step 1 (oracle), step 2 (opening field and validator), the honest agents of the active
 * shards (every active shard is a voter here), steps 4–10 (`runEconomy`) and step 11 (sync).
 * `runHonestEpoch` runs the agents and builds the inputs document (P6.7); `replayHonestEpoch`
 * executes such a document, and re-executing one reproduces the record byte for byte. The ledger
 * (src/coherence/: proposals, votes, signatures, step 3 against proposals, steps 12–14) wraps the
 * same execution: it replaces the honest agents by the proposals it receives, decides the voters
 * and the outcome, and keeps these layouts.
 *
 * Layout pins: docs/spec.md P6 (P6.1 record, P6.2 lists, P6.3 abort and frozen, P6.4 incidents,
 * P6.5 events, P6.6 step-1 schema, P6.7 inputs document, P6.8 refusals, P6.9 honest agent, P6.10
 * outcome without the ledger).
 */
import { median } from '../math/certified-math.ts';
import type { Encodable, Json } from '../math/canonical.ts';
import type { EpochEvent, EpochRecord, Incident, ShardValue } from './epoch-record.ts';
import { genesisHash, type Genesis } from '../genesis/genesis.ts';
import { runEconomy, type Action } from '../economics/harmonic-economics.ts';
import { canonicalSha256, toHex } from '../math/hashing.ts';
import { chooseActions, honestProposal, type ProposalBody } from '../economics/honest-agent.ts';
import { applyOracle, decideOracle, oracleIncident, storedSnapshots, type SignedSnapshot, type StoredSnapshot } from './oracle.ts';
import { openingField, type OpeningField } from '../field/psi-field.ts';
import { stateRoot, type State } from '../economics/state.ts';
import { topology, type Topology } from '../field/topology.ts';
import { stakeCoherence, type ActionCode, type ActionBasis } from '../economics/action-rules.ts';
import { checkValidator } from './validator.ts';
import { commitRecord, stillRecord } from './record-builder.ts';

export type { EpochRecord } from './epoch-record.ts';

/** What every epoch of one chain shares: the genesis, its hash G and its topology. */
export type EpochContext = { readonly genesis: Genesis; readonly genesisHash: string; readonly topology: Topology };

export const epochContext = (genesis: Genesis): EpochContext => ({ genesis, genesisHash: genesisHash(genesis), topology: topology(genesis) });

/** What the honest epoch receives: signed snapshot copies, the validator's answer, and each shard's submitted actions. */
export type EpochInputs = {
  readonly snapshots: readonly SignedSnapshot[];
  readonly validator: Json | null;
  readonly actions: readonly { readonly shard: bigint; readonly actions: readonly Json[] }[];
};

/** The inputs document of P6.7. */
export type StoredInputs = {
  readonly epoch: bigint;
  readonly snapshots: readonly StoredSnapshot[];
  readonly validator: Json | null;
  readonly proposals: readonly ProposalBody[];
};

export type ShardRefusal = { readonly shard: bigint; readonly code: ActionCode; readonly digest: string; readonly action: Json };

export type HonestEpoch = {
  readonly state: State;
  readonly record: EpochRecord;
  /** The inputs document whose hash is `record.inputs_hash`. */
  readonly inputs: StoredInputs;
  /** The honest agents' refusals, by shard (P6.8: not part of the record). */
  readonly refusals: readonly ShardRefusal[];
};

/** `inputs_hash`: lowercase hex SHA-256 of the document's canonical bytes (P6.7), streamed into the hash. */
export const inputsHash = (inputs: StoredInputs): string => toHex(canonicalSha256(inputs as unknown as Encodable));

/** §4 participation: the shards active in epoch t (mode normal, not blacklisted, `halted_until < t`), ascending. */
export function activeShards(state: State, t: bigint): bigint[] {
  if (state.mode !== 'normal') return [];
  return state.shards.filter((s) => !s.blacklisted && s.halted_until < t).map((s) => s.id);
}

type Window1 = {
  readonly t: bigint;
  readonly prevRoot: string;
  readonly active: readonly bigint[];
  readonly snapshots: readonly StoredSnapshot[];
  readonly oracle: ReturnType<typeof decideOracle>;
  /** S after step 1. */
  readonly s1: State;
  readonly field: OpeningField;
};

/** Window 1 and step 2's field: the active set, the oracle's decision, the state after step 1, the opening field. */
function window1(ctx: EpochContext, S: State, snapshots: readonly StoredSnapshot[]): Window1 {
  const topo = ctx.topology;
  const t = S.epoch + 1n;
  const oracle = decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: topo }, snapshots, t, S.last_oracle_epoch);
  const s1 = applyOracle(topo, S, oracle.admitted);
  return { t, prevRoot: stateRoot(S), active: activeShards(S, t), snapshots, oracle, s1, field: openingField(topo, s1.nodes) };
}

const basisOf = (ctx: EpochContext, S: State, w: Window1): ActionBasis => ({ topology: ctx.topology, nodes: w.s1.nodes, unstakes: S.unstakes, field: w.field });

function checkGenesis(ctx: EpochContext, S: State): void {
  // Plain Error: another chain's state is the caller's bug, not a fault of any message or file.
  if (S.genesis !== ctx.genesisHash) throw new Error(`epoch: the state belongs to genesis ${S.genesis}, not ${ctx.genesisHash}`);
}

/**
 * One honest epoch t = S.epoch + 1: the honest agents of the active shards choose their actions
 * and make their proposals, then `replayHonestEpoch` executes the resulting inputs document. Pure:
 * same (ctx, S, inputs) → same bytes, whatever the order of the snapshots and submitted actions.
 */
export function runHonestEpoch(ctx: EpochContext, S: State, inputs: EpochInputs): HonestEpoch {
  checkGenesis(ctx, S);
  const t = S.epoch + 1n;
  // Step 0: no governance yet; a safe mode freezes the epoch, and nothing is read.
  if (S.mode === 'safe') {
    const stored: StoredInputs = { epoch: t, snapshots: [], validator: null, proposals: [] };
    return { ...replayHonestEpoch(ctx, S, stored), inputs: stored, refusals: [] };
  }
  const w = window1(ctx, S, storedSnapshots(inputs.snapshots));
  // The honest agents of the active shards (window 2); all of them are voters.
  const basis = basisOf(ctx, S, w);
  const submitted = new Map<bigint, Json[]>();
  for (const { shard, actions } of inputs.actions) submitted.set(shard, [...(submitted.get(shard) ?? []), ...actions]);
  const choices = w.active.map((shard) => chooseActions(basis, shard, submitted.get(shard) ?? []));
  const proposals = choices.map((c) => honestProposal(basis, c, t, w.prevRoot));
  const refusals: ShardRefusal[] = choices.flatMap((c) => c.refusals.map((r) => ({ shard: c.shard, ...r })));
  const stored: StoredInputs = { epoch: t, snapshots: w.snapshots, validator: inputs.validator, proposals };
  return { ...execute(ctx, S, w, stored), inputs: stored, refusals };
}

/**
 * Executes an inputs document of the honest path (P6.7): every stored proposal is a voter's, and
 * its actions are applied as they stand (they were chosen by an honest agent: step 3 is the
 * ledger's). Re-executing the inputs of `runHonestEpoch` reproduces its state and record byte for
 * byte. This is the part the ledger wraps: it will decide the voters and the outcome (steps 3,
 * 12–14) around the same computation.
 */
export function replayHonestEpoch(ctx: EpochContext, S: State, stored: StoredInputs): { state: State; record: EpochRecord } {
  checkGenesis(ctx, S);
  const t = S.epoch + 1n;
  // Plain Error: a document paired with another epoch's state is the caller's bug, not a data fault.
  if (stored.epoch !== t) throw new Error(`replayHonestEpoch: the inputs are for epoch ${stored.epoch}, not ${t}`);
  if (S.mode === 'safe') {
    const next: State = { ...S, epoch: t };
    const record = stillRecord(S, next, 'frozen', {
      inputs_hash: inputsHash(stored),
      active: [],
      voters: [],
      incidents: [],
      events: [],
      sync: null,
      c_shards: null,
    });
    return { state: next, record };
  }
  return execute(ctx, S, window1(ctx, S, storedSnapshots(stored.snapshots)), stored);
}

function execute(ctx: EpochContext, S: State, w: Window1, stored: StoredInputs): { state: State; record: EpochRecord } {
  const topo = ctx.topology;
  const { t, field, oracle, s1, active } = w;
  const events: EpochEvent[] = [];
  if (oracle.admitted !== null) events.push({ kind: 'oracle_admitted', digest: oracle.admitted.digest, epoch: oracle.admitted.snapshot.epoch });
  const incidents: Incident[] = oracle.rejections.map(oracleIncident);

  // Step 2's validator.
  const validator = checkValidator(topo, t, field.psi, stored.validator);
  events.push(...validator.events);
  incidents.push(...validator.incidents);

  const proposals = stored.proposals;
  const voters = proposals.map((p) => p.shard);
  const inputs_hash = inputsHash(stored);
  const basis = basisOf(ctx, S, w);

  // Step 11's evidence (also kept on an abort).
  const reports: ShardValue[] = proposals.map((p) => ({ shard: p.shard, value: p.reports.sync }));
  const sync = { c: field.c, median: reports.length === 0 ? null : median(reports.map((r) => r.value)), reports };
  const c_shards = proposals.map((p) => {
    const c = stakeCoherence(basis, p.shard, p.actions);
    return { shard: p.shard, open: c.open, with_stakes: c.with_stakes };
  });

  if (voters.length === 0) {
    // Step 13: no vote can match, and a commit needs max(1, ⌈2n/3⌉) = 1.
    events.push({ kind: 'no_quorum', votes: 0n, needed: 1n });
    const next: State = { ...S, epoch: t };
    const record = stillRecord(S, next, 'abort', { inputs_hash, active, voters, incidents, events, sync, c_shards });
    return { state: next, record };
  }

  // Steps 4–10 over the voters' actions.
  const actions: Action[] = proposals.flatMap((p) => p.actions);
  const econ = runEconomy(topo, s1, field, actions, t);
  if (econ.record.psy_exhausted) events.push({ kind: 'psy_exhausted' });
  const next: State = {
    ...s1,
    epoch: t,
    nodes: econ.nodes,
    users: econ.users,
    treasury: econ.treasury,
    chr_pool: econ.chr_pool,
    unstakes: econ.unstakes,
    coherence: field.c, // step 11
  };
  const record = commitRecord({ epoch: t, prev_root: w.prevRoot, root: stateRoot(next) }, { inputs_hash, active, voters, incidents, events, sync, c_shards }, econ.record);
  return { state: next, record };
}
