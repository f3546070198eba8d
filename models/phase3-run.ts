/**
 * The Phase 3 main job (SPEC §10, §11): on a certified genesis whose keys are development keys
 * (P4; the main job signs as every shard, founder and the oracle),
 *   1. the main run: honest ledger epochs under the scenario load (real ML-DSA-87), written to a
 *      ledger store with its anchor;
 *   2. the adversary scenario: for each of EA-1 … EA-13, `scenarioRuns` runs with that attack
 *      alone in its focus epoch (parameters drawn from the seed), every epoch checked against its
 *      twin (models/adversary.ts); EA-3 and EA-10 runs then try to exit safe mode with one founder
 *      signature (refused) and with M (applied);
 *   3. EA-14: a byte of one `inputs/e` of the main run's store is altered, and the store recovers
 *      (and a record altered alone is only repaired);
 *   4. the adversary property suites with the recorded seed;
 *   5. the acceptance table of §11, each criterion with its measured figure.
 * Everything is a function of (genesis, seed, epochs, runs): same arguments, same artifacts.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalString, type Encodable } from '../src/math/canonical.ts';
import { SCALE } from '../src/math/certified-math.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { runHonestEpoch, type EpochContext } from '../src/epoch/epoch.ts';
import type { EpochRecord } from '../src/epoch/epoch-record.ts';
import { ADVERSARY_FORMAT, ledgerConsistencyRun, LEDGER_FORMAT, psisyncData, type AcceptanceId, type AcceptanceStatus, type Runtimes } from '../src/evidence/evidence-package.ts';
import { exactMulDiv } from '../src/math/exact-math.ts';
import type { FounderSignature } from '../src/genesis/founders.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { appendEpoch, createStore, verifyStore, type Anchor } from '../src/io/ledger-store.ts';
import { honestLedgerEpoch } from '../src/runs/ledger-run.ts';
import { harmonicsLog, holofieldRewards, psiDynamics, treasuryLog, type EpochStep } from '../src/evidence/phase3-data.ts';
import { devKey } from '../src/math/signatures.ts';
import type { State } from '../src/economics/state.ts';
import { attackStore } from './storage-attack.ts';
import { AdversaryFailure, chainOf, EXPECTED_RESPONSE, expectedTriple, fractionPercent, fractionText, maxShift, runAdversary, type AdversaryRun, type Chain, type Ea, type EpochCommand, type PauseShift, type RunReport } from './adversary.ts';
import { attackArbitrary } from './adversary-arbitraries.ts';
import { ADVERSARY_PROPERTIES, AdversaryStats, checkAdversaryProperty, EPOCH_EAS, type CheckResult } from './adversary-check.ts';

export type Phase3Options = {
  readonly genesis: Genesis;
  readonly signatures: readonly FounderSignature[];
  readonly seed: bigint;
  /** Epochs of the main run. */
  readonly epochs: number;
  /** Runs per adversary property. */
  readonly runs: number;
  /** Scenario runs per attack. */
  readonly scenarioRuns: number;
  /** Where counterexamples of failing properties are written. */
  readonly counterexamples: string;
  /** The state roots of the conformance scenario in each runtime (null where a runtime did not run). */
  readonly runtimes: (ctx: EpochContext, seed: bigint) => { readonly runtimes: Runtimes; readonly note: string };
  readonly progress: (line: string) => void;
};

export type Phase3Result = {
  readonly artifacts: Map<string, Uint8Array>;
  readonly runtimes: Runtimes;
  readonly acceptance: { id: AcceptanceId; status: AcceptanceStatus; figure: string }[];
  readonly epochs: bigint;
  readonly properties: readonly CheckResult[];
  readonly stats: AdversaryStats;
};

const enc = new TextEncoder();
const text = (v: unknown): Uint8Array => enc.encode(canonicalString(v as Encodable));
const jsonl = (xs: readonly unknown[]): Uint8Array => enc.encode(xs.map((x) => `${canonicalString(x as Encodable)}\n`).join(''));

