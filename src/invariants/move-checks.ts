/** The move checks (§9): every balance change is a recorded move or mint (`flx.kirchhoff`), and field flows follow the gradient. */
import { account, parseAccount, type Account, type Move, type MoveKind, type State } from '../economics/state.ts';
import type { Topology } from '../field/topology.ts';
import { fail, first, movesOf, sameList, total } from './compare.ts';
import { derive } from './recompute.ts';
import type { StepCheck } from './step-check.ts';

/** Accounts that each move kind joins (state.ts pins). */
function moveShapeFault(mv: Move, topo: Topology): string | null {
  const from = parseAccount(mv.from);
  const to = parseAccount(mv.to);
  if (from === undefined || to === undefined) return 'an account is not an account string';
  const exists = (a: NonNullable<typeof from>): boolean =>
    a.kind === 'treasury' || (a.kind === 'node' ? topo.nodeIndex.has(a.id) : topo.userIndex.has(a.id));
  if (!exists(from) || !exists(to)) return 'an account names no node or user';
  if (typeof mv.amount !== 'bigint' || mv.amount <= 0n) return 'the amount is not positive';
  const node = (a: typeof from, bal: string): boolean => a.kind === 'node' && a.balance === bal;
  const sameId = (): boolean => from.kind === 'node' && to.kind === 'node' && from.id === to.id;
  const ok = ((): boolean => {
    switch (mv.kind) {
      case 'transfer':
      case 'flow':
        return node(from, 'flx') && node(to, 'flx') && !sameId();
      case 'psy_transfer':
        return node(from, 'psy') && node(to, 'psy') && !sameId();
      case 'stake':
        return node(from, 'flx') && node(to, 'stake') && sameId();
      case 'unstake':
        return node(from, 'stake') && node(to, 'flx') && sameId();
      case 'cut':
        return from.kind === 'treasury' && node(to, 'flx');
      case 'payout':
        return from.kind === 'treasury' && to.kind === 'user';
      default:
        return false;
    }
  })();
  return ok ? null : `a ${String(mv.kind)} move cannot join ${mv.from} and ${mv.to}`;
}

const STEP_RANK: Record<MoveKind, number> = { transfer: 0, stake: 0, psy_transfer: 0, unstake: 1, flow: 2, cut: 3, payout: 3 };

function balances(st: State): Map<Account, bigint> {
  const out = new Map<Account, bigint>();
  for (const n of st.nodes) {
    out.set(account.nodeFlx(n.id), n.flx);
    out.set(account.nodeStake(n.id), n.stake);
    out.set(account.nodePsy(n.id), n.psy);
  }
  for (const u of st.users) out.set(account.userFlx(u.id), u.flx);
  out.set(account.treasury, st.treasury);
  return out;
}

export const flxKirchhoff: StepCheck = ({ topology: topo, prev, record, next }) => {
  let rank = 0;
  for (const [i, mv] of record.moves.entries()) {
    const fault = moveShapeFault(mv, topo);
    if (fault !== null) return fail(`moves[${i}]: ${fault}`, 'a move between two accounts as state.ts pins them', mv);
    const r = STEP_RANK[mv.kind];
    if (r < rank) return fail(`moves[${i}] is out of step order`, 'moves in step order (actions, unstakes, flows, cuts and payouts)', mv);
    rank = r;
  }
  const delta = new Map<Account, bigint>();
  const bump = (a: Account, v: bigint): void => {
    delta.set(a, (delta.get(a) ?? 0n) + v);
  };
  for (const mv of record.moves) {
    bump(mv.from, -mv.amount);
    bump(mv.to, mv.amount);
  }
  for (const { node, value } of record.psy_minted) {
    if (!topo.nodeIndex.has(node)) return fail('psy_minted names no node', 'an existing node', node);
    bump(account.nodePsy(node), value);
  }
  const before = balances(prev);
  const after = balances(next);
  for (const [a, b] of before) {
    const got = (after.get(a) ?? 0n) - b;
    const want = delta.get(a) ?? 0n;
    if (got !== want) return fail(`${a}: Δ is not the sum of its recorded moves and mints`, want.toString(), got.toString());
  }
  // Per shard (its nodes' accounts and their users'), FLX and PSY apart.
  for (const [s, members] of topo.shardNodes.entries()) {
    for (const kind of ['flx', 'psy'] as const) {
      const accounts: Account[] =
        kind === 'psy'
          ? members.map((i) => account.nodePsy(topo.nodeIds[i]!))
          : members.flatMap((i) => [
              account.nodeFlx(topo.nodeIds[i]!),
              account.nodeStake(topo.nodeIds[i]!),
              ...topo.nodeUsers[i]!.map((j) => account.userFlx(topo.userIds[j]!)),
            ]);
      const got = total(accounts.map((a) => (after.get(a) ?? 0n) - before.get(a)!));
      const want = total(accounts.map((a) => delta.get(a) ?? 0n));
      if (got !== want) return fail(`shard ${topo.shardIds[s]}: Δ${kind.toUpperCase()} is not the sum of its recorded moves`, want.toString(), got.toString());
    }
  }
  // ATR moves with stake and unstake only (implied by those moves).
  const atrDelta = new Map<Account, bigint>();
  for (const mv of record.moves) {
    if (mv.kind === 'stake') atrDelta.set(mv.to, (atrDelta.get(mv.to) ?? 0n) + mv.amount);
    if (mv.kind === 'unstake') atrDelta.set(mv.from, (atrDelta.get(mv.from) ?? 0n) - mv.amount);
  }
  for (const [i, n] of next.nodes.entries()) {
    const id = topo.nodeIds[i]!;
    const want = atrDelta.get(account.nodeStake(id)) ?? 0n;
    const got = n.atr - prev.nodes[i]!.atr;
    if (got !== want) return fail(`node ${id}: Δatr is not its stake minus its unstake moves`, want.toString(), got.toString());
  }
  return null;
};

export const flxFollowsGradient: StepCheck = (x) => {
  const d = derive(x);
  const topo = x.topology;
  const psi = d.field.psi;
  const edges = new Map<string, number>();
  for (let k = 0; k < topo.edgeA.length; k++) edges.set(`${topo.nodeIds[topo.edgeA[k]!]}-${topo.nodeIds[topo.edgeB[k]!]}`, k);
  for (const [i, f] of x.record.flows.entries()) {
    const ia = topo.nodeIndex.get(f.from);
    const ib = topo.nodeIndex.get(f.to);
    if (ia === undefined || ib === undefined) return fail(`flows[${i}] names no node`, 'existing nodes', f);
    if (!(psi[ia]! < psi[ib]!)) return fail(`flows[${i}] runs against the gradient (from ψ ${psi[ia]} to ψ ${psi[ib]})`, 'from the lower to the higher opening ψ', f);
    const e = edges.get(`${f.a}-${f.b}`);
    if (e === undefined || !((f.from === f.a && f.to === f.b) || (f.from === f.b && f.to === f.a))) return fail(`flows[${i}] is not on an edge`, 'an edge (a, b)', f);
    if (f.amount > d.field.demand[e]!) return fail(`flows[${i}] carries more than |d_e|`, d.field.demand[e]!.toString(), f.amount.toString());
  }
  const want = d.flows;
  return first(
    () => sameList('flows', want.flows, x.record.flows),
    () => sameList('flow moves', want.moves, movesOf(x.record, ['flow'])),
  );
};
