/** The lies of Byzantine shards on honest proposals and votes (each null when it cannot apply). */
import { type Json } from '../../src/math/canonical.ts';
import { type Publication1 } from '../../src/coherence/coherence-ledger.ts';
import { actionDigest, compareActions, stakeCoherence, readAction } from '../../src/economics/action-rules.ts';
import { type EpochContext } from '../../src/epoch/epoch.ts';
import { actingNode, type Action } from '../../src/economics/harmonic-economics.ts';
import { type ProposalBody } from '../../src/economics/honest-agent.ts';
import { ownedEdges, toJson } from '../../src/ledger/proposal.ts';
import { type VoteBody } from '../../src/ledger/vote.ts';
import { exactMulDiv } from '../../src/math/exact-math.ts';
import { SCALE } from '../../src/math/certified-math.ts';
import { type ShardAttack } from './strategies.ts';
import { type Chain } from './chain.ts';

// ---------------------------------------------------------------------------------------------
// The lies (each returns null when the attack cannot apply in this epoch)

export const pickOf = <T>(list: readonly T[], pick: bigint): T | undefined => (list.length === 0 ? undefined : list[Number(pick % BigInt(list.length))]);

export function sortActions(actions: readonly Action[]): Action[] {
  return actions
    .map((action) => ({ action, digest: actionDigest(action) }))
    .sort(compareActions)
    .map((x) => x.action);
}

/** A proposal lie on the honest body (null: not applicable). */
export function lieProposal(a: ShardAttack, body: ProposalBody, p1: Publication1, chain: Chain): Json | null {
  const basis = p1.basis;
  const topo = chain.ctx.topology;
  const c = topo.constants;
  const json = toJson(body) as Record<string, Json>;
  const reports = json.reports as Record<string, Json>;
  switch (a.ea) {
    case 'EA-1': {
      const psi = [...(reports.psi as Json[])] as { node: string; value: string }[];
      const k = Number(a.pick % BigInt(psi.length));
      psi[k] = { node: psi[k]!.node, value: (BigInt(psi[k]!.value) + a.delta).toString() };
      return { ...json, reports: { ...reports, psi } };
    }
    case 'EA-2': {
      const C = basis.field.c;
      const bound = exactMulDiv(C, c.epsilon_sync, SCALE);
      const low = C - bound - a.delta;
      const sync = a.below && low >= 0n ? low : C + bound + a.delta;
      return { ...json, reports: { ...reports, sync: sync.toString() } };
    }
    case 'EA-6': {
      const s = topo.shardIndex.get(a.shard)!;
      const own = topo.shardNodes[s]!;
      const i = own[Number(a.pick % BigInt(own.length))]!;
      const node = basis.nodes[i]!;
      const used = body.actions.filter((x) => actingNode(x) === node.id).length;
      const nonce = node.nonce + BigInt(used) + 1n;
      const str = (x: bigint) => x.toString();
      const others = topo.nodeIds.filter((id) => id !== node.id);
      const to = others[Number(a.pick % BigInt(others.length))]!;
      let bad: Json;
      switch (a.flaw) {
        case 'zero':
          bad = { kind: 'transfer', from: str(node.id), to: str(to), amount: '0', nonce: str(nonce) };
          break;
        case 'overdraft':
          bad = { kind: 'transfer', from: str(node.id), to: str(to), amount: str(node.flx + 1n), nonce: str(nonce) };
          break;
        case 'nonce':
          bad = { kind: 'stake', node: str(node.id), amount: '1', nonce: '0' };
          break;
        case 'foreign': {
          const foreign = topo.nodeIds.filter((_, j) => topo.nodeShard[j] !== s);
          const f = foreign[Number(a.pick % BigInt(foreign.length))]!;
          bad = { kind: 'stake', node: str(f), amount: '1', nonce: str(basis.nodes[topo.nodeIndex.get(f)!]!.nonce + 1n) };
          break;
        }
      }
      const read = readAction(bad);
      if (!read.ok) throw new Error(`EA-6 generator: ${read.error.message}`);
      return toJson({ ...body, actions: sortActions([...body.actions, read.value]) });
    }
    case 'EA-7': {
      const s = topo.shardIndex.get(a.shard)!;
      const owned = ownedEdges(topo, s);
      const inTriangle = owned.map((e, k) => ({ e, k })).filter(({ e }) => edgeInTriangle(chain, e));
      const chosen = pickOf(inTriangle, a.pick);
      if (chosen === undefined) return null;
      const bound = exactMulDiv(basis.field.c, c.delta_curl, SCALE);
      const gradients = [...(reports.gradients as Json[])] as { a: string; b: string; value: string }[];
      const g = gradients[chosen.k]!;
      const lie = a.delta % 2n === 0n ? BigInt(g.value) + bound + a.delta : BigInt(g.value) - bound - a.delta;
      gradients[chosen.k] = { ...g, value: lie.toString() };
      return { ...json, reports: { ...reports, gradients } };
    }
    case 'EA-9': {
      // All-in stakes by the shard's nodes without actions, largest FLX first, until C_s diverges.
      const s = topo.shardIndex.get(a.shard)!;
      const acting = new Set(body.actions.map(actingNode));
      const free = topo.shardNodes[s]!.map((i) => basis.nodes[i]!).filter((n) => !acting.has(n.id) && n.flx > 0n);
      free.sort((x, y) => (x.flx > y.flx ? -1 : x.flx < y.flx ? 1 : x.id < y.id ? -1 : 1));
      const added: Action[] = [];
      for (const n of free) {
        added.push({ kind: 'stake', node: n.id, amount: n.flx, nonce: n.nonce + 1n } as Action);
        const actions = sortActions([...body.actions, ...added]);
        const cs = stakeCoherence(basis, a.shard, actions);
        const diff = cs.with_stakes > cs.open ? cs.with_stakes - cs.open : cs.open - cs.with_stakes;
        if (diff > cs.bound) return toJson({ ...body, actions });
      }
      return null;
    }
    case 'EA-8':
      return null; // handled by the caller (two proposals)
    default:
      return null;
  }
}

