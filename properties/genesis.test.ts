/** SPEC §3: the genesis checks, the genesis hash, and certification by M of N founders. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { canonicalString, type Json } from '../src/math/canonical.ts';
import { LIMIT, SCALE } from '../src/math/certified-math.ts';
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { certify, signGenesis, type FounderSignature } from '../src/genesis/founders.ts';
import { genesisHash, validateGenesis, type Genesis } from '../src/genesis/genesis.ts';
import { taggedHashHex } from '../src/math/hashing.ts';
import { devKey } from '../src/math/signatures.ts';
import { validGenesis } from '../models/genesis.ts';

const docOf = (g: Genesis): Json => JSON.parse(canonicalString(g as never)) as Json;
const DEFAULT = defaultGenesis();
const DEFAULT_DOC = docOf(DEFAULT);

/** Every path to a leaf (a string, boolean or null) of a JSON value. */
function leaves(v: Json, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v !== null && typeof v === 'object') return Object.keys(v).flatMap((k) => leaves((v as Record<string, Json>)[k]!, [...path, k]));
  return [path];
}
function setAt(doc: Json, path: (string | number)[], value: Json): Json {
  const out = structuredClone(doc) as Record<string | number, Json>;
  let cur = out as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  cur[path[path.length - 1]!] = value;
  return out as Json;
}
const DEFAULT_LEAVES = leaves(DEFAULT_DOC);

