/**
 * The named integer types of src/core/units.ts: a plain bigint is accepted where a named one is
 * expected, and two different names do not mix. The `@ts-expect-error` lines are the test: if a
 * brand stopped working, the directive would be unused and `tsc` (in npm test) would fail.
 */
import { expect, test } from 'vitest';
import type { Amount, Epoch, NodeId, ShardId } from '../src/core/units.ts';
import type { NodeState } from '../src/economics/state.ts';

test('units.named: plain bigints flow in, named quantities do not mix', () => {
  const t: Epoch = 5n;
  const next: Epoch = t + 1n;
  const node: NodeId = 3n;
  const shard: ShardId = 0n;
  const amount: Amount = 10n ** 18n;
  // @ts-expect-error a NodeId is not an Epoch
  const wrong: Epoch = node;
  // @ts-expect-error a ShardId is not a NodeId
  const wrongNode: NodeId = shard;
  // @ts-expect-error an Epoch is not an Amount
  const wrongAmount: Amount = next;
  const n: Pick<NodeState, 'id' | 'nonce'> = { id: node, nonce: 1n };
  // @ts-expect-error a node's id is a NodeId, not a ShardId
  const fromState: ShardId = n.id;
  expect([next, wrong, wrongNode, wrongAmount, amount, fromState]).toEqual([6n, 3n, 0n, 6n, 10n ** 18n, 3n]);
});
