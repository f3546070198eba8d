/**
 * The honest epoch: the record layout, a frozen epoch, a halted shard (its actions excluded, its
 * nodes still in the economy), an epoch with no voter, replay of the stored inputs, and — over many
 * random honest epochs — zero violations of the catalog and ledger.deterministic (permuting the
 * arrival order of snapshots and actions changes no byte).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { actingNode, type Action } from '../../src/economics/harmonic-economics.ts';
import type { Json } from '../../src/math/canonical.ts';
import { defaultGenesis } from '../../src/genesis/default-genesis.ts';
import { recordHash } from '../../src/epoch/epoch-record.ts';
import { epochContext, replayHonestEpoch, runHonestEpoch, type EpochContext, type EpochInputs, type HonestEpoch } from '../../src/epoch/epoch.ts';
import { checkStep } from '../../src/invariants/catalog.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { chrSupply, flxSupply, initialState, stateRoot, type State } from '../../src/economics/state.ts';
import { arbIntent, validActions, type Intent } from '../economy/fixtures.ts';
import { actionJson, arbOracleGenesis, CTX, epochChecked, json, NOT_ORACLE, noInputs, ORACLE, S, S0, snapshot, withOracle } from './fixtures.ts';

const RECORD_KEYS = [
  'active',
  'c_shards',
  'chr',
  'epoch',
  'events',
  'flows',
  'incidents',
  'inputs_hash',
  'moves',
  'outcome',
  'prev_root',
  'psy_minted',
  'res',
  'rewards',
  'root',
  'sync',
  'voters',
];

/** Actions grouped by the acting node's shard, as each shard's nodes submit them. */
function byShard(ctx: EpochContext, actions: readonly Action[]): { shard: bigint; actions: Json[] }[] {
  const out = new Map<bigint, Json[]>();
  for (const a of actions) {
    const i = ctx.topology.nodeIndex.get(actingNode(a));
    const shard = i === undefined ? ctx.topology.shardIds[0]! : ctx.topology.shardIds[ctx.topology.nodeShard[i]!]!;
    out.set(shard, [...(out.get(shard) ?? []), actionJson(a)]);
  }
  return [...out].map(([shard, acts]) => ({ shard, actions: acts }));
}

