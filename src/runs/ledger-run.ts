/**
 * The pure driver of `qfs simulate`: one ledger epoch under the scenario's honest load (scenario.ts),
 * every shard run by its honest agent with a real ML-DSA-87 key. Same (ctx, S, seed, keys), same bytes.
 */
import type { EpochContext } from '../epoch/epoch.ts';
import { scenarioInputs } from './scenario.ts';
import { HonestShardAgent, runLedgerEpoch, type LedgerRun } from '../coherence/shard-agent.ts';
import type { State } from '../economics/state.ts';

/** The ledger epoch `S.epoch + 1`: the scenario's actions (submitted to their shard's agent) and oracle snapshot. */
export function honestLedgerEpoch(ctx: EpochContext, S: State, seed: bigint, shardSecretKey: (shard: bigint) => Uint8Array): LedgerRun {
  const load = scenarioInputs(ctx, S, { seed });
  const submitted = new Map(load.actions.map((a) => [a.shard, a.actions] as const));
  const agents = ctx.genesis.shards.map((s) => new HonestShardAgent(s.id, shardSecretKey(s.id), () => submitted.get(s.id) ?? []));
  return runLedgerEpoch(ctx, S, { snapshots: load.snapshots, validator: load.validator, agents });
}
