/**
 * The EconomicAdversarySuite's model (SPEC §8): Byzantine strategies as data, the interpreter that
 * runs them through the real ledger (real ML-DSA-87), the per-epoch *twin*, and every assertion §8
 * lists. A run is plain data — `{ shards, byzantine, epochs: [{ load, attacks, exit }] }` — so a
 * stored counterexample (SPEC §12) replays after the generators change; `arbitraries` live in
 * models/adversary-arbitraries.ts.
 *
 * Per epoch, `runAdversary` asserts (first failure throws `AdversaryFailure`):
 *   - `catalog`: every §9 step invariant on (S, record, next, stored inputs), and `record.replay`;
 *   - `adversary.twin`: the twin (same governance; same snapshots, or only the admitted one when
 *     the oracle attacks; honest validator; the attacked run's voters proposing their accepted
 *     actions with honest reports; the outcome and the bookkeeping imposed) has the same voters,
 *     and a committed epoch's root equals the twin's;
 *   - `adversary.incidents`: the attacked epoch's incidents are the twin's plus exactly the
 *     expected `(code, ea, shard)` of each attack that applied;
 *   - `adversary.response`: the response was carried out (halt, group halt, abort, safe mode,
 *     rejection);
 *   - `adversary.supplies`: CHR and FLX supplies equal the genesis supplies;
 *   - `ledger-model.votes` / `ledger-model.bookkeeping`: steps 12–13, the active set, the halts,
 *     violations, blacklists and mode agree with the independent model (models/ledger-model/,
 *     written from docs/spec.md); EA-11's rejection reason is the model's (models/ledger-model/oracle.ts);
 *   - `ledger.fatal`: the ledger refused to go on (an abort that breaks an invariant too);
 * and over the whole run `adversary.liveness`: at most `2·f·BLACKLIST_AFTER` aborted epochs (not
 * counting aborts where the network delayed honest votes, EA-13 `starve`) and
 * `f·BLACKLIST_AFTER` safe-mode entries (no reinstatements are generated, so r = 0).
 */