describe('honest epoch: hand-checked cases', () => {
  it('the record has exactly the §6 layout, and sync/c_shards evidence is the honest one', () => {
    const out = epochChecked(CTX, S0, noInputs);
    expect(Object.keys(out.record).sort()).toEqual(RECORD_KEYS);
    expect(out.record.outcome).toBe('commit');
    expect(out.record.active).toEqual([0n, 1n, 2n]);
    expect(out.record.voters).toEqual([0n, 1n, 2n]);
    const C = openingField(CTX.topology, S0.nodes).c;
    expect(out.record.sync).toEqual({ c: C, median: C, reports: [0n, 1n, 2n].map((shard) => ({ shard, value: C })) });
    expect(out.record.c_shards).toEqual([
      { shard: 0n, open: 2n * S + S / 2n, with_stakes: 2n * S + S / 2n },
      { shard: 1n, open: 5n * S, with_stakes: 5n * S },
      { shard: 2n, open: 0n, with_stakes: 0n },
    ]);
    expect(out.state.coherence).toBe(C);
    expect(out.record.rewards.nodes).toHaveLength(4);
    expect(out.record.rewards.users).toHaveLength(6);
    expect(out.record.chr.pool).toBe(out.state.chr_pool);
  });

  it('a frozen epoch (safe mode): outcome frozen, only the epoch advances, nothing is read', () => {
    const safe: State = { ...S0, mode: 'safe' };
    const out = epochChecked(CTX, safe, {
      snapshots: [snapshot(CTX, 1n, [[1n, S]])],
      validator: json({ epoch: 1n, psi: [] }),
      actions: [{ shard: 0n, actions: [actionJson({ kind: 'transfer', from: 3n, to: 1n, amount: 1n, nonce: 1n })] }],
    });
    expect(out.state).toEqual({ ...safe, epoch: 1n });
    expect(out.record).toMatchObject({
      outcome: 'frozen',
      active: [],
      voters: [],
      incidents: [],
      events: [],
      moves: [],
      flows: [],
      psy_minted: [],
      chr: { penalties: [], shares: [], pool: safe.chr_pool },
      res: { cap: 0n, credits: [] },
      rewards: { budget: 0n, nodes: [], users: [] },
      sync: null,
      c_shards: null,
    });
    expect(out.inputs).toEqual({ epoch: 1n, snapshots: [], validator: null, proposals: [] });
    expect(out.refusals).toEqual([]);
  });

  it("a halted shard: its actions are excluded and its nonces stay, but its nodes flow, rebalance and earn", () => {
    const halted: State = { ...S0, shards: S0.shards.map((s) => (s.id === 1n ? { ...s, halted_until: 1n } : s)) };
    const acts: Action[] = [
      { kind: 'transfer', from: 1n, to: 2n, amount: S, nonce: 1n }, // shard 1: halted
      { kind: 'transfer', from: 3n, to: 4n, amount: S, nonce: 1n }, // shard 0: a leg into shard 1
    ];
    const out = epochChecked(CTX, halted, { snapshots: [], validator: null, actions: byShard(CTX, acts) });
    expect(out.record.active).toEqual([0n, 2n]);
    expect(out.record.voters).toEqual([0n, 2n]);
    expect(out.inputs.proposals.map((p) => p.shard)).toEqual([0n, 2n]);
    expect(out.record.moves.filter((m) => m.kind === 'transfer')).toEqual([{ kind: 'transfer', from: 'node:3:flx', to: 'node:4:flx', amount: S }]);
    const n1 = out.state.nodes.find((n) => n.id === 1n)!;
    expect(n1.nonce).toBe(0n);
    // Node 1 (shard 1) is the flow target of 2 and 3, pays no penalty, gets a CHR share and a reward.
    expect(out.record.flows.filter((f) => f.to === 1n).length).toBe(2);
    expect(out.record.chr.shares.find((x) => x.node === 1n)!.value).toBeGreaterThan(0n);
    expect(out.record.rewards.nodes.find((x) => x.node === 1n)!.r).toBeGreaterThan(0n);
    // c_shards and sync list the voters only.
    expect(out.record.c_shards!.map((c) => c.shard)).toEqual([0n, 2n]);
    expect(out.record.sync!.reports.map((r) => r.shard)).toEqual([0n, 2n]);
    // The economy treats node 1 exactly as without the halt (only actions differ).
    const free = epochChecked(CTX, S0, { snapshots: [], validator: null, actions: byShard(CTX, acts.slice(1)) });
    expect(out.state.nodes).toEqual(free.state.nodes);
  });

  it('blacklisted and halted shards together: no voter, so the epoch aborts with no_quorum and moves nothing', () => {
    const st: State = {
      ...S0,
      shards: S0.shards.map((s) => ({ ...s, halted_until: s.id === 2n ? 0n : 5n, blacklisted: s.id === 2n })),
    };
    const snap = snapshot(CTX, 1n, [[2n, 0n]]);
    const out = epochChecked(CTX, st, { snapshots: [snap], validator: null, actions: [] });
    expect(out.record.outcome).toBe('abort');
    expect(out.record.events.map((e) => e.kind)).toEqual(['oracle_admitted', 'no_quorum']);
    expect(out.record.events[1]).toEqual({ kind: 'no_quorum', votes: 0n, needed: 1n });
    expect(out.state).toEqual({ ...st, epoch: 1n });
    expect(out.record.sync).toEqual({ c: openingField(CTX.topology, st.nodes.map((n) => (n.id === 2n ? { ...n, dis: 0n } : n))).c, median: null, reports: [] });
    expect(out.record.c_shards).toEqual([]);
  });

  it('psy_exhausted: when the PSY supply plus the mint would reach 2^127, nothing is minted (an event)', () => {
    // Inside §1's domain: the supply itself stays below 2^127 (2^127 − 10^16); only supply + mint reaches it.
    const others = S0.nodes.reduce((k, n) => (n.id === 3n ? k : k + n.psy), 0n);
    const st: State = { ...S0, nodes: S0.nodes.map((n) => (n.id === 3n ? { ...n, psy: 2n ** 127n - 10n ** 16n - others } : n)) };
    expect(st.nodes.reduce((k, n) => k + n.psy, 0n)).toBe(2n ** 127n - 10n ** 16n);
    const out = epochChecked(CTX, st, noInputs);
    expect(out.record.events).toEqual([{ kind: 'psy_exhausted' }]);
    expect(out.record.psy_minted.every((x) => x.value === 0n)).toBe(true);
    expect(out.state.nodes.map((n) => n.psy)).toEqual(st.nodes.map((n) => n.psy));
  });

  it('replaying the stored inputs reproduces the state and the record byte for byte', () => {
    const acts: Action[] = [
      { kind: 'transfer', from: 3n, to: 4n, amount: S, nonce: 1n },
      { kind: 'stake', node: 1n, amount: S / 10n, nonce: 1n },
      { kind: 'psy_transfer', from: 2n, to: 3n, amount: S, nonce: 1n },
    ];
    const out = epochChecked(CTX, S0, { snapshots: [snapshot(CTX, 1n, [[4n, 0n]])], validator: null, actions: byShard(CTX, acts) });
    const again = replayHonestEpoch(CTX, S0, out.inputs);
    expect(recordHash(again.record)).toBe(recordHash(out.record));
    expect(again.state).toEqual(out.state);
  });

  it('the default genesis: 6 epochs with actions, snapshots and a validator, no violation, constant supplies', () => {
    const g = withOracle(defaultGenesis());
    const ctx = epochContext(g);
    let st = initialState(g, ctx.genesisHash);
    let prev: HonestEpoch['record'] | null = null;
    for (let k = 0; k < 6; k++) {
      const t = st.epoch + 1n;
      const intents: Intent[] = st.nodes.map((_, i) => ({
        transfer: (i + k) % 3 === 0,
        stake: (i + k) % 4 === 1,
        unstake: (i + k) % 5 === 2,
        psy: (i + k) % 2 === 0,
        to: i * 7 + k,
        share: S / 2n,
      }));
      const field = openingField(ctx.topology, st.nodes);
      const out: HonestEpoch = epochChecked(
        ctx,
        st,
        {
          snapshots: [snapshot(ctx, t, [[BigInt(k), BigInt(k) * (S / 8n)]]), snapshot(ctx, t - 1n, [])],
          validator: k % 2 === 0 ? json({ epoch: t, psi: ctx.topology.nodeIds.map((node, i) => ({ node, value: field.psi[i]! })) }) : null,
          actions: byShard(ctx, validActions(g, st, intents)),
        },
        prev,
      );
      expect(out.record.outcome).toBe('commit');
      prev = out.record;
      st = out.state;
    }
    const s0 = initialState(g, ctx.genesisHash);
    expect(chrSupply(st)).toBe(chrSupply(s0));
    expect(flxSupply(st)).toBe(flxSupply(s0));
  });
});

