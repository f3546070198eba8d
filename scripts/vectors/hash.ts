/** hash.json: §2 tagged hashing, every tag over a few values. */
import type { Json } from '../../src/math/canonical.ts';
import { taggedHashHex, TAGS } from '../../src/math/hashing.ts';
import type { Vectors } from './common.ts';

export function hashVectors(): Vectors {
  const values: Json[] = [{}, { a: '1' }, ['x', null, true], 'ψ', { epoch: '1', nodes: [{ id: '0', chr: '1000000000000000000' }] }];
  const cases = [];
  for (const tag of TAGS) for (const value of values) cases.push({ tag, value, digest: taggedHashHex(tag, value) });
  return { format: 'qfs-vectors/1', section: '§2 tagged hashing', cases };
}
