/**
 * The cross-checks between the artifacts (P11.9), as data like the invariant catalog: each has an
 * id, the statement it checks, and a check that throws the first fault as `E_EVIDENCE` naming the
 * file and JSON path. They run in this order, after the artifacts were parsed (artifacts.ts).
 */
import type { Json } from '../math/canonical.ts';
import { attempt } from '../core/errors.ts';
import { median, mulDiv, SCALE } from '../math/certified-math.ts';
import { at } from '../math/schema.ts';
import { EA_TABLE, type EaId } from '../core/vocabulary.ts';
import { readerOf, readIncidents, type EpochKey, type Incident, type Parsed } from './artifacts.ts';
import { maxDeviation } from './layouts.ts';
import type { Manifest } from './manifest.ts';
import { TOKENS, type Supplies } from './names.ts';

export type CrossCheck = { readonly id: string; readonly statement: string; readonly check: (p: Parsed, m: Manifest) => void };

const eqSupplies = (a: Supplies, b: Supplies): boolean => TOKENS.every((t) => a[t] === b[t]);
const showSupplies = (s: Supplies): string => TOKENS.map((t) => `${t} ${s[t]}`).join(', ');
const incidentKey = (xs: readonly Incident[]): string => xs.map((x) => `${x.code}/${x.ea}/${x.shard}`).join(',');

const hR = readerOf('phase3_harmonics.jsonl');
const rwR = readerOf('phase3_holofield_rewards.json');
const lR = readerOf('phase3_ledger_consistency.json');
const pdR = readerOf('phase3_psi_dynamics.json');
const syncR = readerOf('phase3_psisync.json');
const tR = readerOf('phase3_treasury.jsonl');
const aR = readerOf('phase3_adversary_results.json');

function sameEpochs(r: typeof hR, xs: readonly EpochKey[], harmonics: readonly EpochKey[], where: string): void {
  if (xs.length !== harmonics.length) r.fail(where, `has ${xs.length} epochs, phase3_harmonics.jsonl ${harmonics.length}`);
  xs.forEach((x, i) => {
    const h = harmonics[i]!;
    if (x.epoch !== h.epoch || x.outcome !== h.outcome) r.fail(x.path, `epoch ${x.epoch} (${x.outcome}), but phase3_harmonics.jsonl line ${i + 1} is epoch ${h.epoch} (${h.outcome})`);
  });
}

