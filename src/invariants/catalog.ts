/**
 * The §9 invariant catalog as data. A *step* invariant is a function of (genesis, previous state,
 * [previous record], the epoch's inputs, the epoch's record, the next state) that runs after every
 * epoch; it recomputes what it checks — the active set, the oracle's decision, the opening field,
 * the step-4 balances, flows, penalties and shares, the envelope, mints, budget, rewards, cuts and
 * payouts — from the previous state and the inputs, and never trusts the record's copies (the
 * record is what is being checked). *Commit* entries apply to committed epochs; on an aborted or
 * frozen epoch `ledger.atomic` takes their place. *Metamorphic* entries re-execute an epoch with
 * changed inputs; their checks live in the property suites.
 *
 * Adding an invariant is adding one entry to `INVARIANTS`: `checkStep`, the CLI (`qfs invariants`)
 * and every suite pick it up.
 */
import { QfsError } from '../core/errors.ts';
import type { EpochRecord } from '../epoch/epoch-record.ts';
import type { Genesis } from '../genesis/genesis.ts';
import type { State } from '../economics/state.ts';
import type { Topology } from '../field/topology.ts';
import type { StoredInputs } from '../epoch/epoch.ts';
import type { StoredLedgerInputs } from '../ledger/ledger-inputs.ts';
import type { CirCode, InvariantId } from '../core/vocabulary.ts';
import { atrAttractor, atrCoversStake, chrConserved, chrRebalance, flxConserved, psyMonotone, resEnvelope, stateNonnegative } from './supply-checks.ts';
import { flxFollowsGradient, flxKirchhoff } from './move-checks.ts';
import {
  actionsApplied,
  coherenceBounded,
  fieldCurlFree,
  haltFrozen,
  oracleAdmission,
  rewardCap,
  syncAgreement,
  treasuryExact,
  unstakeQueue,
} from './economy-checks.ts';
import { incidentBookkeepingCheck, incidentEvidence } from './incident-checks.ts';
import { ledgerAtomic, ledgerChain, ledgerQuorum, recordInputs, safeModeFrozen } from './ledger-checks.ts';
import type { StepArgs, StepCheck, Violation } from './step-check.ts';

/** Every catalog violation is answered by CIR-511 (SPEC §9). */
export type CatalogCir = Extract<CirCode, 'CIR-511'>;

export type StepInvariant = {
  readonly id: InvariantId;
  readonly kind: 'step';
  readonly commitOnly: boolean;
  readonly statement: string;
  readonly cir: CatalogCir;
  readonly check: StepCheck;
};
export type MetamorphicInvariant = {
  readonly id: InvariantId;
  readonly kind: 'metamorphic';
  readonly commitOnly: false;
  readonly statement: string;
  readonly cir: CatalogCir;
  /** Re-executes epochs with changed inputs: provided by the property suites named here. */
  readonly check: { readonly providedBy: 'property-suite'; readonly suites: readonly string[] };
};
export type Invariant = StepInvariant | MetamorphicInvariant;

const step = (id: InvariantId, commitOnly: boolean, statement: string, check: StepCheck): StepInvariant => ({
  id,
  kind: 'step',
  commitOnly,
  statement,
  cir: 'CIR-511',
  check,
});
const metamorphic = (id: InvariantId, statement: string, suites: readonly string[]): MetamorphicInvariant => ({
  id,
  kind: 'metamorphic',
  commitOnly: false,
  statement,
  cir: 'CIR-511',
  check: { providedBy: 'property-suite', suites },
});

