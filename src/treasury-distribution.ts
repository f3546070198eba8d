/**
 * TreasuryDistributionEngine (SPEC §6 step 10): treasury → nodes → users. A node keeps the cut
 * `k_i = mulDiv(r_i, NODE_COMMISSION, SCALE)` (all of `r_i` if it has no users); its users share the
 * rest by weight with floor shares. The treasury pays exactly Σ k_i + Σ u; every remainder stays in
 * the treasury (never created, never lost).
 *
 * Record pins: `users` lists every user in user id order, zeros included (`{ user, node, u }`);
 * moves are node by node in id order, the cut first, then the node's users in id order, and a zero
 * amount is not recorded.
 */
import { add, mulDiv, SCALE, sub } from './certified-math.ts';
import type { HoloRewards } from './holo-reward.ts';
import { account, type Move, type Topology } from './state.ts';

export type UserPayout = { readonly user: bigint; readonly node: bigint; readonly u: bigint };

export type Distribution = {
  /** Node flx after the cuts (aligned with the topology). */
  readonly nodeFlx: readonly bigint[];
  /** User flx after the payouts (aligned with the topology's users, i.e. `state.users`). */
  readonly userFlx: readonly bigint[];
  readonly treasury: bigint;
  /** `k_i` of every node. */
  readonly cuts: readonly bigint[];
  readonly users: readonly UserPayout[];
  readonly moves: readonly Move[];
  /** Σ k_i + Σ u: what left the treasury. */
  readonly paid: bigint;
};

/**
 * Step 10. `rewards` are the r_i of step 9; `nodeFlx` the node balances after step 5; `userFlx`
 * and `treasury` those of S (nothing before step 10 changes them).
 */
export function distributeTreasury(
  topo: Topology,
  rewards: readonly bigint[],
  nodeFlx: readonly bigint[],
  userFlx: readonly bigint[],
  treasury: bigint,
): Distribution {
  const commission = topo.constants.node_commission;
  const nextNode = [...nodeFlx];
  const nextUser = [...userFlx];
  const u: bigint[] = new Array<bigint>(userFlx.length).fill(0n);
  const cuts: bigint[] = [];
  const moves: Move[] = [];
  let paid = 0n;
  rewards.forEach((r, i) => {
    const node = topo.nodeIds[i]!;
    const members = topo.nodeUsers[i]!;
    const k = members.length === 0 ? r : mulDiv(r, commission, SCALE);
    cuts.push(k);
    if (k > 0n) {
      nextNode[i] = add(nextNode[i]!, k);
      paid = add(paid, k);
      moves.push({ kind: 'cut', from: account.treasury, to: account.nodeFlx(node), amount: k });
    }
    if (members.length === 0) return;
    const rest = sub(r, k);
    const weight = topo.nodeWeight[i]!;
    for (const j of members) {
      const share = mulDiv(rest, topo.userWeight[j]!, weight);
      u[j] = share;
      if (share === 0n) continue;
      nextUser[j] = add(nextUser[j]!, share);
      paid = add(paid, share);
      moves.push({ kind: 'payout', from: account.treasury, to: account.userFlx(topo.userIds[j]!), amount: share });
    }
  });
  return {
    nodeFlx: nextNode,
    userFlx: nextUser,
    treasury: sub(treasury, paid),
    cuts,
    users: topo.userIds.map((user, j) => ({ user, node: topo.nodeIds[topo.userNode[j]!]!, u: u[j]! })),
    moves,
    paid,
  };
}

export type RewardsRecord = {
  readonly budget: bigint;
  readonly nodes: readonly { readonly node: bigint; readonly m: bigint; readonly w: bigint; readonly r: bigint; readonly k: bigint }[];
  readonly users: readonly UserPayout[];
};

/** The record's `rewards`: step 9's per-node values with step 10's cut, and every user's payout. */
export function rewardsRecord(holo: HoloRewards, dist: Distribution): RewardsRecord {
  return {
    budget: holo.budget,
    nodes: holo.nodes.map((x, i) => ({ node: x.node, m: x.m, w: x.w, r: x.r, k: dist.cuts[i]! })),
    users: dist.users,
  };
}
