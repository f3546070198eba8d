/**
 * The performance paths give what the plain implementations gave (test/economy/reference.ts holds
 * copies of those): the same canonical bytes and the same E_CANONICAL faults (message and field)
 * from the encoder with its key-shape cache and chunked output; the same state root from the
 * layout writer and from a remembered root, also after a state is changed in place; and the same
 * values, records and MathViolations from the economy steps 5–10 on random, also tampered, inputs.
 */
import { createHash } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalString, type Encodable } from '../../src/math/canonical.ts';
import { LIMIT, SCALE } from '../../src/math/certified-math.ts';
import { defaultGenesis } from '../../src/genesis/default-genesis.ts';
import { fieldFlow, mintPsy, rebalanceChr, resonance, runEconomy } from '../../src/economics/harmonic-economics.ts';
import { canonicalSha256, taggedHash, taggedHashHex, TAGS, toHex } from '../../src/math/hashing.ts';
import { holoRewards } from '../../src/economics/holo-reward.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { initialState, stateRoot, type State } from '../../src/economics/state.ts';
import { topology } from '../../src/field/topology.ts';
import { distributeTreasury, rewardsRecord } from '../../src/economics/treasury-distribution.ts';
import { arbGenesis, arbIntent, validActions } from './fixtures.ts';
import {
  refCanonicalString,
  refDistributeTreasury,
  refFieldFlow,
  refHoloRewards,
  refMintPsy,
  refRebalanceChr,
  refResonance,
  refRewardsRecord,
  refRunEconomy,
} from './reference.ts';

/** A value or the fault it raised, in a comparable form. */
function outcome<T>(f: () => T): { ok: T } | { fault: Record<string, unknown> } {
  try {
    return { ok: f() };
  } catch (e) {
    const x = e as Error & { code?: string; field?: string; reason?: string };
    return { fault: { name: x.constructor.name, message: x.message, code: x.code, field: x.field, reason: x.reason } };
  }
}

const refRoot = (v: unknown): string => {
  const text = refCanonicalString(v as Encodable);
  return createHash('sha256').update(`qfs/v13/state\u0000${text}`, 'utf8').digest('hex');
};

// ---------------------------------------------------------------------------------------------
// Canonical encoder

const KEYS = ['a', 'b', 'id', 'node', 'value', 'amount', 'kind', 'from', 'to', 'z9_', '10', '9', '_', '', 'A', 'é', 'a-b', 'constructor'];
const arbKey = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 3 }));
const arbLeaf = fc.oneof(
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
  fc.bigInt({ min: -3n, max: 1n << 21n }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 2 ** 60, Number.MAX_SAFE_INTEGER, NaN),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\ud800', 'a\udc00b', '"', '\\', '\n', '\u0001', '\u007f', 'é', '😀', 'node:1:flx'),
  fc.boolean(),
  fc.constantFrom(null, undefined, Symbol('s'), () => 1, new Map(), new Date(0)),
);
/** Objects that share key sets in several insertion orders (the shape cache), some with a bad key. */
const arbShaped = fc
  .record({ order: fc.shuffledSubarray(['id', 'flx', 'amount', 'b', 'a', 'Bad', '10'], { minLength: 1 }), values: fc.array(arbLeaf, { minLength: 7, maxLength: 7 }) })
  .map(({ order, values }) => Object.fromEntries(order.map((k, i) => [k, values[i]])));
const { value: arbValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(arbKey, tie('value'), { maxKeys: 4 }),
    fc.array(arbShaped, { maxLength: 6 }),
    fc.dictionary(arbKey, tie('value'), { maxKeys: 3 }).map((o) => Object.assign(Object.create(null) as object, o)),
  ),
}));
/** Valid values only (no fault): what hashes are taken of. */
const { value: arbValid } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
    fc.bigInt({ min: 0n, max: 1n << 21n }),
    fc.string({ unit: 'grapheme' }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.stringMatching(/^[a-z0-9_]{1,4}$/), tie('value'), { maxKeys: 4 }),
  ),
}));

