/**
 * Step 12 of the ledger (docs/spec.md P10.5): each distinct vote is read and checked (events for
 * the ones that fail), a voter with two or more valid votes equivocates, and a single vote is
 * compared claim by claim with the candidate (an incident per mismatching voter, the matching
 * votes counted for step 13's quorum, `quorumNeeded`).
 */
import { match } from 'ts-pattern';
import { floorDiv, max } from '../math/certified-math.ts';
import type { EpochContext } from '../epoch/epoch.ts';
import type { ClaimMismatch, LedgerEvent, VoteIncident } from '../epoch/epoch-record.ts';
import type { SignedEntry } from '../ledger/ledger-inputs.ts';
import type { Offender } from '../ledger/system-recovery.ts';
import { CLAIM_FIELDS, eaOfClaimField, readVote, type VoteBody } from '../ledger/vote.ts';
import { byShardDigest, sameBytes, shardKey, signedBy } from './messages.ts';
import type { Candidate } from './windows.ts';
import { planted } from '../core/planted.ts';

export type Step12Event = Extract<LedgerEvent, { readonly kind: 'vote_rejected' | 'vote_equivocation' | 'vote_root_mismatch' }>;

/** A vote that passed the message checks, by digest. */
type ValidVote = { readonly digest: string; readonly body: VoteBody };

/** The quorum of step 13: `max(1, floorDiv(2n + 2, 3))` matching votes, n = the voters. */
export const quorumNeeded = (n: bigint): bigint => max(1n, floorDiv(2n * n + 2n, 3n) - (planted('quorum-one-short') ? 1n : 0n));

/** The step-12 judgement of one vote against the candidate. */
export function compareVote(candidate: Candidate, vote: VoteBody): { readonly fields: ClaimMismatch[]; readonly rootMatches: boolean } {
  const computed = candidate.claims.get(vote.shard)!;
  const fields: ClaimMismatch[] = [];
  for (const f of CLAIM_FIELDS) {
    if (!sameBytes(vote.claims[f], computed[f])) fields.push({ field: f, claimed: vote.claims[f], computed: computed[f] });
  }
  return { fields, rootMatches: vote.root === candidate.root };
}

/** The incident of a mismatching vote: the first mismatched field decides the EA and the response. */
function voteIncident(shard: bigint, digest: string, vote: VoteBody, root: string, fields: ClaimMismatch[]): VoteIncident {
  const ea = eaOfClaimField(fields[0]!.field);
  const base = { claimed_root: vote.root, root, fields };
  return match(ea)
    .with('EA-10', 'EA-3', (ea): VoteIncident => ({ code: 'CIR-511', ea, shard, evidence: { vote: digest, response: 'safe_mode', ...base } }))
    .with('EA-5', 'EA-4', (ea): VoteIncident => ({ code: 'CIR-302', ea, shard, evidence: { vote: digest, response: 'abort', ...base } }))
    .with('EA-13', (ea): VoteIncident => ({ code: planted('ea13-aborts') ? ('CIR-302' as never) : null, ea, shard, evidence: { vote: digest, response: 'reward_capped', ...base } }))
    .exhaustive();
}

/** The message checks, each distinct vote in digest order: `malformed`, `wrong_epoch`, `not_voter`, `bad_signature`. */
function readVotes(ctx: EpochContext, t: bigint, voters: readonly bigint[], entries: readonly SignedEntry[]): { events: Step12Event[]; valid: Map<bigint, ValidVote[]> } {
  const events: Step12Event[] = [];
  const valid = new Map<bigint, ValidVote[]>();
  for (const e of entries) {
    const read = readVote(e.message, ctx.topology);
    if (!read.ok) {
      events.push({ kind: 'vote_rejected', digest: e.digest, shard: null, reason: 'malformed' });
      continue;
    }
    const body = read.value;
    if (body.epoch !== t) {
      events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason: 'wrong_epoch' });
      continue;
    }
    if (!voters.includes(body.shard) && !planted('non-voter-vote-counted')) {
      events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason: 'not_voter' });
      continue;
    }
    if (!planted('vote-signature-unchecked') && !signedBy('qfs/v13/vote', e.digest, e.signatures, shardKey(ctx, body.shard))) {
      events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason: 'bad_signature' });
      continue;
    }
    valid.set(body.shard, [...(valid.get(body.shard) ?? []), { digest: e.digest, body }]);
  }
  return { events, valid };
}

export type Step12 = {
  /** Sorted by (shard, digest), a null shard first (`vote_equivocation` by its first digest). */
  readonly events: readonly Step12Event[];
  readonly incidents: readonly VoteIncident[];
  /** The voters whose incident has a code (the CIR-302 bookkeeping). */
  readonly offenders: readonly Offender[];
  /** The votes that match the candidate. */
  readonly matching: bigint;
};

/** Step 12 over the epoch's vote entries; with no candidate, votes are checked up to equivocation but not compared. */
export function step12(ctx: EpochContext, t: bigint, voters: readonly bigint[], entries: readonly SignedEntry[], candidate: Candidate | null): Step12 {
  const { events, valid } = readVotes(ctx, t, voters, entries);
  const incidents: VoteIncident[] = [];
  const offenders: Offender[] = [];
  let matching = 0n;
  for (const shard of voters) {
    const vs = valid.get(shard) ?? [];
    if (vs.length === 0) continue;
    if (vs.length >= 2 && !planted('equivocation-first-counted')) {
      events.push({ kind: 'vote_equivocation', shard, votes: vs.map((x) => x.digest) });
      continue;
    }
    if (candidate === null) continue;
    const { digest, body } = vs[0]!;
    const cmp = compareVote(candidate, body);
    if (cmp.fields.length > 0) {
      const incident = voteIncident(shard, digest, body, candidate.root, cmp.fields);
      incidents.push(incident);
      if (incident.code !== null) offenders.push({ shard, groupHalt: false });
      else if (planted('capped-vote-counted')) matching += 1n;
    } else if (!cmp.rootMatches && !planted('root-unchecked')) events.push({ kind: 'vote_root_mismatch', digest, shard });
    else matching += 1n;
  }
  if (planted('non-voter-vote-counted')) {
    for (const [shard, vs] of valid) if (!voters.includes(shard) && vs.length === 1 && vs[0]!.body.root === candidate?.root) matching += 1n;
  }
  byShardDigest(events, (e) => (e.kind === 'vote_equivocation' ? e.votes[0]! : e.digest));
  return { events, incidents, offenders, matching };
}
