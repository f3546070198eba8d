/**
 * The data behind four files of the Phase 3 evidence package (SPEC §10, layouts pinned in
 * docs/spec.md P7): the ψ-field dynamics, the harmonic event log, the treasury log and the
 * holo-field rewards, computed from a run's epochs (previous state, record, next state). Each
 * figure is recomputed from the states where it can be (the field, the supplies), so the files
 * can be checked against each other and against the ledger's records.
 */
import { abs, max, min } from '../math/certified-math.ts';
import type { Encodable } from '../math/canonical.ts';
import type { EpochContext } from '../epoch/epoch.ts';
import type { EpochRecord } from '../epoch/epoch-record.ts';
import { curl, openingField, triangles } from '../field/psi-field.ts';
import { atrSupply, chrSupply, flxSupply, psySupply, resSupply, type State } from '../economics/state.ts';
import { compareBigint } from '../core/vocabulary.ts';
import { divergenceBound } from '../economics/action-rules.ts';

export type EpochStep = { readonly prev: State; readonly record: EpochRecord; readonly next: State };

const total = (xs: readonly { value: bigint }[]): bigint => xs.reduce((s, x) => s + x.value, 0n);

/**
 * The opening field of the step's epoch: chr and atr of S, and the dissonance after step 1
 * (the next state's on a commit; S's otherwise, since an abort or a frozen epoch keeps it).
 */
function openingOf(ctx: EpochContext, step: EpochStep) {
  const dis = step.record.outcome === 'commit' ? step.next.nodes : step.prev.nodes;
  return openingField(
    ctx.topology,
    step.prev.nodes.map((n, i) => ({ chr: n.chr, atr: n.atr, dis: dis[i]!.dis })),
  );
}

/** `phase3_psi_dynamics.json`. */
export function psiDynamics(ctx: EpochContext, steps: readonly EpochStep[]): Encodable {
  const topo = ctx.topology;
  const tris = triangles(topo);
  const tol = topo.constants.align_tol;
  return {
    format: 'qfs-phase3/psi-dynamics/1',
    genesis: ctx.genesisHash,
    nodes: topo.nodeIds.length,
    edges: topo.edgeA.length,
    triangles: tris.length,
    epochs: steps.map((step) => {
      const f = openingOf(ctx, step);
      let gMax = 0n;
      let aligned = 0;
      for (const g of f.gradients) {
        gMax = max(gMax, abs(g));
        if (abs(g) <= tol) aligned++;
      }
      let curlMax = 0n;
      for (const t of tris) curlMax = max(curlMax, abs(curl(f.gradients, t)));
      let lo = f.psi.length > 0 ? f.psi[0]! : 0n;
      let hi = 0n;
      for (const p of f.psi) {
        lo = min(lo, p);
        hi = max(hi, p);
      }
      return {
        epoch: step.record.epoch,
        outcome: step.record.outcome,
        c: f.c,
        sum_psi: f.sumPsi,
        psi_min: lo,
        psi_max: hi,
        c_shards: topo.shardIds.map((shard, s) => ({ shard, c: f.cShards[s]! })),
        gradient_max_abs: gMax,
        aligned_edges: aligned,
        curl_max_abs: curlMax,
        // EA-9's check per voter, as the record states it, so a reader can chart it against the bound.
        stake: (step.record.c_shards ?? []).map((cs) => ({ shard: cs.shard, open: cs.open, with_stakes: cs.with_stakes, bound: divergenceBound(cs.open, topo.constants.delta_max) })),
      };
    }),
  };
}

function supplies(s: State): Encodable {
  return { chr: chrSupply(s), flx: flxSupply(s), psy: psySupply(s), atr: atrSupply(s), res: resSupply(s) };
}

/** `phase3_harmonics.jsonl`: one value per epoch. */
export function harmonicsLog(steps: readonly EpochStep[]): Encodable[] {
  return steps.map(({ record: r, next }) => {
    const kinds = new Map<string, { count: bigint; amount: bigint }>();
    for (const m of r.moves) {
      const k = kinds.get(m.kind) ?? { count: 0n, amount: 0n };
      kinds.set(m.kind, { count: k.count + 1n, amount: k.amount + m.amount });
    }
    return {
      epoch: r.epoch,
      outcome: r.outcome,
      root: r.root,
      supplies: supplies(next),
      moves: [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, v]) => ({ kind, ...v })),
      chr: { penalties: total(r.chr.penalties), shares: total(r.chr.shares), pool: r.chr.pool },
      res: { cap: r.res.cap, credited: total(r.res.credits), total: resSupply(next) },
      psy_minted: total(r.psy_minted),
      incidents: r.incidents.map((i) => ({ code: i.code, ea: i.ea, shard: i.shard })),
      events: r.events.map((e) => e.kind),
    };
  });
}

/** `phase3_treasury.jsonl`: one value per epoch; `after = before − paid`, `kept = budget − paid`. */
export function treasuryLog(steps: readonly EpochStep[]): Encodable[] {
  return steps.map(({ prev, record: r, next }) => {
    const rewarded = r.rewards.nodes.reduce((s, x) => s + x.r, 0n);
    const cuts = r.rewards.nodes.reduce((s, x) => s + x.k, 0n);
    const payouts = r.rewards.users.reduce((s, x) => s + x.u, 0n);
    return {
      epoch: r.epoch,
      outcome: r.outcome,
      before: prev.treasury,
      budget: r.rewards.budget,
      rewarded,
      cuts,
      payouts,
      paid: cuts + payouts,
      kept: r.rewards.budget - cuts - payouts,
      after: next.treasury,
    };
  });
}

/** `phase3_holofield_rewards.json`: per epoch the reward summary, per node the run's totals. */
export function holofieldRewards(ctx: EpochContext, steps: readonly EpochStep[]): Encodable {
  const topo = ctx.topology;
  const n = topo.nodeIds.length;
  const reward = new Array<bigint>(n).fill(0n);
  const cut = new Array<bigint>(n).fill(0n);
  const lastM = new Array<bigint>(n).fill(0n);
  const epochs = steps.map(({ record: r }) => {
    const hist = new Map<bigint, bigint>();
    let w = 0n;
    let rewarded = 0n;
    let withReward = 0;
    for (const x of r.rewards.nodes) {
      const i = topo.nodeIndex.get(x.node)!;
      reward[i] = reward[i]! + x.r;
      cut[i] = cut[i]! + x.k;
      lastM[i] = x.m;
      hist.set(x.m, (hist.get(x.m) ?? 0n) + 1n);
      w += x.w;
      rewarded += x.r;
      if (x.r > 0n) withReward++;
    }
    return {
      epoch: r.epoch,
      outcome: r.outcome,
      budget: r.rewards.budget,
      total_weight: w,
      rewarded,
      nodes_rewarded: withReward,
      multipliers: [...hist.entries()].sort(([a], [b]) => compareBigint(a, b)).map(([m, count]) => ({ m, count })),
    };
  });
  return {
    format: 'qfs-phase3/holofield-rewards/1',
    genesis: ctx.genesisHash,
    a_max: topo.constants.a_max,
    epochs,
    nodes: topo.nodeIds.map((node, i) => ({ node, reward: reward[i]!, cut: cut[i]!, last_multiplier: lastM[i]! })),
  };
}