describe('genesis', () => {
  test('genesis.default: the built-in genesis is valid and has the shape the main job needs', () => {
    const r = validateGenesis(DEFAULT_DOC);
    expect(r.ok).toBe(true);
    expect(DEFAULT.shards.length).toBeGreaterThanOrEqual(8);
    expect(DEFAULT.groups.length).toBeGreaterThanOrEqual(2);
    expect(DEFAULT.nodes.filter((n) => n.users.length > 0).length).toBeGreaterThanOrEqual(64);
    expect(DEFAULT.nodes.some((n) => n.users.length === 0)).toBe(true);
    const shardOf = new Map(DEFAULT.nodes.map((n) => [n.id, n.shard]));
    expect(DEFAULT.edges.some(([a, b]) => shardOf.get(a) !== shardOf.get(b))).toBe(true);
    const has = new Set(DEFAULT.edges.map(([a, b]) => `${a}-${b}`));
    const triangles = DEFAULT.edges.filter(([a, b]) => DEFAULT.edges.some(([x, c]) => x === b && has.has(`${a}-${c}`)));
    expect(triangles.length).toBeGreaterThan(0);
    const mags = new Set(DEFAULT.nodes.map((n) => n.chr.toString().length));
    expect(mags.size).toBeGreaterThanOrEqual(4);
    expect([DEFAULT.founders.length, DEFAULT.threshold]).toEqual([3, 2n]);
  });

  test.prop([validGenesis()])('genesis.valid-space: every generated valid genesis passes every check, and its hash is H(genesis) of its document', (g) => {
    const doc = docOf(g);
    const r = validateGenesis(doc);
    if (!r.ok) throw new Error(r.error.describe());
    expect(genesisHash(r.value)).toBe(taggedHashHex('qfs/v13/genesis', doc));
  });

  test.prop([fc.constantFrom(...DEFAULT_LEAVES), fc.string({ maxLength: 4 })])(
    'genesis.hash.any-field: changing any single field of the genesis changes its hash',
    (path, suffix) => {
      const old = path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, DEFAULT_DOC);
      const changed = typeof old === 'string' ? (/^[0-9]+$/.test(old) ? (BigInt(old) + 1n).toString() : `${old}${suffix || 'x'}`) : !old;
      const doc = setAt(DEFAULT_DOC, path, changed);
      expect(taggedHashHex('qfs/v13/genesis', doc)).not.toBe(genesisHash(DEFAULT));
      const r = validateGenesis(doc);
      if (r.ok) expect(genesisHash(r.value)).not.toBe(genesisHash(DEFAULT));
    },
  );

  // The bounds of SPEC §3, written out again here from the spec's table (not taken from src/).
  // `field` is the constant the first failing check names: DELTA_MAX is checked before EPSILON_SYNC.
  const E = SCALE / 100n; // default epsilon_sync
  const BOUNDS: [key: string, below: [bigint, bigint] | null, above: [bigint, bigint] | null, aboveField?: string][] = [
    ['a_max', [-(2n ** 70n), 0n], [65n, 2n ** 70n]],
    ['base', [-(2n ** 70n), 0n], [SCALE + 1n, 2n ** 70n]],
    ['delta_max', [-(2n ** 70n), E - 1n], [SCALE + 1n, 2n ** 130n]],
    ['epsilon_sync', [-(2n ** 70n), 0n], [SCALE / 10n + 1n, 2n ** 130n], 'delta_max'],
    ['delta_curl', [-(2n ** 70n), -1n], [E + 1n, 2n ** 130n]],
    ['kappa', [-(2n ** 70n), 0n], [SCALE + 1n, 2n ** 130n]],
    ['flow_rate', [-(2n ** 70n), 0n], [SCALE / 2n + 1n, 2n ** 130n]],
    ['penalty_rate', [-(2n ** 70n), -1n], [SCALE + 1n, 2n ** 130n]],
    ['align_tol', [-(2n ** 70n), -1n], [LIMIT, 2n ** 130n]],
    ['res_rate', [-(2n ** 70n), -1n], [SCALE + 1n, 2n ** 130n]],
    ['res_cap_ratio', [-(2n ** 70n), 0n], [100n * SCALE + 1n, 2n ** 130n]],
    ['psy_rate', [-(2n ** 70n), -1n], [SCALE + 1n, 2n ** 130n]],
    ['release_rate', [-(2n ** 70n), 0n], [SCALE / 10n + 1n, 2n ** 130n]],
    ['node_commission', [-(2n ** 70n), -1n], [SCALE + 1n, 2n ** 130n]],
    ['oracle_window', [-(2n ** 70n), -1n], [17n, 2n ** 130n]],
    ['halt_epochs', [-(2n ** 70n), 0n], [65n, 2n ** 130n]],
    ['blacklist_after', [-(2n ** 70n), 0n], [17n, 2n ** 130n]],
  ];
  const sides = BOUNDS.flatMap(([key, below, above, aboveField]) => [
    ...(below ? [{ key, side: 'below', range: below, field: key }] : []),
    ...(above ? [{ key, side: 'above', range: above, field: aboveField ?? key }] : []),
  ]);
  test('genesis.bounds.table: the table covers all 17 constants', () => {
    expect(new Set(sides.map((s) => s.key)).size).toBe(17);
  });
  for (const s of sides) {
    test.prop([fc.bigInt({ min: s.range[0], max: s.range[1] })], { numRuns: 20 })(
      `genesis.bounds.${s.key}.${s.side}: a value ${s.side} the bound is E_GENESIS_BOUND naming constants.${s.field}`,
      (v) => {
        const r = validateGenesis(setAt(DEFAULT_DOC, ['constants', s.key], v.toString()));
        expect(r.ok).toBe(false);
        if (!r.ok) expect([r.error.code, r.error.field]).toEqual(['E_GENESIS_BOUND', `constants.${s.field}`]);
        if (!r.ok && s.field === s.key) expect(r.error.message).toContain(`(${s.key}) = ${v}`);
      },
    );
  }

  test('genesis.bounds.a_max-65: A_MAX = 65 is refused naming A_MAX and its bound', () => {
    const r = validateGenesis(setAt(DEFAULT_DOC, ['constants', 'a_max'], '65'));
    expect(r.ok ? '' : r.error.message).toBe('A_MAX (a_max) = 65 breaks 1 <= A_MAX <= 64');
  });
});

describe('founders', () => {
  const G = genesisHash(DEFAULT);
  const OTHER = genesisHash({ ...DEFAULT, chain_id: 'tampered' });
  const key = (i: number) => devKey(devLabel.founder(i)).secretKey;
  const valid = [0, 1, 2].map((i) => signGenesis(G, BigInt(i), key(i)));
  const onTampered = [0, 1, 2].map((i) => signGenesis(OTHER, BigInt(i), key(i)));
  // A signature entry: [founder named, whose key signed (or -1: over a tampered hash by the named founder)].
  const entry = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -1, max: 2 }));

  test.prop([fc.array(entry, { maxLength: 6 })])(
    'genesis.certified: certified iff at least M distinct named founders carry their own valid signature over G',
    (entries) => {
      const sigs: FounderSignature[] = entries.map(([named, signer]) => ({
        founder: BigInt(named),
        signature: signer === -1 ? (onTampered[named] ?? onTampered[0]!).signature : valid[signer]!.signature,
      }));
      const good = new Set(entries.filter(([named, signer]) => signer === named && named < 3).map(([n]) => n));
      const c = certify(DEFAULT, G, sigs);
      expect(c.signers.map(Number)).toEqual([...good].sort());
      expect(c.certified).toBe(good.size >= 2);
    },
  );
});
