/**
 * The honest shard agent (SPEC §6): every refusal code with an example, the order of the checks,
 * arrival-order independence, "a refused action consumes no nonce", and the fixed point (the agent
 * takes all of its own taken actions again).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ACTION_CODES, actionDigest, eaOfActionCode, firstActionFault, readAction, stakeCoherence, type ActionBasis } from '../../src/economics/action-rules.ts';
import type { Json } from '../../src/math/canonical.ts';
import type { Action } from '../../src/economics/harmonic-economics.ts';
import { chooseActions, explainRefusal } from '../../src/economics/honest-agent.ts';
import { openingField } from '../../src/field/psi-field.ts';
import type { State } from '../../src/economics/state.ts';
import { actionJson, CTX, epochChecked, json, S, S0 } from './fixtures.ts';

/**
 * Shard 0 = {2, 3}. Node 2: flx 4S, psy 5S, stake S/2 (one queued unstake of S/8), ψ = 4·atr
 * (chr 5S, dis S/4); node 3: flx 2S + 4, ψ = S. Opening C_0 = 2.5S, so the EA-9 bound is 0.25S and
 * a stake x on node 2 moves C_0 by 2x.
 */
const ST: State = {
  ...S0,
  nodes: S0.nodes.map((n) => (n.id === 2n ? { ...n, stake: S / 2n } : n)),
  unstakes: [{ node: 2n, nonce: 0n, amount: S / 8n, since: 0n }],
};
const basis: ActionBasis = { topology: CTX.topology, nodes: ST.nodes, unstakes: ST.unstakes, field: openingField(CTX.topology, ST.nodes) };
const choose = (actions: readonly unknown[]) => chooseActions(basis, 0n, actions.map((a) => json(a)));
/** The code of `target` when submitted with `before` (or 'taken'). */
const codeOf = (before: readonly unknown[], target: unknown, of: unknown = target) =>
  choose([...before, target]).refusals.find((r) => r.digest === actionDigest(json(of)))?.code ?? 'taken';
/** A transfer 3 → 2 with nonce 1 whose digest sorts after `first` (so `first` is judged first). */
const after = (first: Action): Action => {
  for (let k = 1n; ; k++) if (actionDigest(t(3n, 2n, k, 1n)) > actionDigest(first)) return t(3n, 2n, k, 1n);
};

const t = (from: bigint, to: bigint, amount: bigint, nonce: bigint): Action => ({ kind: 'transfer', from, to, amount, nonce });
const stake = (node: bigint, amount: bigint, nonce: bigint): Action => ({ kind: 'stake', node, amount, nonce });
const unstake = (node: bigint, amount: bigint, nonce: bigint): Action => ({ kind: 'unstake', node, amount, nonce });
const psy = (from: bigint, to: bigint, amount: bigint, nonce: bigint): Action => ({ kind: 'psy_transfer', from, to, amount, nonce });

