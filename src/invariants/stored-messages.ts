/** The ledger's stored proposals and votes, read and checked as steps 3 and 12 read them (schema, epoch, shard, signature). */
import { fromHex } from '../math/hashing.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import { entriesOf } from '../ledger/ledger-inputs.ts';
import { readProposal } from '../ledger/proposal.ts';
import { verifyDigest } from '../math/signatures.ts';
import { readVote, type VoteBody } from '../ledger/vote.ts';
import { derive } from './recompute.ts';
import type { StepArgs } from './step-check.ts';

const hex = (s: string): Uint8Array | undefined => fromHex(s);
function signedByShard(x: StepArgs, tag: 'qfs/v13/proposal' | 'qfs/v13/vote', digest: string, signatures: readonly string[], shard: bigint): boolean {
  const i = x.topology.shardIndex.get(shard);
  const key = i === undefined ? undefined : hex(x.genesis.shards[i]!.key);
  const d = hex(digest);
  if (key === undefined || d === undefined) return false;
  return signatures.some((sig) => {
    const b = hex(sig);
    return b !== undefined && verifyDigest(tag, d, b, key);
  });
}

/** A stored proposal that passes step 3's message checks for `shard` (schema, epoch, active, signature, prev_root), or why not. */
export function validProposal(x: StepArgs, digest: string, shard: bigint): ProposalBody | string {
  const d = derive(x);
  const e = entriesOf(x.ledger!, 'proposal').find((p) => p.digest === digest);
  if (e === undefined) return `proposal ${digest} is not in the stored inputs`;
  const read = readProposal(e.message, x.topology);
  if (!read.ok) return `proposal ${digest} is malformed`;
  const body = read.value;
  if (body.shard !== shard) return `proposal ${digest} is shard ${body.shard}'s`;
  if (body.epoch !== d.t) return `proposal ${digest} is for epoch ${body.epoch}`;
  if (!d.active.includes(shard)) return `shard ${shard} is not active`;
  if (!signedByShard(x, 'qfs/v13/proposal', digest, e.signatures, shard)) return `proposal ${digest} is not signed by shard ${shard}`;
  if (body.prev_root !== d.prevRoot) return `proposal ${digest} names another prev_root`;
  return body;
}

/** A stored vote that passes step 12's message checks for `shard` (schema, epoch, voter, signature), or why not. */
export function validVote(x: StepArgs, digest: string, shard: bigint): VoteBody | string {
  const d = derive(x);
  const e = entriesOf(x.ledger!, 'vote').find((v) => v.digest === digest);
  if (e === undefined) return `vote ${digest} is not in the stored inputs`;
  const read = readVote(e.message, x.topology);
  if (!read.ok) return `vote ${digest} is malformed`;
  const body = read.value;
  if (body.shard !== shard) return `vote ${digest} is shard ${body.shard}'s`;
  if (body.epoch !== d.t) return `vote ${digest} is for epoch ${body.epoch}`;
  if (!x.record.voters.includes(shard)) return `shard ${shard} is not a voter`;
  if (!signedByShard(x, 'qfs/v13/vote', digest, e.signatures, shard)) return `vote ${digest} is not signed by shard ${shard}`;
  return body;
}

/** Every stored vote that passes step 12's message checks, by voter. */
export function validVotes(x: StepArgs): Map<bigint, { digest: string; body: VoteBody }[]> {
  const by = new Map<bigint, { digest: string; body: VoteBody }[]>();
  for (const e of entriesOf(x.ledger!, 'vote')) {
    const read = readVote(e.message, x.topology);
    if (!read.ok) continue;
    const v = validVote(x, e.digest, read.value.shard);
    if (typeof v !== 'string') by.set(v.shard, [...(by.get(v.shard) ?? []), { digest: e.digest, body: v }]);
  }
  return by;
}
