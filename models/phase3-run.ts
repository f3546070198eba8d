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
import { ADVERSARY_FORMAT, LEDGER_FORMAT, type AcceptanceResult, type Runtimes } from '../src/evidence/names.ts';
import { ledgerConsistencyRun, psisyncData, type IncidentTriple, type RunFailureData } from '../src/evidence/layouts.ts';
import { computeAcceptance } from '../src/evidence/acceptance.ts';
import { readArtifacts } from '../src/evidence/artifacts.ts';
import type { EvidenceParameters } from '../src/evidence/manifest.ts';
import { EA_TABLE } from '../src/core/vocabulary.ts';
import type { FounderSignature } from '../src/genesis/founders.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { appendEpoch, createStore, verifyStore, type Anchor } from '../src/io/ledger-store.ts';
import { honestLedgerEpoch } from '../src/runs/ledger-run.ts';
import { harmonicsLog, holofieldRewards, psiDynamics, treasuryLog, type EpochStep } from '../src/evidence/phase3-data.ts';
import { devKey } from '../src/math/signatures.ts';
import type { State } from '../src/economics/state.ts';
import { attackStore } from './storage-attack.ts';
import { AdversaryFailure, chainOf, executeRun, EXPECTED_RESPONSE, expectedTriple, fractionText, maxShift, runAdversary, type AdversaryRun, type Chain, type Ea, type EpochCommand, type PauseShift, type RunReport, type Triple } from './adversary.ts';
import { attackArbitrary } from './adversary-arbitraries.ts';
import { expectsIncident } from './adversary/strategies.ts';
import { ADVERSARY_PROPERTIES, AdversaryStats, appliedGate, checkAdversaryProperty, eaOfProperty, EPOCH_EAS, type CheckResult } from './adversary-check.ts';

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
  readonly acceptance: AcceptanceResult[];
  /** Why a runtime did not run, or what the three did (printed, not signed). */
  readonly runtimeNote: string;
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

export type ScenarioRun = {
  readonly label: string;
  readonly ea: Ea;
  readonly run: AdversaryRun;
  readonly report: RunReport | null;
  readonly failure: AdversaryFailure | null;
  readonly start: State;
  readonly steps: readonly { readonly record: EpochRecord; readonly next: State }[];
  /** Per epoch, the incidents its applied attacks must raise. */
  readonly expected: readonly (readonly IncidentTriple[])[];
};

