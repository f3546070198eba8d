/** signatures.json: §2 ML-DSA-87 with development keys (seeds, public keys, valid and failing signatures). */
import { devLabel } from '../../src/genesis/default-genesis.ts';
import { sha256, toHex } from '../../src/math/hashing.ts';
import { devKey, devSeed, signDigest, verifyDigest } from '../../src/math/signatures.ts';
import type { Vectors } from './common.ts';

export function signatureVectors(): Vectors {
  const labels = [devLabel.founder(0), devLabel.founder(1), devLabel.shard(0), devLabel.oracle, devLabel.evidence];
  const keys = labels.map((label) => {
    const k = devKey(label);
    return { label, seed: toHex(devSeed(label)), public_key: toHex(k.publicKey), public_key_sha256: toHex(sha256(k.publicKey)) };
  });
  const digest = sha256('qfs conformance message');
  const f0 = devKey(devLabel.founder(0));
  const f1 = devKey(devLabel.founder(1));
  const sig = signDigest('qfs/v13/genesis', digest, f0.secretKey);
  const flipped = new Uint8Array(sig);
  flipped[0] = (flipped[0]! + 1) & 255;
  const cases = [
    { name: 'valid', tag: 'qfs/v13/genesis', digest: toHex(digest), key: devLabel.founder(0), signature: toHex(sig) },
    { name: 'other tag', tag: 'qfs/v13/governance', digest: toHex(digest), key: devLabel.founder(0), signature: toHex(sig) },
    { name: 'other key', tag: 'qfs/v13/genesis', digest: toHex(digest), key: devLabel.founder(1), signature: toHex(sig) },
    { name: 'flipped byte', tag: 'qfs/v13/genesis', digest: toHex(digest), key: devLabel.founder(0), signature: toHex(flipped) },
    {
      name: 'founder 1 on governance',
      tag: 'qfs/v13/governance',
      digest: toHex(digest),
      key: devLabel.founder(1),
      signature: toHex(signDigest('qfs/v13/governance', digest, f1.secretKey)),
    },
  ].map((c) => ({
    ...c,
    valid: verifyDigest(c.tag as 'qfs/v13/genesis', digest, Uint8Array.from(Buffer.from(c.signature, 'hex')), devKey(c.key).publicKey),
  }));
  return { format: 'qfs-vectors/1', section: '§2 ML-DSA-87 (development keys: seeds are published, never use them for real)', keys, cases };
}