export const CROSS_CHECKS: readonly CrossCheck[] = [
  {
    id: 'genesis',
    statement: "the rewards, ledger-consistency, ψ-dynamics and ΨSync files name the manifest's genesis",
    check: (p, m) => {
      const g = m.genesis_hash;
      const genesisOf: [typeof hR, Json | undefined][] = [
        [rwR, p.rewardsDoc.genesis],
        [lR, p.ledger.genesis],
        [pdR, p.psiDoc.genesis],
        [syncR, p.sync.genesis],
      ];
      for (const [r, v] of genesisOf) if (r.digest(v, 'genesis') !== g) r.fail('genesis', `is ${String(v)}, but the manifest's genesis_hash is ${g}`);
    },
  },
  {
    id: 'epochs',
    statement: 'harmonics epochs ascend; rewards, ψ-dynamics and treasury list the same (epoch, outcome) pairs; ΨSync the epochs not frozen',
    check: ({ harmonics, rewards, psi, treasury, sync }) => {
      harmonics.forEach((h, i) => {
        if (i > 0 && h.epoch <= harmonics[i - 1]!.epoch) hR.fail(at(h.path, 'epoch'), 'epochs are not strictly ascending');
      });
      sameEpochs(rwR, rewards, harmonics, 'epochs');
      sameEpochs(pdR, psi, harmonics, 'epochs');
      sameEpochs(tR, treasury, harmonics, '');
      const unfrozen = harmonics.filter((h) => h.outcome !== 'frozen').map((h) => h.epoch);
      if (sync.epochs.length !== unfrozen.length) syncR.fail('epochs', `has ${sync.epochs.length} epochs, phase3_harmonics.jsonl ${unfrozen.length} that are not frozen`);
      sync.epochs.forEach((s, i) => {
        if (s.epoch !== unfrozen[i]) syncR.fail(`epochs[${i}].epoch`, `is ${s.epoch}, expected ${unfrozen[i]} (the epochs of phase3_harmonics.jsonl that are not frozen)`);
      });
    },
  },
  {
    id: 'ledger-chains',
    statement: 'per run: epochs 1, 2, …; each prev_root the previous root; CHR and FLX constant; PSY never falls; an epoch that did not commit keeps all five supplies',
    check: ({ ledger }) => {
      ledger.runs.forEach((run, i) => {
        let prevRoot = run.genesis_root;
        let prev = run.genesis_supplies;
        run.epochs.forEach((e, j) => {
          const q = `runs[${i}].epochs[${j}]`;
          if (e.epoch !== BigInt(j + 1)) lR.fail(at(q, 'epoch'), `is ${e.epoch}, expected ${j + 1} (a run's epochs are 1, 2, … from its genesis)`);
          if (e.prev_root !== prevRoot) lR.fail(at(q, 'prev_root'), `is ${e.prev_root}, but the previous root is ${prevRoot}: the chain is broken`);
          const s = e.supplies;
          if (s.chr !== run.genesis_supplies.chr) lR.fail(`${q}.supplies.chr`, `CHR supply ${s.chr} differs from the genesis supply ${run.genesis_supplies.chr}`);
          if (s.flx !== run.genesis_supplies.flx) lR.fail(`${q}.supplies.flx`, `FLX supply ${s.flx} differs from the genesis supply ${run.genesis_supplies.flx}`);
          if (s.psy < prev.psy) lR.fail(`${q}.supplies.psy`, `PSY supply fell from ${prev.psy} to ${s.psy}`);
          if (e.outcome !== 'commit' && !eqSupplies(s, prev)) lR.fail(at(q, 'supplies'), `an epoch that did not commit changed the supplies (${showSupplies(prev)} → ${showSupplies(s)})`);
          prevRoot = e.root;
          prev = s;
        });
      });
    },
  },
  {
    id: 'main-run',
    statement: 'the main run has the manifest genesis and exactly the harmonics epochs (epoch, outcome, root, supplies, incidents)',
    check: ({ ledger, harmonics }, m) => {
      const mainIndex = ledger.runs.findIndex((x) => x.run === 'main');
      if (mainIndex < 0) {
        if (harmonics.length > 0) lR.fail('runs', 'has no run "main", but phase3_harmonics.jsonl describes one');
        return;
      }
      const main = ledger.runs[mainIndex]!;
      if (main.genesis !== m.genesis_hash) lR.fail(`runs[${mainIndex}].genesis`, `the main run's genesis is ${main.genesis}, the manifest's ${m.genesis_hash}`);
      if (main.epochs.length !== harmonics.length) hR.fail('', `has ${harmonics.length} epochs, the main run of phase3_ledger_consistency.json ${main.epochs.length}`);
      harmonics.forEach((h, i) => {
        const e = main.epochs[i]!;
        if (h.epoch !== e.epoch || h.outcome !== e.outcome) hR.fail(h.path, `epoch ${h.epoch} (${h.outcome}), the main run's is ${e.epoch} (${e.outcome})`);
        if (hR.digest(h.row.root, at(h.path, 'root')) !== e.root) hR.fail(at(h.path, 'root'), `is ${String(h.row.root)}, the main run's root is ${e.root}`);
        if (!eqSupplies(hR.supplies(h.row.supplies, at(h.path, 'supplies')), e.supplies)) hR.fail(at(h.path, 'supplies'), `differ from the main run's (${showSupplies(e.supplies)})`);
        const inc = readIncidents(hR, h.row.incidents, at(h.path, 'incidents'));
        if (incidentKey(inc) !== incidentKey(e.incidents)) hR.fail(at(h.path, 'incidents'), `differ from the main run's (${incidentKey(e.incidents) || 'none'})`);
      });
    },
  },
  {
    id: 'treasury',
    statement: "each treasury line balances and chains to the previous one; rewarded is the rewards file's",
    check: ({ treasury, rewards }) => {
      treasury.forEach((t, i) => {
        const v = (k: string) => tR.unsigned(t.row[k], at(t.path, k));
        const [before, budget, rewarded, cuts, payouts, paid, kept, after] = ['before', 'budget', 'rewarded', 'cuts', 'payouts', 'paid', 'kept', 'after'].map(v) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
        if (paid !== cuts + payouts) tR.fail(at(t.path, 'paid'), `paid ${paid} ≠ cuts + payouts = ${cuts + payouts}`);
        if (kept !== budget - paid) tR.fail(at(t.path, 'kept'), `kept ${kept} ≠ budget − paid = ${budget - paid}`);
        if (after !== before - paid) tR.fail(at(t.path, 'after'), `after ${after} ≠ before − paid = ${before - paid}`);
        if (i > 0) {
          const prevAfter = tR.unsigned(treasury[i - 1]!.row.after, at(treasury[i - 1]!.path, 'after'));
          if (before !== prevAfter) tR.fail(at(t.path, 'before'), `before ${before} ≠ the previous line's after (${prevAfter})`);
        }
        const rw = rwR.unsigned(rewards[i]!.row.rewarded, at(rewards[i]!.path, 'rewarded'));
        if (rewarded !== rw) tR.fail(at(t.path, 'rewarded'), `rewarded ${rewarded}, but phase3_holofield_rewards.json says ${rw} for epoch ${t.epoch}`);
      });
    },
  },
  {
    id: 'rewards',
    statement: "the nodes' rewards add up to the epochs'; their cuts to the treasury's; every multiplier <= A_MAX",
    check: ({ rewardsDoc, rewards, treasury }) => {
      const aMax = rwR.unsigned(rewardsDoc.a_max, 'a_max');
      const nodes = rwR.array(rewardsDoc.nodes, 'nodes');
      const nodeSum = (k: string) => nodes.reduce<bigint>((s, x, i) => s + rwR.unsigned(rwR.loose(x, `nodes[${i}]`)[k], `nodes[${i}].${k}`), 0n);
      const perEpoch = rewards.reduce((s, e) => s + rwR.unsigned(e.row.rewarded, at(e.path, 'rewarded')), 0n);
      if (nodeSum('reward') !== perEpoch) rwR.fail('nodes', `the nodes' rewards add up to ${nodeSum('reward')}, the epochs' to ${perEpoch}`);
      const cuts = treasury.reduce((s, t) => s + tR.unsigned(t.row.cuts, at(t.path, 'cuts')), 0n);
      if (nodeSum('cut') !== cuts) rwR.fail('nodes', `the nodes' cuts add up to ${nodeSum('cut')}, phase3_treasury.jsonl's to ${cuts}`);
      for (const e of rewards) {
        rwR.array(e.row.multipliers, at(e.path, 'multipliers')).forEach((x, k) => {
          const q = `${e.path}.multipliers[${k}]`;
          const mv = rwR.unsigned(rwR.loose(x, q).m, at(q, 'm'));
          if (mv > aMax) rwR.fail(at(q, 'm'), `multiplier ${mv} > A_MAX = ${aMax}`);
        });
      }
    },
  },
  {
    id: 'curl',
    statement: 'the computed ψ field is curl-free in every epoch (SPEC §5)',
    check: ({ psi }) => {
      for (const e of psi) {
        const c = pdR.unsigned(e.row.curl_max_abs, at(e.path, 'curl_max_abs'));
        if (c !== 0n) pdR.fail(at(e.path, 'curl_max_abs'), `is ${c}: the computed field has no curl (SPEC §5)`);
      }
    },
  },
  {
    id: 'psisync',
    statement: 'ΨSync: median, max_deviation and epsilon_bound recomputed from the reports',
    check: ({ sync }) => {
      sync.epochs.forEach((s, i) => {
        const p = `epochs[${i}]`;
        const med = s.values.length === 0 ? null : median(s.values);
        if (med !== s.median) syncR.fail(at(p, 'median'), `is ${s.median ?? 'null'}, the lower median of the reports is ${med ?? 'null'}`);
        const dev = maxDeviation(s.c, s.values);
        if (dev !== s.max_deviation) syncR.fail(at(p, 'max_deviation'), `is ${s.max_deviation}, recomputed ${dev}`);
        const b = attempt(() => mulDiv(s.c, sync.epsilon_sync, SCALE));
        if (!b.ok) return syncR.fail(at(p, 'epsilon_bound'), `mulDiv(c, epsilon_sync, SCALE) is not defined: ${b.error.message}`);
        if (b.value !== s.epsilon_bound) syncR.fail(at(p, 'epsilon_bound'), `is ${s.epsilon_bound}, mulDiv(c, epsilon_sync, SCALE) = ${b.value}`);
      });
    },
  },
  {
    id: 'adversaries',
    statement:
      'every adversary ledger run has its row and every row its runs; runs, failed, detections, incidents and paused epochs are the counts over those runs; code and response are SPEC 8\'s',
    check: ({ ledger, adversaries }) => {
      ledger.runs.forEach((run, i) => {
        if (run.ea !== null && !adversaries.adversaries.some((a) => a.ea === run.ea)) lR.fail(`runs[${i}].ea`, `run of ${run.ea}, which phase3_adversary_results.json does not report`);
        if (run.ea === null && run.run !== 'main') lR.fail(`runs[${i}].ea`, `run ${JSON.stringify(run.run)} is neither the main run nor an adversary's`);
        if (run.failure !== null && run.failure.epoch > BigInt(run.epochs.length)) lR.fail(`runs[${i}].failure.epoch`, `is ${run.failure.epoch}, but the run has ${run.epochs.length} epochs`);
      });
      adversaries.adversaries.forEach((a, i) => {
        const p = `adversaries[${i}]`;
        const table = EA_TABLE[a.ea as EaId];
        if (a.expected_code !== table.code) aR.fail(at(p, 'expected_code'), `is ${a.expected_code ?? 'null'}, SPEC 8's code of ${a.ea} is ${table.code ?? 'null'}`);
        if (a.expected_response !== table.response) aR.fail(at(p, 'expected_response'), `is ${JSON.stringify(a.expected_response)}, SPEC 8's response of ${a.ea} is ${JSON.stringify(table.response)}`);
        const runs = ledger.runs.filter((x) => x.ea === a.ea);
        // A row's runs are in the package, or the row is a fault: counts alone are never taken on trust.
        if (BigInt(runs.length) !== a.runs) aR.fail(at(p, 'runs'), `is ${a.runs}, but phase3_ledger_consistency.json holds ${runs.length} runs of ${a.ea}`);
        const incidents = runs.map((x) => x.epochs.flatMap((e) => e.incidents.filter((inc) => inc.ea === a.ea)));
        const counted = {
          failed: BigInt(runs.filter((x) => x.failure !== null).length),
          detections: BigInt(incidents.filter((xs) => xs.length > 0).length),
          incidents_expected: BigInt(runs.reduce((n, x) => n + x.epochs.reduce((k, e) => k + e.expected.filter((inc) => inc.ea === a.ea).length, 0), 0)),
          incidents_actual: BigInt(incidents.reduce((n, xs) => n + xs.length, 0)),
          paused_epochs: BigInt(runs.reduce((n, x) => n + x.epochs.filter((e) => e.outcome !== 'commit').length, 0)),
        };
        for (const k of ['failed', 'detections', 'incidents_expected', 'incidents_actual', 'paused_epochs'] as const) {
          if (a[k] !== counted[k]) aR.fail(at(p, k), `is ${a[k]}, but the ledger runs of ${a.ea} in phase3_ledger_consistency.json give ${counted[k]}`);
        }
        const wrong = incidents.flat().find((x) => x.code !== a.expected_code);
        if (wrong !== undefined) aR.fail(at(p, 'expected_code'), `is ${a.expected_code ?? 'null'}, but a ledger incident of ${a.ea} has code ${wrong.code ?? 'null'}`);
      });
    },
  },
];

/** Runs every cross-check in order; the first fault is thrown. */
export function crossCheck(p: Parsed, m: Manifest): void {
  for (const c of CROSS_CHECKS) c.check(p, m);
}