export const triangleEdges = new WeakMap<EpochContext, Set<number>>();
export function edgeInTriangle(chain: Chain, e: number): boolean {
  let set = triangleEdges.get(chain.ctx);
  if (set === undefined) {
    const topo = chain.ctx.topology;
    const index = new Map<string, number>();
    for (let k = 0; k < topo.edgeA.length; k++) index.set(`${topo.edgeA[k]}-${topo.edgeB[k]}`, k);
    const adj = new Map<number, number[]>();
    for (let k = 0; k < topo.edgeA.length; k++) {
      adj.set(topo.edgeA[k]!, [...(adj.get(topo.edgeA[k]!) ?? []), topo.edgeB[k]!]);
    }
    set = new Set<number>();
    for (let k = 0; k < topo.edgeA.length; k++) {
      const x = topo.edgeA[k]!;
      const y = topo.edgeB[k]!;
      for (const z of adj.get(y) ?? []) {
        const xz = index.get(`${x}-${z}`);
        if (xz !== undefined) {
          set.add(k);
          set.add(index.get(`${y}-${z}`)!);
          set.add(xz);
        }
      }
    }
    triangleEdges.set(chain.ctx, set);
  }
  return set.has(e);
}

/** A vote lie on the honest vote (null: not applicable). */
export function lieVote(a: ShardAttack, vote: VoteBody): Json | null {
  const claims = toJson(vote.claims) as Record<string, Json>;
  const bump = (list: Json, pick: bigint, delta: bigint): Json[] | null => {
    const l = [...(list as Json[])] as { node: string; value: string }[];
    if (l.length === 0) return null;
    const k = Number(pick % BigInt(l.length));
    l[k] = { node: l[k]!.node, value: (BigInt(l[k]!.value) + delta).toString() };
    return l;
  };
  const withClaims = (field: string, value: Json | null): Json | null =>
    value === null ? null : ({ ...(toJson(vote) as Record<string, Json>), claims: { ...claims, [field]: value } } as Json);
  switch (a.ea) {
    case 'EA-3': {
      const payouts = [...(claims.payouts as Json[])] as { node: string; cut: string; users: Json }[];
      if (a.field === 'payouts' && payouts.length > 0) {
        const k = Number(a.pick % BigInt(payouts.length));
        payouts[k] = { ...payouts[k]!, cut: (BigInt(payouts[k]!.cut) + a.delta).toString() };
        return withClaims('payouts', payouts);
      }
      return withClaims('flx_delta', bump(claims.flx_delta!, a.pick, a.delta));
    }
    case 'EA-4':
      return withClaims('res', bump(claims.res!, a.pick, a.delta));
    case 'EA-5':
      return withClaims('chr_delta', bump(claims.chr_delta!, a.pick, a.delta));
    case 'EA-13':
      return withClaims(a.field, bump(claims[a.field]!, a.pick, a.delta));
    case 'EA-10': {
      const field = a.side === 'in' ? 'cross_in' : 'cross_out';
      const legs = [...(claims[field] as Json[])] as { leg: string; value: string }[];
      if (legs.length === 0) return withClaims(field, [{ leg: 'ff'.repeat(32), value: a.delta.toString() }]);
      legs[0] = { leg: legs[0]!.leg, value: (BigInt(legs[0]!.value) + a.delta).toString() };
      return withClaims(field, legs);
    }
    default:
      return null;
  }
}
