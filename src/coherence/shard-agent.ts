/**
 * Shard agents behind one interface, and the driver that runs one ledger epoch with them.
 *
 * An agent sees the ledger's publications and answers with signed message copies, any number of
 * them (0..n): `propose(publication1)` after window 1, `vote(publication2)` after window 2. The
 * interface lets a Byzantine shard do everything §8's first paragraph allows it — any proposal
 * content and more than one proposal, any vote content or none, its own nodes' actions — and
 * nothing else: it signs with its own key only (a copy signed with another key is just a copy
 * whose signature fails). The adversary suites build their agents on `scriptedAgent`.
 *
 * The honest agent works from the publications only: from publication 1 (S, the opening field,
 * the active set) and its nodes' submitted actions it proposes with `chooseActions` and
 * `honestProposal` (honest-agent.ts), iff its shard is active; from publication 2 it votes the
 * published candidate's root and its own shard's claims, iff it is a voter and there is a
 * candidate. (Every honest voter would recompute the same bytes from the published inputs; the
 * ledger's computation is the one computation of §6, and votes are how a lying shard is caught.)
 */
import type { Json } from '../math/canonical.ts';
import type { LedgerEpoch, LedgerWindows, Publication1, Publication2 } from './windows.ts';
import { closeWindow1 } from './window1.ts';
import { closeWindow2 } from './window2.ts';
import { closeWindow3 } from './window3.ts';
import type { EpochContext } from '../epoch/epoch.ts';
import { chooseActions, honestProposal, type AgentChoice, type ProposalBody } from '../economics/honest-agent.ts';
import type { SignedSnapshot } from '../epoch/oracle.ts';
import { signProposal, type SignedCopy } from '../ledger/proposal.ts';
import type { State } from '../economics/state.ts';
import type { GovernanceCopy } from '../ledger/system-recovery.ts';
import { signVote, type VoteBody } from '../ledger/vote.ts';

export interface ShardAgent {
  readonly shard: bigint;
  /** Window 2: the signed proposal copies this shard sends (none, one, or several). */
  propose(publication: Publication1): readonly SignedCopy[];
  /** Window 3: the signed vote copies this shard sends. */
  vote(publication: Publication2): readonly SignedCopy[];
}

/** The honest agent of one shard. `submissions(t)` are the actions its nodes submitted for epoch t. */
export class HonestShardAgent implements ShardAgent {
  /** The agent's last choice (its refusals are returned to the caller, never recorded: P6.8). */
  lastChoice: AgentChoice | null = null;

  constructor(
    readonly shard: bigint,
    readonly secretKey: Uint8Array,
    private readonly submissions: (t: bigint) => readonly Json[] = () => [],
  ) {}

  /** The honest proposal body for publication 1, or null when the shard is not active. */
  proposalBody(p: Publication1): ProposalBody | null {
    if (p.frozen || !p.active.includes(this.shard)) return null;
    const choice = chooseActions(p.basis, this.shard, this.submissions(p.epoch));
    this.lastChoice = choice;
    return honestProposal(p.basis, choice, p.epoch, p.prev_root);
  }

  /** The honest vote body for publication 2, or null when the shard is not a voter or there is no candidate. */
  voteBody(p: Publication2): VoteBody | null {
    const c = p.candidate;
    if (c === null || !p.voters.includes(this.shard)) return null;
    return { epoch: p.epoch, shard: this.shard, root: c.root, claims: c.claims.get(this.shard)! };
  }

  propose(p: Publication1): readonly SignedCopy[] {
    const body = this.proposalBody(p);
    return body === null ? [] : [signProposal(body, this.secretKey)];
  }

  vote(p: Publication2): readonly SignedCopy[] {
    const body = this.voteBody(p);
    return body === null ? [] : [signVote(body, this.secretKey)];
  }
}

/** An agent made of two functions (the building block of Byzantine agents). */
export function scriptedAgent(
  shard: bigint,
  script: { readonly propose?: (p: Publication1) => readonly SignedCopy[]; readonly vote?: (p: Publication2) => readonly SignedCopy[] },
): ShardAgent {
  return { shard, propose: (p) => script.propose?.(p) ?? [], vote: (p) => script.vote?.(p) ?? [] };
}

/** Proposes honestly and withholds every vote. */
export const withholdingAgent = (honest: HonestShardAgent): ShardAgent => scriptedAgent(honest.shard, { propose: (p) => honest.propose(p) });

/** Sends its honest proposal and a second, different one (`variant` of the honest body): EA-8. */
export const equivocatingAgent = (honest: HonestShardAgent, variant: (body: ProposalBody) => ProposalBody): ShardAgent =>
  scriptedAgent(honest.shard, {
    propose: (p) => {
      const body = honest.proposalBody(p);
      return body === null ? [] : [signProposal(body, honest.secretKey), signProposal(variant(body), honest.secretKey)];
    },
    vote: (p) => honest.vote(p),
  });

/** Proposes `lie(honest body)` (any content) and votes honestly. */
export const lyingProposer = (honest: HonestShardAgent, lie: (body: ProposalBody, p: Publication1) => ProposalBody | Json): ShardAgent =>
  scriptedAgent(honest.shard, {
    propose: (p) => {
      const body = honest.proposalBody(p);
      return body === null ? [] : [signProposal(lie(body, p), honest.secretKey)];
    },
    vote: (p) => honest.vote(p),
  });

/** Proposes honestly and votes `lie(honest vote)` (any content). */
export const lyingVoter = (honest: HonestShardAgent, lie: (vote: VoteBody, p: Publication2) => VoteBody | Json): ShardAgent =>
  scriptedAgent(honest.shard, {
    propose: (p) => honest.propose(p),
    vote: (p) => {
      const body = honest.voteBody(p);
      return body === null ? [] : [signVote(lie(body, p), honest.secretKey)];
    },
  });

/** What one ledger epoch is driven with: window 1's messages, the validator's answer, the agents, and any extra copies (e.g. replayed or forged ones). */
export type LedgerRunInputs = {
  readonly governance?: readonly GovernanceCopy[];
  readonly snapshots?: readonly SignedSnapshot[];
  readonly validator?: Json | null;
  readonly agents: readonly ShardAgent[];
  readonly extraProposals?: readonly SignedCopy[];
  readonly extraVotes?: readonly SignedCopy[];
};

export type LedgerRun = LedgerEpoch & {
  /** Everything each window closed with (what `ledgerEpoch` re-executes to the same bytes). */
  readonly windows: LedgerWindows;
};

/**
 * Runs one ledger epoch: closes window 1, asks every agent for its proposals, closes window 2,
 * asks every agent for its votes, closes window 3. Pure given pure agents.
 */
export function runLedgerEpoch(ctx: EpochContext, S: State, run: LedgerRunInputs): LedgerRun {
  const governance = run.governance ?? [];
  const snapshots = run.snapshots ?? [];
  const validator = run.validator ?? null;
  const stage1 = closeWindow1(ctx, S, governance, snapshots);
  const proposals = stage1.frozen ? [] : [...run.agents.flatMap((a) => a.propose(stage1.publication)), ...(run.extraProposals ?? [])];
  const stage2 = closeWindow2(stage1, validator, proposals);
  const p2 = stage2.publication;
  const votes = p2 === null ? [] : [...run.agents.flatMap((a) => a.vote(p2)), ...(run.extraVotes ?? [])];
  const out = closeWindow3(stage2, votes);
  return { ...out, windows: { governance, snapshots, validator, proposals, votes } };
}
