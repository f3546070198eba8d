/**
 * The honest epoch (SPEC §6 without the two-phase ledger): step 0's frozen check and the active
 * set, step 1 (oracle), step 2 (opening field and validator), the honest agents of the active
 * shards (every active shard is a voter here), steps 4–10 (`runEconomy`) and step 11 (sync).
 * `runHonestEpoch` runs the agents and builds the inputs document (P6.7); `replayHonestEpoch`
 * executes such a document, and re-executing one reproduces the record byte for byte. The ledger
 * (proposals, votes, signatures, step 3 against proposals, steps 12–14) will wrap the execution:
 * it replaces the honest agents by the proposals it receives, decides the voters and the outcome,
 * and keeps every layout below.
 *
 * ------------------------------------------------------------------------------------------------
 * Layout pins (to be copied into docs/spec.md as "P6. The epoch record and the honest epoch")
 *
 * P6.1 Record. Exactly the §6 keys, every bulky list inline (no Merkle form):
 *      { epoch, prev_root, root, outcome, inputs_hash, active, voters, incidents, events, moves,
 *        flows, chr: { penalties, shares, pool }, res: { cap, credits }, psy_minted,
 *        rewards: { budget, nodes, users }, sync: { c, median, reports }, c_shards }
 *      `prev_root` is the root of S (= the previous record's `root`; for t = 1 the root of the
 *      genesis state); `root` is the root of the next state, whatever the outcome (on an abort or
 *      a frozen epoch: S with the epoch advanced and the bookkeeping). `active` and `voters` are
 *      shard ids, ascending. The record's hash is `H("qfs/v13/epoch", record)`.
 * P6.2 Lists (with the pins in state.ts, harmonic-economics.ts and treasury-distribution.ts):
 *      `moves` `{ kind, from, to, amount }` with the account strings of state.ts, in step order;
 *      `flows` `{ a, b, from, to, demand, amount }`, every edge with |d_e| > 0, edge order;
 *      `chr.penalties`, `chr.shares`, `psy_minted` `{ node, value }`, every node, id order;
 *      `res.credits` `{ a, b, node, value }`; `rewards.nodes` `{ node, m, w, r, k }` every node;
 *      `rewards.users` `{ user, node, u }` every user; `sync.reports` `{ shard, value }`, every
 *      voter in shard order; `sync.median` the lower median of the reports' values (null when
 *      there is no voter); `c_shards` `{ shard, open, with_stakes }`, every voter in shard order:
 *      `open` is the shard's C_s of the opening field, `with_stakes` its C_s with each of its
 *      nodes' atr raised by the sum of that node's stake amounts in the voter's proposal, computed
 *      exactly as EA-9 does (`floor(Σ floor(chr·(atr + stakes)/(SCALE + dis)) / n)`, unbounded, so
 *      never a MathViolation); `with_stakes = open` for a voter that stakes nothing, and both are 0
 *      for a shard with no nodes.
 * P6.3 Abort and frozen. As §6: `moves`, `flows`, `psy_minted`, `chr.penalties`, `chr.shares`,
 *      `res.credits`, `rewards.nodes`, `rewards.users` empty; `chr.pool = S.chr_pool`;
 *      `res.cap = 0`; `rewards.budget = 0`. On an abort `sync` is `{ c, median, reports }` with
 *      c = C of the opening field, and `c_shards` is as on a commit (the voters). On a frozen
 *      epoch `sync` and `c_shards` are null and `active`, `voters`, `incidents`, `events` empty.
 * P6.4 Incidents `{ code, ea, shard, evidence }`, in pipeline order:
 *      EA-11 `{ code: null, ea: "EA-11", shard: null,
 *               evidence: { digest, reason, epoch, admitted } }` — one per rejected snapshot
 *      digest, in digest order; `digest = H("qfs/v13/oracle", snapshot)`; `reason` is one of
 *      `malformed`, `bad_signature`, `future`, `stale`, `replayed`, `superseded`; `epoch` is the
 *      snapshot's epoch, null iff malformed; `admitted` is the admitted snapshot's digest iff
 *      `superseded`, else null.
 *      EA-12 `{ code: null, ea: "EA-12", shard: null,
 *               evidence: { digest, nodes: [{ node, engine, validator }] } }` — at most one;
 *      `digest = H("qfs/v13/validator", answer)`; `nodes` every node whose value differs from
 *      the engine's ψ, in id order (engine = the opening ψ, validator = the answer's value).
 * P6.5 Events `{ kind, ...fields }`, in pipeline order (several of one step by (shard, digest)):
 *      `{ kind: "oracle_admitted", digest, epoch }` step 1, when a snapshot is admitted (also on
 *      an abort, where the admission has no effect on the state);
 *      `{ kind: "validator_malformed", digest }` step 2, a malformed answer (ignored);
 *      `{ kind: "psy_exhausted" }` step 8, nothing minted;
 *      `{ kind: "no_quorum", votes, needed }` step 13, `votes` = the votes matching the
 *      candidate, `needed = max(1, floorDiv(2n + 2, 3))`, n = the voters.
 *      Messages of a schema fault are not in events (their texts are free); a snapshot's or an
 *      answer's schema fault is recorded only as `malformed`.
 * P6.6 Step-1 schema. A snapshot is malformed unless: an object with exactly the keys genesis,
 *      epoch, dis; `genesis` is the string G; `epoch` a canonical integer in [0, 2^63); `dis` a
 *      list of objects with exactly the keys node, value; every node an existing id, strictly
 *      ascending; every value a canonical integer in [0, SCALE]. `dis` may be empty. The validator's
 *      answer is malformed unless: exactly the keys epoch, psi; `epoch = t`; `psi` has exactly one
 *      `{ node, value }` per node of the chain, in id order, values in [0, 2^127).
 * P6.7 Inputs of the honest epoch. The document
 *        { epoch, snapshots: [{ digest, snapshot, signature }], validator, proposals }
 *      with `epoch = t`; `snapshots` every received copy that has a canonical form, each distinct
 *      (digest, signature) once, sorted by (digest, signature), including copies whose signature
 *      fails and snapshots that are rejected; `validator` the answer as received, or null;
 *      `proposals` the body `{ epoch, shard, prev_root, actions, reports: { psi, gradients, sync } }`
 *      of each voter's proposal (§6 schema), in shard order, unsigned; a frozen epoch reads nothing:
 *      `{ epoch, snapshots: [], validator: null, proposals: [] }`. `inputs_hash` is the lowercase
 *      hex SHA-256 of this document's canonical bytes (plain SHA-256, no tag, as §7 hashes the
 *      stored file). This pins the honest path only: the ledger store (§7) pins the stored inputs
 *      file (every message the epoch read with its signature, sorted by (kind, digest, signature))
 *      and `inputs_hash` becomes the hash of that file's bytes.
 * P6.8 Refusals of the honest agent are in neither the inputs nor the record. The actions a
 *      shard's nodes submit are local to its agent before window 2: the ledger never reads them,
 *      only the proposal that carries the taken ones. Recording refusals would make the record
 *      depend on messages that are not in the stored inputs (breaking `record.replay`: replaying
 *      the inputs re-runs no agent), and a Byzantine shard's refusals would be unverifiable claims.
 *      Re-running the agent on its own taken actions takes every one of them and refuses nothing,
 *      so the stored proposal is a fixed point. Refusals are returned to the caller (CLI, tests).
 * P6.9 Honest agent. A submitted value with no canonical form is dropped; submissions are not
 *      deduplicated (a second copy of a taken action is a `nonce_conflict`); malformed actions are
 *      refused first (digest order), then the others are judged in (acting node, nonce, digest)
 *      order. The step-3 rule order is the agent's code order (action-rules.ts), also for the
 *      ledger's EA-6 evidence ("the first rule it breaks").
 * P6.10 Outcome without the ledger (no governance records yet): frozen iff S.mode = "safe"; else
 *      every active shard is a voter and its honest vote matches, so the epoch commits iff there is
 *      at least one voter, and aborts with `no_quorum` (votes 0, needed 1) when every shard is
 *      halted or blacklisted. In an inputs document every proposal is a voter's (the voters are
 *      the proposals' shards, in shard order); a voter with no node still proposes (empty lists,
 *      sync = C) and counts towards the quorum.
 * ------------------------------------------------------------------------------------------------
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

/** The record of an epoch that moves nothing (P6.3); the ledger's aborts and frozen epochs use it too. */
export function stillRecord(
  S: State,
  next: State,
  outcome: 'abort' | 'frozen',
  fields: Pick<EpochRecord, 'inputs_hash' | 'active' | 'voters' | 'incidents' | 'events' | 'sync' | 'c_shards'>,
): EpochRecord {
  return {
    epoch: next.epoch,
    prev_root: stateRoot(S),
    root: stateRoot(next),
    outcome,
    ...fields,
    moves: [],
    flows: [],
    chr: { penalties: [], shares: [], pool: S.chr_pool },
    res: { cap: 0n, credits: [] },
    psy_minted: [],
    rewards: { budget: 0n, nodes: [], users: [] },
  };
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
  const record: EpochRecord = {
    epoch: t,
    prev_root: w.prevRoot,
    root: stateRoot(next),
    outcome: 'commit',
    inputs_hash,
    active,
    voters,
    incidents,
    events,
    moves: econ.record.moves,
    flows: econ.record.flows,
    chr: econ.record.chr,
    res: econ.record.res,
    psy_minted: econ.record.psy_minted,
    rewards: econ.record.rewards,
    sync,
    c_shards,
  };
  return { state: next, record };
}
