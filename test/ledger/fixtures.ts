/**
 * Fixtures for the ledger suites: the default genesis (72 nodes, 8 shards in groups {0..3} and
 * {4..7}, 3 founders with M = 2) with its real development keys, honest agents, Byzantine
 * wrappers, and a helper that runs one ledger epoch and then checks it the way the store will:
 * the §9 catalog on (S, record, next state, stored inputs), `record.replay`, and the stored
 * inputs' bytes read back.
 */
import { expect } from 'vitest';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../../src/math/canonical.ts';
import type { LedgerWindows } from '../../src/coherence/windows.ts';
import { checkLedgerEpoch, checkRecordReplay } from '../../src/coherence/replay.ts';
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import { epochContext, type EpochContext } from '../../src/epoch/epoch.ts';
import type { EpochRecord, Incident } from '../../src/epoch/epoch-record.ts';
import { signGovernance, type GovernanceRecord } from '../../src/genesis/founders.ts';
import { ledgerInputsBytes, readLedgerInputs } from '../../src/ledger/ledger-inputs.ts';
import { signSnapshot, type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { HonestShardAgent, runLedgerEpoch, type LedgerRun, type LedgerRunInputs, type ShardAgent } from '../../src/coherence/shard-agent.ts';
import { devKey } from '../../src/math/signatures.ts';
import { initialState, type State } from '../../src/economics/state.ts';
import type { GovernanceCopy } from '../../src/ledger/system-recovery.ts';

export const GENESIS = defaultGenesis();
export const CTX: EpochContext = epochContext(GENESIS);
export const S0: State = initialState(GENESIS, CTX.genesisHash);
export const SHARDS: readonly bigint[] = GENESIS.shards.map((s) => s.id);

export const shardKey = (id: bigint): Uint8Array => devKey(devLabel.shard(id)).secretKey;
export const founderKey = (id: bigint): Uint8Array => devKey(devLabel.founder(id)).secretKey;
export const ORACLE = devKey(devLabel.oracle);

/** The canonical JSON of a value (bigints as strings). */
export const json = (v: unknown): Json => parseCanonical(canonicalString(v as Encodable));
export const bytes = (v: unknown): string => canonicalString(v as Encodable);

/** Honest agents of every shard; `submissions` maps a shard to the actions its nodes submit (every epoch). */
export function honestAgents(submissions: ReadonlyMap<bigint, readonly Json[]> = new Map()): HonestShardAgent[] {
  return SHARDS.map((id) => new HonestShardAgent(id, shardKey(id), () => submissions.get(id) ?? []));
}

/** The honest agents with some replaced (by shard). */
export function agentsWith(replace: Readonly<Record<string, (honest: HonestShardAgent) => ShardAgent>>, submissions?: ReadonlyMap<bigint, readonly Json[]>): ShardAgent[] {
  return honestAgents(submissions).map((a) => replace[a.shard.toString()]?.(a) ?? a);
}

export function snapshotFor(epoch: bigint, dis: readonly (readonly [bigint, bigint])[]): SignedSnapshot {
  return signSnapshot({ genesis: CTX.genesisHash, epoch, dis: dis.map(([node, value]) => ({ node, value })) }, ORACLE.secretKey);
}

/** A governance record signed by the given founders (one copy). */
export function governance(record: GovernanceRecord, founders: readonly bigint[]): GovernanceCopy {
  return { record: json(record), signatures: founders.map((f) => signGovernance(record, f, founderKey(f))) };
}

export type Checked = LedgerRun;

/**
 * Runs one ledger epoch and checks it: no invariant of the catalog broken on (S, record, next,
 * stored inputs), `record.replay`, and the stored inputs read back from their bytes.
 */
export function ledgerChecked(S: State, run: LedgerRunInputs, prevRecord: EpochRecord | null = null, ctx: EpochContext = CTX): LedgerRun {
  const out = runLedgerEpoch(ctx, S, run);
  expect(checkLedgerEpoch(ctx, S, out.record, out.state, out.inputs, prevRecord)).toEqual([]);
  expect(checkRecordReplay(ctx, S, out.record, out.inputs)).toBeNull();
  const read = readLedgerInputs(parseCanonical(ledgerInputsBytes(out.inputs)));
  expect(read.ok).toBe(true);
  if (read.ok) expect(bytes(read.value)).toBe(bytes(out.inputs));
  return out;
}

/** `(code, ea, shard)` of every incident. */
export const triples = (incidents: readonly Incident[]): [string | null, string | null, bigint | null][] => incidents.map((i) => [i.code, i.ea, i.shard]);

export const kinds = (r: EpochRecord): string[] => r.events.map((e) => e.kind);

export const noWindows: LedgerWindows = { governance: [], snapshots: [], validator: null, proposals: [], votes: [] };
