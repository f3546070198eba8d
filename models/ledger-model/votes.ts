/**
 * Steps 12 and 13 written from docs/spec.md (§6 steps 12–13, P10.5, P10.8) without
 * src/coherence: each distinct stored vote is judged (malformed, wrong_epoch, not_voter,
 * bad_signature), voters with two votes equivocate, the rest are compared field by field with the
 * candidate's claims, and the matching ones are counted against max(1, floorDiv(2n + 2, 3)).
 * It reads the vote schema (src/ledger/vote.ts `readVote`), canonical bytes and signature
 * verification only; the voters and the candidate come from the caller.
 */
import { canonicalString, type Encodable } from '../../src/math/canonical.ts';
import type { EpochEvent, Incident } from '../../src/epoch/epoch-record.ts';
import type { LedgerInputs } from '../../src/ledger/ledger-inputs.ts';
import { fromHex } from '../../src/math/hashing.ts';
import { verifyDigest } from '../../src/math/signatures.ts';
import type { Topology } from '../../src/field/topology.ts';
import { readVote, type Claims, type VoteBody } from '../../src/ledger/vote.ts';

/** P10.5's field order and the EA each field answers to (§6 step 12). */
const FIELDS = [
  ['cross_in', 'EA-10'],
  ['cross_out', 'EA-10'],
  ['payouts', 'EA-3'],
  ['flx_delta', 'EA-3'],
  ['chr_delta', 'EA-5'],
  ['res', 'EA-4'],
  ['multipliers', 'EA-13'],
  ['rewards', 'EA-13'],
  ['psy_minted', 'EA-13'],
] as const;
const CODE = { 'EA-10': 'CIR-511', 'EA-3': 'CIR-511', 'EA-5': 'CIR-302', 'EA-4': 'CIR-302', 'EA-13': null } as const;

export type VoteModelInput = {
  readonly t: bigint;
  readonly topology: Topology;
  /** Shard id → its genesis public key (hex). */
  readonly keys: ReadonlyMap<bigint, string>;
  readonly voters: readonly bigint[];
  readonly candidate: { readonly root: string; readonly claims: ReadonlyMap<bigint, Claims> } | null;
  /** A step 4–10 MathViolation aborted the epoch (no no_quorum then). */
  readonly mathAbort: boolean;
  readonly inputs: LedgerInputs;
};

export type ModelVoteIncident = { readonly code: string | null; readonly ea: string; readonly shard: bigint; readonly vote: string; readonly fields: readonly string[] };
export type VoteModel = {
  readonly events: readonly EpochEvent[];
  readonly incidents: readonly ModelVoteIncident[];
  readonly matching: bigint;
  readonly needed: bigint;
  /** The outcome steps 12–13 decide (before step 14). */
  readonly outcome: 'commit' | 'abort';
};

const enc = (v: unknown): string => canonicalString(v as Encodable);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function modelVotes(x: VoteModelInput): VoteModel {
  const events: (EpochEvent & { readonly shard: bigint | null })[] = [];
  const valid = new Map<bigint, { digest: string; body: VoteBody }[]>();
  const entries = x.inputs.messages.filter((e) => e.kind === 'vote').sort((a, b) => cmp(a.digest, b.digest));
  for (const e of entries) {
    const read = readVote(e.message, x.topology);
    if (!read.ok) {
      events.push({ kind: 'vote_rejected', digest: e.digest, shard: null, reason: 'malformed' });
      continue;
    }
    const body = read.value;
    const reject = (reason: 'wrong_epoch' | 'not_voter' | 'bad_signature') => events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason });
    if (body.epoch !== x.t) reject('wrong_epoch');
    else if (!x.voters.includes(body.shard)) reject('not_voter');
    else if (!signed(e.digest, e.signatures as readonly string[], x.keys.get(body.shard) ?? '')) reject('bad_signature');
    else valid.set(body.shard, [...(valid.get(body.shard) ?? []), { digest: e.digest, body }]);
  }
  const incidents: ModelVoteIncident[] = [];
  let matching = 0n;
  for (const shard of x.voters) {
    const vs = valid.get(shard) ?? [];
    if (vs.length >= 2) events.push({ kind: 'vote_equivocation', shard, votes: vs.map((v) => v.digest) });
    if (vs.length !== 1 || x.candidate === null) continue;
    const { digest, body } = vs[0]!;
    const computed = x.candidate.claims.get(shard)!;
    const bad = FIELDS.filter(([f]) => enc(body.claims[f]) !== enc(computed[f]));
    if (bad.length > 0) {
      const ea = bad[0]![1];
      incidents.push({ code: CODE[ea], ea, shard, vote: digest, fields: bad.map(([f]) => f) });
    } else if (body.root !== x.candidate.root) events.push({ kind: 'vote_root_mismatch', digest, shard });
    else matching += 1n;
  }
  // P10.5: (shard, digest), a null shard first; an equivocation by its first digest.
  const key = (e: EpochEvent): string => ('digest' in e ? e.digest : e.kind === 'vote_equivocation' ? e.votes[0]! : '');
  events.sort((a, b) => {
    if (a.shard !== b.shard) {
      if (a.shard === null) return -1;
      if (b.shard === null) return 1;
      return a.shard < b.shard ? -1 : 1;
    }
    return cmp(key(a), key(b));
  });
  const n = BigInt(x.voters.length);
  const twoThirds = (2n * n + 2n) / 3n;
  const needed = twoThirds > 1n ? twoThirds : 1n;
  const step12Abort = incidents.some((i) => i.code !== null);
  const quorum = x.candidate !== null && !step12Abort && matching >= needed;
  const out: EpochEvent[] = [...events];
  if (!step12Abort && !x.mathAbort && !quorum) out.push({ kind: 'no_quorum', votes: matching, needed });
  return { events: out, incidents, matching, needed, outcome: quorum ? 'commit' : 'abort' };
}

function signed(digest: string, signatures: readonly string[], keyHex: string): boolean {
  const key = fromHex(keyHex);
  const d = fromHex(digest);
  if (key === undefined || d === undefined) return false;
  return signatures.some((s) => {
    const sig = fromHex(s);
    return sig !== undefined && verifyDigest('qfs/v13/vote', d, sig, key);
  });
}

const STEP12 = new Set(['vote_rejected', 'vote_equivocation', 'vote_root_mismatch', 'no_quorum']);

/** The record's step 12–13 view, to compare with the model: its events of those kinds and its step-12 incidents. */
export function recordVoteView(events: readonly EpochEvent[], incidents: readonly Incident[]): { readonly events: readonly EpochEvent[]; readonly incidents: readonly ModelVoteIncident[] } {
  return {
    events: events.filter((e) => STEP12.has(e.kind)),
    incidents: incidents.flatMap((i) => {
      const ev = i.evidence as { vote?: string; fields?: readonly { field: string }[] };
      if (i.shard === null || ev.vote === undefined || ev.fields === undefined || i.ea === null) return [];
      return [{ code: i.code, ea: i.ea, shard: i.shard, vote: ev.vote, fields: ev.fields.map((f) => f.field) }];
    }),
  };
}