describe('canonical encoder fast paths', () => {
  test.prop([arbValue])('encoder.same-bytes-and-faults: canonicalString as before, faults with the same message and field', (v) => {
    expect(outcome(() => canonicalString(v as Encodable))).toEqual(outcome(() => refCanonicalString(v as Encodable)));
  });

  test.prop([fc.constantFrom(...TAGS), arbValid])('encoder.streamed-hash: H(tag, v) = SHA-256(tag || 0 || canonical(v)), canonicalSha256 = SHA-256(canonicalBytes)', (tag, v) => {
    const text = refCanonicalString(v as Encodable);
    expect(toHex(taggedHash(tag, v as Encodable))).toBe(createHash('sha256').update(`${tag}\u0000${text}`, 'utf8').digest('hex'));
    expect(toHex(canonicalSha256(v as Encodable))).toBe(createHash('sha256').update(canonicalBytes(v as Encodable)).digest('hex'));
  });

  it('encoder.chunks: texts far above the 64 KiB chunk, with multi-byte characters across its boundaries', () => {
    const big = Array.from({ length: 40_000 }, (_, i) => ({ id: BigInt(i), s: i % 7 === 0 ? `é😀${i}` : `x${i}`, n: -BigInt(i) * 10n ** 20n }));
    const text = refCanonicalString(big);
    expect(text.length).toBeGreaterThan(1 << 20);
    expect(canonicalString(big)).toBe(text);
    expect(taggedHashHex('qfs/v13/state', big)).toBe(createHash('sha256').update(`qfs/v13/state\u0000${text}`, 'utf8').digest('hex'));
    // A fault deep in a long text: the same message and field.
    const bad = [...big, { id: 1n, s: 'ok', n: 1.5 }];
    expect(outcome(() => taggedHashHex('qfs/v13/state', bad))).toEqual(outcome(() => refCanonicalString(bad)));
  });
});

// ---------------------------------------------------------------------------------------------
// State root

/** A few states of a random economy: the initial one and two epochs of valid actions. */
const arbStates = fc.tuple(arbGenesis, fc.array(arbIntent, { maxLength: 7 }), fc.array(arbIntent, { maxLength: 7 })).map(([g, i1, i2]) => {
  const topo = topology(g);
  const states: State[] = [initialState(g, 'ab'.repeat(32))];
  for (const intents of [i1, i2]) {
    const S = states[states.length - 1]!;
    const field = openingField(topo, S.nodes);
    const r = runEconomy(topo, S, field, validActions(g, S, intents), S.epoch + 1n);
    states.push({ ...S, epoch: S.epoch + 1n, nodes: r.nodes, users: r.users, treasury: r.treasury, chr_pool: r.chr_pool, unstakes: r.unstakes, coherence: field.c });
  }
  return states;
});

type Loose = Record<string, unknown> & { nodes: Record<string, unknown>[]; users: Record<string, unknown>[]; shards: Record<string, unknown>[]; founders: Record<string, unknown>[]; unstakes: unknown[] };
/** In-place changes of a state (after its root was taken). */
const MUTATIONS: [string, (s: Loose) => void][] = [
  ['a node balance', (s) => (s.nodes[0]!.flx = (s.nodes[0]!.flx as bigint) + 1n)],
  ['a node id', (s) => (s.nodes[s.nodes.length - 1]!.id = 999_999_999n)],
  ['a node field to a number', (s) => (s.nodes[0]!.res = 3)],
  ['a node field to a float', (s) => (s.nodes[0]!.res = 0.5)],
  ['a key added to a node', (s) => (s.nodes[0]!.extra = 1n)],
  ['a bad key added to a node', (s) => (s.nodes[0]!.Extra = 1n)],
  ['a key deleted from a node', (s) => delete s.nodes[0]!.dis],
  ['a node replaced by an equal copy', (s) => (s.nodes[0] = { ...s.nodes[0]! })],
  ['a node with a null prototype', (s) => (s.nodes[0] = Object.assign(Object.create(null) as object, s.nodes[0]!))],
  ['a node that is a Map', (s) => (s.nodes[0] = new Map() as never)],
  ['a node appended', (s) => s.nodes.push({ ...s.nodes[0]!, id: 10n ** 6n })],
  ['a node removed', (s) => s.nodes.pop()],
  ['a hole in the nodes', (s) => delete s.nodes[0]],
  ['a user balance', (s) => s.users.length > 0 && (s.users[0]!.flx = 5n)],
  ['a key added to a user', (s) => s.users.length > 0 && (s.users[0]!.node = 1n)],
  ['a user appended', (s) => s.users.push({ id: 10n ** 6n, flx: 0n })],
  ['a shard halted', (s) => (s.shards[0]!.halted_until = 9n)],
  ['a founder key', (s) => (s.founders[0]!.key = 'ff')],
  ['a lone surrogate in a founder key', (s) => (s.founders[0]!.key = '\ud800')],
  ['an unstake queued', (s) => s.unstakes.push({ node: 1n, nonce: 1n, amount: 1n, since: 1n })],
  ['the epoch', (s) => (s.epoch = 77n)],
  ['the mode', (s) => (s.mode = 'safe')],
  ['the treasury to undefined', (s) => (s.treasury = undefined)],
  ['a top-level key added', (s) => (s.zzz = 1n)],
  ['a top-level key deleted', (s) => delete s.chr_pool],
  ['the nodes replaced by an equal list', (s) => (s.nodes = s.nodes.map((n) => ({ ...n })))],
  ['nothing', () => undefined],
];