/** Checks that the genesis's keys are the development keys the main job signs with. */
export function checkDevelopmentKeys(genesis: Genesis): string | null {
  for (const s of genesis.shards) if (toHex(devKey(devLabel.shard(s.id)).publicKey) !== s.key) return `shards[${s.id}].key is not the development key of shard-${s.id}`;
  if (toHex(devKey(devLabel.oracle).publicKey) !== genesis.oracle_key) return 'oracle_key is not the development oracle key';
  const dev = genesis.founders.filter((f) => toHex(devKey(devLabel.founder(f.id)).publicKey) === f.key);
  if (BigInt(dev.length) < genesis.threshold) return `only ${dev.length} founder keys are development keys (the threshold is ${genesis.threshold})`;
  return null;
}

type ScenarioRun = { readonly label: string; readonly ea: Ea; readonly run: AdversaryRun; readonly report: RunReport | null; readonly failure: AdversaryFailure | null; readonly expected: number };

/** One focused run of `ea` (run index r): honest prelude, the attack alone, then HALT_EPOCHS epochs (with safe-mode exits). */
function focusedRun(chain: Chain, ea: Ea, seed: bigint, r: number): AdversaryRun {
  const n = BigInt(chain.genesis.shards.length);
  const rnd = fc.sample(fc.record({ b: fc.bigInt({ min: 0n, max: n - 1n }), load: fc.bigInt({ min: 0n, max: 2n ** 32n }) }), { seed: Number(seed % 2147483647n) + r * 7919 + EASEED[ea], numRuns: 1 })[0]!;
  const b = rnd.b;
  const attack = fc.sample(attackArbitrary(ea, b), { seed: Number(seed % 2147483647n) + r * 104729 + EASEED[ea], numRuns: 1 })[0]!;
  // The founders whose development keys sign exits: the first M of them (checkDevelopmentKeys made sure there are M).
  const signers = chain.genesis.founders.filter((f) => toHex(devKey(devLabel.founder(f.id)).publicKey) === f.key).map((f) => f.id);
  const m = signers.slice(0, Number(chain.genesis.threshold));
  const honest = (k: bigint, exit = true): EpochCommand => ({ load: rnd.load + k, attacks: [], exit, exit_founders: m });
  const prelude = ea === 'EA-11' ? [honest(1n), honest(2n), honest(3n)] : [honest(1n)];
  const focus: EpochCommand = { load: rnd.load + 10n, attacks: [attack], exit: true };
  const after =
    ea === 'EA-3' || ea === 'EA-10'
      ? [{ ...honest(11n), exit_founders: m.slice(0, Number(chain.genesis.threshold) - 1) }, honest(12n), honest(13n)] // one founder cannot exit; M can
      : [honest(11n), honest(12n)];
  return { shards: n, byzantine: [b], epochs: [...prelude, focus, ...after] };
}
const EASEED: Record<Ea, number> = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`EA-${i + 1}`, (i + 1) * 1_000_003])) as Record<Ea, number>;

