/** snapshot: oracle snapshots (timely, stale, future, replayed, competing, malformed), signed and sent as copies. */
import { SCALE } from '../../src/math/certified-math.ts';
import { asJson, signedSnapshot } from '../economy.ts';
import { oracleDigest, type ModelCopy } from '../spec-model.ts';
import type { SnapshotData } from './data.ts';
import type { EconomyModel, EconomyReal } from './model.ts';

const S = SCALE;

const SNAPSHOT_FLAWS = ['value above SCALE', 'nodes out of order', 'extra key', 'another chain', 'unknown node'] as const;

function snapshotDis(m: EconomyModel, d: SnapshotData, shift: number): { node: bigint; value: bigint }[] {
  const n = m.shape.ids.length;
  const seen = new Map<bigint, bigint>();
  for (const x of d.dis) {
    const id = m.shape.ids[x.node % n]!;
    if (!seen.has(id)) seen.set(id, (BigInt((x.level + shift) % 5) * S) / 4n);
  }
  return [...seen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([node, value]) => ({ node, value }));
}

function addCopy(m: EconomyModel, r: EconomyReal, c: ModelCopy): void {
  m.copies.push(c);
  r.snapshots.push({ snapshot: c.snapshot, signature: c.signature });
  r.stats.totals.add('snapshot copies');
}

function signedCopy(m: EconomyModel, r: EconomyReal, epoch: bigint, dis: { node: bigint; value: bigint }[], key: 'oracle' | 'wrong'): ModelCopy {
  const signed = signedSnapshot(r.ctx, epoch, dis, key);
  const digest = oracleDigest(signed.snapshot);
  m.signatures.add(`${digest}/${key}`);
  return { snapshot: signed.snapshot, signature: signed.signature, digest, epoch, dis, valid: key === 'oracle' };
}

export function runSnapshot(m: EconomyModel, r: EconomyReal, d: SnapshotData): void {
  const t = m.epoch + 1n;
  const W = m.shape.constants.oracle_window;
  const L = m.lastOracleEpoch;
  const lag = BigInt(d.lag);
  const minW = (x: bigint): bigint => (x < W ? x : W);
  const send = (epoch: bigint, dis: { node: bigint; value: bigint }[]): void => {
    const c = signedCopy(m, r, epoch, dis, d.key);
    addCopy(m, r, c);
    if (d.copies === 'two') addCopy(m, r, c);
    if (d.copies === 'plus-wrong') addCopy(m, r, signedCopy(m, r, epoch, dis, d.key === 'oracle' ? 'wrong' : 'oracle'));
  };
  switch (d.when) {
    case 'timely': {
      const e = t - minW(lag);
      send(e > L ? e : L + 1n, snapshotDis(m, d, 0));
      return;
    }
    case 'stale': {
      const e = t - W - 1n - lag;
      send(e < 0n ? 0n : e, snapshotDis(m, d, 0));
      return;
    }
    case 'future':
      send(t + 1n + lag, snapshotDis(m, d, 0));
      return;
    case 'replayed': {
      if (m.admitted.length > 0) {
        const c = m.admitted[m.admitted.length - 1 - (d.lag % m.admitted.length)]!;
        addCopy(m, r, c);
        if (d.copies === 'two') addCopy(m, r, c);
        return;
      }
      send(L - (lag < L ? lag : L), snapshotDis(m, d, 0));
      return;
    }
    case 'competing': {
      const k = 2 + (d.lag % 2);
      for (let j = 0; j < k; j++) {
        const e = t - minW(BigInt(j % 2));
        send(e > L ? e : L + 1n, snapshotDis(m, d, j + 1));
      }
      return;
    }
    case 'malformed': {
      const flaw = SNAPSHOT_FLAWS[d.lag % SNAPSHOT_FLAWS.length]!;
      const dis = snapshotDis(m, d, 0);
      const entries: { node: bigint; value: bigint }[] =
        flaw === 'value above SCALE'
          ? (dis.length > 0 ? dis : [{ node: m.shape.ids[0]!, value: 0n }]).map((x) => ({ node: x.node, value: S + 1n }))
          : flaw === 'nodes out of order'
            ? dis.length >= 2
              ? [...dis].reverse()
              : [{ node: m.shape.ids[0]!, value: 0n }, { node: m.shape.ids[0]!, value: 0n }]
            : flaw === 'unknown node'
              ? [{ node: m.shape.unknownId, value: 0n }]
              : dis;
      const doc: Record<string, unknown> = { genesis: flaw === 'another chain' ? '00'.repeat(32) : m.shape.genesisHash, epoch: t, dis: entries };
      if (flaw === 'extra key') doc.extra = 1n;
      const snapshot = asJson(doc);
      const c: ModelCopy = { snapshot, signature: '', digest: oracleDigest(snapshot), epoch: null, dis: [], valid: false };
      addCopy(m, r, c);
      if (d.copies !== 'one') addCopy(m, r, c);
      return;
    }
  }
}
