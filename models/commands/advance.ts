/**
 * advance: runs the epoch on the pending inputs (`Engine.run`) and checks, in this order:
 * every applicable §9 step invariant (`checkStep`, with the previous record);
 * record.inputs (inputs_hash is the SHA-256 of the stored inputs, computed by the
 * model; the stored snapshot copies and validator answer are what was received);
 * ledger.deterministic (the same inputs arriving in another order — actions one by one
 * and shuffled across arrival order and shard groups, snapshot copies shuffled and
 * repeated — give the same record bytes, root and refusals); record.replay
 * (`Engine.replay` of the stored inputs reproduces the record byte for byte); then
 * the model (models/spec-model.ts): the outcome and the active shards, each agent's
 * refusal codes (agent.refusals) and taken actions (agent.taken), the EA-11 incidents
 * and the admission (oracle.EA-11), the EA-12 evidence and validator_malformed
 * (validator.EA-12), and the next state's epoch, mode, last_oracle_epoch, dissonance
 * and nonces (model.state). A failure is an `InvariantFailure` naming the id, the
 * epoch, the expected and the actual value.
 */
import type { Json } from '../../src/math/canonical.ts';
import type { EpochInputs } from '../../src/epoch/epoch.ts';
import { checkStep } from '../../src/invariants/catalog.ts';
import { stateRoot } from '../../src/economics/state.ts';
import { modelCanonical, modelInputsHash, modelNodes, modelValidator, validatorDigestOf } from '../spec-model.ts';
import type { AdvanceData } from './data.ts';
import { expectSame, InvariantFailure } from './failures.ts';
import { active, predict, type EconomyModel, type EconomyReal } from './model.ts';
import { validatorAnswer } from './validator.ts';

const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
};

/** The same inputs arriving in another order: actions one by one, shuffled; snapshot copies shuffled, some repeated. */
export function permuted(inputs: EpochInputs, seed: number): EpochInputs {
  const next = rng(seed);
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  const snapshots = shuffle([...inputs.snapshots, ...inputs.snapshots.filter(() => next() < 0.5)]);
  const actions = shuffle(inputs.actions.flatMap((g) => g.actions.map((a) => ({ shard: g.shard, actions: [a] }))));
  return { snapshots, validator: inputs.validator, actions };
}

const canonical = (v: Json): boolean => {
  try {
    modelCanonical(v);
    return true;
  } catch {
    return false;
  }
};

