/** epochs.json: §6 whole honest epochs, chained, with a check that the chains cover what the brief promises. */
import { type Vectors } from './common.ts';
import { boundsChain, defaultChain, exampleChain, frozenChain, haltedChain, lowCoherenceChain, noQuorumChain, psyExhaustedChain, singleChain, triangleChain } from './epoch-chains.ts';
import { GENESES_TEXT, genesesUsed } from './fixtures.ts';

export function epochVectors(): Vectors {
  const results = [
    exampleChain(),
    triangleChain(),
    haltedChain(),
    frozenChain(),
    noQuorumChain(),
    psyExhaustedChain(),
    singleChain(),
    boundsChain(),
    lowCoherenceChain(),
    defaultChain(),
  ];
  // Coverage: what the brief promises is really in the vectors (so a change in src cannot quietly drop it).
  const records = results.flatMap((r) => r.records);
  const need = (what: string, have: Iterable<string>, want: readonly string[]) => {
    const got = new Set(have);
    const missing = want.filter((w) => !got.has(w));
    if (missing.length > 0) throw new Error(`vectors: epochs.json covers no ${what} ${missing.join(', ')}`);
  };
  need('EA-11 reason', records.flatMap((r) => r.incidents.flatMap((i) => (i.ea === 'EA-11' ? [i.evidence.reason] : []))), ['malformed', 'bad_signature', 'future', 'stale', 'replayed', 'superseded']);
  need('incident', records.flatMap((r) => r.incidents.flatMap((i) => (i.ea === null ? [] : [i.ea]))), ['EA-11', 'EA-12']);
  need('event', records.flatMap((r) => r.events.map((e) => e.kind)), ['oracle_admitted', 'validator_malformed', 'psy_exhausted', 'no_quorum']);
  need('move kind', records.flatMap((r) => r.moves.map((m) => m.kind)), ['transfer', 'stake', 'psy_transfer', 'unstake', 'flow', 'cut', 'payout']);
  need('outcome', records.map((r) => r.outcome), ['commit', 'abort', 'frozen']);
  need('refusal code', results.flatMap((r) => r.refusalCodes), ['malformed', 'unknown_node', 'wrong_shard', 'self_transfer', 'non_positive_amount', 'nonce_conflict', 'bad_nonce', 'overdraft', 'coherence_divergence']);
  if (!results.some((r) => r.queueKept > 0) || !results.some((r) => r.queueReleased > 0)) throw new Error('vectors: epochs.json needs a queue kept (C rose) and a queue released');
  return {
    format: 'qfs-vectors/1',
    section: '§6 whole honest epochs (P6): stored inputs (P6.7) → record hash, next state root; small chains carry the full record and state',
    conventions:
      `${GENESES_TEXT} A chain starts from the state at epoch 0 of its genesis with start_patch applied to its JSON form (start_root is its root); ` +
      'each epoch then runs on the previous epoch\'s next state. inputs is the stored inputs document of P6.7 (snapshot signatures are real ML-DSA-87 signatures: by the development oracle key, or by founder-0 for a bad signature); ' +
      'replaying it gives the record (inputs_hash = SHA-256 of its canonical bytes, record_hash = H("qfs/v13/epoch", record), root = the next state\'s root). ' +
      'submitted is what each shard\'s nodes submitted to the honest agent ({ shard, actions } in any order; an inactive shard\'s submissions are not read) and refusals the agent\'s refusals { shard, code, digest } in the agent\'s order (P6.8–P6.9): ' +
      'running the honest agent of every active shard on them reproduces inputs.proposals. record and state (small chains only) are the full JSON for diffing.',
    decisions: [
      'Where the spec text leaves a choice open, these vectors take (and pin) this one:',
      'abort with no voter (P6.10): sync.c is C of the opening field, i.e. with the admitted snapshot\'s dissonance although the admission is then discarded; EA-11/EA-12 incidents and the oracle_admitted event are kept; active is the active set, c_shards and sync.reports are empty, sync.median null.',
      'frozen: the inputs document is { epoch, snapshots: [], validator: null, proposals: [] } whatever arrived (step 0: nothing is read or stored).',
      'inputs.snapshots keeps copies whose signature fails and snapshots that are rejected; a failing copy of a digest that another copy signs raises nothing.',
      'last_oracle_epoch starts at 0, so a snapshot of epoch 0 is never admitted (replayed while inside the window, stale after).',
      'a snapshot epoch outside [0, 2^63) (P6.6) is malformed (evidence epoch null), not future.',
      'the digest of validator_malformed and of EA-12 evidence is H("qfs/v13/validator", answer).',
      'an inactive shard runs no agent: its submissions are neither proposed nor refused. A voter with no node proposes (empty lists, sync = C) and refuses what is submitted to it as wrong_shard.',
      'a nonce taken in an earlier epoch (<= S.nonce) is bad_nonce; nonce_conflict is a nonce already taken in this epoch (a second copy of a taken action included).',
      'the agent\'s EA-9 test is cumulative over the stakes it already took, in (acting node, nonce, digest) order; a move of exactly the bound is taken. EA-9 and c_shards use the dissonance after step 1.',
      'on psy_exhausted, psy_minted lists every node with 0.',
    ],
    geneses: genesesUsed(results.map((r) => (r.chain as { genesis: string }).genesis)),
    chains: results.map((r) => r.chain),
  };
}
