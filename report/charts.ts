/**
 * The charts of a report, as plain data the page draws with Chart.js (report/client.js): one
 * spec per chart, values already converted for people (token units, C as a multiple of SCALE,
 * shifts in percent). Exact digits stay in the tables.
 */
import type { Json } from '../src/math/canonical.ts';
import { big, fixedToNumber, parseFraction, percentNumber } from './format.ts';
import type { Campaign, Evidence, Obj, StoredCounterexample } from './load.ts';

export type Point = { readonly x: number; readonly y: number; readonly label: string };
export type Series = {
  readonly name: string;
  readonly data: readonly (number | null)[] | readonly Point[];
  readonly color?: string;
  readonly dashed?: boolean;
  readonly pointStyle?: string;
  readonly type?: 'line' | 'bar';
  /** Drawn against the right-hand axis (the spec's y2Label). */
  readonly axis?: 'y2';
  readonly hollow?: boolean;
};
export type ChartSpec = {
  readonly id: string;
  readonly title: string;
  /** What the chart shows and where the numbers come from (one or two sentences). */
  readonly note: string;
  readonly type: 'line' | 'bar' | 'scatter';
  readonly xLabel: string;
  readonly yLabel: string;
  readonly labels?: readonly string[];
  readonly yLog?: boolean;
  readonly yPercent?: boolean;
  readonly stacked?: boolean;
  readonly yCategories?: readonly string[];
  readonly y2Label?: string;
  readonly xMin?: number;
  readonly xMax?: number;
  readonly height?: number;
  readonly series: readonly Series[];
};

const TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'] as const;
const TOKEN_COLORS: Record<(typeof TOKENS)[number], string> = { chr: '#1f77b4', flx: '#2ca02c', psy: '#9467bd', atr: '#ff7f0e', res: '#d62728' };
const CODE_COLORS: Record<string, string> = { 'CIR-302': '#ff7f0e', 'CIR-412': '#9467bd', 'CIR-511': '#d62728' };

const arr = (x: Json | undefined): readonly Obj[] => (Array.isArray(x) ? (x as Obj[]) : []);
const obj = (x: Json | undefined): Obj => (x !== null && x !== undefined && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});
const str = (x: Json | undefined): string => (typeof x === 'string' ? x : String(x));
/** A log axis cannot show 0: a zero (or missing) value is left as a gap, and the note says so. */
const positive = (n: number | null): number | null => (n === null || n <= 0 ? null : n);

