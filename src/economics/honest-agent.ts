/**
 * The honest shard agent (SPEC §6): from S, the publication of window 1 (the opening field and the
 * active set) and the actions its nodes submitted, it computes its proposal, and it never proposes
 * an action that step 3 would refuse. It takes the submitted actions in (acting node, nonce, digest)
 * order and refuses, with a stable code and no effect, each one that would break a step-3 rule
 * given those it already took (`action-rules.ts`, codes in check order). So arrival order never
 * matters, and a refused action consumes no nonce.
 *
 * Pins: a submitted value with no canonical form is dropped (it cannot have been received: §6
 * "bytes that do not parse as a canonical value are dropped on receipt"); submissions are not
 * deduplicated (a second copy of a taken action is a `nonce_conflict`); malformed actions are
 * refused first, in digest order, then the others in (acting node, nonce, digest) order. Refusals
 * are values, returned to the caller; they are not inputs of the ledger and not in the record.
 */
import { match } from 'ts-pattern';
import type { Json } from '../math/canonical.ts';
import { actionDigestOrUndefined, readAction, ShardTally, compareActions, type ActionBasis, type ActionCode, type StakeCoherence } from './action-rules.ts';
import type { Action, NodeValue } from './harmonic-economics.ts';
import type { Epoch, ShardId } from '../core/units.ts';

export type Refusal = { readonly code: ActionCode; readonly digest: string; readonly action: Json };

export type AgentChoice = {
  readonly shard: ShardId;
  /** The actions taken, in (acting node, nonce, digest) order: the proposal's `actions`. */
  readonly taken: readonly Action[];
  readonly refusals: readonly Refusal[];
  /** EA-9's values of the taken stakes (the record's `c_shards` entry if the shard votes). */
  readonly coherence: StakeCoherence;
};

/** The honest agent's choice among the actions its nodes submitted (any order, possibly invalid). */
export function chooseActions(basis: ActionBasis, shard: bigint, submitted: readonly Json[]): AgentChoice {
  const malformed: Refusal[] = [];
  const readable: { action: Action; digest: string; json: Json }[] = [];
  for (const json of submitted) {
    const digest = actionDigestOrUndefined(json);
    if (digest === undefined) continue;
    const read = readAction(json);
    if (read.ok) readable.push({ action: read.value, digest, json });
    else malformed.push({ code: 'malformed', digest, action: json });
  }
  malformed.sort((x, y) => (x.digest < y.digest ? -1 : x.digest > y.digest ? 1 : 0));
  readable.sort(compareActions);
  const tally = new ShardTally(basis, shard);
  const refusals: Refusal[] = [...malformed];
  for (const r of readable) {
    const code = tally.judge(r.action);
    if (code === null) tally.take(r.action);
    else refusals.push({ code, digest: r.digest, action: r.json });
  }
  return { shard, taken: [...tally.taken], refusals, coherence: tally.coherence() };
}

/** A one-line explanation of a refusal code (every code handled: ts-pattern checks exhaustiveness). */
export const explainRefusal = (code: ActionCode): string =>
  match(code)
    .with('malformed', () => 'the action breaks its schema (keys, types, §1 ranges, kind)')
    .with('unknown_node', () => 'the acting node or `to` names no node')
    .with('wrong_shard', () => "the acting node, or a psy_transfer's `to`, is not the shard's")
    .with('self_transfer', () => '`to` is the acting node')
    .with('non_positive_amount', () => 'the amount is 0')
    .with('nonce_conflict', () => 'another action of the node with that nonce was taken')
    .with('bad_nonce', () => "the nonce is not the node's next")
    .with('overdraft', () => "the node's actions would spend more than its balance in S")
    .with('coherence_divergence', () => "the stakes would move the shard's C_s beyond the EA-9 bound")
    .exhaustive();

/** The honest proposal's reports (§6): ψ of each node of the shard, the gradients of its owned edges, sync = C. */
export type Reports = {
  readonly psi: readonly NodeValue[];
  readonly gradients: readonly { readonly a: bigint; readonly b: bigint; readonly value: bigint }[];
  readonly sync: bigint;
};

/** The body of a proposal (§6; the ledger signs it with the shard key, tag `qfs/v13/proposal`). */
export type ProposalBody = {
  readonly epoch: Epoch;
  readonly shard: ShardId;
  readonly prev_root: string;
  readonly actions: readonly Action[];
  readonly reports: Reports;
};

/** The honest reports of a shard: exactly the opening field. */
export function honestReports(basis: ActionBasis, shard: bigint): Reports {
  const topo = basis.topology;
  const s = topo.shardIndex.get(shard)!;
  const psi = topo.shardNodes[s]!.map((i) => ({ node: topo.nodeIds[i]!, value: basis.field.psi[i]! }));
  const gradients: { a: bigint; b: bigint; value: bigint }[] = [];
  for (let e = 0; e < topo.edgeA.length; e++) {
    const a = topo.edgeA[e]!;
    if (topo.nodeShard[a] !== s) continue;
    gradients.push({ a: topo.nodeIds[a]!, b: topo.nodeIds[topo.edgeB[e]!]!, value: basis.field.gradients[e]! });
  }
  return { psi, gradients, sync: basis.field.c };
}

/** The honest proposal of a shard for epoch t. */
export const honestProposal = (basis: ActionBasis, choice: AgentChoice, t: bigint, prevRoot: string): ProposalBody => ({
  epoch: t,
  shard: choice.shard,
  prev_root: prevRoot,
  actions: choice.taken,
  reports: honestReports(basis, choice.shard),
});