/** One focused run of `ea` (run index r): honest prelude, the attack alone, then HALT_EPOCHS epochs (with safe-mode exits). */
export function focusedRun(chain: Chain, ea: Ea, seed: bigint, r: number): AdversaryRun {
  const n = BigInt(chain.genesis.shards.length);
  const rnd = fc.sample(fc.record({ b: fc.bigInt({ min: 0n, max: n - 1n }), load: fc.bigInt({ min: 0n, max: 2n ** 32n }) }), { seed: Number(seed % 2147483647n) + r * 7919 + EASEED[ea], numRuns: 1 })[0]!;
  const b = rnd.b;
  // A focused run shows the attack detected: the bound probes (EA-2 inside, EA-9 under), which
  // expect no incident, are the property suites' (models/adversary/strategies.ts expectsIncident).
  const attack = fc.sample(attackArbitrary(ea, b).filter(expectsIncident), { seed: Number(seed % 2147483647n) + r * 104729 + EASEED[ea], numRuns: 1 })[0]!;
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

/** The versions the manifest records (P11.3): a re-execution by other code is named there first. */
export const PHASE3_VERSIONS: Readonly<Record<string, string>> = { qfs_harmonic: '0.1.0', spec: 'v4.1' };

/** The manifest's parameters of a main-job result (what `qfs run` signs and `qfs verify --reexecute` recomputes). */
export function evidenceParameters(genesisHash: string, o: { readonly seed: bigint; readonly runs: number; readonly scenarioRuns: number }, r: Phase3Result): EvidenceParameters {
  return { genesisHash, seed: o.seed, runs: BigInt(o.runs), epochs: r.epochs, scenarioRuns: BigInt(o.scenarioRuns), versions: PHASE3_VERSIONS, runtimes: r.runtimes, acceptance: r.acceptance };
}

const triple = (t: Triple): IncidentTriple => ({ code: t[0], ea: t[1], shard: t[2] });
class StopRun extends Error {}

/** One scenario run: checked by runAdversary; a failed run is re-executed without checks to keep its epochs (up to the failing one) as evidence. */
export function scenarioRun(chain: Chain, ea: Ea, run: AdversaryRun, label: string): ScenarioRun {
  try {
    const report = runAdversary(run, chain);
    const expected = report.epochs.map((ep, i) => (run.epochs[i]?.attacks ?? []).flatMap((a, j) => (ep.attacks[j]?.applied ? [triple(expectedTriple(a))] : [])));
    return { label, ea, run, report, failure: null, start: report.start, steps: report.steps, expected };
  } catch (e) {
    if (!(e instanceof AdversaryFailure)) throw e;
    const steps: { record: EpochRecord; next: State }[] = [];
    const expected: IncidentTriple[][] = [];
    try {
      executeRun(
        run,
        ({ e: ep }) => {
          steps.push({ record: ep.out.record, next: ep.out.state });
          expected.push(ep.applied.filter((ap) => ap.applied).map((ap) => triple(expectedTriple(ap.attack))));
          if (ep.out.record.epoch >= e.epoch) throw new StopRun();
        },
        chain,
      );
    } catch (x) {
      if (!(x instanceof StopRun)) throw x;
    }
    return { label, ea, run, report: null, failure: e, start: chain.S0, steps, expected };
  }
}

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
    const storeOk = verifyStore(storeDir, anchor).ok;

    // 3. EA-14 on the main run's store (done here, while the store exists).
    o.progress('EA-14: altering the store');
    const ea14 = storageAttack(chain, storeDir, anchor, steps);

    // 2. The adversary scenario: every run is kept, a failed one too (it is evidence, and its row fails).
    const scenario: ScenarioRun[] = [];
    for (const ea of EPOCH_EAS) {
      for (let r = 0; r < o.scenarioRuns; r++) {
        const s = scenarioRun(chain, ea, focusedRun(chain, ea, o.seed, r), `${ea}#${r + 1}`);
        scenario.push(s);
        o.progress(`scenario ${ea} run ${r + 1}/${o.scenarioRuns}: ${s.failure === null ? 'checked against its twin' : `FAILED ${s.failure.message}`}`);
      }
    }

    // 4. The property suites.
    const properties: CheckResult[] = [];
    const stats = new AdversaryStats();
    for (const property of ADVERSARY_PROPERTIES) {
      const r = checkAdversaryProperty({ property, seed: Number(o.seed % 2147483647n), runs: o.runs, counterexamples: o.counterexamples });
      properties.push(r);
      stats.merge(r.stats);
      const gate = appliedGate(r);
      o.progress(`property ${property}: ${r.failure !== null ? `FAILED (${r.failure.replay})` : gate !== null ? `FAILED the applied gate (${gate})` : `${r.runsDone} runs passed`}`);
    }

    // Conformance.
    o.progress('conformance: the three runtimes on the conformance scenario');
    const conf = o.runtimes(ctx, o.seed);
    o.progress(`conformance: ${conf.note}`);

    // Artifacts.
    const records = steps.map((s) => s.record);
    const ea14Run: ScenarioRun = { label: 'EA-14#1', ea: 'EA-14', run: { shards: 0n, byzantine: [], epochs: [] }, report: null, failure: ea14.failure, start: chain.S0, steps: ea14.run, expected: ea14.run.map((_, i) => (i === ea14.run.length - 1 && ea14.failure === null ? [{ code: 'CIR-511', ea: 'EA-14', shard: null }] : [])) };
    const adversaryRuns = [...scenario, ea14Run];
    const ledgerRuns = [
      ledgerConsistencyRun('main', null, G, chain.S0, steps),
      ...adversaryRuns.map((s) => ledgerConsistencyRun(s.label, s.ea, G, s.start, s.steps, { expected: s.expected, failure: failureData(s.failure) })),
    ];
    const eas = [...new Set(adversaryRuns.map((s) => s.ea))];
    const adversaries = eas.map((ea) => adversaryRow(ea, adversaryRuns.filter((s) => s.ea === ea)));
    const mainChecks = { store_verified: storeOk, cross_shard_transfers: BigInt(crossShardTransfers(ctx, steps)), reward_comparisons: rewardComparisons(ctx, steps) };
    const artifacts = new Map<string, Uint8Array>([
      ['phase3_adversary_results.json', text({ format: ADVERSARY_FORMAT, adversaries, properties: properties.map(propertyRow) })],
      ['phase3_harmonics.jsonl', jsonl(harmonicsLog(steps))],
      ['phase3_holofield_rewards.json', text(holofieldRewards(ctx, steps))],
      ['phase3_ledger_consistency.json', text({ format: LEDGER_FORMAT, genesis: G, delta_max: c.delta_max, main_checks: mainChecks, runs: ledgerRuns })],
      ['phase3_psi_dynamics.json', text(psiDynamics(ctx, steps))],
      ['phase3_psisync.json', text(psisyncData(G, c.epsilon_sync, records))],
      ['phase3_treasury.jsonl', jsonl(treasuryLog(steps))],
    ]);

    // 5. Acceptance: computed from the artifacts, exactly as `qfs verify` recomputes it.
    const acceptance = computeAcceptance(readArtifacts(artifacts), conf.runtimes);
    return { artifacts, runtimes: conf.runtimes, runtimeNote: conf.note, acceptance, epochs: BigInt(o.epochs), properties, stats };
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
}

