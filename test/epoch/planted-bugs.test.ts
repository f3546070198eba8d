/**
 * The catalog catches bugs: each case takes an honest epoch (or the inputs an honest agent would
 * have refused), plants one deliberate bug in the next state, the record or the inputs, and
 * expects the named invariant among the violations. The checks recompute from prev + inputs, so a
 * record that agrees with a wrong state does not hide the bug.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalString, type Encodable } from '../../src/math/canonical.ts';
import type { EpochRecord } from '../../src/epoch/epoch-record.ts';
import { replayHonestEpoch, runHonestEpoch, type EpochInputs, type StoredInputs } from '../../src/epoch/epoch.ts';
import type { ProposalBody } from '../../src/economics/honest-agent.ts';
import type { Action } from '../../src/economics/harmonic-economics.ts';
import { checkStep } from '../../src/invariants/catalog.ts';
import { account, stateRoot, type Move, type State } from '../../src/economics/state.ts';
import { distributeTreasury } from '../../src/economics/treasury-distribution.ts';
import { actionJson, CTX, json, S, S0, snapshot } from './fixtures.ts';

type Mutable<T> = T extends bigint | string | number | boolean | null | undefined ? T : { -readonly [K in keyof T]: Mutable<T[K]> };
type Epoch = { state: State; record: EpochRecord; inputs: StoredInputs };
type Planted = { state: Mutable<State>; record: Mutable<EpochRecord>; inputs: Omit<StoredInputs, 'proposals'> & { proposals: Mutable<ProposalBody>[] } };

const topo = CTX.topology;
const ix = (id: bigint): number => topo.nodeIndex.get(id)!;

/** t = 4. Node 2 has stake S/2, nonce 1 and a queued unstake of S/8 (since 3). */
const base = (coherence: bigint, patch: Partial<State> = {}): State => ({
  ...S0,
  epoch: 3n,
  last_oracle_epoch: 2n,
  nodes: S0.nodes.map((n) => (n.id === 2n ? { ...n, stake: S / 2n, nonce: 1n } : n)),
  unstakes: [{ node: 2n, nonce: 1n, amount: S / 8n, since: 3n }],
  coherence,
  ...patch,
});
const RELEASE = base(100n * S); // C <= S.coherence: the queue is released
const RISE = base(0n); // C > S.coherence: it is not

const ACTIONS: Record<string, Action[]> = {
  '0': [
    { kind: 'transfer', from: 3n, to: 1n, amount: S, nonce: 1n },
    { kind: 'stake', node: 2n, amount: S / 20n, nonce: 2n },
    { kind: 'psy_transfer', from: 2n, to: 3n, amount: S, nonce: 3n },
    { kind: 'unstake', node: 2n, amount: S / 8n, nonce: 4n },
  ],
  '1': [
    { kind: 'transfer', from: 1n, to: 4n, amount: 2n * S, nonce: 1n },
    { kind: 'stake', node: 1n, amount: S / 10n, nonce: 2n },
  ],
};
/** A validator answer that differs from the engine on every node (an EA-12 incident). */
const psiOff = (st: State): EpochInputs['validator'] => json({ epoch: st.epoch + 1n, psi: st.nodes.map((n) => ({ node: n.id, value: n.id === 1n ? 1n : 0n })) });
/** The same epoch without any stake (so that ATR can only fall by an unstake). */
const NO_STAKES: Record<string, Action[]> = {
  '0': [{ kind: 'transfer', from: 3n, to: 1n, amount: S, nonce: 1n }],
  '1': [{ kind: 'transfer', from: 1n, to: 4n, amount: 2n * S, nonce: 1n }],
};
const inputsFor = (st: State, actions: Record<string, Action[]> = ACTIONS): EpochInputs => ({
  snapshots: [snapshot(CTX, 4n, [[2n, S / 2n], [4n, 0n]]), snapshot(CTX, 1n, [])],
  validator: psiOff(st),
  actions: Object.entries(actions).map(([shard, acts]) => ({ shard: BigInt(shard), actions: acts.map(actionJson) })),
});

function honest(st: State, actions?: Record<string, Action[]>): Epoch {
  const out = runHonestEpoch(CTX, st, inputsFor(st, actions));
  expect(out.refusals).toEqual([]);
  expect(checkStep(CTX, st, out.record, out.state, out.inputs)).toEqual([]);
  return out;
}

