/** How an epochs.json chain is built: epoch plans, signed snapshots, honest validator answers, actions, and the run that checks every step. */
import type { Json } from '../../src/math/canonical.ts';
import { devLabel } from '../../src/genesis/default-genesis.ts';
import { devKey } from '../../src/math/signatures.ts';
import { recordHash, type EpochRecord } from '../../src/epoch/epoch-record.ts';
import { epochContext, runHonestEpoch, type EpochContext, type EpochInputs } from '../../src/epoch/epoch.ts';
import { applyOracle, decideOracle, signSnapshot, storedSnapshots, type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { stateRoot, type State } from '../../src/economics/state.ts';
import { checkStep } from '../../src/invariants/catalog.ts';
import type { Patch } from '../patch.ts';
import { j } from './common.ts';
import { genesisNamed, patchedState } from './fixtures.ts';

export type ChainView = { readonly ctx: EpochContext; readonly S: State; readonly t: bigint };
export type Plan = (c: ChainView) => EpochInputs;

const oracleSecret = (): Uint8Array => devKey(devLabel.oracle).secretKey;
export const notOracleSecret = (): Uint8Array => devKey(devLabel.founder(0)).secretKey;

export function snap(ctx: EpochContext, epoch: bigint, dis: [bigint, bigint][], key = oracleSecret()): SignedSnapshot {
  return signSnapshot({ genesis: ctx.genesisHash, epoch, dis: dis.map(([node, value]) => ({ node, value })) }, key);
}
/** A snapshot document of any shape, signed by the oracle. */
export const signedRaw = (doc: Json): SignedSnapshot => signSnapshot(doc, oracleSecret());
/** The same snapshot with a signature that fails (its first hex digit changed). */
export const corrupt = (x: SignedSnapshot): SignedSnapshot => ({ snapshot: x.snapshot, signature: (x.signature[0] === '0' ? '1' : '0') + x.signature.slice(1) });

/** The opening ψ the engine will compute for these snapshots (what an honest validator answers). */
function enginePsi(c: ChainView, snapshots: readonly SignedSnapshot[]): bigint[] {
  const { ctx, S: st, t } = c;
  const d = decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: ctx.topology }, storedSnapshots(snapshots), t, st.last_oracle_epoch);
  return [...openingField(ctx.topology, applyOracle(ctx.topology, st, d.admitted).nodes).psi];
}
export function answer(c: ChainView, snapshots: readonly SignedSnapshot[], lies: [bigint, bigint][] = [], epoch = c.t): Json {
  const psi = enginePsi(c, snapshots);
  const lie = new Map(lies);
  return j({ epoch, psi: c.ctx.topology.nodeIds.map((node, i) => ({ node, value: lie.get(node) ?? psi[i]! })) });
}

export const act = {
  tr: (from: bigint, to: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'transfer', from, to, amount, nonce }),
  st: (node: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'stake', node, amount, nonce }),
  un: (node: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'unstake', node, amount, nonce }),
  ps: (from: bigint, to: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'psy_transfer', from, to, amount, nonce }),
};

export type ChainResult = { chain: unknown; records: EpochRecord[]; refusalCodes: string[]; queueKept: number; queueReleased: number };

export function runChain(name: string, note: string, genesis: string, startPatch: Patch, plans: Plan[], full: boolean): ChainResult {
  const ctx = epochContext(genesisNamed(genesis));
  let st = patchedState(genesis, startPatch);
  const startRoot = stateRoot(st);
  let prev: EpochRecord | null = null;
  const epochs: unknown[] = [];
  const records: EpochRecord[] = [];
  const refusalCodes: string[] = [];
  let queueKept = 0;
  let queueReleased = 0;
  for (const plan of plans) {
    const t = st.epoch + 1n;
    const inputs = plan({ ctx, S: st, t });
    const out = runHonestEpoch(ctx, st, inputs);
    const violations = checkStep(ctx, st, out.record, out.state, out.inputs, prev);
    if (violations.length > 0) throw new Error(`vectors: chain ${name}, epoch ${t} breaks ${violations.map((v) => v.id).join(', ')}`);
    const old = st.unstakes.filter((u) => u.since < t).length;
    const released = out.record.moves.filter((m) => m.kind === 'unstake').length;
    if (out.record.outcome === 'commit' && old > 0) {
      if (released > 0) queueReleased++;
      else queueKept++;
    }
    epochs.push({
      submitted: j(inputs.actions),
      refusals: j(out.refusals.map((r) => ({ shard: r.shard, code: r.code, digest: r.digest }))),
      inputs: j(out.inputs),
      inputs_hash: out.record.inputs_hash,
      outcome: out.record.outcome,
      record_hash: recordHash(out.record),
      root: out.record.root,
      ...(full ? { record: j(out.record), state: j(out.state) } : {}),
    });
    refusalCodes.push(...out.refusals.map((r) => r.code));
    records.push(out.record);
    prev = out.record;
    st = out.state;
  }
  return { chain: { name, note, genesis, start_patch: startPatch, start_root: startRoot, epochs }, records, refusalCodes, queueKept, queueReleased };
}

export const submitted = (...xs: [bigint, Json[]][]): EpochInputs['actions'] => xs.map(([shard, actions]) => ({ shard, actions }));
export const noInputs: EpochInputs = { snapshots: [], validator: null, actions: [] };

/** The set ops that turn one JSON value into another of the same shape (a whole value where the shapes differ). */
function diffPatch(from: Json, to: Json, path: (string | number)[] = []): Patch {
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) return from.flatMap((x, i) => diffPatch(x, to[i]!, [...path, i]));
  const isObj = (x: Json): x is { readonly [k: string]: Json } => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObj(from) && isObj(to) && JSON.stringify(Object.keys(from)) === JSON.stringify(Object.keys(to))) {
    return Object.keys(from).flatMap((k) => diffPatch(from[k]!, to[k]!, [...path, k]));
  }
  return [{ op: 'set', path, value: to }];
}

/**
 * A start a valid genesis really reaches: honest epochs with no input run from its epoch-0 state
 * (each checked like a chain's) until one's record satisfies `until`; the start is the state from
 * which that epoch is the `back`-th, as a patch of the epoch-0 state. The patched state's root is
 * checked against the reached one, so the patch is exactly that state.
 */
export function reachedStart(genesis: string, until: (record: EpochRecord) => boolean, back: number): { patch: Patch; epoch: bigint } {
  const ctx = epochContext(genesisNamed(genesis));
  const s0 = patchedState(genesis);
  const states: State[] = [s0];
  let prev: EpochRecord | null = null;
  for (;;) {
    const st = states[states.length - 1]!;
    const out = runHonestEpoch(ctx, st, noInputs);
    const violations = checkStep(ctx, st, out.record, out.state, out.inputs, prev);
    if (violations.length > 0) throw new Error(`vectors: reaching a start on ${genesis}, epoch ${out.state.epoch} breaks ${violations.map((v) => v.id).join(', ')}`);
    if (until(out.record)) break;
    if (states.length > 10_000) throw new Error(`vectors: no start reached on ${genesis}`);
    states.push(out.state);
    prev = out.record;
  }
  const start = states[states.length - back];
  if (start === undefined) throw new Error(`vectors: ${genesis} reaches the epoch after fewer than ${back} epochs`);
  const patch = diffPatch(j(s0), j(start));
  if (stateRoot(patchedState(genesis, patch)) !== stateRoot(start)) throw new Error(`vectors: the start patch on ${genesis} is not the reached state`);
  return { patch, epoch: start.epoch };
}
