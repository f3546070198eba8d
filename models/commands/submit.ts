/** submit: a user action intent resolved against the current state (node, amount, nonce, target, shard). */
import type { Json } from '../../src/math/canonical.ts';
import { LIMIT, SCALE } from '../../src/math/certified-math.ts';
import { asJson } from '../economy.ts';
import type { SubmitData } from './data.ts';
import { predict, type EconomyModel, type Submission } from './model.ts';

const S = SCALE;

export function resolveSubmit(m: EconomyModel, d: SubmitData): Submission {
  const shape = m.shape;
  const n = shape.ids.length;
  const i = d.node === 'unknown' ? -1 : d.node % n;
  const from = i < 0 ? shape.unknownId : shape.ids[i]!;
  const home = i < 0 ? 0 : shape.nodeShard[i]!;
  const shard = shape.shardIds[(home + d.via) % shape.shardIds.length]!;
  const { choice } = predict(m);
  const node = i < 0 ? undefined : m.nodes[i];
  const used = i < 0 ? { flx: 0n, psy: 0n, stake: 0n } : choice.used[i]!;
  const full = node === undefined ? 10n * S : d.kind === 'psy_transfer' ? node.psy : d.kind === 'unstake' ? node.stake - node.queued : node.flx;
  const left = node === undefined ? full : full - (d.kind === 'psy_transfer' ? used.psy : d.kind === 'unstake' ? used.stake : used.flx);
  const amount =
    'permille' in d.amount
      ? ((left > 0n ? left : 0n) * BigInt(d.amount.permille)) / 1000n
      : d.amount.bad === 'zero'
        ? 0n
        : d.amount.bad === 'negative'
          ? -1n
          : d.amount.bad === 'over'
            ? full + 1n
            : d.amount.bad === 'huge'
              ? LIMIT
              : 1n;
  const nonce = (i < 0 ? 1n : choice.lastNonce[i]! + 1n) + BigInt(d.nonce);
  let json: Json;
  if (d.kind === 'stake' || d.kind === 'unstake') json = asJson({ kind: d.kind, node: from, amount, nonce });
  else {
    const others = shape.ids.flatMap((id, j) => (j === i ? [] : [{ id, j }]));
    const peers = others.filter(({ j }) => shape.nodeShard[j] === home);
    const pick = (xs: { id: bigint }[], k: number): bigint => (xs.length === 0 ? from : xs[k % xs.length]!.id);
    const to =
      d.target === 'self' ? from : d.target === 'unknown' ? shape.unknownId : 'peer' in d.target ? pick(peers.length > 0 ? peers : others, d.target.peer) : pick(others, d.target.any);
    json = asJson({ kind: d.kind, from, to, amount, nonce });
  }
  // A JSON number has no canonical form (§2): the message cannot have been received.
  if ('bad' in d.amount && d.amount.bad === 'float') json = { ...(json as { readonly [k: string]: Json }), amount: 1.5 as unknown as Json };
  return { shard, json, label: d.kind };
}
