/** The lies of Byzantine shards on honest proposals and votes (each null when it cannot apply). */
import { type Json } from '../../src/math/canonical.ts';
import { type Publication1 } from '../../src/coherence/windows.ts';
import { actionDigest, compareActions, readAction } from '../../src/economics/action-rules.ts';
import { triangles } from '../../src/field/psi-field.ts';
import { boundaryStakes, MODEL_SCALE } from '../ledger-model/coherence.ts';
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
      if (a.report === 'gradient') {
        const lie = gradientLie(chain, p1, a.shard, a.pick, a.delta);
        if (lie !== null) {
          const gradients = [...(reports.gradients as Json[])] as { a: string; b: string; value: string }[];
          const g = gradients[lie.k]!;
          gradients[lie.k] = { ...g, value: (BigInt(g.value) + lie.d).toString() };
          return { ...json, reports: { ...reports, gradients } };
        }
        // No owned edge can carry a lie within the curl bound: the shard lies about a ψ instead.
      }
      const psi = [...(reports.psi as Json[])] as { node: string; value: string }[];
      const k = Number(a.pick % BigInt(psi.length));
      psi[k] = { node: psi[k]!.node, value: (BigInt(psi[k]!.value) + a.delta).toString() };
      return { ...json, reports: { ...reports, psi } };
    }
    case 'EA-2': {
      const C = basis.field.c;
      if (a.inside === true) {
        // Exactly at the tolerance, computed from the spec (mulDiv(C, EPSILON_SYNC, SCALE), exact floor).
        const tol = (C * c.epsilon_sync) / MODEL_SCALE;
        if (tol === 0n) return null;
        return { ...json, reports: { ...reports, sync: (a.below && C >= tol ? C - tol : C + tol).toString() } };
      }
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
      // Stakes by the shard's nodes without actions, largest FLX first, sized by the spec's own
      // EA-9 quantities (models/ledger-model/coherence.ts) to land just over (or within) the bound.
      const s = topo.shardIndex.get(a.shard)!;
      const acting = new Set(body.actions.map(actingNode));
      const free = topo.shardNodes[s]!.filter((i) => !acting.has(basis.nodes[i]!.id) && basis.nodes[i]!.flx > 0n);
      free.sort((x, y) => {
        const nx = basis.nodes[x]!;
        const ny = basis.nodes[y]!;
        return nx.flx > ny.flx ? -1 : nx.flx < ny.flx ? 1 : nx.id < ny.id ? -1 : 1;
      });
      const base = new Map<number, bigint>();
      for (const x of body.actions) if (x.kind === 'stake') base.set(topo.nodeIndex.get(x.node)!, (base.get(topo.nodeIndex.get(x.node)!) ?? 0n) + x.amount);
      const stakes = boundaryStakes(basis.nodes, topo.shardNodes[s]!, c.delta_max, free.map((i) => ({ i, flx: basis.nodes[i]!.flx })), a.side ?? 'over', base);
      if (stakes === null) return null;
      const added = stakes.map(({ i, amount }) => ({ kind: 'stake', node: basis.nodes[i]!.id, amount, nonce: basis.nodes[i]!.nonce + 1n }) as Action);
      return toJson({ ...body, actions: sortActions([...body.actions, ...added]) });
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

/**
 * EA-1 about a gradient: the owned edge `pick` (mod their number) and a non-zero change that keeps
 * every triangle through the edge within the curl bound (so EA-7, checked first, does not fire).
 * Null when no owned edge allows one.
 */
function gradientLie(chain: Chain, p1: Publication1, shard: bigint, pick: bigint, delta: bigint): { readonly k: number; readonly d: bigint } | null {
  const topo = chain.ctx.topology;
  const owned = ownedEdges(topo, topo.shardIndex.get(shard)!);
  if (owned.length === 0) return null;
  const field = p1.basis.field;
  const bound = exactMulDiv(field.c, topo.constants.delta_curl, SCALE);
  const all = triangles(topo);
  for (let step = 0; step < owned.length; step++) {
    const k = Number((pick + BigInt(step)) % BigInt(owned.length));
    const e = owned[k]!;
    let lo: bigint | null = null; // the allowed change is [lo, hi] (unbounded while null)
    let hi: bigint | null = null;
    for (const tr of all) {
      const sign = tr.ab === e || tr.bc === e ? 1n : tr.ac === e ? -1n : 0n;
      if (sign === 0n) continue;
      const curl = field.gradients[tr.ab]! + field.gradients[tr.bc]! - field.gradients[tr.ac]!;
      // |curl + sign·d| ≤ bound
      const l = sign === 1n ? -bound - curl : curl - bound;
      const h = sign === 1n ? bound - curl : curl + bound;
      lo = lo === null || l > lo ? l : lo;
      hi = hi === null || h < hi ? h : hi;
    }
    if (hi === null || lo === null) return { k, d: delta }; // in no triangle: any lie
    if (hi >= 1n) return { k, d: 1n + ((delta - 1n) % hi) };
    if (lo <= -1n) return { k, d: -1n - ((delta - 1n) % -lo) };
  }
  return null;
}
