/** Byzantine strategies as data (SPEC §8): attacks, epoch commands, planted bugs, the expected incident of each attack. */
import { EA_IDS, EA_TABLE, type EaId } from '../../src/core/vocabulary.ts';
import { PLANTED_BUGS } from '../../src/core/planted.ts';
import { type Triple } from './report.ts';

// ---------------------------------------------------------------------------------------------
// Strategies as data

export const EAS = EA_IDS;
export type Ea = EaId;

export type ShardAttack =
  /** `report`: lie about a ψ of one of its nodes, or about a gradient of an owned edge (§8: "ψ or gradient"; absent = ψ). */
  | { readonly ea: 'EA-1'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint; readonly report?: 'psi' | 'gradient' }
  /** `inside`: a report exactly at the ε_sync tolerance (|sync − C| = bound), which must not be flagged. */
  | { readonly ea: 'EA-2'; readonly shard: bigint; readonly below: boolean; readonly delta: bigint; readonly inside?: boolean }
  | { readonly ea: 'EA-3'; readonly shard: bigint; readonly field: 'payouts' | 'flx_delta'; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-4'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-5'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-6'; readonly shard: bigint; readonly flaw: 'zero' | 'overdraft' | 'foreign' | 'nonce'; readonly pick: bigint }
  | { readonly ea: 'EA-7'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-8'; readonly shard: bigint; readonly delta: bigint }
  /**
   * `side` "over": stakes that move C_s just beyond EA-9's bound (absent = all-in stakes until it
   * diverges); "under": stakes that move it as far as the bound allows, which must not be flagged.
   * Both are computed by models/ledger-model/coherence.ts from docs/spec.md, not by src/.
   */
  | { readonly ea: 'EA-9'; readonly shard: bigint; readonly side?: 'over' | 'under' }
  | { readonly ea: 'EA-10'; readonly shard: bigint; readonly side: 'in' | 'out'; readonly delta: bigint }
  /**
   * `starve`: the network delays just enough of the other voters' votes past window 3 that the
   * capped vote would decide the quorum (so "it does not count" bites at any number of voters).
   */
  | { readonly ea: 'EA-13'; readonly shard: bigint; readonly field: 'multipliers' | 'rewards' | 'psy_minted'; readonly pick: bigint; readonly delta: bigint; readonly starve?: boolean };

export type OracleAttack = { readonly ea: 'EA-11'; readonly kind: 'stale' | 'future' | 'replayed' | 'superseded'; readonly delta: bigint };
export type ValidatorAttack = { readonly ea: 'EA-12'; readonly pick: bigint; readonly delta: bigint };
export type Attack = ShardAttack | OracleAttack | ValidatorAttack;

/** One epoch of a run: the honest load's seed, the attacks, and whether the founders exit safe mode (if in it). */
export type EpochCommand = {
  readonly load: bigint;
  readonly attacks: readonly Attack[];
  readonly exit: boolean;
  /** The founders who sign the exit record (default: founders 0 and 1, the threshold M = 2 of the built-in chains). */
  readonly exit_founders?: readonly bigint[];
  /** The oracle sends no snapshot this epoch (absent = it sends the load's). */
  readonly silent_oracle?: boolean;
  /** Byzantine vote behaviour that is not an EA of its own (step 12 events, the quorum count). */
  readonly moves?: readonly VoteMove[];
};

/**
 * What else a Byzantine shard may do in window 3 (§6 step 12): vote although it is not a voter
 * (halted, blacklisted, inactive, or an offender of step 3) with the candidate's root or another;
 * withhold its vote; send its vote twice (copies merge); equivocate (two distinct votes); vote for
 * another root with the right claims; forge a vote in an honest voter's name. A shard's vote attack of the same epoch goes first: a move
 * applies only when the shard's vote is otherwise honest.
 */
export type VoteMove =
  | { readonly move: 'vote-anyway'; readonly shard: bigint; readonly root: 'candidate' | 'other' }
  | { readonly move: 'withhold'; readonly shard: bigint }
  | { readonly move: 'duplicate'; readonly shard: bigint }
  | { readonly move: 'equivocate'; readonly shard: bigint; readonly delta: bigint }
  | { readonly move: 'root-only'; readonly shard: bigint }
  /** A vote in an honest voter's name (another root), signed with the Byzantine shard's own key. */
  | { readonly move: 'forge'; readonly shard: bigint; readonly pick: bigint };
export const VOTE_MOVES = ['vote-anyway', 'withhold', 'duplicate', 'equivocate', 'root-only', 'forge'] as const;
/**
 * Planted bugs the harness can run the ledger with (to show that it catches them): the harness's
 * own (`first-proposal-wins`, applied by the interpreter) and src/core/planted.ts's, switched on
 * around the run.
 */
export const MUTANTS = ['first-proposal-wins', ...PLANTED_BUGS] as const;
export type Mutant = (typeof MUTANTS)[number];
export type AdversaryRun = { readonly shards: bigint; readonly byzantine: readonly bigint[]; readonly epochs: readonly EpochCommand[]; readonly mutant?: Mutant };

export const PROPOSAL_EAS: readonly Ea[] = ['EA-1', 'EA-2', 'EA-6', 'EA-7', 'EA-8', 'EA-9'];
export const VOTE_EAS: readonly Ea[] = ['EA-3', 'EA-4', 'EA-5', 'EA-10', 'EA-13'];

/** The `(code, ea, shard)` an applied attack must add (SPEC §7, §8). */
export function expectedTriple(a: Attack): Triple {
  switch (a.ea) {
    case 'EA-1':
    case 'EA-4':
    case 'EA-5':
    case 'EA-6':
    case 'EA-9':
      return ['CIR-302', a.ea, a.shard];
    case 'EA-2':
    case 'EA-7':
    case 'EA-8':
      return ['CIR-412', a.ea, a.shard];
    case 'EA-3':
    case 'EA-10':
      return ['CIR-511', a.ea, a.shard];
    case 'EA-13':
      return [null, 'EA-13', a.shard];
    case 'EA-11':
    case 'EA-12':
      return [null, a.ea, null];
  }
}

/** Whether an applied attack must add its incident (EA-9 "under" and EA-2 "inside" probe a bound from inside: none). */
export const expectsIncident = (a: Attack): boolean => !(a.ea === 'EA-9' && a.side === 'under') && !(a.ea === 'EA-2' && a.inside === true);

/** SPEC §8's response column, as reports print it (src/core/vocabulary.ts). */
export const EXPECTED_RESPONSE: Readonly<Record<Ea, string>> = Object.fromEntries(EA_IDS.map((ea) => [ea, EA_TABLE[ea].response])) as Record<Ea, string>;