export function phase3(o: Phase3Options): Phase3Result {
  const chain = chainOf(o.genesis);
  const { ctx } = chain;
  const G = ctx.genesisHash;
  const c = ctx.topology.constants;
  const shardKey = (shard: bigint) => devKey(devLabel.shard(shard)).secretKey;

  // 1. The main run, into a ledger store with its anchor.
  const storeDir = mkdtempSync(join(tmpdir(), 'qfs-phase3-store-'));
  const steps: EpochStep[] = [];
  try {
    createStore(storeDir, o.genesis, o.signatures);
    const anchor: { genesis: string; records: string[] } = { genesis: G, records: [] };
    let S = chain.S0;
    for (let e = 1; e <= o.epochs; e++) {
      const out = honestLedgerEpoch(ctx, S, o.seed, shardKey);
      anchor.records.push(appendEpoch(storeDir, out, e % 4 === 0));
      steps.push({ prev: S, record: out.record, next: out.state });
      S = out.state;
      o.progress(`main run: epoch ${e}/${o.epochs} ${out.record.outcome} root ${out.record.root.slice(0, 16)}…`);
    }
    const verified = verifyStore(storeDir, anchor);
    const storeOk = verified.ok;

    // 3. EA-14 on the main run's store (done here, while the store exists).
    o.progress('EA-14: altering the store');
    const ea14 = storageAttack(chain, storeDir, anchor, steps);

    // 2. The adversary scenario.
    const scenario: ScenarioRun[] = [];
    for (const ea of EPOCH_EAS) {
      for (let r = 0; r < o.scenarioRuns; r++) {
        const run = focusedRun(chain, ea, o.seed, r);
        let report: RunReport | null = null;
        let failure: AdversaryFailure | null = null;
        try {
          report = runAdversary(run, chain);
        } catch (e) {
          if (!(e instanceof AdversaryFailure)) throw e;
          failure = e;
        }
        const expected = report === null ? 0 : report.epochs.reduce((n, ep) => n + ep.attacks.filter((a) => a.ea === ea && a.applied).length, 0);
        scenario.push({ label: `${ea}#${r + 1}`, ea, run, report, failure, expected });
        o.progress(`scenario ${ea} run ${r + 1}/${o.scenarioRuns}: ${failure === null ? 'checked against its twin' : `FAILED ${failure.message}`}`);
      }
    }

    // 4. The property suites.
    const properties: CheckResult[] = [];
    const stats = new AdversaryStats();
    for (const property of ADVERSARY_PROPERTIES) {
      const r = checkAdversaryProperty({ property, seed: Number(o.seed % 2147483647n), runs: o.runs, counterexamples: o.counterexamples });
      properties.push(r);
      stats.merge(r.stats);
      o.progress(`property ${property}: ${r.failure === null ? `${r.runsDone} runs passed` : `FAILED (${r.failure.replay})`}`);
    }

    // Conformance.
    o.progress('conformance: the three runtimes on the conformance scenario');
    const conf = o.runtimes(ctx, o.seed);

    // Artifacts.
    const records = steps.map((s) => s.record);
    const ledgerRuns = [
      ledgerConsistencyRun('main', null, G, chain.S0, steps),
      ...scenario.flatMap((s) => (s.report === null ? [] : [ledgerConsistencyRun(s.label, s.ea, G, s.report.start, s.report.steps)])),
      ...(ea14.run === null ? [] : [ledgerConsistencyRun('EA-14#1', 'EA-14', G, chain.S0, ea14.run)]),
    ];
    const adversaries = [...adversaryRows(scenario), ...(ea14.run === null ? [] : [ea14Row(ea14.run)])];
    const artifacts = new Map<string, Uint8Array>([
      ['phase3_adversary_results.json', text({ format: ADVERSARY_FORMAT, adversaries })],
      ['phase3_harmonics.jsonl', jsonl(harmonicsLog(steps))],
      ['phase3_holofield_rewards.json', text(holofieldRewards(ctx, steps))],
      ['phase3_ledger_consistency.json', text({ format: LEDGER_FORMAT, genesis: G, runs: ledgerRuns })],
      ['phase3_psi_dynamics.json', text(psiDynamics(ctx, steps))],
      ['phase3_psisync.json', text(psisyncData(G, c.epsilon_sync, records))],
      ['phase3_treasury.jsonl', jsonl(treasuryLog(steps))],
    ]);

    // 5. Acceptance.
    const allSteps = [...steps, ...scenario.flatMap((s) => s.report?.steps ?? [])];
    const acceptance = [
      stakeBound(allSteps.map((s) => s.record), c.delta_max),
      psisyncRow(records, c.epsilon_sync),
      crossRuntime(conf.runtimes, conf.note),
      detectedRow(scenario, ea14, properties),
      leakageRow(scenario, properties, stats, chain.f, c.blacklist_after),
      rewardMonotone(ctx, steps),
      crossShard(ctx, steps, storeOk),
      safeModeRow(scenario),
    ];
    return { artifacts, runtimes: conf.runtimes, acceptance, epochs: BigInt(o.epochs), properties, stats };
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// EA-14

type Ea14 = { readonly run: { record: EpochRecord; next: State }[] | null; readonly figure: string; readonly ok: boolean };

/**
 * EA-14 on the main run's store (models/storage-attack.ts's assertions): a record of epoch 1
 * altered alone is only repaired; then a byte of `inputs/k` (k the middle epoch) altered is
 * recovered. The EA-14 ledger run is epochs 1 … k − 1 of the main run and the recovery epoch.
 */
function storageAttack(chain: Chain, dir: string, anchor: Anchor, steps: readonly EpochStep[]): Ea14 {
  const head = BigInt(steps.length);
  if (head < 2n) return { run: null, figure: 'not run: the main run needs 2 epochs', ok: false };
  const roots = steps.map((s) => s.record.root);
  const k = head / 2n + 1n;
  try {
    const repaired = attackStore(chain, dir, anchor, roots, { target: 'record', epoch: 1n, offset: 0n, xor: 1n });
    const r = attackStore(chain, dir, anchor, roots, { target: 'inputs', epoch: k, offset: 1n << 20n, xor: 1n });
    if (repaired.recovered || !r.recovered) return { run: null, figure: 'FAILED: unexpected outcome of the storage attack', ok: false };
    const run = [...steps.slice(0, Number(k - 1n)).map((s) => ({ record: s.record, next: s.next })), { record: r.record, next: r.state }];
    return { run, ok: true, figure: `an altered record repaired without recovery; inputs/${k} altered: epochs ${k}…${head} set aside, recovery epoch ${k} aborted with CIR-511 EA-14 into safe mode, epochs 1…${k - 1n} unchanged` };
  } catch (e) {
    if (!(e instanceof AdversaryFailure)) throw e;
    return { run: null, figure: `FAILED: ${e.message}`, ok: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Tables

function adversaryRows(scenario: readonly ScenarioRun[]): Encodable[] {
  const eas = [...new Set(scenario.map((s) => s.ea))];
  return eas.map((ea) => {
    const runs = scenario.filter((s) => s.ea === ea && s.report !== null);
    const incidents = runs.map((s) => s.report!.steps.flatMap((st) => st.record.incidents.filter((i) => i.ea === ea)));
    const sample = runs[0]?.run.epochs.flatMap((e) => e.attacks).find((a) => a.ea === ea);
    let shift: PauseShift | undefined;
    for (const s of runs) for (const ep of s.report!.epochs) if (ep.attacks.some((a) => a.ea === ea && a.applied)) shift = maxShift(shift, ep.shift);
    const show = (t: keyof PauseShift) => (shift === undefined ? 'n/a' : fractionText(shift[t]));
    return {
      ea,
      expected_code: sample === undefined ? null : expectedTriple(sample)[0],
      expected_response: EXPECTED_RESPONSE[ea],
      runs: BigInt(runs.length),
      detections: BigInt(incidents.filter((xs) => xs.length > 0).length),
      incidents_expected: BigInt(runs.reduce((n, s) => n + s.expected, 0)),
      incidents_actual: BigInt(incidents.reduce((n, xs) => n + xs.length, 0)),
      paused_epochs: BigInt(runs.reduce((n, s) => n + s.report!.steps.filter((st) => st.record.outcome !== 'commit').length, 0)),
      pause_shift: { chr: show('chr'), flx: show('flx'), psy: show('psy'), atr: show('atr'), res: show('res') },
    };
  });
}

function ea14Row(run: readonly { record: EpochRecord }[]): Encodable {
  const incidents = run.flatMap((s) => s.record.incidents.filter((i) => i.ea === 'EA-14'));
  return {
    ea: 'EA-14',
    expected_code: 'CIR-511',
    expected_response: EXPECTED_RESPONSE['EA-14'],
    runs: 1n,
    detections: incidents.length > 0 ? 1n : 0n,
    incidents_expected: 1n,
    incidents_actual: BigInt(incidents.length),
    paused_epochs: BigInt(run.filter((s) => s.record.outcome !== 'commit').length),
    pause_shift: { chr: 'n/a', flx: 'n/a', psy: 'n/a', atr: 'n/a', res: 'n/a' },
  };
}

type Row = { id: AcceptanceId; status: AcceptanceStatus; figure: string };

function stakeBound(records: readonly EpochRecord[], deltaMax: bigint): Row {
  let n = 0;
  let worst: [bigint, bigint] = [0n, 1n];
  let bad = 0;
  for (const r of records) {
    if (r.outcome !== 'commit') continue;
    for (const cs of r.c_shards ?? []) {
      n++;
      const d = cs.with_stakes > cs.open ? cs.with_stakes - cs.open : cs.open - cs.with_stakes;
      const bound = exactMulDiv(cs.open > SCALE ? cs.open : SCALE, deltaMax, SCALE);
      if (d > bound) bad++;
      if (d * worst[1] > worst[0] * bound) worst = [d, bound];
    }
  }
  return { id: 'stake_bound', status: bad === 0 && n > 0 ? 'pass' : n === 0 ? 'not_run' : 'fail', figure: `${n} voter-epochs on committed epochs, ${bad} beyond the bound; largest |ΔC_s| / bound = ${fractionPercent(worst)}` };
}

function psisyncRow(records: readonly EpochRecord[], eps: bigint): Row {
  let reports = 0;
  let maxDev = 0n;
  let bad = 0;
  for (const r of records) {
    if (r.sync === null) continue;
    for (const rep of r.sync.reports) {
      reports++;
      const d = rep.value > r.sync.c ? rep.value - r.sync.c : r.sync.c - rep.value;
      if (d > maxDev) maxDev = d;
      if (d > exactMulDiv(r.sync.c, eps, SCALE)) bad++;
    }
  }
  return { id: 'psisync_deviation', status: reports === 0 ? 'not_run' : bad === 0 ? 'pass' : 'fail', figure: `${reports} honest reports in the main run, largest deviation ${maxDev}, ${bad} beyond ε_sync` };
}

function crossRuntime(rt: Runtimes, note: string): Row {
  if (rt.typescript === null || rt.python === null || rt.rust === null) return { id: 'treasury_cross_runtime', status: 'not_run', figure: `not run: ${note}` };
  const same = rt.typescript === rt.python && rt.python === rt.rust;
  return { id: 'treasury_cross_runtime', status: same ? 'pass' : 'fail', figure: `${same ? 'one' : 'different'} state root on the conformance scenario: ${note}` };
}

function detectedRow(scenario: readonly ScenarioRun[], ea14: Ea14, properties: readonly CheckResult[]): Row {
  const failed = scenario.filter((s) => s.failure !== null || s.expected === 0);
  const propFailed = properties.filter((p) => p.failure !== null);
  const eas = new Set(scenario.filter((s) => s.failure === null && s.expected > 0).map((s) => s.ea));
  const ok = failed.length === 0 && propFailed.length === 0 && ea14.ok && eas.size === 13;
  const runs = properties.reduce((n, p) => n + p.runsDone, 0);
  const parts = [
    `${eas.size + (ea14.ok ? 1 : 0)}/14 adversaries detected with the expected (code, ea, shard) and no other`,
    `${scenario.length} scenario runs${failed.length > 0 ? ` (${failed.map((s) => `${s.label}: ${s.failure?.message ?? 'attack did not apply'}`).join('; ')})` : ''}`,
    `${runs} property runs${propFailed.length > 0 ? `, failing: ${propFailed.map((p) => p.property).join(', ')}` : ''}`,
    `EA-14: ${ea14.figure}`,
  ];
  return { id: 'adversaries_detected', status: ok ? 'pass' : 'fail', figure: parts.join('; ') };
}

function leakageRow(scenario: readonly ScenarioRun[], properties: readonly CheckResult[], stats: AdversaryStats, f: bigint, blacklistAfter: bigint): Row {
  const ok = scenario.every((s) => s.failure === null) && properties.every((p) => p.failure === null);
  const commits = scenario.reduce((n, s) => n + (s.report?.epochs.filter((e) => e.outcome === 'commit' && e.attacks.some((a) => a.applied)).length ?? 0), 0);
  const aborted = scenario.reduce((n, s) => n + Number(s.report?.aborted ?? 0n), 0);
  let shift: PauseShift | undefined;
  for (const s of scenario) for (const ep of s.report?.epochs ?? []) shift = maxShift(shift, ep.shift);
  const sh = shift === undefined ? 'not measured' : `chr ${fractionPercent(shift.chr)}, flx ${fractionPercent(shift.flx)}, psy ${fractionPercent(shift.psy)}, atr ${fractionPercent(shift.atr)}, res ${fractionPercent(shift.res)} of supply (exact fractions in phase3_adversary_results.json)`;
  return {
    id: 'value_leakage',
    status: ok ? 'pass' : 'fail',
    figure: `0 moved by a lie or a halt: ${commits} attacked commits with the twin's root, ${stats.epochs} property epochs checked; ${aborted} aborted epochs in ${scenario.length} scenario runs, each run within 2·f·BLACKLIST_AFTER = ${2n * f * blacklistAfter}; largest pause shift ${sh}`,
  };
}

/**
 * reward.monotone on the main run: for every committed epoch's opening state and a handful of
 * nodes, raising chr, atr or res (or lowering dis) never lowers the node's reward.
 */
function rewardMonotone(ctx: EpochContext, steps: readonly EpochStep[]): Row {
  let checks = 0;
  let lowered = 0;
  const none = { snapshots: [], validator: null, actions: [] };
  for (const st of steps) {
    if (st.record.outcome !== 'commit') continue;
    const S = st.prev;
    if (S.mode === 'safe') continue;
    const base = runHonestEpoch(ctx, S, none).record.rewards.nodes;
    const picks = [0, Math.floor(S.nodes.length / 3), Math.floor((2 * S.nodes.length) / 3)];
    for (const i of picks) {
      for (const what of ['chr', 'atr', 'res', 'dis'] as const) {
        const n = S.nodes[i]!;
        const raised = { ...n, [what]: what === 'dis' ? n.dis / 2n : n[what] + (n[what] > 0n ? n[what] / 2n : SCALE) };
        if (what === 'chr' && raised.chr > ctx.topology.chrSupply) continue;
        const S2: State = { ...S, nodes: S.nodes.map((m, j) => (j === i ? raised : m)) };
        const r1 = runHonestEpoch(ctx, S2, none).record.rewards.nodes[i]!.r;
        checks++;
        if (r1 < base[i]!.r) lowered++;
      }
    }
  }
  return { id: 'reward_monotone', status: checks === 0 ? 'not_run' : lowered === 0 ? 'pass' : 'fail', figure: `${checks} raised-state comparisons on the main run's committed epochs, ${lowered} lowered a reward` };
}

function crossShard(ctx: EpochContext, steps: readonly EpochStep[], storeOk: boolean): Row {
  const topo = ctx.topology;
  const shardOfAccount = (a: string): bigint | null => {
    const m = /^node:(\d+):/.exec(a);
    if (m === null) return null;
    return topo.shardIds[topo.nodeShard[topo.nodeIndex.get(BigInt(m[1]!))!]!]!;
  };
  let legs = 0;
  for (const st of steps) for (const mv of st.record.moves) if (mv.kind === 'transfer' && shardOfAccount(mv.from) !== shardOfAccount(mv.to)) legs++;
  return {
    id: 'cross_shard_consistency',
    status: storeOk && legs > 0 ? 'pass' : legs === 0 ? 'not_run' : 'fail',
    figure: `${legs} cross-shard transfers in the main run, each a recorded move with its voters' cross_out/cross_in claims agreeing; flx.kirchhoff exact on every epoch; the store re-executes to the anchor: ${storeOk ? 'yes' : 'NO'}`,
  };
}

function safeModeRow(scenario: readonly ScenarioRun[]): Row {
  const runs = scenario.filter((s) => (s.ea === 'EA-3' || s.ea === 'EA-10') && s.report !== null);
  let entered = 0;
  let refused = 0;
  let exited = 0;
  for (const s of runs) {
    const eps = s.report!.steps;
    const i = eps.findIndex((st) => st.next.mode === 'safe');
    if (i < 0 || i + 2 >= eps.length) continue;
    entered++;
    const one = eps[i + 1]!;
    if (one.record.outcome === 'frozen' && one.next.mode === 'safe' && one.record.events.some((e) => e.kind === 'governance_rejected')) refused++;
    const two = eps[i + 2]!;
    if (two.next.mode === 'normal' && two.record.events.some((e) => e.kind === 'governance_applied')) exited++;
  }
  const ok = runs.length > 0 && entered === runs.length && refused === runs.length && exited === runs.length;
  return {
    id: 'safe_mode',
    status: runs.length === 0 ? 'not_run' : ok ? 'pass' : 'fail',
    figure: `${runs.length} CIR-511 runs (EA-3, EA-10): safe mode entered ${entered}, exit with M − 1 founder signatures refused ${refused}, exit with M applied ${exited}`,
  };
}