const clone = (e: Epoch): Planted => structuredClone(e) as unknown as Planted;
const caught: [string, string, string[]][] = [];

function expectCaught(name: string, prev: State, e: Planted | Epoch, expected: string): void {
  // A buggy engine writes the root of the state it computed: only the planted bug differs.
  const record = { ...(e.record as EpochRecord), root: stateRoot(e.state as State) };
  const v = checkStep(CTX, prev, record, e.state as State, e.inputs as StoredInputs);
  const ids = v.map((x) => x.id);
  caught.push([name, expected, ids]);
  expect(ids, `${name}: ${canonicalString(v as unknown as Encodable)}`).toContain(expected);
}

const flowMoveIndex = (r: Planted['record']): number => r.moves.findIndex((m) => m.kind === 'flow' && m.amount > 0n);

describe('planted bugs are caught by the expected invariant', () => {
  const rel = honest(RELEASE);
  const rise = honest(RISE);

  it('the base epochs exercise every move kind and both incidents', () => {
    expect(new Set(rel.record.moves.map((m) => m.kind))).toEqual(new Set(['transfer', 'stake', 'psy_transfer', 'unstake', 'flow', 'cut', 'payout']));
    expect(rel.record.incidents.map((i) => i.ea)).toEqual(['EA-11', 'EA-12']);
    expect(rise.record.moves.some((m) => m.kind === 'unstake')).toBe(false);
  });

  const cases: [string, State, () => Planted | Epoch, string][] = [
    [
      'drop the CHR pool remainder',
      RELEASE,
      () => {
        const e = clone(rel);
        expect(e.state.chr_pool).toBeGreaterThan(0n);
        e.state.chr_pool = 0n;
        e.record.chr.pool = 0n;
        return e;
      },
      'chr.conserved',
    ],
    [
      'a CHR share credited to the wrong node (supply intact)',
      RELEASE,
      () => {
        const e = clone(rel);
        e.state.nodes[ix(1n)]!.chr -= 1n;
        e.state.nodes[ix(2n)]!.chr += 1n;
        e.record.chr.shares[ix(1n)]!.value -= 1n;
        e.record.chr.shares[ix(2n)]!.value += 1n;
        return e;
      },
      'chr.rebalance',
    ],
    [
      'largest-remainder rewards (state, moves and record consistent with them)',
      RELEASE,
      () => {
        const e = clone(rel);
        const R = e.record.rewards.budget;
        const w = e.record.rewards.nodes.map((n) => n.w);
        const W = w.reduce((a, b) => a + b, 0n);
        const r = w.map((x) => (R * x) / W);
        let left = R - r.reduce((a, b) => a + b, 0n);
        expect(left).toBeGreaterThan(0n);
        const order = w.map((x, i) => ({ i, rem: (R * x) % W })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
        for (const { i } of order) {
          if (left === 0n) break;
          r[i]! += 1n;
          left--;
        }
        const flx5 = e.state.nodes.map((n, i) => n.flx - e.record.rewards.nodes[i]!.k);
        const dist = distributeTreasury(topo, r, flx5, RELEASE.users.map((u) => u.flx), RELEASE.treasury);
        e.state.nodes.forEach((n, i) => (n.flx = dist.nodeFlx[i]!));
        e.state.users.forEach((u, j) => (u.flx = dist.userFlx[j]!));
        e.state.treasury = dist.treasury;
        e.record.moves = [...e.record.moves.filter((m) => m.kind !== 'cut' && m.kind !== 'payout'), ...(dist.moves as Move[])];
        e.record.rewards.nodes.forEach((n, i) => ((n.r = r[i]!), (n.k = dist.cuts[i]!)));
        e.record.rewards.users = dist.users.map((u) => ({ ...u }));
        return e;
      },
      'reward.cap',
    ],
    [
      'a flow against the gradient',
      RELEASE,
      () => {
        const e = clone(rel);
        const k = flowMoveIndex(e.record);
        const mv = e.record.moves[k]!;
        const f = e.record.flows.find((x) => account.nodeFlx(x.from) === mv.from && account.nodeFlx(x.to) === mv.to && x.amount === mv.amount)!;
        [f.from, f.to] = [f.to, f.from];
        [mv.from, mv.to] = [mv.to, mv.from];
        e.state.nodes[ix(f.to)]!.flx += 2n * f.amount;
        e.state.nodes[ix(f.from)]!.flx -= 2n * f.amount;
        return e;
      },
      'flx.follows-gradient',
    ],
    [
      'a forged transfer move (state consistent with it)',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.moves.unshift({ kind: 'transfer', from: account.nodeFlx(1n), to: account.nodeFlx(4n), amount: 1n });
        e.state.nodes[ix(1n)]!.flx -= 1n;
        e.state.nodes[ix(4n)]!.flx += 1n;
        return e;
      },
      'actions.applied',
    ],
    [
      'a recorded move dropped (the state still moved)',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.moves.splice(flowMoveIndex(e.record), 1);
        return e;
      },
      'flx.kirchhoff',
    ],
    [
      'an extra PSY mint (recorded)',
      RELEASE,
      () => {
        const e = clone(rel);
        e.state.nodes[0]!.psy += 1n;
        e.record.psy_minted[0]!.value += 1n;
        return e;
      },
      'psy.monotone',
    ],
    [
      'RES beyond the envelope',
      RELEASE,
      () => {
        const e = clone(rel);
        e.state.nodes[0]!.res += e.record.res.cap;
        return e;
      },
      'res.envelope',
    ],
    [
      'a treasury remainder lost',
      RELEASE,
      () => {
        const e = clone(rel);
        e.state.treasury -= 1n;
        return e;
      },
      'flx.conserved',
    ],
    [
      "a user's payout remainder kept as the node's cut (supply and moves consistent)",
      RELEASE,
      () => {
        const e = clone(rel);
        const p = e.record.moves.find((m) => m.kind === 'payout')!;
        const user = BigInt(p.to.split(':')[1]!);
        const node = topo.nodeIds[topo.userNode[topo.userIndex.get(user)!]!]!;
        const cut = e.record.moves.find((m) => m.kind === 'cut' && m.to === account.nodeFlx(node))!;
        p.amount -= 1n;
        cut.amount += 1n;
        e.state.users[topo.userIndex.get(user)!]!.flx -= 1n;
        e.state.nodes[ix(node)]!.flx += 1n;
        e.record.rewards.users.find((u) => u.user === user)!.u -= 1n;
        e.record.rewards.nodes[ix(node)]!.k += 1n;
        return e;
      },
      'treasury.exact',
    ],
    [
      'a multiplier above A_MAX in the record',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.rewards.nodes[0]!.m = CTX.genesis.constants.a_max + 1n;
        return e;
      },
      'reward.cap',
    ],
    [
      'a nonce not advanced',
      RELEASE,
      () => {
        const e = clone(rel);
        e.state.nodes[ix(3n)]!.nonce = 0n;
        return e;
      },
      'actions.applied',
    ],
    [
      'the stored coherence not updated',
      RELEASE,
      () => {
        const e = clone(rel);
        expect(e.state.coherence).not.toBe(RELEASE.coherence);
        e.state.coherence = RELEASE.coherence;
        return e;
      },
      'sync.agreement',
    ],
    [
      'the admitted snapshot not applied',
      RELEASE,
      () => {
        const e = clone(rel);
        e.state.nodes.forEach((n, i) => (n.dis = RELEASE.nodes[i]!.dis));
        e.state.last_oracle_epoch = RELEASE.last_oracle_epoch;
        return e;
      },
      'oracle.admission',
    ],
    [
      'an EA-11 rejection dropped from the record',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.incidents = e.record.incidents.filter((i) => i.ea !== 'EA-11');
        return e;
      },
      'incident.evidence',
    ],
    [
      'the validator mismatch dropped from the record',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.incidents = e.record.incidents.filter((i) => i.ea !== 'EA-12');
        return e;
      },
      'incident.evidence',
    ],
    [
      'an honest shard blamed',
      RELEASE,
      () => {
        const e = clone(rel);
        (e.record.incidents as unknown[]).push({ code: 'CIR-302', ea: 'EA-1', shard: 0n, evidence: {} });
        return e;
      },
      'incident.evidence',
    ],
    [
      "a voter's reported ψ differs from the opening field",
      RELEASE,
      () => {
        const e = clone(rel);
        e.inputs.proposals[0]!.reports.psi[0]!.value += 1n;
        return e;
      },
      'field.curl-free',
    ],
    [
      'c_shards forged',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.c_shards![0]!.with_stakes += S;
        return e;
      },
      'coherence.bounded',
    ],
    [
      'a negative balance (supply kept)',
      RELEASE,
      () => {
        const e = clone(rel);
        const n = e.state.nodes[ix(4n)]!;
        e.state.treasury += n.flx + 1n;
        n.flx = -1n;
        return e;
      },
      'state.nonnegative',
    ],
    [
      'a wrong prev_root',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.prev_root = '00'.repeat(32);
        return e;
      },
      'ledger.chain',
    ],
    [
      'an unstake released while C rose (state and move consistent; no stake in the epoch)',
      RISE,
      () => {
        const e = clone(honest(RISE, NO_STAKES));
        const entry = e.state.unstakes.findIndex((u) => u.node === 2n && u.nonce === 1n);
        const a = e.state.unstakes[entry]!.amount;
        e.state.unstakes.splice(entry, 1);
        const n = e.state.nodes[ix(2n)]!;
        n.stake -= a;
        n.atr -= a;
        n.flx += a;
        const at = e.record.moves.findIndex((m) => m.kind === 'flow');
        e.record.moves.splice(at, 0, { kind: 'unstake', from: account.nodeStake(2n), to: account.nodeFlx(2n), amount: a });
        return e;
      },
      'atr.attractor',
    ],
    [
      'an unstake released while C rose: the queue',
      RISE,
      () => {
        const e = clone(rise);
        e.state.unstakes = e.state.unstakes.filter((u) => u.since === 4n);
        return e;
      },
      'unstake.queue',
    ],
    [
      'a node of a halted shard acts',
      base(100n * S, { shards: S0.shards.map((s) => (s.id === 1n ? { ...s, halted_until: 4n } : s)) }),
      () => {
        const st = base(100n * S, { shards: S0.shards.map((s) => (s.id === 1n ? { ...s, halted_until: 4n } : s)) });
        const e = clone(honest(st));
        e.record.moves.unshift({ kind: 'transfer', from: account.nodeFlx(1n), to: account.nodeFlx(3n), amount: 1n });
        e.state.nodes[ix(1n)]!.flx -= 1n;
        e.state.nodes[ix(3n)]!.flx += 1n;
        e.state.nodes[ix(1n)]!.nonce = 1n;
        return e;
      },
      'halt.frozen',
    ],
    [
      'a frozen epoch that pays out',
      base(100n * S, { mode: 'safe' }),
      () => {
        const st = base(100n * S, { mode: 'safe' });
        const e = clone(runHonestEpoch(CTX, st, inputsFor(st)));
        e.state.nodes[0]!.flx += 1n;
        e.state.treasury -= 1n;
        return e;
      },
      'ledger.atomic',
    ],
    [
      'an agent that lets a divergent stake through (EA-9), executed',
      RELEASE,
      () => {
        const inputs = structuredClone(rel.inputs) as unknown as Planted['inputs'];
        const st = inputs.proposals[0]!.actions.find((a) => a.kind === 'stake')!;
        st.amount = S / 2n;
        const out = replayHonestEpoch(CTX, RELEASE, inputs as StoredInputs);
        return { ...out, inputs: inputs as StoredInputs };
      },
      'coherence.bounded',
    ],
    [
      'an agent that lets an unstake overdraft through (EA-6), executed',
      RELEASE,
      () => {
        const inputs = structuredClone(rel.inputs) as unknown as Planted['inputs'];
        const un = inputs.proposals[0]!.actions.find((a) => a.kind === 'unstake')!;
        un.amount = S;
        const out = replayHonestEpoch(CTX, RELEASE, inputs as StoredInputs);
        return { ...out, inputs: inputs as StoredInputs };
      },
      'actions.applied',
    ],
    [
      'a record whose inputs_hash is not the hash of its inputs',
      RELEASE,
      () => {
        const e = clone(rel);
        e.record.inputs_hash = 'ab'.repeat(32);
        return e;
      },
      'record.inputs',
    ],
  ];

  for (const [name, prev, plant, id] of cases) it(`${name} → ${id}`, () => expectCaught(name, prev, plant(), id));

  afterAll(() => {
    if (process.env.QFS_PLANTED_REPORT) for (const [name, id, ids] of caught) console.log(`PLANTED ${name} | expected ${id} | caught ${ids.join(', ')}`);
  });
});