// ---------------------------------------------------------------------------------------------
// Random honest epochs

const dis = fc.oneof(fc.constantFrom(0n, S / 4n, S / 2n, S), fc.bigInt({ min: 0n, max: S }));
const arbSnap = fc.record({
  dEpoch: fc.integer({ min: -4, max: 1 }),
  picks: fc.array(fc.record({ node: fc.nat(), value: dis }), { maxLength: 3 }),
  variant: fc.constantFrom('ok', 'ok', 'ok', 'bad_signature', 'malformed'),
});
const arbJunk = fc.record({
  kind: fc.constantFrom('transfer', 'psy_transfer', 'stake', 'unstake'),
  a: fc.nat(),
  b: fc.nat(),
  unknown: fc.boolean(),
  amount: fc.oneof(fc.constantFrom(0n, 1n, S, 10n ** 4n * S), fc.bigInt({ min: 0n, max: 10n ** 5n * S })),
  dNonce: fc.bigInt({ min: -1n, max: 3n }),
  shard: fc.nat(),
});
const arbPlan = fc.record({
  intents: fc.array(arbIntent, { minLength: 7, maxLength: 7 }),
  junk: fc.array(arbJunk, { maxLength: 4 }),
  misroute: fc.boolean(),
  snaps: fc.array(arbSnap, { maxLength: 2 }),
  validator: fc.constantFrom('none', 'same', 'off', 'malformed'),
  // A halt in a quarter of the epochs, a blacklist in an eighth (small genesis documents have one shard).
  halt: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
  blacklist: fc.oneof({ arbitrary: fc.constant(undefined), weight: 7 }, { arbitrary: fc.nat(), weight: 1 }),
  safe: fc.integer({ min: 0, max: 7 }),
});
type Plan = typeof arbPlan extends fc.Arbitrary<infer T> ? T : never;