export function evidenceCharts(ev: Evidence): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const hEpochs = ev.harmonics.map((h) => str(h.epoch));

  charts.push({
    id: 'supplies',
    title: 'Supplies per token',
    note: 'Total supply of each token after every epoch of the main run (phase3_harmonics.jsonl, in token units; log scale, a supply of 0 is not drawn). CHR and FLX must stay flat.',
    type: 'line',
    xLabel: 'epoch',
    yLabel: 'supply (token units, log)',
    yLog: true,
    labels: hEpochs,
    series: TOKENS.map((t) => ({ name: t.toUpperCase(), color: TOKEN_COLORS[t], data: ev.harmonics.map((h) => positive(fixedToNumber(obj(h.supplies)[t]))) })),
  });

  const psi = arr(ev.psiDynamics.epochs);
  const shards = arr(psi[0]?.c_shards).map((s) => str(s.shard));
  charts.push({
    id: 'coherence',
    title: 'Coherence C and each shard’s C_s',
    note: 'C of the opening ψ-field of every epoch and C_s of each shard (phase3_psi_dynamics.json, as multiples of SCALE; log scale, 0 not drawn).',
    type: 'line',
    xLabel: 'epoch',
    yLabel: 'coherence (× SCALE, log)',
    yLog: true,
    labels: psi.map((e) => str(e.epoch)),
    series: [
      { name: 'C', color: '#000000', data: psi.map((e) => positive(fixedToNumber(e.c))) },
      ...shards.map((shard) => ({
        name: `C_s shard ${shard}`,
        dashed: true,
        data: psi.map((e) => positive(fixedToNumber(arr(e.c_shards).find((c) => str(c.shard) === shard)?.c ?? null))),
      })),
    ],
  });

  charts.push({
    id: 'treasury',
    title: 'Treasury',
    note: 'Treasury balance before each epoch (left axis), the epoch’s budget and what it paid (right axis), from phase3_treasury.jsonl in token units: the balance decays by what is paid.',
    type: 'line',
    xLabel: 'epoch',
    yLabel: 'balance (token units)',
    y2Label: 'budget and paid per epoch (token units)',
    labels: ev.treasury.map((t) => str(t.epoch)),
    series: [
      { name: 'balance before', color: '#1f77b4', data: ev.treasury.map((t) => fixedToNumber(t.before)) },
      { name: 'budget', color: '#2ca02c', dashed: true, axis: 'y2', data: ev.treasury.map((t) => fixedToNumber(t.budget)) },
      { name: 'paid (cuts + payouts)', color: '#d62728', type: 'bar', axis: 'y2', data: ev.treasury.map((t) => fixedToNumber(t.paid)) },
    ],
  });

  const rEpochs = arr(ev.rewards.epochs);
  const ms = [...new Set(rEpochs.flatMap((e) => arr(e.multipliers).map((m) => str(m.m))))].sort((a, b) => Number(a) - Number(b));
  charts.push({
    id: 'multipliers',
    title: 'Reward multipliers',
    note: `How many nodes were rewarded at each multiplier m (≤ A_MAX = ${str(ev.rewards.a_max)}) per epoch (phase3_holofield_rewards.json).`,
    type: 'bar',
    stacked: true,
    xLabel: 'epoch',
    yLabel: 'nodes rewarded',
    labels: rEpochs.map((e) => str(e.epoch)),
    series: ms.map((m) => ({
      name: `m = ${m}`,
      data: rEpochs.map((e) => {
        const hit = arr(e.multipliers).find((x) => str(x.m) === m);
        return hit === undefined ? null : Number(big(hit.count) ?? 0n);
      }),
    })),
  });

  // EA-9: each voter's stake-driven change |with_stakes − open| against its bound, as a share of the bound.
  const stakePoints: Point[] = [];
  for (const e of psi) {
    for (const s of arr(e.stake)) {
      const open = big(s.open);
      const withStakes = big(s.with_stakes);
      const bound = big(s.bound);
      if (open === null || withStakes === null || bound === null || bound === 0n) continue;
      const d = withStakes > open ? withStakes - open : open - withStakes;
      stakePoints.push({ x: Number(big(e.epoch) ?? 0n), y: percentNumber([d, bound]) ?? 0, label: `epoch ${str(e.epoch)}, shard ${str(s.shard)}: |ΔC_s| = ${((percentNumber([d, bound]) ?? 0)).toString()}% of the bound` });
    }
  }
  const epochNumbers = psi.map((e) => Number(big(e.epoch) ?? 0n));
  const noStake = psi.every((e) => e.stake === undefined) ? ' This package has no “stake” field (written before it was added): only the bound is drawn.' : '';
  charts.push({
    id: 'stake',
    title: 'Stake against EA-9’s bound',
    note: `Each voter’s stake-driven change of its shard’s C_s, |with_stakes − open|, as a percentage of EA-9’s bound δ_max·max(C_s, 1), on the main run’s epochs (phase3_psi_dynamics.json “stake”). Every point must stay at or below the 100% line.${noStake}`,
    type: 'scatter',
    xLabel: 'epoch',
    yLabel: '% of the bound',
    yPercent: true,
    xMin: 0,
    xMax: Math.max(1, ...epochNumbers) + 1,
    series: [
      { name: 'voter (shard)', color: '#1f77b4', data: stakePoints },
      { name: 'bound (100%)', color: '#d62728', type: 'line', dashed: true, pointStyle: 'line', data: epochNumbers.map((x) => ({ x, y: 100, label: `bound at epoch ${x}` })) },
    ],
  });

  const ps = arr(ev.psisync.epochs);
  charts.push({
    id: 'psisync',
    title: 'ΨSync deviation against ε_sync',
    note: 'Largest deviation of an honest shard’s report from C, against the allowed ε_sync·C, per epoch (phase3_psisync.json, × SCALE). Honest shards deviate by exactly 0.',
    type: 'line',
    xLabel: 'epoch',
    yLabel: '× SCALE',
    labels: ps.map((e) => str(e.epoch)),
    series: [
      { name: 'max deviation', color: '#1f77b4', data: ps.map((e) => fixedToNumber(e.max_deviation)) },
      { name: 'ε bound', color: '#d62728', dashed: true, data: ps.map((e) => fixedToNumber(e.epsilon_bound)) },
    ],
  });

  // Incidents on a timeline: one row per ledger run, one point per incident.
  const runs = arr(ev.ledger.runs);
  const runLabels = runs.map((r) => str(r.run));
  const codes = [...new Set(runs.flatMap((r) => arr(r.epochs).flatMap((e) => arr(e.incidents).map((i) => str(i.code)))))].sort();
  const lastEpoch = Math.max(1, ...runs.flatMap((r) => arr(r.epochs).map((e) => Number(big(e.epoch) ?? 0n))));
  // Paused epochs sit just below their run's row, so they do not hide the incidents.
  const outcomeSeries = (outcome: string, pointStyle: string, color: string): Series => ({
    name: `epoch ${outcome === 'abort' ? 'aborted' : 'frozen'}`,
    color,
    pointStyle,
    hollow: true,
    data: runs.flatMap((r, y) => arr(r.epochs).filter((e) => str(e.outcome) === outcome).map((e) => ({ x: Number(big(e.epoch) ?? 0n), y: y + 0.3, label: `${str(r.run)} epoch ${str(e.epoch)}: ${outcome}` }))),
  });
  charts.push({
    id: 'incidents',
    title: 'Incidents on a timeline',
    note: 'Every incident raised in every ledger run of the package (phase3_ledger_consistency.json): one row per run, one point per incident at its epoch, coloured by CIR code; hollow marks under a row are its aborted and frozen epochs.',
    type: 'scatter',
    xLabel: 'epoch',
    yLabel: 'ledger run',
    yCategories: runLabels,
    xMin: 0,
    xMax: lastEpoch + 1,
    height: Math.max(260, 20 * runLabels.length + 90),
    series: [...codes.map((code) => ({
      name: code === 'null' ? 'no CIR code' : code,
      color: CODE_COLORS[code] ?? '#7f7f7f',
      data: runs.flatMap((r, y) =>
        arr(r.epochs).flatMap((e) =>
          arr(e.incidents)
            .filter((i) => str(i.code) === code)
            .map((i) => ({ x: Number(big(e.epoch) ?? 0n), y, label: `${str(r.run)} epoch ${str(e.epoch)} (${str(e.outcome)}): ${code} ${i.ea === null ? '' : str(i.ea)} shard ${i.shard === null ? '–' : str(i.shard)}` })),
        ),
      ),
    })), outcomeSeries('abort', 'rectRot', '#b3261e'), outcomeSeries('frozen', 'triangle', '#1a56a8')],
  });

  const adv = arr(ev.adversaries.adversaries);
  charts.push({
    id: 'pause-shift',
    title: 'Pause shift per attack',
    note: '§8’s pause shift: the largest difference per token between the attacked run and its plain twin, as a percentage of the twin’s supply (phase3_adversary_results.json; “n/a” not drawn).',
    type: 'bar',
    xLabel: 'attack',
    yLabel: 'pause shift (%)',
    yPercent: true,
    labels: adv.map((a) => str(a.ea)),
    series: TOKENS.map((t) => ({ name: t.toUpperCase(), color: TOKEN_COLORS[t], data: adv.map((a) => percentNumber(parseFraction(obj(a.pause_shift)[t]))) })),
  });

  charts.push({
    id: 'attacks',
    title: 'Attacks: runs, detections and paused epochs',
    note: 'Per attack of the main job’s scenario (phase3_adversary_results.json): attacked runs, runs in which it was detected, incidents expected and raised, and the epochs paused (aborted or frozen).',
    type: 'bar',
    xLabel: 'attack',
    yLabel: 'count',
    labels: adv.map((a) => str(a.ea)),
    series: (['runs', 'detections', 'incidents_expected', 'incidents_actual', 'paused_epochs'] as const).map((k) => ({ name: k.replace('_', ' '), data: adv.map((a) => Number(big(a[k]) ?? 0n)) })),
  });
  return charts;
}