describe('state root fast paths', () => {
  test.prop([arbStates])('root.same-as-general: the layout writer and the remembered root give H(state) of the general encoder', (states) => {
    for (const st of states) {
      const expected = refRoot(st);
      expect(stateRoot(st)).toBe(expected);
      expect(stateRoot(st)).toBe(expected); // remembered
      expect(stateRoot({ ...st })).toBe(expected); // afresh, with the kept decimal texts
      expect(taggedHashHex('qfs/v13/state', st)).toBe(expected);
    }
  });

  test.prop([arbStates, fc.nat(MUTATIONS.length - 1), fc.boolean()])(
    'root.changed-in-place: a state changed after its root was taken is hashed again (same root or fault as the general encoder)',
    (states, m, twice) => {
      const st = structuredClone(states[states.length - 1]!) as unknown as Loose;
      stateRoot(st as unknown as State);
      if (twice) stateRoot(st as unknown as State);
      MUTATIONS[m]![1](st);
      expect(outcome(() => stateRoot(st as unknown as State))).toEqual(outcome(() => refRoot(st)));
    },
  );

  it('root.key-orders: nodes and users written in any key order, and states of other chains at the same indices', () => {
    const g = defaultGenesis();
    const S0 = initialState(g, 'cd'.repeat(32));
    const reordered: State = {
      ...S0,
      nodes: S0.nodes.map((n, i) =>
        i % 2 === 0 ? n : { nonce: n.nonce, dis: n.dis, res: n.res, atr: n.atr, psy: n.psy, stake: n.stake, flx: n.flx, chr: n.chr, id: n.id },
      ),
      users: S0.users.map((u, j) => (j % 3 === 0 ? { flx: u.flx, id: u.id } : u)),
    };
    expect(stateRoot(reordered)).toBe(refRoot(reordered));
    // Another state at the same node indices (the kept decimal texts are checked by value).
    const other: State = { ...S0, nodes: S0.nodes.map((n) => ({ ...n, id: n.id + 1000n, stake: n.stake + 1n, dis: 0n })) };
    expect(stateRoot(other)).toBe(refRoot(other));
    expect(stateRoot(S0)).toBe(refRoot(S0));
  });
});

// ---------------------------------------------------------------------------------------------
// Economy steps 5–10

const BAD = [-1n, -(2n ** 127n), LIMIT, LIMIT - 1n, 2n ** 200n, SCALE * 10n ** 20n];

