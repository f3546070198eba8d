/**
 * The acceptance table of SPEC §11, computed from the artifacts alone. The main job computes its
 * rows with these functions from the artifacts it wrote, and the verifier recomputes them from
 * the files it read: a row whose status or figure the files do not give is a fault. Nothing in the
 * table is taken on the signer's word.
 */
import { floorDiv, max, mulDiv, SCALE } from '../math/certified-math.ts';
import type { Fraction, LedgerRun, Parsed, Shift } from './artifacts.ts';
import { ACCEPTANCE, TOKENS, type AcceptanceId, type AcceptanceResult, type AcceptanceStatus, type Runtimes, type TokenKey } from './names.ts';

type Row = AcceptanceResult;
const row = (id: AcceptanceId, status: AcceptanceStatus, figure: string): Row => ({ id, status, figure });

/** A fraction as a percentage with 4 decimals, for people ("n/a" for none). */
export function percent(x: Fraction | null): string {
  if (x === null || x[1] === 0n) return 'n/a';
  const bp = floorDiv(x[0] * 1_000_000n, x[1]);
  const whole = floorDiv(bp, 10_000n);
  return `${whole}.${(bp - whole * 10_000n).toString().padStart(4, '0')}%`;
}

/** a >= b for non-negative fractions. */
const geq = (a: Fraction, b: Fraction): boolean => a[0] * b[1] >= b[0] * a[1];

const adversaryRuns = (p: Parsed): LedgerRun[] => p.ledger.runs.filter((r) => r.ea !== null);
const failureText = (r: LedgerRun): string => `${r.run}: ${r.failure!.invariant} at epoch ${r.failure!.epoch}`;

function stakeBound(p: Parsed): Row {
  let n = 0;
  let bad = 0;
  let worst: Fraction = [0n, 1n];
  for (const run of p.ledger.runs) {
    for (const e of run.epochs) {
      if (e.outcome !== 'commit') continue;
      for (const s of e.stakes) {
        n++;
        const d = s.with_stakes > s.open ? s.with_stakes - s.open : s.open - s.with_stakes;
        const bound = mulDiv(max(s.open, SCALE), p.ledger.delta_max, SCALE);
        if (d > bound) bad++;
        if (bound > 0n && d * worst[1] > worst[0] * bound) worst = [d, bound];
      }
    }
  }
  const status = n === 0 ? 'not_run' : bad === 0 ? 'pass' : 'fail';
  return row('stake_bound', status, `${n} voter-epochs on committed epochs of ${p.ledger.runs.length} ledger runs, ${bad} beyond the bound; largest |ΔC_s| / bound = ${percent(worst)}`);
}

function psisyncDeviation(p: Parsed): Row {
  let reports = 0;
  let maxDev = 0n;
  let bad = 0;
  for (const e of p.sync.epochs) {
    for (const v of e.values) {
      reports++;
      const d = v > e.c ? v - e.c : e.c - v;
      maxDev = max(maxDev, d);
      if (d > e.epsilon_bound) bad++;
    }
  }
  const status = reports === 0 ? 'not_run' : bad === 0 ? 'pass' : 'fail';
  return row('psisync_deviation', status, `${reports} honest reports in ${p.sync.epochs.length} epochs of the main run, largest deviation ${maxDev}, ${bad} beyond ε_sync`);
}

function crossRuntime(rt: Runtimes): Row {
  const missing = (['typescript', 'python', 'rust'] as const).filter((k) => rt[k] === null);
  if (missing.length > 0) return row('treasury_cross_runtime', 'not_run', `not run: no state root from ${missing.join(', ')}`);
  const same = rt.typescript === rt.python && rt.python === rt.rust;
  const roots = `typescript ${rt.typescript!.slice(0, 16)}…, python ${rt.python!.slice(0, 16)}…, rust ${rt.rust!.slice(0, 16)}…`;
  return row('treasury_cross_runtime', same ? 'pass' : 'fail', `${same ? 'one state root' : 'different state roots'} on the conformance scenario: ${roots}`);
}

function detected(p: Parsed): Row {
  const rows = p.adversaries.adversaries;
  const props = p.adversaries.properties;
  if (rows.length === 0 && props.length === 0) return row('adversaries_detected', 'not_run', 'not run: no adversary run and no property in the package');
  const good = rows.filter((a) => a.runs > 0n && a.failed === 0n && a.detections === a.runs && a.incidents_expected > 0n && a.incidents_actual === a.incidents_expected);
  const failedRuns = adversaryRuns(p).filter((r) => r.failure !== null);
  const propFailed = props.filter((x) => x.failure !== null);
  const ok = rows.length === 14 && good.length === 14 && props.length === 14 && propFailed.length === 0;
  const runs = rows.reduce((n, a) => n + a.runs, 0n);
  const propRuns = props.reduce((n, x) => n + x.runs, 0n);
  const parts = [
    `${good.length}/14 adversaries detected in every run with the expected (code, ea, shard) and no other`,
    `${runs} scenario runs, ${failedRuns.length} failed${failedRuns.length > 0 ? ` (${failedRuns.map(failureText).join('; ')})` : ''}`,
    `${propRuns} property runs in ${props.length}/14 properties${propFailed.length > 0 ? `, failing: ${propFailed.map((x) => `${x.property} (${x.failure!.invariant})`).join(', ')}` : ''}`,
  ];
  const short = rows.filter((a) => !good.includes(a)).map((a) => a.ea);
  if (short.length > 0) parts.push(`not detected as expected: ${short.join(', ')}`);
  return row('adversaries_detected', ok ? 'pass' : 'fail', parts.join('; '));
}