/** The state a ledger could hand over (halts, a blacklist, safe mode), and the inputs of its next epoch. */
function planEpoch(ctx: EpochContext, st0: State, p: Plan): { st: State; inputs: EpochInputs } {
  const topo = ctx.topology;
  const t = st0.epoch + 1n;
  const shardAt = (k: number): bigint => topo.shardIds[k % topo.shardIds.length]!;
  const st: State = {
    ...st0,
    mode: p.safe === 0 ? 'safe' : 'normal',
    shards: st0.shards.map((s) => ({
      ...s,
      halted_until: p.halt !== undefined && s.id === shardAt(p.halt) ? t : s.halted_until,
      blacklisted: p.blacklist !== undefined && s.id === shardAt(p.blacklist),
    })),
  };
  const nodeAt = (k: number): bigint => topo.nodeIds[k % topo.nodeIds.length]!;
  const snapshots = p.snaps.map((s) => {
    const epoch = t + BigInt(s.dEpoch) < 0n ? 0n : t + BigInt(s.dEpoch);
    const entries = new Map(s.picks.map((x) => [nodeAt(x.node), x.value]));
    const list = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
    if (s.variant === 'malformed') return { snapshot: json({ genesis: ctx.genesisHash, epoch, dis: list.map(([node, value]) => ({ node, value: value + S + 1n })) }), signature: '' };
    return snapshot(ctx, epoch, list, s.variant === 'ok' ? ORACLE.secretKey : NOT_ORACLE.secretKey);
  });
  const field = openingField(topo, st.nodes);
  const validator =
    p.validator === 'none'
      ? null
      : p.validator === 'malformed'
        ? json({ epoch: t + 1n, psi: [] })
        : json({ epoch: t, psi: topo.nodeIds.map((node, i) => ({ node, value: field.psi[i]! + (p.validator === 'off' && i === 0 ? 1n : 0n) })) });
  const valid = validActions(ctx.genesis, st, p.intents);
  const junk: Action[] = p.junk.map((j) => {
    const a = j.unknown ? 10n ** 6n : nodeAt(j.a);
    const b = nodeAt(j.b);
    const i = topo.nodeIndex.get(a);
    const base = i === undefined ? 0n : st.nodes[i]!.nonce;
    const nonce = base + j.dNonce < 0n ? 0n : base + j.dNonce;
    return j.kind === 'transfer' || j.kind === 'psy_transfer'
      ? { kind: j.kind, from: a, to: b, amount: j.amount, nonce }
      : { kind: j.kind, node: a, amount: j.amount, nonce };
  });
  const actions = byShard(ctx, valid);
  // Junk to a random shard; optionally every valid action also to the next shard (wrong_shard there).
  for (const [k, a] of junk.entries()) actions.push({ shard: shardAt(p.junk[k]!.shard), actions: [actionJson(a)] });
  if (p.misroute) for (const g of [...actions]) actions.push({ shard: shardAt(topo.shardIndex.get(g.shard)! + 1), actions: g.actions });
  return { st, inputs: { snapshots, validator, actions } };
}

/** The same inputs, arriving in another order. */
const permuted = (inputs: EpochInputs): EpochInputs => ({
  snapshots: [...inputs.snapshots].reverse(),
  validator: inputs.validator,
  actions: [...inputs.actions].reverse().map((g) => ({ shard: g.shard, actions: [...g.actions].reverse() })),
});

describe('honest epoch: random', () => {
  test.prop([arbOracleGenesis, fc.array(arbPlan, { minLength: 1, maxLength: 3 })])(
    'the catalog finds no violation in any honest epoch; replay and permuted arrival give the same bytes (ledger.deterministic)',
    (g, plans) => {
      const ctx = epochContext(g);
      let st = initialState(g, ctx.genesisHash);
      let prev: HonestEpoch['record'] | null = null;
      for (const p of plans) {
        const { st: before, inputs } = planEpoch(ctx, st, p);
        const out = runHonestEpoch(ctx, before, inputs);
        // The planned halts and modes edit the state between epochs: the chain holds when they did not.
        const chained = prev !== null && stateRoot(before) === prev.root ? prev : null;
        expect(checkStep(ctx, before, out.record, out.state, out.inputs, chained)).toEqual([]);
        const again = runHonestEpoch(ctx, before, permuted(inputs));
        expect(recordHash(again.record)).toBe(recordHash(out.record));
        expect(again.record.root).toBe(out.record.root);
        expect(again.refusals).toEqual(out.refusals);
        const replay = replayHonestEpoch(ctx, before, out.inputs);
        expect(recordHash(replay.record)).toBe(recordHash(out.record));
        prev = out.record;
        st = out.state;
      }
    },
  );
});
