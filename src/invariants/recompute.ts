/**
 * Steps 4–11 of the epoch recomputed on top of opening.ts (steps 0–3): the step-4 balances, flows,
 * penalties and shares, the envelope, mints, budget, rewards, cuts and payouts, and the ledger's
 * candidate. `derive` gives the one memoised recomputation of a `StepArgs`, shared by every check.
 */
import { floorDiv, LIMIT, min, mulDiv, SCALE } from '../math/certified-math.ts';
import { actingNode, type Flow, type ResCredit } from '../economics/harmonic-economics.ts';
import { account, parseAccount, stateRoot, type Account, type Move, type State, type UnstakeEntry } from '../economics/state.ts';
import { candidateClaims, type Claims } from '../ledger/vote.ts';
import { compareBigint } from '../core/vocabulary.ts';
import { bookkeptShards, step3Offenders } from './bookkeeping.ts';
import { total } from './compare.ts';
import { Opening } from './opening.ts';
import type { StepArgs } from './step-check.ts';

type Step4 = {
  readonly flx: bigint[];
  readonly stake: bigint[];
  readonly atr: bigint[];
  readonly psy: bigint[];
  readonly nonce: bigint[];
  readonly queue: UnstakeEntry[];
  readonly newEntries: UnstakeEntry[];
  readonly actionMoves: Move[];
  readonly unstakeMoves: Move[];
};

