/**
 * Fixtures for the honest-epoch tests: genesis documents whose oracle key is the real development
 * oracle key (snapshots carry real ML-DSA-87 signatures), JSON forms of actions, and a helper that
 * runs one epoch and the invariant catalog on it.
 */
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../../src/math/canonical.ts';
import { devLabel } from '../../src/genesis/default-genesis.ts';
import { epochContext, runHonestEpoch, type EpochContext, type EpochInputs, type HonestEpoch } from '../../src/epoch/epoch.ts';
import type { Genesis } from '../../src/genesis/genesis.ts';
import type { Action } from '../../src/economics/harmonic-economics.ts';
import { toHex } from '../../src/math/hashing.ts';
import { checkStep, type StepViolation } from '../../src/invariants/catalog.ts';
import { signSnapshot, type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { devKey } from '../../src/math/signatures.ts';
import { initialState, type State } from '../../src/economics/state.ts';
import { arbGenesis, EXAMPLE, S } from '../economy/fixtures.ts';

export { S };

export const ORACLE = devKey(devLabel.oracle);
/** A key that is not the oracle's (for bad signatures). */
export const NOT_ORACLE = devKey(devLabel.founder(0));

export const withOracle = (g: Genesis): Genesis => ({ ...g, oracle_key: toHex(ORACLE.publicKey) });

/** The hand-computed economy example (shards 0 = {2, 3}, 1 = {1, 4}, 2 = {}), with the real oracle key. */
export const GENESIS: Genesis = withOracle(EXAMPLE);
export const CTX: EpochContext = epochContext(GENESIS);
export const S0: State = initialState(GENESIS, CTX.genesisHash);

/** The canonical JSON of a value (bigints become decimal strings), as a received message. */
export const json = (v: unknown): Json => parseCanonical(canonicalString(v as Encodable));

export const actionJson = (a: Action): Json => json(a);

export function snapshot(ctx: EpochContext, epoch: bigint, dis: readonly (readonly [bigint, bigint])[], key = ORACLE.secretKey): SignedSnapshot {
  return signSnapshot({ genesis: ctx.genesisHash, epoch, dis: dis.map(([node, value]) => ({ node, value })) }, key);
}

export const noInputs: EpochInputs = { snapshots: [], validator: null, actions: [] };

/** Runs one honest epoch and the catalog on it; expects no violation. */
export function epochChecked(ctx: EpochContext, st: State, inputs: EpochInputs, prevRecord: HonestEpoch['record'] | null = null): HonestEpoch {
  const out = runHonestEpoch(ctx, st, inputs);
  const v: StepViolation[] = checkStep(ctx, st, out.record, out.state, out.inputs, prevRecord);
  expect(v).toEqual([]);
  return out;
}

/** Random small genesis documents with the real oracle key. */
export const arbOracleGenesis: fc.Arbitrary<Genesis> = arbGenesis.map(withOracle);