const COUNTS = ['generated', 'applied', 'detected', 'paused_epochs', 'pause_shift_measured'] as const;
export type CampaignAttack = { ea: string; expected_response: string; counts: Record<(typeof COUNTS)[number], bigint>; shift: Record<string, [bigint, bigint] | null | 'not measured'> };

/** A campaign's attacks summed over its properties (a property's runs also generate other attacks), largest shift per token. */
export function campaignAttacks(c: Campaign): CampaignAttack[] {
  const by = new Map<string, CampaignAttack>();
  for (const a of arr(c.doc.properties).flatMap((p) => arr(obj(p.generated).attacks))) {
    const ea = str(a.ea);
    const t = by.get(ea) ?? { ea, expected_response: str(a.expected_response), counts: { generated: 0n, applied: 0n, detected: 0n, paused_epochs: 0n, pause_shift_measured: 0n }, shift: Object.fromEntries(TOKENS.map((k) => [k, 'not measured' as const])) };
    for (const k of COUNTS) t.counts[k] += big(a[k]) ?? 0n;
    for (const k of TOKENS) {
      const raw = str(obj(a.pause_shift_max)[k]);
      if (raw === 'not measured') continue;
      const f = parseFraction(raw);
      const cur = t.shift[k] ?? null;
      if (cur === 'not measured' || cur === null || (f !== null && f[0] * cur[1] > cur[0] * f[1])) t.shift[k] = f;
    }
    by.set(ea, t);
  }
  const num = (ea: string) => Number(ea.replace(/^EA-/, ''));
  return [...by.values()].sort((a, b) => num(a.ea) - num(b.ea));
}

