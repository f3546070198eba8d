/** SPEC §4 State: the initial state, its canonical form and root, supplies, topology, accounts. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalString } from '../../src/math/canonical.ts';
import { account, ACCOUNT, atrSupply, chrSupply, flxSupply, initialState, parseAccount, psySupply, resSupply, stateRoot } from '../../src/economics/state.ts';
import { topology } from '../../src/field/topology.ts';
import { EXAMPLE, genesisOf, S } from './fixtures.ts';

describe('state', () => {
  it('initialState follows §4: genesis balances, nonce 0, users at 0 sorted by id, coherence = C of the genesis field', () => {
    const st = initialState(EXAMPLE, 'ff');
    expect(st.genesis).toBe('ff');
    expect(st.epoch).toBe(0n);
    expect(st.mode).toBe('normal');
    expect(st.nodes.map((n) => n.id)).toEqual([1n, 2n, 3n, 4n]);
    expect(st.nodes[1]).toEqual({ id: 2n, chr: 5n * S, flx: 4n * S, stake: 0n, psy: 5n * S, atr: S, res: 0n, dis: S / 4n, nonce: 0n });
    // Users of node 1 are 30, 31 and of node 2 is 5: the state lists them by id, not by node.
    expect(st.users).toEqual([5n, 30n, 31n, 40n, 41n, 42n].map((id) => ({ id, flx: 0n })));
    expect(st.treasury).toBe(1000n * S);
    expect(st.chr_pool).toBe(0n);
    expect(st.shards).toEqual([0n, 1n, 2n].map((id) => ({ id, halted_until: 0n, violations: 0n, blacklisted: false })));
    expect(st.unstakes).toEqual([]);
    // ψ = 6S, 4S, 1S, 4S: C = floorDiv(15S, 4) = 3.75S.
    expect(st.coherence).toBe(3_750_000_000_000_000_000n);
    expect(st.founders).toEqual([{ id: 0n, key: 'founder-key-0' }]);
    expect(st.last_oracle_epoch).toBe(0n);
  });

  it('the canonical form and root of a one-node state are pinned', () => {
    const g = genesisOf({ shards: [0n], nodes: [{ id: 7n, shard: 0n, chr: 1n }], edges: [] });
    const st = initialState(g, 'ab');
    const text =
      '{"chr_pool":"0","coherence":"0","epoch":"0","founders":[{"id":"0","key":"founder-key-0"}],"genesis":"ab",' +
      '"last_oracle_epoch":"0","mode":"normal","nodes":[{"atr":"0","chr":"1","dis":"0","flx":"0","id":"7","nonce":"0",' +
      '"psy":"0","res":"0","stake":"0"}],"shards":[{"blacklisted":false,"halted_until":"0","id":"0","violations":"0"}],' +
      '"treasury":"0","unstakes":[],"users":[]}';
    expect(canonicalString(st)).toBe(text);
    const expected = createHash('sha256').update('qfs/v13/state').update(new Uint8Array([0])).update(text).digest('hex');
    expect(stateRoot(st)).toBe(expected);
    expect(stateRoot({ ...st, epoch: 1n })).not.toBe(expected);
  });

  it('supplies add the balances §4 names', () => {
    const st = initialState(EXAMPLE, 'ff');
    const changed = { ...st, chr_pool: 7n, users: st.users.map((u) => ({ ...u, flx: 1n })) };
    expect(chrSupply(changed)).toBe(11n * S + 7n);
    // Σ flx = 10S + 4S + 2S + 4 + 0; Σ stake = 0; users 6 × 1; treasury 1000S.
    expect(flxSupply(changed)).toBe(16n * S + 4n + 6n + 1000n * S);
    expect(psySupply(st)).toBe(5n * S);
    expect(atrSupply(st)).toBe(7n * S);
    expect(resSupply(st)).toBe(S + 2n * S + S / 2n);
  });

  it('topology indexes ids, shards, edges and users once', () => {
    const t = topology(EXAMPLE);
    expect(t.nodeIds).toEqual([1n, 2n, 3n, 4n]);
    expect(t.nodeIndex.get(3n)).toBe(2);
    expect([...t.nodeShard]).toEqual([1, 0, 0, 1]);
    expect(t.shardNodes).toEqual([[1, 2], [0, 3], []]);
    expect([...t.edgeA]).toEqual([0, 0, 1, 1]);
    expect([...t.edgeB]).toEqual([1, 2, 2, 3]);
    expect(t.userIds).toEqual([5n, 30n, 31n, 40n, 41n, 42n]);
    expect([...t.userNode]).toEqual([1, 0, 0, 3, 3, 3]);
    expect(t.nodeUsers).toEqual([[1, 2], [0], [], [3, 4, 5]]);
    expect(t.nodeWeight).toEqual([3n, 3n, 0n, 3n]);
    expect(t.chrSupply).toBe(11n * S);
  });

  it('accounts are the pinned strings and parse back', () => {
    expect(account.nodeFlx(5n)).toBe('node:5:flx');
    expect(account.nodeStake(0n)).toBe('node:0:stake');
    expect(account.nodePsy(12n)).toBe('node:12:psy');
    expect(account.userFlx(1000n)).toBe('user:1000:flx');
    expect(account.treasury).toBe('treasury');
    expect(parseAccount('node:12:psy')).toEqual({ kind: 'node', id: 12n, balance: 'psy' });
    expect(parseAccount('user:0:flx')).toEqual({ kind: 'user', id: 0n, balance: 'flx' });
    expect(parseAccount('treasury')).toEqual({ kind: 'treasury' });
    for (const bad of ['node:01:flx', 'node:-1:flx', 'user:1:stake', 'node:1:chr', 'treasury:0', 'node:1', '']) {
      expect(ACCOUNT.test(bad)).toBe(false);
      expect(parseAccount(bad)).toBeUndefined();
    }
  });
});
