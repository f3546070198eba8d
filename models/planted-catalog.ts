/**
 * The planted-bug catalog (issue 19): realistic bugs kept as data, each with the property that
 * must kill it on its own. `first-proposal-wins` is applied by the harness (it filters what the
 * ledger reads); every other one is a `planted('…')` branch at its site in src/ (src/core/planted.ts),
 * switched on only for the run that executes it. test/adversary/planted-catalog.test.ts runs each
 * bug against its property alone (default runs, stopping at the first failure) and prints the kill
 * table: bug, property, invariant that failed, shrunk commands, seconds.
 */
import type { Mutant } from './adversary.ts';

export type PlantedEntry = { readonly bug: Mutant; readonly area: 'ledger' | 'votes' | 'recovery' | 'oracle' | 'validator' | 'economy'; readonly site: string; readonly property: string };

const e = (bug: Mutant, area: PlantedEntry['area'], site: string, ea: string): PlantedEntry => ({ bug, area, site, property: `adversary.${ea}` });

export const PLANTED_CATALOG: readonly PlantedEntry[] = [
  e('first-proposal-wins', 'ledger', 'window 2 reads only the first proposal of a shard', 'EA-8'),
  e('non-voter-vote-counted', 'votes', 'step 12: not_voter check, tally over every signed vote', 'EA-1'),
  e('capped-vote-counted', 'votes', 'step 12: an EA-13 vote counted', 'EA-13'),
  e('ea1-gradient-unchecked', 'ledger', 'step 3 EA-1: gradients not compared', 'EA-1'),
  e('ea9-bound-doubled', 'economy', 'P6.2 divergenceBound ×2', 'EA-9'),
  e('quorum-one-short', 'votes', 'step 13: quorumNeeded − 1', 'EA-13'),
  e('equivocation-first-counted', 'votes', 'step 12: two votes of a voter, first judged', 'EA-13'),
  e('root-unchecked', 'votes', 'step 12: root not compared', 'EA-13'),
  e('ea13-aborts', 'votes', 'step 12: EA-13 gets CIR-302', 'EA-13'),
  e('ea7-unchecked', 'ledger', 'step 3 EA-7: no curl check', 'EA-7'),
  e('no-group-halt', 'recovery', 'step 3: CIR-412 without group halt', 'EA-2'),
  e('halt-one-short', 'recovery', '§7 bookkeeping: halt t + H − 1', 'EA-1'),
  e('violation-uncounted', 'recovery', '§7 bookkeeping: violations not incremented', 'EA-1'),
  e('overdraft-unchecked', 'economy', 'step 3 EA-6: no overdraft rule', 'EA-6'),
  e('nonce-unchecked', 'economy', 'step 3 EA-6: no nonce rules', 'EA-6'),
  e('stale-off-by-one', 'oracle', 'step 1: window + 1', 'EA-11'),
  e('future-admitted', 'oracle', 'step 1: future snapshots admitted', 'EA-11'),
  e('replay-admitted', 'oracle', 'step 1: replayed snapshots admitted', 'EA-11'),
  e('validator-ignored', 'validator', 'step 2: answer never compared', 'EA-12'),
  e('offender-votes', 'ledger', 'step 3: offenders stay voters', 'EA-2'),
  e('ea2-bound-halved', 'ledger', 'step 3 EA-2: ε_sync tolerance halved', 'EA-2'),
  e('ea2-unchecked', 'ledger', 'step 3 EA-2: sync not checked', 'EA-2'),
  e('ea1-psi-unchecked', 'ledger', 'step 3 EA-1: ψ not compared', 'EA-1'),
  e('foreign-action-accepted', 'economy', 'step 3 EA-6: wrong_shard not checked', 'EA-6'),
  e('zero-amount-accepted', 'economy', 'step 3 EA-6: non_positive_amount not checked', 'EA-6'),
  e('validator-first-node-only', 'validator', "step 2: only node 0's ψ compared", 'EA-12'),
  e('vote-302-no-abort', 'votes', 'step 12: EA-4/EA-5 do not abort', 'EA-5'),
  e('voter-511-no-safe-mode', 'recovery', '§7: EA-3/EA-10 do not enter safe mode', 'EA-10'),
  e('oracle-oldest-wins', 'oracle', 'step 1: lowest epoch admitted', 'EA-11'),
  e('vote-signature-unchecked', 'votes', 'step 12: signatures not verified', 'EA-13'),
];
