/**
 * The two ways an epoch record is assembled (docs/spec.md P6.1–P6.3): `commitRecord` for a commit
 * (the lists of steps 4–10), `stillRecord` for an abort or a frozen epoch (those lists empty). The
 * honest epoch, the ledger and EA-14's recovery epoch all build their records here.
 */
import type { EconomyRecord } from '../economics/harmonic-economics.ts';
import { stateRoot, type State } from '../economics/state.ts';
import type { EpochRecord } from './epoch-record.ts';

/** What a record takes from its epoch rather than from steps 4–10. */
export type RecordFields = Pick<EpochRecord, 'inputs_hash' | 'active' | 'voters' | 'incidents' | 'events' | 'sync' | 'c_shards'>;

/** The record of a commit (P6.1): the roots given (the caller holds them already), the lists from steps 4–10. */
export function commitRecord(head: Pick<EpochRecord, 'epoch' | 'prev_root' | 'root'>, fields: RecordFields, economy: EconomyRecord): EpochRecord {
  return {
    epoch: head.epoch,
    prev_root: head.prev_root,
    root: head.root,
    outcome: 'commit',
    inputs_hash: fields.inputs_hash,
    active: fields.active,
    voters: fields.voters,
    incidents: fields.incidents,
    events: fields.events,
    // Picked one by one: `psy_exhausted` is an event, not a record key.
    moves: economy.moves,
    flows: economy.flows,
    chr: economy.chr,
    res: economy.res,
    psy_minted: economy.psy_minted,
    rewards: economy.rewards,
    sync: fields.sync,
    c_shards: fields.c_shards,
  };
}

/** The record of an epoch that moves nothing (P6.3): an abort or a frozen epoch, from S to `next`. */
export function stillRecord(S: State, next: State, outcome: 'abort' | 'frozen', fields: RecordFields): EpochRecord {
  return {
    epoch: next.epoch,
    prev_root: stateRoot(S),
    root: stateRoot(next),
    outcome,
    ...fields,
    moves: [],
    flows: [],
    chr: { penalties: [], shares: [], pool: S.chr_pool },
    res: { cap: 0n, credits: [] },
    psy_minted: [],
    rewards: { budget: 0n, nodes: [], users: [] },
  };
}