const refusalKey = (x: { shard: bigint; code: string; digest: string }): string => `${x.shard}/${x.digest}/${x.code}`;
const sorted = (xs: string[]): string[] => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function runAdvance(m: EconomyModel, r: EconomyReal, d: AdvanceData): void {
  const S0 = r.state;
  const t = S0.epoch + 1n;
  expectSame('model.state', t, 'the model and the chain are at the same epoch', m.epoch + 1n, t);
  const frozen = m.mode === 'safe';
  const p = predict(m);
  const answer = m.validator === null ? null : validatorAnswer(m, m.validator, t, p.psi);
  const inputs: EpochInputs = { snapshots: r.snapshots, validator: answer, actions: r.actions };
  const out = r.engine.run(r.ctx, S0, inputs);

  // 1. Every applicable step invariant of the catalog.
  const violations = checkStep(r.ctx, S0, out.record, out.state, out.inputs, r.chainBroken ? null : r.prevRecord);
  if (violations.length > 0) {
    const v = violations[0]!;
    const also = violations.length > 1 ? ` (also broken: ${violations.slice(1).map((x) => x.id).join(', ')})` : '';
    throw new InvariantFailure(v.id, t, `${v.message}${also}`, v.expected, v.actual);
  }
  // 2. record.inputs: the hash of the stored inputs.
  expectSame('record.inputs', t, 'inputs_hash is the SHA-256 of the stored inputs (computed by the model)', modelInputsHash(out.inputs), out.record.inputs_hash);
  // What the inputs document stores (P6.7): every distinct (digest, signature) copy, sorted; the answer as received.
  const storedCopies = frozen ? [] : [...new Map(m.copies.map((c) => [`${c.digest}/${c.signature}`, [c.digest, c.signature]])).values()].sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0));
  expectSame('record.inputs', t, 'the stored snapshot copies (each distinct (digest, signature) once, sorted)', storedCopies, out.inputs.snapshots.map((c) => [c.digest, c.signature]));
  expectSame('record.inputs', t, "the stored validator answer (as received; none when frozen)", frozen ? null : answer, out.inputs.validator);
  // 3. ledger.deterministic: the same inputs in another arrival order.
  const again = r.engine.run(r.ctx, S0, permuted(inputs, d.perm));
  expectSame('ledger.deterministic', t, 'the record of the same inputs arriving in another order', out.record, again.record);
  expectSame('ledger.deterministic', t, 'the root of the same inputs arriving in another order', stateRoot(out.state), stateRoot(again.state));
  expectSame('ledger.deterministic', t, 'the refusals of the same inputs arriving in another order', out.refusals.map(refusalKey), again.refusals.map(refusalKey));
  // 4. record.replay: re-executing the stored inputs.
  const replay = r.engine.replay(r.ctx, S0, out.inputs);
  expectSame('record.replay', t, 'the record re-executed from the stored inputs', out.record, replay.record);
  expectSame('record.replay', t, 'the state re-executed from the stored inputs', stateRoot(out.state), stateRoot(replay.state));

  // 5. The model.
  expectSame('model.outcome', t, 'the outcome (frozen iff safe mode; otherwise every shard votes and the epoch commits)', frozen ? 'frozen' : 'commit', out.record.outcome);
  expectSame('model.outcome', t, 'the active shards', active(m), out.record.active);
  const refusals = p.choice.refusals.map(refusalKey);
  expectSame('agent.refusals', t, "the honest agents' refusals (shard/digest/code)", sorted(refusals), sorted(out.refusals.map(refusalKey)));
  const taken = new Map<bigint, readonly string[]>(out.inputs.proposals.map((q) => [q.shard, q.actions.map((a) => modelCanonical(a))]));
  expectSame('agent.taken', t, 'the actions each honest agent takes, in proposal order', [...p.choice.taken], [...taken]);
  const ea11 = p.oracle.rejections.map((x) => ({ code: null, ea: 'EA-11', shard: null, evidence: x }));
  expectSame('oracle.EA-11', t, 'the EA-11 incidents (one per rejected snapshot digest, in digest order)', ea11, out.record.incidents.filter((i) => i.ea === 'EA-11'));
  const admittedEvent = p.oracle.admitted === null ? [] : [{ kind: 'oracle_admitted', digest: p.oracle.admitted.digest, epoch: p.oracle.admitted.epoch! }];
  expectSame('oracle.EA-11', t, 'the admitted snapshot', admittedEvent, out.record.events.filter((e) => e.kind === 'oracle_admitted'));
  const v = answer === null || frozen ? null : modelValidator(m.shape, p.psi, t, answer);
  const ea12 = v === null || v.malformed || v.nodes.length === 0 ? [] : [{ code: null, ea: 'EA-12', shard: null, evidence: { digest: validatorDigestOf(answer!), nodes: v.nodes } }];
  expectSame('validator.EA-12', t, 'the EA-12 incident (every differing node, with both values)', ea12, out.record.incidents.filter((i) => i.ea === 'EA-12'));
  const malformedEvents = v !== null && v.malformed ? [{ kind: 'validator_malformed', digest: validatorDigestOf(answer!) }] : [];
  expectSame('validator.EA-12', t, 'the validator_malformed event', malformedEvents, out.record.events.filter((e) => e.kind === 'validator_malformed'));
  const commit = out.record.outcome === 'commit';
  const lastOracleEpoch = commit && p.oracle.admitted !== null ? p.oracle.admitted.epoch! : m.lastOracleEpoch;
  expectSame('model.state', t, 'epoch, mode and last_oracle_epoch of the next state', [t, m.mode, lastOracleEpoch], [out.state.epoch, out.state.mode, out.state.last_oracle_epoch]);
  expectSame('model.state', t, 'dissonance after the epoch', commit ? p.dis : m.nodes.map((n) => n.dis), out.state.nodes.map((n) => n.dis));
  expectSame('model.state', t, "nonces after the epoch (each node's last taken nonce)", commit ? p.choice.lastNonce : m.nodes.map((n) => n.nonce), out.state.nodes.map((n) => n.nonce));

  // Statistics.
  const st = r.stats;
  st.totals.add('epochs');
  st.outcomes.add(out.record.outcome);
  st.totals.add('submitted', frozen ? 0 : m.submissions.length);
  if (!frozen) st.totals.add('dropped (no canonical form)', m.submissions.filter((x) => !canonical(x.json)).length);
  if (frozen) st.totals.add('ignored (frozen)', m.submissions.length);
  st.totals.add('taken', out.inputs.proposals.reduce((k, q) => k + q.actions.length, 0));
  for (const q of out.inputs.proposals) for (const a of q.actions) st.takenKinds.add(a.kind);
  st.totals.add('refused', out.refusals.length);
  for (const x of out.refusals) st.refused.add(x.code);
  for (const x of out.record.incidents) if (x.ea === 'EA-11') st.snapshots.add(x.evidence.reason);
  if (p.oracle.admitted !== null && !frozen) st.snapshots.add('admitted');
  st.totals.add('distinct snapshots', new Set(out.inputs.snapshots.map((s) => s.digest)).size);
  if (answer !== null) st.validator.add(frozen ? 'not read (frozen)' : v!.malformed ? 'malformed' : v!.nodes.length === 0 ? 'agrees' : 'EA-12');
  st.totals.add('EA-12 nodes', ea12.length === 0 ? 0 : v!.nodes.length);
  for (const mv of out.record.moves) st.moves.add(mv.kind);
  for (const e of out.record.events) st.events.add(e.kind);

  // Next epoch.
  if (commit && p.oracle.admitted !== null) m.admitted.push(p.oracle.admitted);
  m.epoch = t;
  m.lastOracleEpoch = out.state.last_oracle_epoch;
  m.nodes = modelNodes(out.state);
  m.submissions = [];
  m.copies = [];
  m.validator = null;
  r.state = out.state;
  r.prevRecord = out.record;
  r.chainBroken = false;
  r.snapshots = [];
  r.actions = [];
}
