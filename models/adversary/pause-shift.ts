/** §8's pause shift: the plain twin of an attack's halt window and the Byzantine shards' gain. */
import { type Json } from '../../src/math/canonical.ts';
import { runHonestEpoch } from '../../src/epoch/epoch.ts';
import { actingNode, type Action } from '../../src/economics/harmonic-economics.ts';
import { type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { toJson } from '../../src/ledger/proposal.ts';
import { atrSupply, chrSupply, flxSupply, psySupply, resSupply, type State } from '../../src/economics/state.ts';
import { type Chain } from './chain.ts';
import { type PauseShift } from './report.ts';

export type HistoryEntry = { readonly before: State; readonly after: State; readonly snapshots: readonly SignedSnapshot[]; readonly actions: readonly Action[] };

/**
 * §8's plain twin of epochs e … e + HALT_EPOCHS (`entries`): from the attacked state before e,
 * the same snapshots and the actions of the accepted proposals, submitted to honest agents (every
 * active shard reports and votes honestly; nothing imposed) — the honest epoch of epoch.ts. Per
 * token, Σ over the Byzantine shards' nodes (and, for FLX, their users) of max(0, attacked − plain)
 * at the end, over the plain twin's supply.
 */
export function pauseShift(chain: Chain, byzantine: readonly bigint[], entries: readonly HistoryEntry[]): PauseShift {
  const { ctx } = chain;
  const topo = ctx.topology;
  let plain = entries[0]!.before;
  for (const h of entries) {
    const byShard = new Map<bigint, Json[]>();
    for (const a of h.actions) {
      const shard = topo.shardIds[topo.nodeShard[topo.nodeIndex.get(actingNode(a))!]!]!;
      byShard.set(shard, [...(byShard.get(shard) ?? []), toJson(a)]);
    }
    plain = runHonestEpoch(ctx, plain, { snapshots: h.snapshots, validator: null, actions: [...byShard].map(([shard, actions]) => ({ shard, actions })) }).state;
  }
  const attacked = entries[entries.length - 1]!.after;
  const byz = new Set(byzantine);
  const mine = (i: number) => byz.has(topo.shardIds[topo.nodeShard[i]!]!);
  const usersOf = new Map<bigint, bigint>(); // user id → shard of its node
  ctx.genesis.nodes.forEach((n) => n.users.forEach((u) => usersOf.set(u.id, n.shard)));
  const token = (get: (n: State['nodes'][number]) => bigint, users: boolean, supply: bigint): readonly [bigint, bigint] | null => {
    let num = 0n;
    plain.nodes.forEach((p, i) => {
      const d = get(attacked.nodes[i]!) - get(p);
      if (mine(i) && d > 0n) num += d;
    });
    if (users) {
      plain.users.forEach((u, i) => {
        const d = attacked.users[i]!.flx - u.flx;
        if (byz.has(usersOf.get(u.id)!) && d > 0n) num += d;
      });
    }
    return supply === 0n ? null : [num, supply];
  };
  // A node's FLX holding is its balance plus its stake (staked FLX is still its FLX).
  return {
    chr: token((n) => n.chr, false, chrSupply(plain)),
    flx: token((n) => n.flx + n.stake, true, flxSupply(plain)),
    psy: token((n) => n.psy, false, psySupply(plain)),
    atr: token((n) => n.atr, false, atrSupply(plain)),
    res: token((n) => n.res, false, resSupply(plain)),
  };
}