const failureData = (f: AdversaryFailure | null): RunFailureData | null => (f === null ? null : { invariant: f.invariant, epoch: f.epoch, message: f.detail });

// ---------------------------------------------------------------------------------------------
// EA-14

type Ea14 = { readonly run: { record: EpochRecord; next: State }[]; readonly failure: AdversaryFailure | null };

/**
 * EA-14 on the main run's store (models/storage-attack.ts's assertions): a record of epoch 1
 * altered alone is only repaired; then a byte of `inputs/k` (k the middle epoch) altered is
 * recovered. The EA-14 ledger run is epochs 1 … k − 1 of the main run and the recovery epoch
 * (a failed attack keeps the epochs before k and its failure).
 */
function storageAttack(chain: Chain, dir: string, anchor: Anchor, steps: readonly EpochStep[]): Ea14 {
  const head = BigInt(steps.length);
  if (head < 2n) return { run: [], failure: new AdversaryFailure('adversary.EA-14', 0n, 'not run: the main run needs 2 epochs', null, null, []) };
  const roots = steps.map((s) => s.record.root);
  const k = head / 2n + 1n;
  const before = steps.slice(0, Number(k - 1n)).map((s) => ({ record: s.record, next: s.next }));
  try {
    const repaired = attackStore(chain, dir, anchor, roots, { target: 'record', epoch: 1n, offset: 0n, xor: 1n });
    const r = attackStore(chain, dir, anchor, roots, { target: 'inputs', epoch: k, offset: 1n << 20n, xor: 1n });
    if (repaired.recovered || !r.recovered) return { run: before, failure: new AdversaryFailure('adversary.EA-14', k, 'unexpected outcome of the storage attack', 'repaired, then recovered', `${repaired.recovered}, ${r.recovered}`, []) };
    return { run: [...before, { record: r.record, next: r.state }], failure: null };
  } catch (e) {
    if (!(e instanceof AdversaryFailure)) throw e;
    return { run: before, failure: e };
  }
}

