/** SPEC §6 step 10 (TreasuryDistributionEngine): hand-computed payouts, moves order, treasury.exact. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { holoRewards } from '../../src/economics/holo-reward.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { initialState } from '../../src/economics/state.ts';
import { topology } from '../../src/field/topology.ts';
import { distributeTreasury, rewardsRecord } from '../../src/economics/treasury-distribution.ts';
import { arbGenesis, EXAMPLE, S } from './fixtures.ts';

describe('step 10: treasury distribution', () => {
  it('by hand on the example (NODE_COMMISSION = S/4)', () => {
    // Users: node 1 has 30 (w 1) and 31 (w 2); node 2 has 5 (w 3); node 3 none; node 4 has 40, 41, 42 (w 1).
    // r = 8S, 3S + 1, 5, 2:
    //   node 1: k = 2S, rest 6S → u30 = 2S, u31 = 4S
    //   node 2: k = floor((3S + 1)/4) = 0.75S, rest 2.25S + 1 → u5 = 2.25S + 1
    //   node 3: no users, k = r = 5
    //   node 4: k = floor(2/4) = 0, rest 2 → floor(2/3) = 0 each; the 2 stay in the treasury
    const topo = topology(EXAMPLE);
    const d = distributeTreasury(topo, [8n * S, 3n * S + 1n, 5n, 2n], [1n, 2n, 3n, 4n], [0n, 0n, 0n, 0n, 0n, 0n], 1000n * S);
    expect(d.cuts).toEqual([2n * S, 750_000_000_000_000_000n, 5n, 0n]);
    expect(d.paid).toBe(11n * S + 6n);
    expect(d.treasury).toBe(989n * S - 6n);
    expect(d.nodeFlx).toEqual([2n * S + 1n, 750_000_000_000_000_002n, 8n, 4n]);
    // state.users order: 5, 30, 31, 40, 41, 42
    expect(d.userFlx).toEqual([2_250_000_000_000_000_001n, 2n * S, 4n * S, 0n, 0n, 0n]);
    expect(d.users).toEqual([
      { user: 5n, node: 2n, u: 2_250_000_000_000_000_001n },
      { user: 30n, node: 1n, u: 2n * S },
      { user: 31n, node: 1n, u: 4n * S },
      { user: 40n, node: 4n, u: 0n },
      { user: 41n, node: 4n, u: 0n },
      { user: 42n, node: 4n, u: 0n },
    ]);
    // Node by node in id order, the cut first, then the users in id order; zeros not recorded.
    expect(d.moves).toEqual([
      { kind: 'cut', from: 'treasury', to: 'node:1:flx', amount: 2n * S },
      { kind: 'payout', from: 'treasury', to: 'user:30:flx', amount: 2n * S },
      { kind: 'payout', from: 'treasury', to: 'user:31:flx', amount: 4n * S },
      { kind: 'cut', from: 'treasury', to: 'node:2:flx', amount: 750_000_000_000_000_000n },
      { kind: 'payout', from: 'treasury', to: 'user:5:flx', amount: 2_250_000_000_000_000_001n },
      { kind: 'cut', from: 'treasury', to: 'node:3:flx', amount: 5n },
    ]);
  });

  it('rewardsRecord joins step 9 and step 10', () => {
    const topo = topology(EXAMPLE);
    const st = initialState(EXAMPLE, '00');
    const holo = holoRewards(topo, openingField(topo, st.nodes), st.nodes.map((n) => n.chr), st.nodes.map((n) => n.res), st.treasury);
    const d = distributeTreasury(topo, holo.nodes.map((x) => x.r), st.nodes.map((n) => n.flx), st.users.map((u) => u.flx), st.treasury);
    const rec = rewardsRecord(holo, d);
    expect(rec.budget).toBe(100n * S);
    expect(rec.nodes.map((x) => x.k)).toEqual(d.cuts);
    expect(rec.nodes[2]).toEqual({ node: 3n, m: 0n, w: 0n, r: 0n, k: 0n });
    expect(rec.users.map((x) => x.user)).toEqual([5n, 30n, 31n, 40n, 41n, 42n]);
  });

  test.prop([arbGenesis, fc.array(fc.bigInt({ min: 0n, max: 10n ** 6n * S }), { minLength: 7, maxLength: 7 })])(
    'treasury.exact: paid = Σ cuts + Σ payouts = treasury drop; no node pays out more than its reward; remainders < number of users + 1',
    (g, raw) => {
      const topo = topology(g);
      const st = initialState(g, '00');
      const rewards = st.nodes.map((_, i) => raw[i]!);
      const treasury = rewards.reduce((s, x) => s + x, 0n) + st.treasury;
      const d = distributeTreasury(topo, rewards, st.nodes.map((n) => n.flx), st.users.map((u) => u.flx), treasury);
      const sumCuts = d.cuts.reduce((s, x) => s + x, 0n);
      const sumU = d.users.reduce((s, x) => s + x.u, 0n);
      expect(d.paid).toBe(sumCuts + sumU);
      expect(treasury - d.treasury).toBe(d.paid);
      expect(d.moves.reduce((s, m) => s + m.amount, 0n)).toBe(d.paid);
      expect(d.moves.every((m) => m.amount > 0n && m.from === 'treasury')).toBe(true);
      rewards.forEach((r, i) => {
        const users = d.users.filter((x) => x.node === topo.nodeIds[i]);
        const out = d.cuts[i]! + users.reduce((s, x) => s + x.u, 0n);
        expect(out).toBeLessThanOrEqual(r);
        expect(r - out).toBeLessThanOrEqual(BigInt(users.length));
        if (users.length === 0) expect(d.cuts[i]).toBe(r);
        else expect(d.cuts[i]).toBe((r * g.constants.node_commission) / S);
      });
      // Node balances rise by exactly their cut, users by their payout.
      st.nodes.forEach((n, i) => expect(d.nodeFlx[i]).toBe(n.flx + d.cuts[i]!));
      st.users.forEach((u, j) => expect(d.userFlx[j]).toBe(u.flx + d.users[j]!.u));
    },
  );
});