function valueLeakage(p: Parsed): Row {
  const runs = adversaryRuns(p);
  const props = p.adversaries.properties;
  if (runs.length === 0 && props.length === 0) return row('value_leakage', 'not_run', 'not run: no adversary run and no property in the package');
  let commits = 0;
  let halted = 0;
  for (const r of runs) {
    for (const e of r.epochs) {
      if (e.outcome === 'commit' && e.expected.length > 0) commits++;
      if (e.outcome !== 'commit') halted++;
    }
  }
  const failed = runs.filter((r) => r.failure !== null);
  const propFailed = props.filter((x) => x.failure !== null);
  const propRuns = props.reduce((n, x) => n + x.runs, 0n);
  const counts = `${commits} attacked commits with their twin's root and ${halted} aborted or frozen epochs that kept every supply, in ${runs.length} adversary runs; ${propRuns} property runs`;
  if (failed.length === 0 && propFailed.length === 0) return row('value_leakage', 'pass', `0 moved by a lie or a halt: ${counts}`);
  const why = [...failed.map(failureText), ...propFailed.map((x) => `${x.property}: ${x.failure!.invariant}`)];
  return row('value_leakage', 'fail', `${why.length} runs failed their twin or supply checks (${why.join('; ')}): ${counts}`);
}

function pauseShift(p: Parsed): Row {
  type Best = { f: Fraction; where: string; paused: bigint };
  const best = new Map<TokenKey, Best>();
  const above: string[] = [];
  let measured = 0;
  const visit = (s: Shift, where: string, paused: bigint) => {
    for (const t of TOKENS) {
      const f = s[t];
      if (f === null) continue;
      measured++;
      if (f[0] * 100n >= f[1]) above.push(`${t} ${percent(f)} (${where})`);
      const b = best.get(t);
      if (b === undefined || !geq(b.f, f)) best.set(t, { f, where, paused });
    }
  };
  for (const a of p.adversaries.adversaries) visit(a.pause_shift, `${a.ea} scenario`, a.paused_epochs);
  for (const x of p.adversaries.properties) visit(x.pause_shift, `${x.property}`, x.paused_epochs);
  if (measured === 0) return row('pause_shift', 'not_run', 'not measured: no attack was followed by HALT_EPOCHS epochs');
  const largest = TOKENS.map((t) => {
    const b = best.get(t);
    return b === undefined ? `${t} n/a` : `${t} ${percent(b.f)} (${b.where}, ${b.paused} paused epochs)`;
  });
  const verdict = above.length === 0 ? `all ${measured} measured shifts below 1%` : `${above.length} of ${measured} measured shifts at or above 1%: ${above.join(', ')}`;
  return row('pause_shift', above.length === 0 ? 'pass' : 'fail', `largest measured shift per token: ${largest.join('; ')}; ${verdict} (exact fractions in phase3_adversary_results.json)`);
}

function rewardMonotone(p: Parsed): Row {
  const cs = p.ledger.main_checks.reward_comparisons;
  const lowered = cs.filter((c) => c.raised_reward < c.reward).length;
  const status = cs.length === 0 ? 'not_run' : lowered === 0 ? 'pass' : 'fail';
  return row('reward_monotone', status, `${cs.length} raised-state comparisons on the main run's committed epochs, ${lowered} lowered a reward`);
}

function crossShard(p: Parsed): Row {
  const main = p.ledger.runs.find((r) => r.run === 'main');
  const { store_verified: store, cross_shard_transfers: legs } = p.ledger.main_checks;
  if (main === undefined || legs === 0n) return row('cross_shard_consistency', 'not_run', `not run: ${main === undefined ? 'no main run' : 'no cross-shard transfer in the main run'}`);
  return row(
    'cross_shard_consistency',
    store ? 'pass' : 'fail',
    `${legs} cross-shard transfers in the ${main.epochs.length} epochs of the main run, each a recorded move with its voters' claims agreeing; the chain links and supplies hold; the store re-executes to the anchor: ${store ? 'yes' : 'NO'}`,
  );
}

function safeMode(p: Parsed): Row {
  const runs = p.ledger.runs.filter((r) => r.ea === 'EA-3' || r.ea === 'EA-10');
  let entered = 0;
  let refused = 0;
  let exited = 0;
  for (const r of runs) {
    const i = r.epochs.findIndex((e) => e.mode === 'safe');
    if (i < 0) continue;
    entered++;
    const one = r.epochs[i + 1];
    if (one !== undefined && one.outcome === 'frozen' && one.mode === 'safe' && one.events.includes('governance_rejected')) refused++;
    const two = r.epochs[i + 2];
    if (two !== undefined && two.mode === 'normal' && two.events.includes('governance_applied')) exited++;
  }
  const n = runs.length;
  const status = n === 0 ? 'not_run' : entered === n && refused === n && exited === n ? 'pass' : 'fail';
  return row('safe_mode', status, `${n} CIR-511 runs (EA-3, EA-10): safe mode entered ${entered}, exit with M − 1 founder signatures refused ${refused}, exit with M applied ${exited}`);
}

const COMPUTE: Readonly<Record<AcceptanceId, (p: Parsed, rt: Runtimes) => Row>> = {
  stake_bound: stakeBound,
  psisync_deviation: psisyncDeviation,
  treasury_cross_runtime: (_p, rt) => crossRuntime(rt),
  adversaries_detected: detected,
  value_leakage: valueLeakage,
  pause_shift: pauseShift,
  reward_monotone: rewardMonotone,
  cross_shard_consistency: crossShard,
  safe_mode: safeMode,
};

/** The acceptance table (ACCEPTANCE order) the artifacts and the runtimes give. */
export function computeAcceptance(p: Parsed, runtimes: Runtimes): Row[] {
  return ACCEPTANCE.map((a) => COMPUTE[a.id](p, runtimes));
}