describe('honest agent', () => {
  it('the opening C_0 and the EA-9 bound of the example', () => {
    expect(basis.field.cShards[0]).toBe(2n * S + S / 2n);
    expect(stakeCoherence(basis, 0n, [stake(2n, S / 10n, 1n)])).toEqual({ open: 2n * S + S / 2n, with_stakes: 2n * S + (7n * S) / 10n, bound: S / 4n });
  });

  const examples: [string, unknown[], unknown][] = [
    ['malformed', [], { kind: 'transfer', from: 2n, to: 3n, amount: -1n, nonce: 1n }],
    ['malformed', [], { kind: 'stake', node: 2n, amount: 1n, nonce: 1n, extra: 0n }],
    ['malformed', [], { kind: 'mint', node: 2n, amount: 1n, nonce: 1n }],
    ['malformed', [], { kind: 'stake', node: 2n, amount: 2n ** 127n, nonce: 1n }],
    ['unknown_node', [], t(2n, 99n, 1n, 1n)],
    ['unknown_node', [], stake(98n, 1n, 1n)],
    ['wrong_shard', [], stake(1n, 1n, 1n)],
    ['wrong_shard', [], psy(2n, 1n, 1n, 1n)],
    ['self_transfer', [], t(3n, 3n, 1n, 1n)],
    ['non_positive_amount', [], t(3n, 1n, 0n, 1n)],
    ['nonce_conflict', [t(3n, 1n, 1n, 1n)], after(t(3n, 1n, 1n, 1n))],
    ['bad_nonce', [], t(3n, 1n, 1n, 2n)],
    ['bad_nonce', [], t(3n, 1n, 1n, 0n)],
    ['overdraft', [], t(3n, 1n, 2n * S + 5n, 1n)],
    ['overdraft', [t(2n, 1n, 3n * S, 1n)], stake(2n, S + 1n, 2n)],
    ['overdraft', [], psy(2n, 3n, 5n * S + 1n, 1n)],
    ['overdraft', [], unstake(2n, S / 2n - S / 8n + 1n, 1n)],
    ['coherence_divergence', [stake(2n, S / 10n, 1n)], stake(2n, S / 10n, 2n)],
    ['coherence_divergence', [], stake(2n, S / 8n + 1n, 1n)],
  ];
  for (const [code, before, target] of examples) {
    it(`refuses with ${code}: ${JSON.stringify(json(target))}`, () => {
      expect(codeOf(before, target)).toBe(code);
      for (const b of before) expect(codeOf(before, target, b)).toBe('taken');
    });
  }

  it('accepts the largest valid amounts and a full nonce run', () => {
    const ok = [t(3n, 1n, 2n * S + 4n, 1n), unstake(2n, S / 2n - S / 8n, 1n), psy(2n, 3n, 5n * S, 2n), stake(2n, S / 8n, 3n)];
    const c = choose(ok);
    expect(c.refusals).toEqual([]);
    expect(c.taken).toHaveLength(4);
  });

  it('the checks run in code order', () => {
    // unknown `to` and wrong shard → unknown_node; wrong shard and zero amount → wrong_shard;
    // self transfer and zero → self_transfer; zero and bad nonce → non_positive_amount; conflict before overdraft.
    expect(codeOf([], t(1n, 99n, 0n, 7n))).toBe('unknown_node');
    expect(codeOf([], t(1n, 2n, 0n, 7n))).toBe('wrong_shard');
    expect(codeOf([], t(2n, 2n, 0n, 7n))).toBe('self_transfer');
    expect(codeOf([], t(2n, 3n, 0n, 7n))).toBe('non_positive_amount');
    const big = ((): Action => {
      for (let k = 10n * S; ; k++) if (actionDigest(t(3n, 1n, k, 1n)) > actionDigest(t(3n, 1n, 1n, 1n))) return t(3n, 1n, k, 1n);
    })();
    expect(codeOf([t(3n, 1n, 1n, 1n)], big)).toBe('nonce_conflict');
    expect(codeOf([], t(3n, 1n, 10n * S, 2n))).toBe('bad_nonce');
    expect(codeOf([], stake(2n, 10n * S, 1n))).toBe('overdraft');
  });

  it('a refused action consumes no nonce', () => {
    const over = t(3n, 1n, 3n * S, 1n);
    const next = t(3n, 1n, S, 2n);
    const retry = t(3n, 1n, S, 1n);
    expect(choose([over, next]).refusals.map((r) => r.code)).toEqual(['overdraft', 'bad_nonce']);
    const c = choose([next, over, retry]);
    expect(c.taken).toEqual([retry, next].sort((a, b) => Number(a.nonce - b.nonce)));
  });

  it('every code maps to EA-6 or EA-9 and has an explanation (exhaustive)', () => {
    for (const code of ACTION_CODES) {
      expect(eaOfActionCode(code)).toBe(code === 'coherence_divergence' ? 'EA-9' : 'EA-6');
      expect(explainRefusal(code).length).toBeGreaterThan(0);
    }
  });

  it('readAction accepts exactly the four schemas', () => {
    expect(readAction(json(t(1n, 2n, 3n, 4n)))).toEqual({ ok: true, value: t(1n, 2n, 3n, 4n) });
    expect(readAction(json({ kind: 'transfer', from: 1n, to: 2n, amount: 3n })).ok).toBe(false);
    expect(readAction(json({ kind: 'stake', node: 2n ** 63n, amount: 3n, nonce: 1n })).ok).toBe(false);
    expect(readAction(json([1n])).ok).toBe(false);
  });

  // Random submissions over shard 0's and others' nodes, valid and invalid alike.
  const arbAction: fc.Arbitrary<Json> = fc.oneof(
    fc
      .record({
        kind: fc.constantFrom('transfer', 'psy_transfer', 'stake', 'unstake'),
        a: fc.constantFrom(1n, 2n, 3n, 4n, 99n),
        b: fc.constantFrom(1n, 2n, 3n, 4n, 99n),
        amount: fc.oneof(fc.constantFrom(0n, 1n, S / 10n, S, 3n * S), fc.bigInt({ min: 0n, max: 6n * S })),
        nonce: fc.bigInt({ min: 0n, max: 4n }),
      })
      .map(({ kind, a, b, amount, nonce }) =>
        json(kind === 'transfer' || kind === 'psy_transfer' ? { kind, from: a, to: b, amount, nonce } : { kind, node: a, amount, nonce }),
      ),
    fc.constant(json({ kind: 'stake', node: 2n, amount: '1' })),
  );

  test.prop([fc.array(arbAction, { maxLength: 12 }), fc.nat()])(
    'arrival order never matters; the taken actions pass step 3 and are a fixed point',
    (actions, rot) => {
      const a = chooseActions(basis, 0n, actions);
      const k = actions.length === 0 ? 0 : rot % actions.length;
      const b = chooseActions(basis, 0n, [...actions.slice(k), ...actions.slice(0, k)].reverse());
      expect(b.taken).toEqual(a.taken);
      expect(b.refusals).toEqual(a.refusals);
      expect(a.taken.length + a.refusals.length).toBe(actions.length);
      expect(firstActionFault(basis, 0n, a.taken)).toBeNull();
      const c = stakeCoherence(basis, 0n, a.taken);
      expect(c.with_stakes - c.open).toBeLessThanOrEqual(c.bound);
      const again = chooseActions(basis, 0n, a.taken.map(actionJson));
      expect(again.refusals).toEqual([]);
      expect(again.taken).toEqual(a.taken);
    },
  );

  it('in an epoch: refused actions have no effect; the taken ones are the proposal; refusals are not in the record', () => {
    const good = t(3n, 1n, S, 1n);
    const bad = t(3n, 1n, 0n, 2n);
    const out = epochChecked(CTX, ST, { snapshots: [], validator: null, actions: [{ shard: 0n, actions: [bad, good].map(actionJson) }] });
    expect(out.refusals).toEqual([{ shard: 0n, code: 'non_positive_amount', digest: actionDigest(bad), action: actionJson(bad) }]);
    expect(out.inputs.proposals.find((p) => p.shard === 0n)!.actions).toEqual([good]);
    expect(out.record.moves[0]).toEqual({ kind: 'transfer', from: 'node:3:flx', to: 'node:1:flx', amount: S });
    expect(out.state.nodes.find((n) => n.id === 3n)!.nonce).toBe(1n);
    expect(JSON.stringify(out.record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('non_positive_amount');
  });
});