// ---------------------------------------------------------------------------------------------
// Tables

const shiftText = (shift: PauseShift | undefined) => {
  const show = (t: keyof PauseShift) => (shift === undefined ? 'n/a' : fractionText(shift[t]));
  return { chr: show('chr'), flx: show('flx'), psy: show('psy'), atr: show('atr'), res: show('res') };
};

/** One row of phase3_adversary_results.json, counted over the EA's ledger runs (failed ones included). */
function adversaryRow(ea: Ea, runs: readonly ScenarioRun[]): Encodable {
  const incidents = runs.map((s) => s.steps.flatMap((st) => st.record.incidents.filter((i) => i.ea === ea)));
  let shift: PauseShift | undefined;
  for (const s of runs) for (const ep of s.report?.epochs ?? []) if (ep.attacks.some((a) => a.ea === ea && a.applied)) shift = maxShift(shift, ep.shift);
  return {
    ea,
    expected_code: EA_TABLE[ea].code,
    expected_response: EXPECTED_RESPONSE[ea],
    runs: BigInt(runs.length),
    failed: BigInt(runs.filter((s) => s.failure !== null).length),
    detections: BigInt(incidents.filter((xs) => xs.length > 0).length),
    incidents_expected: BigInt(runs.reduce((n, s) => n + s.expected.flat().filter((x) => x.ea === ea).length, 0)),
    incidents_actual: BigInt(incidents.reduce((n, xs) => n + xs.length, 0)),
    paused_epochs: BigInt(runs.reduce((n, s) => n + s.steps.filter((st) => st.record.outcome !== 'commit').length, 0)),
    pause_shift: shiftText(shift),
  };
}

/** One property's result: its runs, its failure, and the largest pause shift its runs measured. */
export function gateFailure(r: Pick<CheckResult, 'property' | 'runsDone' | 'stats'>): Encodable {
  const gate = appliedGate(r);
  return gate === null ? null : { invariant: 'adversary.applied-gate', epoch: 0n, message: gate };
}

function propertyRow(r: CheckResult): Encodable {
  const ea = eaOfProperty(r.property);
  const s = r.stats.byEa.get(ea)!;
  return {
    property: r.property,
    ea,
    runs: BigInt(r.runsDone),
    applied: BigInt(s.applied),
    paused_epochs: BigInt(s.paused),
    // A property whose attack did not apply often enough, or applied without its incident, fails
    // like a counterexample would (the applied-fraction gate of qfs check, issue 19).
    failure: r.failure !== null ? { invariant: r.failure.invariant, epoch: r.failure.epoch, message: r.failure.message } : gateFailure(r),
    pause_shift: shiftText(r.stats.shift.get(ea)),
  };
}

/**
 * reward.monotone on the main run: for every committed epoch's opening state and a handful of
 * nodes, raising chr, atr or res (or lowering dis) must never lower the node's reward. Every
 * comparison goes into the evidence.
 */
function rewardComparisons(ctx: EpochContext, steps: readonly EpochStep[]): Encodable[] {
  const out: Encodable[] = [];
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
        out.push({ epoch: st.record.epoch, node: n.id, field: what, reward: base[i]!.r, raised_reward: runHonestEpoch(ctx, S2, none).record.rewards.nodes[i]!.r });
      }
    }
  }
  return out;
}

function crossShardTransfers(ctx: EpochContext, steps: readonly EpochStep[]): number {
  const topo = ctx.topology;
  const shardOfAccount = (a: string): bigint | null => {
    const m = /^node:(\d+):/.exec(a);
    if (m === null) return null;
    return topo.shardIds[topo.nodeShard[topo.nodeIndex.get(BigInt(m[1]!))!]!]!;
  };
  let legs = 0;
  for (const st of steps) for (const mv of st.record.moves) if (mv.kind === 'transfer' && shardOfAccount(mv.from) !== shardOfAccount(mv.to)) legs++;
  return legs;
}