/** Every invariant, in §9 order. */
export const INVARIANTS: readonly Invariant[] = [
  step('chr.conserved', false, 'CHR supply is constant (ΔCHR = 0)', chrConserved),
  step('chr.rebalance', true, 'per node, Δchr = s_i − p_i as recomputed; the pool keeps exactly P − Σ s_i', chrRebalance),
  step('flx.conserved', false, 'FLX supply is constant', flxConserved),
  step(
    'flx.kirchhoff',
    false,
    'every FLX change and every PSY transfer is a recorded move between two accounts (PSY mints are in psy_minted); per account and per shard, Δ equals the sum of its recorded moves and mints, exactly',
    flxKirchhoff,
  ),
  step('flx.follows-gradient', true, 'every field flow goes from lower to higher opening ψ and is at most |d_e|', flxFollowsGradient),
  step(
    'psy.monotone',
    false,
    'PSY supply never decreases; on a commit each node mints exactly mulDiv(ψ_i, PSY_RATE, SCALE) (or nothing, on psy_exhausted)',
    psyMonotone,
  ),
  step('atr.attractor', false, 'ATR supply does not fall in an epoch whose opening C rose above S.coherence', atrAttractor),
  step('res.envelope', true, 'Σres of the next state ≤ the cap of step 7, recomputed from the opening field', resEnvelope),
  metamorphic('reward.monotone', "raising one node's chr, atr or res, or lowering its dis, never lowers its reward", ['test/economy/holo-reward.test.ts']),
  step('reward.cap', true, 'every multiplier ≤ A_MAX; Σ rewards ≤ budget', rewardCap),
  step('treasury.exact', true, 'treasury paid = Σ node cuts + Σ user payouts; remainders stay in the treasury', treasuryExact),
  step(
    'sync.agreement',
    true,
    "the stored coherence is the ledger's C; every voter's report and their median lie within mulDiv(C, EPSILON_SYNC, SCALE) of it",
    syncAgreement,
  ),
  step('field.curl-free', false, "every voter's reported ψ and gradients equal the opening field (so every triangle's curl is 0)", fieldCurlFree),
  step('coherence.bounded', true, "no voter's stakes move its C_s by more than mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE)", coherenceBounded),
  step(
    'actions.applied',
    true,
    "the applied actions are exactly those of the voters' proposals, each once; each acting node's nonce is its last applied nonce",
    actionsApplied,
  ),
  step('halt.frozen', false, 'no node of an inactive shard is the acting node of an applied action, and its nonce does not change', haltFrozen),
  step('unstake.queue', true, "new queue entries are the voters' unstakes; an entry leaves iff C <= S.coherence and since < t", unstakeQueue),
  step(
    'oracle.admission',
    false,
    "on a commit, last_oracle_epoch changes iff step 1, recomputed, admits a snapshot, and then every listed node's dissonance equals the snapshot's value and every other node's is unchanged; on an abort neither changes",
    oracleAdmission,
  ),
  step(
    'incident.evidence',
    false,
    'every incident that names a shard is re-derived from the inputs and the opening field (the report or claim really differs): no honest shard is blamed',
    incidentEvidence,
  ),
  step(
    'incident.bookkeeping',
    false,
    'each shard gains at most one violation; halts, group halts, blacklists and the mode follow the incidents, and reinstatements and rotations follow the governance records',
    incidentBookkeepingCheck,
  ),
  step('state.nonnegative', false, 'every balance ≥ 0 and in range', stateNonnegative),
  step(
    'ledger.atomic',
    false,
    'an aborted or frozen epoch changes no balance, supply, nonce, queue, dissonance, coherence or last_oracle_epoch — only the epoch number, the governance effects and the incident bookkeeping',
    ledgerAtomic,
  ),
  metamorphic('ledger.deterministic', 'same inputs → same root; permuting the order in which actions, proposals, votes and snapshots arrive → same root', [
    'test/epoch/honest-epoch.test.ts',
    'properties/ledger.test.ts',
  ]),
  step('ledger.quorum', false, 'a committed epoch has at least max(1, floorDiv(2n + 2, 3)) votes equal to the committed candidate, n = its voters', ledgerQuorum),
  step('ledger.chain', false, "every record's prev_root is the previous record's root", ledgerChain),
  step('record.inputs', false, '`inputs_hash` is the hash of the stored inputs', recordInputs),
  metamorphic('record.replay', "re-executing an epoch's stored inputs reproduces its record byte for byte", ['properties/ledger.test.ts', 'properties/economy.model.test.ts', 'test/store/store.test.ts']),
  step('safe-mode.frozen', false, 'in safe mode no balance changes until a valid exit record', safeModeFrozen),
  step('atr.covers-stake', false, "every node's atr − stake is unchanged by an epoch (so atr >= stake holds for ever)", atrCoversStake),
];

/** §9 entries not in the catalog yet (none: `record.inputs` and `record.replay` joined with the ledger). */
export const LEDGER_PENDING: readonly string[] = [];

export type StepViolation = Violation & { readonly id: string };

export type CheckContext = { readonly genesis: Genesis; readonly genesisHash: string; readonly topology: Topology };

/**
 * Runs every applicable step invariant (commit-only ones on a commit only) and returns the
 * violations, in catalog order. A check that cannot even run (a record too broken to read) is a
 * violation of that invariant.
 */
export function checkStep(
  ctx: CheckContext,
  prev: State,
  record: EpochRecord,
  next: State,
  inputs: StoredInputs,
  prevRecord: EpochRecord | null = null,
): StepViolation[] {
  return runCatalog(INVARIANTS, { genesis: ctx.genesis, genesisHash: ctx.genesisHash, topology: ctx.topology, prev, prevRecord, record, next, inputs });
}

/**
 * Runs the applicable step entries of `catalog` (INVARIANTS; a test passes its own) in order. A
 * coded error (QfsError: a value outside the canonical subset, a MathViolation) means the record or
 * state cannot be read, a violation; any other throw is a bug in the check and propagates.
 */
export function runCatalog(catalog: readonly Invariant[], args: StepArgs): StepViolation[] {
  const record = args.record;
  const out: StepViolation[] = [];
  for (const inv of catalog) {
    if (inv.kind !== 'step' || (inv.commitOnly && record.outcome !== 'commit')) continue;
    let v: Violation | null;
    try {
      v = inv.check(args);
    } catch (e) {
      if (!(e instanceof QfsError)) throw e;
      v = { message: `the check could not run: ${e.message}`, expected: 'a record and state it can read', actual: String(e) };
    }
    if (v !== null) out.push({ id: inv.id, ...v });
  }
  return out;
}

/** The view of a ledger epoch that step 14 (and the store) checks: P6.7's view of the voters' proposals, and the stored inputs (P10.6, or a recovery epoch's P10.9). */
export type LedgerStepView = { readonly inputs: StoredInputs; readonly ledger: StoredLedgerInputs };

/** `checkStep` for an epoch decided by the ledger: step 0 from the stored governance records, steps 3 and 12 from the stored messages. */
export function checkLedgerStep(ctx: CheckContext, prev: State, record: EpochRecord, next: State, view: LedgerStepView, prevRecord: EpochRecord | null = null): StepViolation[] {
  return runCatalog(INVARIANTS, { genesis: ctx.genesis, genesisHash: ctx.genesisHash, topology: ctx.topology, prev, prevRecord, record, next, inputs: view.inputs, ledger: view.ledger });
}

/** The catalog as data for listing (`qfs invariants --json`). */
export const catalogListing = (): { id: string; kind: string; commit_only: boolean; statement: string; cir: string; check: string }[] =>
  INVARIANTS.map((i) => ({
    id: i.id,
    kind: i.kind,
    commit_only: i.commitOnly,
    statement: i.statement,
    cir: i.cir,
    check: i.kind === 'step' ? 'step' : `property-suite: ${i.check.suites.join(', ')}`,
  }));