describe('economy fast paths', () => {
  test.prop([arbGenesis, fc.array(arbIntent, { maxLength: 7 }), fc.array(arbIntent, { maxLength: 7 })])(
    'economy.same-results: runEconomy and every step of 5–10 as before, over two epochs',
    (g, i1, i2) => {
      const topo = topology(g);
      let S = initialState(g, 'ab'.repeat(32));
      for (const intents of [i1, i2]) {
        const field = openingField(topo, S.nodes);
        const actions = validActions(g, S, intents);
        const t = S.epoch + 1n;
        const got = outcome(() => runEconomy(topo, S, field, actions, t));
        expect(got).toEqual(outcome(() => refRunEconomy(topo, S, field, actions, t)));
        const flx = S.nodes.map((n) => n.flx);
        const chr = S.nodes.map((n) => n.chr);
        const res = S.nodes.map((n) => n.res);
        expect(outcome(() => fieldFlow(topo, field, flx))).toEqual(outcome(() => refFieldFlow(topo, field, flx)));
        expect(outcome(() => rebalanceChr(topo, field, chr, S.nodes.map((n) => n.dis), S.chr_pool))).toEqual(
          outcome(() => refRebalanceChr(topo, field, chr, S.nodes.map((n) => n.dis), S.chr_pool)),
        );
        expect(outcome(() => resonance(topo, field, res))).toEqual(outcome(() => refResonance(topo, field, res)));
        expect(outcome(() => mintPsy(topo, field, S.nodes.map((n) => n.psy)))).toEqual(outcome(() => refMintPsy(topo, field, S.nodes.map((n) => n.psy))));
        const holo = holoRewards(topo, field, chr, res, S.treasury);
        expect(holo).toEqual(refHoloRewards(topo, field, chr, res, S.treasury));
        const r = holo.nodes.map((x) => x.r);
        const dist = distributeTreasury(topo, r, flx, S.users.map((u) => u.flx), S.treasury);
        expect(dist).toEqual(refDistributeTreasury(topo, r, flx, S.users.map((u) => u.flx), S.treasury));
        expect(rewardsRecord(holo, dist)).toEqual(refRewardsRecord(holo, dist));
        if (!('ok' in got)) return;
        const e = got.ok;
        S = { ...S, epoch: t, nodes: e.nodes, users: e.users, treasury: e.treasury, chr_pool: e.chr_pool, unstakes: e.unstakes, coherence: field.c };
      }
    },
  );

  const arbTamper = fc.array(fc.record({ col: fc.nat(13), at: fc.nat(), bad: fc.constantFrom(...BAD) }), { minLength: 1, maxLength: 3 });
  test.prop([arbGenesis, arbTamper])(
    'economy.same-faults: values out of range in the inputs of steps 5–10 (one to three of them) raise the same MathViolation (or none) as before',
    (g, tamper) => {
      const topo = topology(g);
      const S = initialState(g, 'ab'.repeat(32));
      const field = openingField(topo, S.nodes);
      const cols: bigint[][] = [
        S.nodes.map((x) => x.flx),
        S.nodes.map((x) => x.chr),
        S.nodes.map((x) => x.res),
        S.nodes.map((x) => x.dis),
        S.nodes.map((x) => x.psy),
        S.users.map((u) => u.flx),
        [...field.psi],
        [...field.gradients],
        [...field.demand],
        field.psi.map((x) => x * 3n), // rewards
        [S.chr_pool],
        [S.treasury],
        [field.sumPsi],
        [field.c],
      ];
      for (const { col, at, bad } of tamper) {
        const c = cols[col]!;
        if (c.length > 0) c[at % c.length] = bad;
      }
      const [flx, chr, res, dis, psy, users, psi, gradients, demand, r, [pool], [treasury], [sumPsi]] = cols as [
        bigint[], bigint[], bigint[], bigint[], bigint[], bigint[], bigint[], bigint[], bigint[], bigint[], [bigint], [bigint], [bigint], [bigint],
      ];
      const f = { ...field, psi, gradients, demand, sumPsi };
      const same = (now: () => unknown, before: () => unknown): void => expect(outcome(now)).toEqual(outcome(before));
      same(() => fieldFlow(topo, f, flx), () => refFieldFlow(topo, f, flx));
      same(() => rebalanceChr(topo, f, chr, dis, pool), () => refRebalanceChr(topo, f, chr, dis, pool));
      same(() => resonance(topo, f, res), () => refResonance(topo, f, res));
      same(() => mintPsy(topo, f, psy), () => refMintPsy(topo, f, psy));
      same(() => holoRewards(topo, f, chr, res, treasury), () => refHoloRewards(topo, f, chr, res, treasury));
      same(() => distributeTreasury(topo, r, flx, users, treasury), () => refDistributeTreasury(topo, r, flx, users, treasury));
      const St: State = {
        ...S,
        nodes: S.nodes.map((x, i) => ({ ...x, flx: flx[i]!, chr: chr[i]!, res: res[i]!, dis: dis[i]!, psy: psy[i]! })),
        users: S.users.map((u, j) => ({ ...u, flx: users[j]! })),
        chr_pool: pool,
        treasury,
      };
      same(() => runEconomy(topo, St, f, [], 1n), () => refRunEconomy(topo, St, f, [], 1n));
    },
  );
});