export function campaignCharts(c: Campaign, index: number): ChartSpec[] {
  const attacks = campaignAttacks(c);
  return [
    {
      id: `campaign-${index}`,
      title: `Campaign ${c.file}: what was generated`,
      note: 'Per attack, over every property of the `qfs check` campaign: attacks generated, applied (the attacker could act), detected, and the epochs paused.',
      type: 'bar',
      xLabel: 'attack',
      yLabel: 'count',
      labels: attacks.map((a) => str(a.ea)),
      series: (['generated', 'applied', 'detected', 'paused_epochs'] as const).map((k) => ({ name: k.replace('_', ' '), data: attacks.map((a) => Number(a.counts[k])) })),
    },
  ];
}

/** The epochs of a counterexample: its attacks per shard and epoch, and the failing epoch. */
export function counterexampleChart(s: StoredCounterexample, index: number): ChartSpec {
  const cmds = s.c.commands as readonly Obj[];
  const setup = cmds[0] ?? {};
  const failEpoch = Number(s.c.failure.epoch);
  if (setup.kind === 'setup' && Array.isArray(setup.loads)) {
    // EA-14: honest epochs, then one altered file.
    const loads = setup.loads as Json[];
    const tamper = cmds[1] ?? {};
    return {
      id: `cx-${index}`,
      title: `Counterexample ${index + 1}: epochs`,
      note: 'The honest epochs written to the store, the epoch whose file the storage attacker altered, and the epoch at which the check failed.',
      type: 'scatter',
      xLabel: 'epoch',
      yLabel: '',
      yCategories: ['honest epoch', 'altered', 'failure'],
      xMin: 0,
      xMax: Math.max(loads.length, failEpoch) + 1,
      series: [
        { name: 'honest epoch', color: '#2ca02c', data: loads.map((_, i) => ({ x: i + 1, y: 0, label: `epoch ${i + 1}` })) },
        { name: `altered ${str(tamper.target)}`, color: '#ff7f0e', data: [{ x: Number(big(tamper.epoch) ?? 0n), y: 1, label: `${str(tamper.target)} of epoch ${str(tamper.epoch)}` }] },
        { name: 'failure', color: '#d62728', pointStyle: 'crossRot', data: [{ x: failEpoch, y: 2, label: `${s.c.invariant} fails at epoch ${failEpoch}` }] },
      ],
    };
  }
  const n = Number(big(setup.shards) ?? 0n);
  const rows = [...Array.from({ length: n }, (_, i) => `shard ${i}`), 'failure'];
  const epochs = cmds.filter((c) => c.kind === 'epoch');
  const eas = [...new Set(epochs.flatMap((e) => arr(e.attacks).map((a) => str(a.ea))))];
  return {
    id: `cx-${index}`,
    title: `Counterexample ${index + 1}: epochs`,
    note: 'Each attack of the shrunk run at its epoch and shard, and the epoch at which the invariant failed.',
    type: 'scatter',
    xLabel: 'epoch',
    yLabel: '',
    yCategories: rows,
    xMin: 0,
    xMax: Math.max(epochs.length, failEpoch) + 1,
    height: Math.max(200, 26 * rows.length + 90),
    series: [
      ...eas.map((ea) => ({
        name: ea,
        data: epochs.flatMap((e, i) => arr(e.attacks).filter((a) => str(a.ea) === ea).map((a) => ({ x: i + 1, y: Number(big(a.shard) ?? 0n), label: `epoch ${i + 1}: ${ea} by shard ${str(a.shard)}` }))),
      })),
      { name: 'failure', color: '#d62728', pointStyle: 'crossRot', data: [{ x: failEpoch, y: n, label: `${s.c.invariant} fails at epoch ${failEpoch}` }] },
    ],
  };
}
