/** One attacked epoch: the run's strategies executed through the real three-window ledger. */
import { canonicalString, type Encodable, type Json } from '../../src/math/canonical.ts';
import { closeWindow1, type Stage1 } from '../../src/coherence/window1.ts';
import { closeWindow2 } from '../../src/coherence/window2.ts';
import { closeWindow3 } from '../../src/coherence/window3.ts';
import { type LedgerEpoch, type LedgerWindows, type Publication2 } from '../../src/coherence/windows.ts';
import { devLabel } from '../../src/genesis/default-genesis.ts';
import { signGovernance, type GovernanceRecord } from '../../src/genesis/founders.ts';
import { signSnapshot, type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { signProposal, toJson, type SignedCopy } from '../../src/ledger/proposal.ts';
import { scenarioInputs } from '../../src/runs/scenario.ts';
import { HonestShardAgent } from '../../src/coherence/shard-agent.ts';
import { devKey } from '../../src/math/signatures.ts';
import { type State } from '../../src/economics/state.ts';
import type { GovernanceCopy } from '../../src/ledger/system-recovery.ts';
import { signVote } from '../../src/ledger/vote.ts';
import { SCALE } from '../../src/math/certified-math.ts';
import { type Attack, type EpochCommand, type Mutant, PROPOSAL_EAS, type ShardAttack, VOTE_EAS, type VoteMove } from './strategies.ts';
import { type Chain, ORACLE_SECRET, shardSecret } from './chain.ts';
import { lieProposal, lieVote } from './lies.ts';

// ---------------------------------------------------------------------------------------------
// One attacked epoch

export type Applied = { readonly attack: Attack; applied: boolean; badSnapshot?: string };

export type AttackedEpoch = {
  readonly out: LedgerEpoch;
  readonly stage1: Stage1;
  readonly applied: readonly Applied[];
  readonly governance: readonly GovernanceCopy[];
  readonly snapshots: readonly SignedSnapshot[];
  /** Every message each window closed with, in arrival order (what ledgerEpoch re-executes). */
  readonly windows: LedgerWindows;
  /** The epoch's vote moves and whether each applied. */
  readonly moves: readonly MoveOutcome[];
  /** Honest voters whose votes the network delayed past window 3 (EA-13 `starve`). */
  readonly delayed: readonly bigint[];
};

export type MoveOutcome = { readonly move: VoteMove; applied: boolean };

/** Runs epoch S.epoch + 1 of the run with its attacks through the real ledger (three windows). */
export function attackedEpoch(chain: Chain, S: State, cmd: EpochCommand, lastAdmitted: SignedSnapshot | null, mutant?: Mutant): AttackedEpoch {
  const { ctx } = chain;
  const t = S.epoch + 1n;
  const load = scenarioInputs(ctx, S, { seed: cmd.load });
  const submitted = new Map(load.actions.map((x) => [x.shard, x.actions] as const));
  const applied: Applied[] = cmd.attacks.map((attack) => ({ attack, applied: false }));

  // Window 1: governance (founders exit safe mode when asked), snapshots (+ the oracle's lies).
  const governance: GovernanceCopy[] = [];
  if (cmd.exit && S.mode === 'safe') {
    const record: GovernanceRecord = { kind: 'exit_safe_mode', genesis: ctx.genesisHash, epoch: t };
    const founders = cmd.exit_founders ?? [0n, 1n];
    governance.push({ record: toJson(record), signatures: founders.map((f) => signGovernance(record, f, devKey(devLabel.founder(f)).secretKey)) });
  }
  // A silent oracle sends nothing this epoch (so a later valid but older snapshot can be superseded).
  const honestSnapshots = cmd.silent_oracle === true ? [] : load.snapshots;
  const snapshots: SignedSnapshot[] = [...honestSnapshots];
  for (const ap of applied) {
    if (ap.attack.ea !== 'EA-11') continue;
    const a = ap.attack;
    const window = ctx.topology.constants.oracle_window;
    const honest = honestSnapshots[0];
    const dis = (shift: bigint) => S.nodes.slice(0, 3).map((n) => ({ node: n.id, value: (n.dis + shift) % (SCALE + 1n) }));
    let bad: SignedSnapshot | null = null;
    const sign = (epoch: bigint, shift: bigint) => signSnapshot({ genesis: ctx.genesisHash, epoch, dis: dis(shift) }, ORACLE_SECRET());
    // Stale: one epoch past the window (the boundary) when delta is odd, further back otherwise.
    if (a.kind === 'stale' && t > window + 1n) bad = sign(t - window - 1n - (a.delta % 2n === 1n ? 0n : a.delta % (t - window - 1n)), a.delta);
    else if (a.kind === 'replayed' && lastAdmitted !== null) bad = lastAdmitted;
    else if (a.kind === 'superseded' && honest !== undefined && t >= 2n && S.last_oracle_epoch < t - 1n) bad = sign(t - 1n, a.delta);
    else bad = sign(t + 1n + (a.delta % 5n), a.delta); // future
    snapshots.push(bad);
    ap.badSnapshot = canonicalString(bad.snapshot as Encodable);
  }
  const stage1 = closeWindow1(ctx, S, governance, snapshots);
  const p1 = stage1.publication;

  // Window 2: the validator (honest = no answer; EA-12 = the engine's ψ with one value changed), proposals.
  let validator: Json | null = null;
  for (const ap of applied) {
    if (ap.attack.ea !== 'EA-12' || stage1.frozen) continue;
    const psi = stage1.field.psi.map((v, i) => ({ node: ctx.topology.nodeIds[i]!, value: v }));
    const k = Number(ap.attack.pick % BigInt(psi.length));
    psi[k] = { node: psi[k]!.node, value: psi[k]!.value + ap.attack.delta };
    validator = toJson({ epoch: t, psi });
  }
  const agents = ctx.genesis.shards.map((s) => new HonestShardAgent(s.id, shardSecret(s.id), () => submitted.get(s.id) ?? []));
  const attackOf = new Map<bigint, Applied>();
  for (const ap of applied) if ('shard' in ap.attack) attackOf.set(ap.attack.shard, ap);
  const proposals: SignedCopy[] = [];
  if (!stage1.frozen) {
    for (const agent of agents) {
      const body = agent.proposalBody(p1);
      if (body === null) continue;
      const ap = attackOf.get(agent.shard);
      const honestCopy = () => signProposal(body, agent.secretKey);
      if (ap === undefined || !PROPOSAL_EAS.includes(ap.attack.ea)) {
        proposals.push(honestCopy());
        continue;
      }
      const a = ap.attack as ShardAttack;
      if (a.ea === 'EA-8') {
        const variant = { ...body, reports: { ...body.reports, sync: body.reports.sync + a.delta } };
        proposals.push(honestCopy(), signProposal(variant, agent.secretKey));
        ap.applied = true;
        continue;
      }
      const lie = lieProposal(a, body, p1, chain);
      if (lie === null) proposals.push(honestCopy());
      else {
        proposals.push(signProposal(lie, agent.secretKey));
        ap.applied = true;
      }
    }
  }
  const stage2 = closeWindow2(stage1, validator, mutant === 'first-proposal-wins' ? firstProposalWins(proposals) : proposals);
  const p2: Publication2 | null = stage2.publication;

  // Window 3: votes (each shard's copies in agent order), then the moves and the network's delays.
  const ballot = new Map<bigint, SignedCopy[]>();
  const honestVoters: bigint[] = [];
  const moves: MoveOutcome[] = (cmd.moves ?? []).map((move) => ({ move, applied: false }));
  const moveOf = new Map(moves.map((m) => [m.move.shard, m] as const));
  const delayed: bigint[] = [];
  const candidate = p2?.candidate ?? null;
  if (p2 !== null && candidate !== null) {
    for (const agent of agents) {
      const vote = agent.voteBody(p2);
      const mv = moveOf.get(agent.shard);
      const cast = (...copies: Json[]) => ballot.set(agent.shard, copies.map((c) => signVote(c, agent.secretKey)));
      if (vote === null) {
        // Not a voter (halted, blacklisted, inactive, an offender): a Byzantine shard votes anyway.
        if (mv?.move.move === 'vote-anyway') {
          cast(nonVoterVote(chain, t, agent.shard, mv.move.root === 'candidate' ? candidate.root : otherRoot(candidate.root, 1n)));
          mv.applied = true;
        }
        continue;
      }
      const ap = attackOf.get(agent.shard);
      if (ap !== undefined && VOTE_EAS.includes(ap.attack.ea)) {
        const lie = lieVote(ap.attack as ShardAttack, vote);
        if (lie !== null) {
          cast(lie);
          ap.applied = true;
          continue;
        }
      }
      const honest = toJson(vote);
      if (mv?.move.move === 'forge') {
        // Its own vote stays honest; the forgery is added once every honest vote is known.
        cast(honest);
        continue;
      }
      if (mv !== undefined && mv.move.move !== 'vote-anyway') {
        mv.applied = true;
        const m = mv.move;
        if (m.move === 'withhold') continue;
        if (m.move === 'duplicate') cast(honest, honest);
        else if (m.move === 'equivocate') cast(honest, toJson({ ...vote, root: otherRoot(vote.root, m.delta) }));
        else cast(toJson({ ...vote, root: otherRoot(vote.root, 1n) }));
        continue;
      }
      cast(honest);
      honestVoters.push(agent.shard);
    }
    for (const mv of moves) {
      const m = mv.move;
      if (m.move !== 'forge') continue;
      const victims = honestVoters.filter((x) => x !== m.shard);
      if (victims.length === 0 || !ballot.has(m.shard)) continue;
      const victim = victims[Number(m.pick % BigInt(victims.length))]!;
      const body = agents.find((a) => a.shard === victim)!.voteBody(p2)!;
      const forger = agents.find((a) => a.shard === m.shard)!;
      ballot.set(victim, [...ballot.get(victim)!, signVote(toJson({ ...body, root: otherRoot(body.root, 1n) }), forger.secretKey)]);
      mv.applied = true;
    }
    // EA-13 `starve`: delay honest votes until the others hold exactly quorum − 1 matching votes.
    const starving = applied.find((ap) => ap.applied && ap.attack.ea === 'EA-13' && ap.attack.starve === true);
    if (starving !== undefined) {
      const n = BigInt(p2.voters.length);
      const twoThirds = (2n * n + 2n) / 3n;
      const needed = twoThirds > 1n ? twoThirds : 1n;
      const others = honestVoters.filter((x) => x !== (starving.attack as ShardAttack).shard);
      const drop = BigInt(others.length) - (needed - 1n);
      for (const x of others.slice(others.length - Number(drop > 0n ? drop : 0n))) {
        ballot.delete(x);
        delayed.push(x);
      }
    }
  }
  const votes: SignedCopy[] = [...ballot.values()].flat();
  const out = closeWindow3(stage2, votes);
  for (const ap of applied) {
    if (ap.attack.ea === 'EA-11') ap.applied = !stage1.frozen;
    if (ap.attack.ea === 'EA-12') ap.applied = !stage1.frozen;
  }
  const windows: LedgerWindows = { governance, snapshots: stage1.frozen ? [] : snapshots, validator: stage1.frozen ? null : validator, proposals, votes };
  return { out, stage1, applied, governance, snapshots, windows, moves, delayed };
}

/** A 32-byte root other than `root` (XOR with a non-zero value). */
export function otherRoot(root: string, delta: bigint): string {
  const mask = delta % 2n ** 256n === 0n ? 1n : delta % 2n ** 256n;
  return (BigInt(`0x${root}`) ^ mask).toString(16).padStart(64, '0');
}

/** A well-formed vote of a shard that is not a voter: zero claims for its nodes (it has no computed claims to copy). */
function nonVoterVote(chain: Chain, t: bigint, shard: bigint, root: string): Json {
  const nodes = chain.genesis.nodes.filter((n) => n.shard === shard);
  const zeros = nodes.map((n) => ({ node: n.id, value: 0n }));
  const claims = {
    chr_delta: zeros,
    flx_delta: zeros,
    res: zeros,
    psy_minted: zeros,
    multipliers: zeros,
    rewards: zeros,
    payouts: nodes.map((n) => ({ node: n.id, cut: 0n, users: n.users.map((u) => ({ user: u.id, value: 0n })) })),
    cross_out: [],
    cross_in: [],
  };
  return toJson({ epoch: t, shard, root, claims });
}

/**
 * Planted bug "first-proposal-wins": a ledger that reads only the first proposal each shard sent
 * (so an equivocating shard's first proposal counts and EA-8 goes undetected).
 */
export function firstProposalWins(proposals: readonly SignedCopy[]): SignedCopy[] {
  const seen = new Set<string>();
  return proposals.filter((p) => {
    const shard = String((p.message as Record<string, Json>).shard);
    if (seen.has(shard)) return false;
    seen.add(shard);
    return true;
  });
}