import { canonicalString, type Encodable } from '../../src/math/canonical.ts';
import { checkLedgerEpoch, checkRecordReplay } from '../../src/coherence/replay.ts';
import { quorumNeeded } from '../../src/coherence/step12.ts';
import { LedgerFatal } from '../../src/coherence/windows.ts';
import type { EpochEvent, EpochRecord } from '../../src/epoch/epoch-record.ts';
import { plantBug, PLANTED_BUGS, type PlantedBug } from '../../src/core/planted.ts';
import { expectedOracleReason } from '../ledger-model/oracle.ts';
import { ledgerModelFault } from '../ledger-model/check.ts';
import { type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { chrSupply, flxSupply, type State } from '../../src/economics/state.ts';
import { type AdversaryRun, type Attack, type Ea, PROPOSAL_EAS, expectedTriple, expectsIncident, type VoteMove } from './strategies.ts';
import { type Chain, adversaryChain } from './chain.ts';
import { AdversaryFailure, type AttackOutcome, type EpochReport, type RunReport, jsonOf, sortedKeys, triple, tripleKey } from './report.ts';
import { type AttackedEpoch, attackedEpoch } from './interpreter.ts';
import { snapshotDigestOf, twinOf } from './twin.ts';
import { type HistoryEntry, pauseShift } from './pause-shift.ts';


// ---------------------------------------------------------------------------------------------
// The interpreter with every assertion

/** One executed epoch of a run, without any assertion (the ledger property suites check what they name). */
export type RunEpoch = { readonly chain: Chain; readonly S: State; readonly prevRecord: EpochRecord | null; readonly e: AttackedEpoch };

/** Executes a run epoch by epoch and hands each epoch to `visit` (no checks). */
export function executeRun(run: AdversaryRun, visit: (x: RunEpoch) => void, chain: Chain = adversaryChain(run.shards)): void {
  let S = chain.S0;
  let prevRecord: EpochRecord | null = null;
  let lastAdmitted: SignedSnapshot | null = null;
  // A planted src/ bug is on for the whole run, the harness's checks included (they may share it).
  const bug = (PLANTED_BUGS as readonly string[]).includes(run.mutant ?? '') ? (run.mutant as PlantedBug) : null;
  plantBug(bug);
  try {
    for (const cmd of run.epochs) {
      const e = attackedEpoch(chain, S, cmd, lastAdmitted, run.mutant);
      visit({ chain, S, prevRecord, e });
      const admittedDigest = e.stage1.oracle.admitted?.digest;
      // Only a committed epoch moves last_oracle_epoch (an abort rolls step 1 back), so only then is
      // the admitted snapshot one that a later epoch can replay.
      if (admittedDigest !== undefined && e.out.record.outcome === 'commit') lastAdmitted = e.snapshots.find((x) => snapshotDigestOf(x) === admittedDigest) ?? lastAdmitted;
      prevRecord = e.out.record;
      S = e.out.state;
    }
  } finally {
    plantBug(null);
  }
}

/** Runs a whole adversary run, asserting every check of SPEC §8 epoch by epoch; throws AdversaryFailure. */
export function runAdversary(run: AdversaryRun, chainOverride?: Chain): RunReport {
  const chain = chainOverride ?? adversaryChain(run.shards);
  const { ctx } = chain;
  const H = ctx.topology.constants.halt_epochs;
  const B = ctx.topology.constants.blacklist_after;
  const f = BigInt(run.byzantine.length);
  if (f > chain.f) throw new Error(`adversary run: ${f} Byzantine shards among ${run.shards} (at most ${chain.f})`);
  for (const cmd of run.epochs) for (const a of cmd.attacks) if ('shard' in a && !run.byzantine.includes(a.shard)) throw new Error(`adversary run: shard ${a.shard} attacks but is not Byzantine`);
  const roots: string[] = [];
  const epochs: EpochReport[] = [];
  let aborted = 0n;
  let networkAborts = 0n;
  let safeModeEntries = 0n;
  /** The attack that entered safe mode (frozen epochs are its pause), when one attack alone did. */
  let safeCause: Ea | null = null;
  const history: HistoryEntry[] = [];
  const records: EpochRecord[] = [];
  const fail = (id: string, t: bigint, message: string, expected: unknown, actual: unknown): never => {
    throw new AdversaryFailure(id, t, message, jsonOf(expected), jsonOf(actual), [...roots]);
  };

  // The ledger refusing to go on (LedgerFatal: an abort that breaks an invariant too) is a failure of its epoch.
  let current = chain.S0.epoch + 1n;
  try {
  executeRun(run, ({ S, prevRecord, e }) => {
    const t = S.epoch + 1n;
    current = t + 1n;
    const { out } = e;
    const rec = out.record;
    const next = out.state;
    roots.push(rec.root);

    // The catalog (step 14 ran it too; this is the harness's own call) and record.replay.
    const broken = checkLedgerEpoch(ctx, S, rec, next, out.inputs, prevRecord);
    if (broken.length > 0) fail(broken[0]!.id, t, broken[0]!.message, broken[0]!.expected, broken[0]!.actual);
    const replay = checkRecordReplay(ctx, S, rec, out.inputs);
    if (replay !== null) fail('record.replay', t, replay.message, 'the same record bytes', 'different bytes');
    if (rec.incidents.some((i) => i.code === 'CIR-511' && i.ea === null && (i.evidence as { cause?: string }).cause === 'invariant')) {
      fail('catalog', t, 'step 14 turned a broken invariant into an abort', [], rec.incidents.map(triple));
    }

    // The twin.
    const twin = twinOf(chain, S, e);
    if (rec.outcome !== 'frozen') {
      if (canonicalString(twin.voters as unknown as Encodable) !== canonicalString(rec.voters as unknown as Encodable)) {
        fail('adversary.twin', t, "the twin's voters are not the attacked run's", rec.voters, twin.voters);
      }
      if (rec.outcome === 'commit' && twin.root !== rec.root) fail('adversary.twin', t, "the committed root is not the twin's", twin.root, rec.root);
    }

    // Steps 12–13, participation and the CIR bookkeeping against the independent ledger model.
    const modelFault = ledgerModelFault(chain, S, e.out);
    if (modelFault !== null) fail(modelFault.id, t, modelFault.message, modelFault.expected, modelFault.actual);

    // Incidents: the twin's plus exactly the expected ones.
    const expectedTriples = [...twin.triples, ...e.applied.filter((ap) => ap.applied && expectsIncident(ap.attack)).map((ap) => expectedTriple(ap.attack))];
    const want = sortedKeys(expectedTriples);
    const got = sortedKeys(rec.incidents.map(triple));
    if (canonicalString(want) !== canonicalString(got)) fail('adversary.incidents', t, "the incidents are not the twin's plus the expected ones", want, got);

    // Responses.
    const shardOf = (id: bigint) => S.shards.find((s) => s.id === id)!;
    const nextOf = (id: bigint) => next.shards.find((s) => s.id === id)!;
    for (const ap of e.applied) {
      if (!ap.applied) continue;
      const a = ap.attack;
      const [code] = expectedTriple(a);
      if ('shard' in a && expectsIncident(a) && (code === 'CIR-302' || code === 'CIR-412' || code === 'CIR-511')) {
        const before = shardOf(a.shard);
        const after = nextOf(a.shard);
        if (after.halted_until < t + H) fail('adversary.response', t, `${a.ea}: shard ${a.shard} is not halted until ${t + H}`, (t + H).toString(), after.halted_until.toString());
        if (after.violations !== before.violations + 1n) fail('adversary.response', t, `${a.ea}: shard ${a.shard} did not gain one violation`, (before.violations + 1n).toString(), after.violations.toString());
        if (after.violations >= B && !after.blacklisted) fail('adversary.response', t, `${a.ea}: shard ${a.shard} reached ${B} violations and is not blacklisted`, true, false);
        if (rec.voters.includes(a.shard) && PROPOSAL_EAS.includes(a.ea)) fail('adversary.response', t, `${a.ea}: the offender ${a.shard} is still a voter`, 'excluded', 'voter');
        if (code === 'CIR-412') {
          const group = ctx.genesis.groups.find((g) => g.includes(a.shard))!;
          for (const m of group) {
            if (m !== a.shard && nextOf(m).halted_until < t + 1n) fail('adversary.response', t, `${a.ea}: group-mate ${m} is not halted for epoch ${t + 1n}`, (t + 1n).toString(), nextOf(m).halted_until.toString());
          }
        }
      }
      if ((a.ea === 'EA-3' || a.ea === 'EA-10') && (rec.outcome !== 'abort' || next.mode !== 'safe')) {
        fail('adversary.response', t, `${a.ea}: not an abort into safe mode`, 'abort, safe', `${rec.outcome}, ${next.mode}`);
      }
      if ((a.ea === 'EA-4' || a.ea === 'EA-5') && rec.outcome !== 'abort') fail('adversary.response', t, `${a.ea}: the epoch was not aborted`, 'abort', rec.outcome);
      if (a.ea === 'EA-13') {
        // The vote does not count: a commit had a quorum without it; a no-quorum abort did not count it.
        const n = BigInt(rec.voters.length);
        if (rec.outcome === 'commit' && n - 1n < quorumNeeded(n)) fail('adversary.response', t, 'EA-13: the epoch committed although the capped vote was needed for the quorum', `< ${quorumNeeded(n)} other votes`, (n - 1n).toString());
        const nq = rec.events.find((x) => x.kind === 'no_quorum');
        if (nq !== undefined && nq.kind === 'no_quorum' && nq.votes > n - 1n) fail('adversary.response', t, 'EA-13: the capped vote was counted', `<= ${n - 1n}`, nq.votes.toString());
      }
      if (a.ea === 'EA-11') {
        const bad = e.snapshots.find((s) => canonicalString(s.snapshot as Encodable) === ap.badSnapshot)!;
        if (e.stage1.oracle.admitted?.digest === snapshotDigestOf(bad)) {
          fail('adversary.response', t, 'EA-11: the lying snapshot was admitted', 'rejected', 'admitted');
        }
        // The reason is part of what is asserted (models/ledger-model/oracle.ts, from the spec).
        const epoch = BigInt((bad.snapshot as { epoch: string }).epoch);
        const want = expectedOracleReason(epoch, t, ctx.topology.constants.oracle_window, S.last_oracle_epoch) ?? 'superseded';
        const got = rec.incidents.find((i) => i.ea === 'EA-11' && (i.evidence as { digest?: string }).digest === snapshotDigestOf(bad));
        const reason = (got?.evidence as { reason?: string } | undefined)?.reason ?? null;
        if (reason !== want) fail('adversary.response', t, `EA-11: the ${a.kind} snapshot's reason`, want, reason);
      }
      if (!expectsIncident(a) && 'shard' in a && rec.incidents.some((i) => i.shard === a.shard)) {
        fail('adversary.response', t, `${a.ea}: a report or stakes within the bound were flagged (shard ${a.shard})`, [], rec.incidents.filter((i) => i.shard === a.shard).map(triple));
      }
    }

    // Supplies.
    if (chrSupply(next) !== chain.chr) fail('adversary.supplies', t, 'CHR supply changed', chain.chr.toString(), chrSupply(next).toString());
    if (flxSupply(next) !== chain.flx) fail('adversary.supplies', t, 'FLX supply changed', chain.flx.toString(), flxSupply(next).toString());

    const entered = S.mode !== 'safe' && next.mode === 'safe';
    // An abort the network caused (honest votes delayed past the window) is outside §8's liveness bound.
    if (rec.outcome === 'abort' && e.delayed.length === 0) aborted++;
    if (e.delayed.length > 0) networkAborts++;
    if (entered) safeModeEntries++;
    // Pauses are attributed to an attack only when it was the one attack applied in its epoch
    // (an aborted epoch), or the one that entered safe mode (the frozen epochs that follow).
    const appliedHere = e.applied.filter((ap) => ap.applied);
    const sole = appliedHere.length === 1 ? appliedHere[0]!.attack.ea : null;
    // Detected = the expected observation was made: the attack's (code, ea, shard) is among the
    // record's incidents (EA-9 "under": no incident of its shard).
    const observed = new Set(rec.incidents.map((i) => tripleKey(triple(i))));
    const detectedBy = (a: Attack): boolean => (expectsIncident(a) ? observed.has(tripleKey(expectedTriple(a))) : 'shard' in a && !rec.incidents.some((i) => i.shard === a.shard));
    const attacks: AttackOutcome[] = e.applied.map((ap) => ({ ea: ap.attack.ea, applied: ap.applied, detected: ap.applied && detectedBy(ap.attack), paused: rec.outcome === 'abort' && sole === ap.attack.ea, epoch: t }));
    if (rec.outcome === 'frozen' && safeCause !== null) attacks.push({ ea: safeCause, applied: false, detected: false, paused: true, epoch: t });
    if (entered) safeCause = sole;
    if (next.mode !== 'safe') safeCause = null;
    const moves = e.moves.map((m) => ({ move: m.move.move, applied: m.applied, detected: m.applied && moveObserved(m.move, rec.events) }));
    epochs.push({ epoch: t, outcome: rec.outcome, root: rec.root, safeModeEntered: entered, attacks, moves });
    records.push(rec);
    history.push({
      before: S,
      after: next,
      snapshots: e.applied.some((ap) => ap.attack.ea === 'EA-11') ? e.snapshots.filter((x) => snapshotDigestOf(x) === e.stage1.oracle.admitted?.digest) : e.snapshots,
      actions: (out.publications.window2?.proposals ?? []).flatMap((p) => p.actions),
    });
  }, chain);
  } catch (err) {
    if (!(err instanceof LedgerFatal)) throw err;
    fail('ledger.fatal', current, err.message, [], err.violations.map((v) => v.id));
  }
  const last = history.at(-1)?.after.epoch ?? chain.S0.epoch;

  // Pause shifts (reported, not gated): for each epoch with an applied attack, when the run went on
  // for HALT_EPOCHS more epochs and did not start in safe mode.
  // Only windows with exactly one applied attack (at e, none after it) are measured, so that the
  // shift is that attack's.
  for (let i = 0; i + Number(H) < history.length; i++) {
    const h = history[i]!;
    const appliedAt = (j: number) => epochs[j]!.attacks.filter((a) => a.applied).length;
    if (h.before.mode === 'safe' || appliedAt(i) !== 1) continue;
    if (Array.from({ length: Number(H) }, (_, d) => appliedAt(i + 1 + d)).some((x) => x > 0)) continue;
    epochs[i]!.shift = pauseShift(chain, run.byzantine, history.slice(i, i + Number(H) + 1));
  }

  const bound = { aborts: 2n * f * B, safeMode: f * B };
  if (aborted > bound.aborts) fail('adversary.liveness', last, `${aborted} aborted epochs exceed 2·(f + r)·BLACKLIST_AFTER`, bound.aborts.toString(), aborted.toString());
  if (safeModeEntries > bound.safeMode) fail('adversary.liveness', last, `${safeModeEntries} safe-mode entries exceed (f + r)·BLACKLIST_AFTER`, bound.safeMode.toString(), safeModeEntries.toString());
  return { genesisHash: ctx.genesisHash, epochs, roots, start: chain.S0, steps: history.map((h, i) => ({ record: records[i]!, next: h.after })), aborted, networkAborts, safeModeEntries, bound };
}

/** The step-12 event a vote move must leave (withhold and duplicate: none of its shard). */
function moveObserved(m: VoteMove, events: readonly EpochEvent[]): boolean {
  const of = events.filter((x) => 'shard' in x && x.shard === m.shard);
  switch (m.move as VoteMove['move']) {
    case 'vote-anyway':
      return of.some((x) => x.kind === 'vote_rejected' && x.reason === 'not_voter');
    case 'equivocate':
      return of.some((x) => x.kind === 'vote_equivocation');
    case 'root-only':
      return of.some((x) => x.kind === 'vote_root_mismatch');
    case 'withhold':
    case 'duplicate':
      return of.length === 0;
    case 'forge':
      return events.some((x) => x.kind === 'vote_rejected' && x.reason === 'bad_signature');
  }
}