/** Steps 4–11 and the candidate, on top of the opening (same memo). */
export class Derived extends Opening {
  /** Step 4 recomputed. */
  get step4(): Step4 {
    return this.once('step4', () => {
      const topo = this.x.topology;
      const prev = this.x.prev;
      const t = this.t;
      const flx = prev.nodes.map((n) => n.flx);
      const stake = prev.nodes.map((n) => n.stake);
      const atr = prev.nodes.map((n) => n.atr);
      const psy = prev.nodes.map((n) => n.psy);
      const nonce = prev.nodes.map((n) => n.nonce);
      const ix = (id: bigint): number => topo.nodeIndex.get(id)!;
      const actionMoves: Move[] = [];
      const newEntries: UnstakeEntry[] = [];
      for (const a of this.actions) {
        const i = ix(actingNode(a));
        if (a.kind === 'transfer') {
          flx[i]! -= a.amount;
          flx[ix(a.to)]! += a.amount;
          actionMoves.push({ kind: 'transfer', from: account.nodeFlx(a.from), to: account.nodeFlx(a.to), amount: a.amount });
        } else if (a.kind === 'stake') {
          flx[i]! -= a.amount;
          stake[i]! += a.amount;
          atr[i]! += a.amount;
          actionMoves.push({ kind: 'stake', from: account.nodeFlx(a.node), to: account.nodeStake(a.node), amount: a.amount });
        } else if (a.kind === 'psy_transfer') {
          psy[i]! -= a.amount;
          psy[ix(a.to)]! += a.amount;
          actionMoves.push({ kind: 'psy_transfer', from: account.nodePsy(a.from), to: account.nodePsy(a.to), amount: a.amount });
        } else newEntries.push({ node: a.node, nonce: a.nonce, amount: a.amount, since: t });
        nonce[i] = a.nonce > nonce[i]! ? a.nonce : nonce[i]!;
      }
      const byNodeNonce = (p: UnstakeEntry, q: UnstakeEntry): number => compareBigint(p.node, q.node) || compareBigint(p.nonce, q.nonce);
      newEntries.sort(byNodeNonce);
      const all = [...prev.unstakes, ...newEntries].sort(byNodeNonce);
      const unstakeMoves: Move[] = [];
      let queue = all;
      if (this.field.c <= prev.coherence) {
        queue = [];
        for (const u of all) {
          if (u.since >= t) {
            queue.push(u);
            continue;
          }
          const i = ix(u.node);
          stake[i]! -= u.amount;
          atr[i]! -= u.amount;
          flx[i]! += u.amount;
          unstakeMoves.push({ kind: 'unstake', from: account.nodeStake(u.node), to: account.nodeFlx(u.node), amount: u.amount });
        }
      }
      return { flx, stake, atr, psy, nonce, queue, newEntries, actionMoves, unstakeMoves };
    });
  }
  /** Step 5 recomputed: every flow, and the flow moves. */
  get flows(): { readonly flows: Flow[]; readonly moves: Move[] } {
    return this.once('flows', () => {
      const topo = this.x.topology;
      const f = this.field;
      const rate = this.x.genesis.constants.flow_rate;
      const sourced = new Map<number, bigint>();
      const src = (e: number): number => (f.gradients[e]! > 0n ? topo.edgeA[e]! : topo.edgeB[e]!);
      for (let e = 0; e < topo.edgeA.length; e++) if (f.demand[e]! > 0n) sourced.set(src(e), (sourced.get(src(e)) ?? 0n) + f.demand[e]!);
      const flows: Flow[] = [];
      const moves: Move[] = [];
      for (let e = 0; e < topo.edgeA.length; e++) {
        const d = f.demand[e]!;
        if (d === 0n) continue;
        const s = src(e);
        const r = s === topo.edgeA[e]! ? topo.edgeB[e]! : topo.edgeA[e]!;
        const B = mulDiv(this.step4.flx[s]!, rate, SCALE);
        const D = sourced.get(s)!;
        const amount = D <= B ? d : mulDiv(d, B, D);
        const from = topo.nodeIds[s]!;
        const to = topo.nodeIds[r]!;
        flows.push({ a: topo.nodeIds[topo.edgeA[e]!]!, b: topo.nodeIds[topo.edgeB[e]!]!, from, to, demand: d, amount });
        if (amount > 0n) moves.push({ kind: 'flow', from: account.nodeFlx(from), to: account.nodeFlx(to), amount });
      }
      return { flows, moves };
    });
  }
  /** Step 6 recomputed. */
  get chr(): { readonly p: bigint[]; readonly P: bigint; readonly s: bigint[] } {
    return this.once('chr', () => {
      const rate = this.x.genesis.constants.penalty_rate;
      const p = this.x.prev.nodes.map((n, i) => mulDiv(n.chr, mulDiv(this.dis[i]!, rate, SCALE), SCALE));
      const P = this.x.prev.chr_pool + total(p);
      const sum = this.field.sumPsi;
      const s = this.field.psi.map((psi) => (sum === 0n ? 0n : mulDiv(P, psi, sum)));
      return { p, P, s };
    });
  }
  /** Step 7 recomputed. */
  get res(): { readonly cap: bigint; readonly res: bigint[]; readonly credits: ResCredit[] } {
    return this.once('res', () => {
      const topo = this.x.topology;
      const k = this.x.genesis.constants;
      const f = this.field;
      const cap = mulDiv(f.sumPsi, k.res_cap_ratio, SCALE);
      const before = this.x.prev.nodes.map((n) => n.res);
      const sum = total(before);
      if (sum > cap) return { cap, res: before.map((r) => mulDiv(r, cap, sum)), credits: [] };
      const aligned: { e: number; r: bigint }[] = [];
      for (let e = 0; e < topo.edgeA.length; e++) {
        const g = f.gradients[e]!;
        if ((g < 0n ? -g : g) <= k.align_tol) aligned.push({ e, r: mulDiv(min(f.psi[topo.edgeA[e]!]!, f.psi[topo.edgeB[e]!]!), k.res_rate, SCALE) });
      }
      const gen = total(aligned.map(({ r }) => 2n * r));
      const room = cap - sum;
      const res = [...before];
      const credits: ResCredit[] = [];
      for (const { e, r } of aligned) {
        const value = gen <= room ? r : mulDiv(r, room, gen);
        const a = topo.nodeIds[topo.edgeA[e]!]!;
        const b = topo.nodeIds[topo.edgeB[e]!]!;
        res[topo.edgeA[e]!]! += value;
        res[topo.edgeB[e]!]! += value;
        credits.push({ a, b, node: a, value }, { a, b, node: b, value });
      }
      return { cap, res, credits };
    });
  }
  /** Step 8 recomputed. */
  get psy(): { readonly mint: bigint[]; readonly exhausted: boolean } {
    return this.once('psy', () => {
      const mint = this.field.psi.map((psi) => mulDiv(psi, this.x.genesis.constants.psy_rate, SCALE));
      const exhausted = total(this.step4.psy) + total(mint) >= LIMIT;
      return { mint: exhausted ? mint.map(() => 0n) : mint, exhausted };
    });
  }
  /** Step 9 recomputed (CHR_SUPPLY from the genesis document). */
  get rewards(): { readonly budget: bigint; readonly m: bigint[]; readonly w: bigint[]; readonly r: bigint[] } {
    return this.once('rewards', () => {
      const k = this.x.genesis.constants;
      const chrSupply = total(this.x.genesis.nodes.map((n) => n.chr));
      const budget = mulDiv(this.x.prev.treasury, k.release_rate, SCALE);
      const m = this.field.psi.map((psi) => min(k.a_max, floorDiv(psi, k.base)));
      const w = this.field.psi.map((psi, i) => {
        const n = this.x.prev.nodes[i]!;
        return m[i]! * mulDiv(mulDiv(n.chr, psi, chrSupply), SCALE + min(n.res, SCALE), SCALE);
      });
      const W = total(w);
      return { budget, m, w, r: w.map((wi) => (W === 0n ? 0n : mulDiv(budget, wi, W))) };
    });
  }
  /** Step 10 recomputed (users and weights from the genesis document). */
  get treasury(): { readonly k: bigint[]; readonly users: { user: bigint; node: bigint; u: bigint }[]; readonly moves: Move[]; readonly paid: bigint } {
    return this.once('treasury', () => {
      const g = this.x.genesis;
      const uOf = new Map<bigint, { node: bigint; u: bigint }>();
      const k: bigint[] = [];
      const moves: Move[] = [];
      let paid = 0n;
      g.nodes.forEach((n, i) => {
        const r = this.rewards.r[i]!;
        const cut = n.users.length === 0 ? r : mulDiv(r, g.constants.node_commission, SCALE);
        k.push(cut);
        paid += cut;
        if (cut > 0n) moves.push({ kind: 'cut', from: account.treasury, to: account.nodeFlx(n.id), amount: cut });
        const weight = total(n.users.map((u) => u.weight));
        for (const u of n.users) {
          const share = mulDiv(r - cut, u.weight, weight);
          uOf.set(u.id, { node: n.id, u: share });
          paid += share;
          if (share > 0n) moves.push({ kind: 'payout', from: account.treasury, to: account.userFlx(u.id), amount: share });
        }
      });
      const users = [...uOf.entries()].sort(([a], [b]) => compareBigint(a, b)).map(([user, v]) => ({ user, ...v }));
      return { k, users, moves, paid };
    });
  }
  /**
   * The candidate of the ledger (§6: the whole next state if the epoch commits, and each shard's
   * claims), recomputed from the pieces above: steps 4–11 over the voters' actions, on S after
   * steps 0–1, with the bookkeeping of the record's step-3 incidents. Null when the epoch has no
   * voter or is frozen.
   */
  get candidate(): { readonly state: State; readonly root: string; readonly claims: readonly Claims[] } | null {
    return this.once('candidate', () => {
      if (this.frozen || this.x.record.voters.length === 0) return null;
      const topo = this.x.topology;
      const prev = this.x.prev;
      const s4 = this.step4;
      const flx = [...s4.flx];
      const ix = (a: Account): number => topo.nodeIndex.get((parseAccount(a) as { id: bigint }).id)!;
      for (const mv of this.flows.moves) {
        flx[ix(mv.from)]! -= mv.amount;
        flx[ix(mv.to)]! += mv.amount;
      }
      const tr = this.treasury;
      tr.k.forEach((k, i) => {
        flx[i]! += k;
      });
      const { p, P, s } = this.chr;
      const mint = this.psy.mint;
      const nodes = prev.nodes.map((n, i) => ({
        id: n.id,
        chr: n.chr - p[i]! + s[i]!,
        flx: flx[i]!,
        stake: s4.stake[i]!,
        psy: s4.psy[i]! + mint[i]!,
        atr: s4.atr[i]!,
        res: this.res.res[i]!,
        dis: this.dis[i]!,
        nonce: s4.nonce[i]!,
      }));
      const paid = new Map(tr.users.map((u) => [u.user, u.u]));
      const adm = this.oracle.admitted;
      const state: State = {
        genesis: prev.genesis,
        epoch: this.t,
        mode: this.s0.mode,
        nodes,
        users: prev.users.map((u) => ({ id: u.id, flx: u.flx + (paid.get(u.id) ?? 0n) })),
        treasury: prev.treasury - tr.paid,
        chr_pool: P - total(s),
        shards: bookkeptShards(this.x, this.s0, step3Offenders(this.x.record.incidents)),
        unstakes: s4.queue,
        coherence: this.field.c,
        founders: this.s0.founders,
        last_oracle_epoch: adm === null ? prev.last_oracle_epoch : adm.snapshot.epoch,
      };
      const claims = candidateClaims({
        topology: topo,
        before: prev.nodes,
        after: nodes,
        psyMinted: mint.map((value, i) => ({ node: topo.nodeIds[i]!, value })),
        m: this.rewards.m,
        r: this.rewards.r,
        k: tr.k,
        u: topo.userIds.map((id) => paid.get(id) ?? 0n),
        actions: this.actions,
      });
      return { state, root: stateRoot(state), claims };
    });
  }
}

/** The one recomputation of `x`, shared by every check of a catalog run (memoised per StepArgs object). */
const derivedOf = new WeakMap<StepArgs, Derived>();
export function derive(x: StepArgs): Derived {
  let d = derivedOf.get(x);
  if (d === undefined) {
    d = new Derived(x);
    derivedOf.set(x, d);
  }
  return d;
}
