/** Development keys are recognised under any label (issue 15): the generated table is current, and a relabelled development key is never a real signer. */
import { describe, expect, test } from 'vitest';
import { DEV_KEY_TABLE } from '../../src/evidence/dev-key-table.ts';
import { developmentLabelOf, devLabelsToTable, DEV_ID_BOUND } from '../../src/evidence/dev-keys.ts';
import { sha256, toHex } from '../../src/math/hashing.ts';
import { devKey, keygenFromSeed } from '../../src/math/signatures.ts';

describe('development keys', () => {
  test('dev-keys.table: the table lists every published label below the bound (regenerate: npx tsx scripts/gen-dev-keys.ts)', () => {
    expect(DEV_KEY_TABLE.map(([, l]) => l)).toEqual(devLabelsToTable());
    expect(DEV_KEY_TABLE).toHaveLength(Number(DEV_ID_BOUND) * 2 + 2);
    // a sample of fingerprints recomputed (all of them: ~500 key derivations)
    for (const label of ['shard-0', 'shard-7', 'shard-255', 'founder-0', 'founder-2', 'founder-255', 'oracle', 'evidence-signer']) {
      const row = DEV_KEY_TABLE.find(([, l]) => l === label)!;
      expect(row[0], label).toBe(toHex(sha256(devKey(label).publicKey)).slice(0, 32));
    }
  });

  test('dev-keys.any-label: a development key is found whatever label accompanies it', () => {
    expect(developmentLabelOf(devKey('founder-1').publicKey, 'auditor')).toBe('founder-1');
    expect(developmentLabelOf(devKey('evidence-signer').publicKey)).toBe('evidence-signer');
    expect(developmentLabelOf(devKey('shard-100000').publicKey, 'shard-100000')).toBe('shard-100000'); // any id under its own label
    expect(developmentLabelOf(keygenFromSeed(sha256('a real key')).publicKey, 'evidence-signer')).toBeNull();
  });
});
