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
import { add, mulDiv, SCALE, sub } from '../math/certified-math.ts';
import type { HoloRewards } from './holo-reward.ts';
import { account, accountNames, type Move } from './state.ts';
import { type Topology } from '../field/topology.ts';

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
  const cuts: bigint[] = new Array<bigint>(rewards.length);
  const moves: Move[] = [];
  const nodeIds = topo.nodeIds;
  const nodeUsers = topo.nodeUsers;
  const userWeight = topo.userWeight;
  const userIds = topo.userIds;
  const nodeNames = accountNames(nodeIds, 'nodeFlx');
  const userNames = accountNames(userIds, 'userFlx');
  let paid = 0n;
  for (let i = 0; i < rewards.length; i++) {
    const r = rewards[i]!;
    const members = nodeUsers[i]!;
    const k = members.length === 0 ? r : mulDiv(r, commission, SCALE);
    cuts[i] = k;
    if (k > 0n) {
      nextNode[i] = add(nextNode[i]!, k);
      paid = add(paid, k);
      const id = nodeIds[i]!;
      moves.push({ kind: 'cut', from: account.treasury, to: nodeNames.ids[i] === id ? nodeNames.names[i]! : account.nodeFlx(id), amount: k });
    }
    if (members.length === 0) continue;
    const rest = sub(r, k);
    const weight = topo.nodeWeight[i]!;
    for (let x = 0; x < members.length; x++) {
      const j = members[x]!;
      const share = mulDiv(rest, userWeight[j]!, weight);
      u[j] = share;
      if (share === 0n) continue;
      nextUser[j] = add(nextUser[j]!, share);
      paid = add(paid, share);
      const id = userIds[j]!;
      moves.push({ kind: 'payout', from: account.treasury, to: userNames.ids[j] === id ? userNames.names[j]! : account.userFlx(id), amount: share });
    }
  }
  const userNode = topo.userNode;
  const users: UserPayout[] = new Array<UserPayout>(userIds.length);
  for (let j = 0; j < userIds.length; j++) users[j] = { user: userIds[j]!, node: nodeIds[userNode[j]!]!, u: u[j]! };
  return {
    nodeFlx: nextNode,
    userFlx: nextUser,
    treasury: sub(treasury, paid),
    cuts,
    users,
    moves,
    paid,
  };
}

/** The record's `rewards`: step 9's per-node values with step 10's cut, and every user's payout. */
export function rewardsRecord(holo: HoloRewards, dist: Distribution): RewardsRecord {
  const src = holo.nodes;
  const nodes: RewardNodeRecord[] = new Array<RewardNodeRecord>(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = src[i]!;
    nodes[i] = { node: x.node, m: x.m, w: x.w, r: x.r, k: dist.cuts[i]! };
  }
  return { budget: holo.budget, nodes, users: dist.users };
}

type RewardNodeRecord = { readonly node: bigint; readonly m: bigint; readonly w: bigint; readonly r: bigint; readonly k: bigint };

export type RewardsRecord = {
  readonly budget: bigint;
  readonly nodes: readonly RewardNodeRecord[];
  readonly users: readonly UserPayout[];
};
