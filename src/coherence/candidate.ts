/**
 * Steps 4–11 of the ledger (docs/spec.md P10.4, P10.8): the candidate, i.e. the whole next state if
 * the epoch commits (the voters' actions on S after steps 0–1, coherence C, step 3's bookkeeping),
 * its root and each voter's claims. A MathViolation here is the epoch's CIR-511, not a crash.
 */
import { MathViolation } from '../math/certified-math.ts';
import { runEconomy, type EconomyResult } from '../economics/harmonic-economics.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import { stateRoot, type State } from '../economics/state.ts';
import type { EngineIncident } from '../epoch/epoch-record.ts';
import { incidentBookkeeping, type Offender } from '../ledger/system-recovery.ts';
import { candidateClaims, type Claims } from '../ledger/vote.ts';
import type { Stage1 } from './window1.ts';
import type { Candidate } from './windows.ts';

export type CandidateStep = {
  readonly economy: EconomyResult | null;
  readonly mathIncident: EngineIncident | null;
  /** Null when there is no voter or steps 4–10 raised a MathViolation. */
  readonly candidate: Candidate | null;
};

/** Steps 4–11 over the voters' proposals (nothing when there is no voter). */
export function candidateStep(stage1: Stage1, voters: readonly bigint[], voterProposals: readonly ProposalBody[], offenders: readonly Offender[]): CandidateStep {
  const { ctx, t, field, s0, s1 } = stage1;
  const topo = ctx.topology;
  let economy: EconomyResult | null = null;
  let mathIncident: EngineIncident | null = null;
  let candidate: Candidate | null = null;
  if (voters.length > 0) {
    try {
      economy = runEconomy(topo, s1, field, voterProposals.flatMap((p) => p.actions), t);
    } catch (e) {
      if (!(e instanceof MathViolation)) throw e;
      mathIncident = { code: 'CIR-511', ea: null, shard: null, evidence: { cause: 'math_violation', reason: e.reason, op: e.field } };
    }
    if (economy !== null) {
      const state: State = {
        ...s1,
        epoch: t,
        nodes: economy.nodes,
        users: economy.users,
        treasury: economy.treasury,
        chr_pool: economy.chr_pool,
        unstakes: economy.unstakes,
        coherence: field.c, // step 11: the agreed ΨSync
        shards: incidentBookkeeping(ctx.genesis, s0.shards, t, offenders),
      };
      const all = candidateClaims({
        topology: topo,
        before: stage1.S.nodes,
        after: economy.nodes,
        psyMinted: economy.record.psy_minted,
        m: economy.holo.nodes.map((n) => n.m),
        r: economy.holo.nodes.map((n) => n.r),
        k: economy.record.rewards.nodes.map((n) => n.k),
        u: economy.record.rewards.users.map((u) => u.u),
        actions: voterProposals.flatMap((p) => p.actions),
      });
      const claims = new Map<bigint, Claims>(voters.map((shard) => [shard, all[topo.shardIndex.get(shard)!]!]));
      candidate = { state, root: stateRoot(state), claims };
    }
  }
  return { economy, mathIncident, candidate };
}
