/** The ledger's checks (§9) of quorum, safe mode, atomicity, the chain of roots and the stored inputs' hash. */
import { floorDiv } from '../math/certified-math.ts';
import type { Encodable } from '../math/canonical.ts';
import { stateRoot } from '../economics/state.ts';
import { canonicalSha256, toHex } from '../math/hashing.ts';
import { ledgerInputsHash } from '../ledger/ledger-inputs.ts';
import { enc, fail, first, same, sameList } from './compare.ts';
import { derive } from './recompute.ts';
import type { StepArgs, StepCheck, Violation } from './step-check.ts';
import { validVotes } from './stored-messages.ts';

/** The voters' claims are read against the recomputed candidate; a commit needs max(1, ⌈2n/3⌉) of them. */
export const ledgerQuorum: StepCheck = (x) => {
  if (x.record.outcome !== 'commit') return null;
  const n = BigInt(x.record.voters.length);
  const q = floorDiv(2n * n + 2n, 3n);
  const needed = q > 1n ? q : 1n;
  if (!x.ledger) return n >= needed ? null : fail('a committed epoch needs a quorum (honest path: every voter votes for the candidate)', `>= ${needed} votes`, n.toString());
  const cand = derive(x).candidate;
  if (cand === null) return fail('a committed epoch has no candidate (no voter)', 'a candidate', 'null');
  let votes = 0n;
  for (const [shard, vs] of validVotes(x)) {
    if (vs.length !== 1) continue; // an equivocating voter's votes are ignored
    const v = vs[0]!.body;
    if (v.root === x.record.root && enc(v.claims) === enc(cand.claims[x.topology.shardIndex.get(shard)!]!)) votes += 1n;
  }
  return votes >= needed ? null : fail(`${votes} stored votes equal the committed candidate in root and every claim`, `>= ${needed} (n = ${n})`, votes.toString());
};

/** In safe mode nothing moves until a valid exit record: without one the epoch is frozen and no balance changes. */
export const safeModeFrozen: StepCheck = (x) => {
  if (x.prev.mode !== 'safe') return null;
  const d = derive(x);
  if (d.s0.mode !== 'safe') return x.record.outcome === 'frozen' ? fail('a valid exit_safe_mode record was applied, yet the epoch is frozen', 'commit or abort', 'frozen') : null;
  const { prev, next } = x;
  // A recovery epoch (EA-14, §7) aborts instead: it reads nothing, and moves nothing either.
  const want = d.recovery !== null ? 'abort' : 'frozen';
  return first(
    () => (x.record.outcome === want ? null : fail(d.recovery !== null ? 'a recovery epoch (EA-14) aborts, also in safe mode' : 'safe mode without a valid exit record: the epoch must be frozen', want, x.record.outcome)),
    () => sameList('nodes (no balance changes in safe mode)', prev.nodes, next.nodes),
    () => sameList('users', prev.users, next.users),
    () => sameList('unstakes', prev.unstakes, next.unstakes),
    () => same('treasury and chr_pool', [prev.treasury, prev.chr_pool], [next.treasury, next.chr_pool]),
  );
};

export const ledgerAtomic: StepCheck = (x) => {
  const d = derive(x);
  const { prev, next, record } = x;
  if (d.recovery !== null) {
    // §7: EA-14's recovery epoch aborts, whatever the mode of S (it reads no governance record).
    if (record.outcome !== 'abort') return fail('a recovery epoch (EA-14) aborts', 'abort', record.outcome);
  } else if (d.frozen !== (record.outcome === 'frozen')) {
    return fail('the outcome does not follow the mode after step 0 (frozen iff safe)', d.frozen ? 'frozen' : 'commit or abort', record.outcome);
  }
  if (record.outcome === 'commit') return null;
  const frozen = record.outcome === 'frozen';
  return first(
    () => sameList('nodes (an aborted or frozen epoch changes none)', prev.nodes, next.nodes),
    () => sameList('users', prev.users, next.users),
    () => sameList('unstakes', prev.unstakes, next.unstakes),
    () => same('treasury, chr_pool, coherence, last_oracle_epoch', [prev.treasury, prev.chr_pool, prev.coherence, prev.last_oracle_epoch], [next.treasury, next.chr_pool, next.coherence, next.last_oracle_epoch]),
    () =>
      same(
        'the record of an epoch that moves nothing',
        {
          moves: [],
          flows: [],
          psy_minted: [],
          chr: { penalties: [], shares: [], pool: prev.chr_pool },
          res: { cap: 0n, credits: [] },
          rewards: { budget: 0n, nodes: [], users: [] },
        },
        { moves: record.moves, flows: record.flows, psy_minted: record.psy_minted, chr: record.chr, res: record.res, rewards: record.rewards },
      ),
    () => (frozen === (record.sync === null) && frozen === (record.c_shards === null) ? null : fail('sync and c_shards are null iff frozen', frozen ? 'null' : 'kept', { sync: record.sync, c_shards: record.c_shards })),
    () => (frozen ? same("a frozen epoch's mode, shards and founders (S after step 0: the governance effects only)", [d.s0.mode, d.s0.shards, d.s0.founders], [next.mode, next.shards, next.founders]) : null),
  );
};

export const ledgerChain: StepCheck = (x) => {
  const { prev, prevRecord, record, next } = x;
  return first(
    () => same('record.epoch', prev.epoch + 1n, record.epoch),
    () => same('next.epoch', prev.epoch + 1n, next.epoch),
    () => same('prev_root (the root of S)', derive(x).prevRoot, record.prev_root),
    () => (prevRecord ? same("prev_root (the previous record's root)", prevRecord.root, record.prev_root) : null),
    () => same('root (the root of the next state)', stateRoot(next), record.root),
    () => same('the genesis hash of the state', prev.genesis, next.genesis),
  );
};

/**
 * record.inputs: the record's `inputs_hash` is SHA-256 of the stored inputs' canonical bytes — the
 * ledger's document (P10.6, or a recovery's P10.9) when the ledger decided the epoch, P6.7's on the
 * honest path. (The store checks the file's bytes against the same hash when it opens.)
 */
export function recordInputs(x: StepArgs): Violation | null {
  const h = x.ledger !== undefined && x.ledger !== null ? ledgerInputsHash(x.ledger) : toHex(canonicalSha256(x.inputs as unknown as Encodable));
  if (h === x.record.inputs_hash) return null;
  return { message: `epoch ${x.record.epoch}: inputs_hash is not the hash of the stored inputs`, expected: h, actual: x.record.inputs_hash };
}
