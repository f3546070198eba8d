/** Bad inputs of `qfs genesis`: documents that break the schema, bounds, rules or limits, and directories. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { CONSTANT_BOUNDS } from '../../src/genesis/constants.ts';
import { canonicalString, type Encodable } from '../../src/math/canonical.ts';
import { makeFixture, runCase, type Case } from './harness.ts';

let fixture: string;
beforeAll(() => {
  fixture = makeFixture();
});

type Doc = Record<string, unknown> & { constants: Record<string, string>; nodes: Record<string, unknown>[]; shards: { id: string; key: string }[]; founders: { id: string; key: string }[] };
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** A change of the genesis document: as an object, or (for text-level faults) as text. */
type Mutation = { readonly name: string; readonly doc?: (d: Doc) => void; readonly text?: (t: string) => string | Uint8Array; readonly error: string; readonly names?: string; readonly fromNames?: string };

const HUGE = (2n ** 126n).toString();
const mutations: Mutation[] = [
  ...CONSTANT_BOUNDS.filter((b) => b.key !== 'epsilon_sync' && b.key !== 'align_tol').map((b): Mutation => ({ name: `constant ${b.key} = 2^126`, doc: (d) => (d.constants[b.key] = HUGE), error: 'E_GENESIS_BOUND', names: `constants.${b.key}` })),
  { name: 'constant align_tol = -1', doc: (d) => (d.constants.align_tol = '-1'), error: 'E_GENESIS_BOUND', names: 'constants.align_tol' },
  { name: 'constants.a_max = 65', doc: (d) => (d.constants.a_max = '65'), error: 'E_GENESIS_BOUND', names: 'constants.a_max' },
  { name: 'constants.a_max = -1', doc: (d) => (d.constants.a_max = '-1'), error: 'E_GENESIS_BOUND', names: 'constants.a_max' },
  { name: 'constants.a_max not canonical (007)', doc: (d) => (d.constants.a_max = '007'), error: 'E_GENESIS_SCHEMA', names: 'constants.a_max' },
  { name: 'a constant missing', doc: (d) => delete d.constants.kappa, error: 'E_GENESIS_SCHEMA', names: 'constants' },
  { name: 'chain_id of 129 characters (limit 128)', doc: (d) => (d.chain_id = 'c'.repeat(129)), error: 'E_GENESIS_SCHEMA', names: 'chain_id' },
  { name: 'chain_id of 2 MiB (string limit)', doc: (d) => (d.chain_id = 'c'.repeat(2 * 1024 * 1024)), error: 'E_CANONICAL' },
  { name: 'chain_id empty', doc: (d) => (d.chain_id = ''), error: 'E_GENESIS_SCHEMA', names: 'chain_id' },
  { name: 'chain_id with a newline', doc: (d) => (d.chain_id = 'a\nb'), error: 'E_GENESIS_SCHEMA', names: 'chain_id' },
  { name: 'chain_id an object', doc: (d) => (d.chain_id = { a: 'b' }), error: 'E_GENESIS_SCHEMA', names: 'chain_id' },
  { name: 'chain_id nested 50,000 deep', text: (t) => t.replace(/"chain_id":"[^"]*"/, `"chain_id":${nested(50_000)}`), error: 'E_CANONICAL' },
  { name: 'chain_id nested 65 deep (limit 64)', text: (t) => t.replace(/"chain_id":"[^"]*"/, `"chain_id":${nested(65)}`), error: 'E_CANONICAL' },
  { name: 'version wrong', doc: (d) => (d.version = 'QFS-V12'), error: 'E_GENESIS_SCHEMA', names: 'version' },
  { name: 'an unknown key', doc: (d) => (d.extra = 'x'), error: 'E_GENESIS_SCHEMA', names: '(document)', fromNames: '(document)' },
  { name: 'nodes missing', doc: (d) => delete (d as Record<string, unknown>).nodes, error: 'E_GENESIS_SCHEMA', names: '(document)' },
  { name: '500,001 nodes (limit 500,000)', doc: (d) => (d.nodes = new Array(500_001).fill(null)), error: 'E_GENESIS_SCHEMA', names: 'nodes' },
  { name: '2,000,001 edges (limit 2,000,000)', doc: (d) => (d.edges = new Array(2_000_001).fill(null)), error: 'E_GENESIS_SCHEMA', names: 'edges' },
  { name: '1,025 shards (limit 1,024)', doc: (d) => (d.shards = new Array(1025).fill(null)), error: 'E_GENESIS_SCHEMA', names: 'shards' },
  { name: '257 founders (limit 256)', doc: (d) => (d.founders = new Array(257).fill(null)), error: 'E_GENESIS_SCHEMA', names: 'founders' },
  { name: '1,025 groups (limit 1,024)', doc: (d) => (d.groups = new Array(1025).fill([])), error: 'E_GENESIS_SCHEMA', names: 'groups' },
  { name: '65,537 users on one node (limit 65,536)', doc: (d) => (d.nodes[0]!.users = new Array(65_537).fill(null)), error: 'E_GENESIS_SCHEMA', names: 'nodes[0].users' },
  { name: 'a node id not canonical', doc: (d) => (d.nodes[0]!.id = '01'), error: 'E_GENESIS_SCHEMA', names: 'nodes[0].id' },
  { name: 'a node id of 2^63', doc: (d) => (d.nodes[0]!.id = (2n ** 63n).toString()), error: 'E_GENESIS_SCHEMA', names: 'nodes[0].id' },
  { name: 'a node on a shard that does not exist', doc: (d) => (d.nodes[0]!.shard = '999'), error: 'E_GENESIS_SCHEMA', names: 'nodes[0].shard' },
  { name: 'a negative balance', doc: (d) => (d.nodes[0]!.chr = '-1'), error: 'E_GENESIS_RULE', names: 'nodes[0].chr' },
  { name: 'a self-loop edge', doc: (d) => ((d.edges as unknown[])[0] = ['0', '0']), error: 'E_GENESIS_SCHEMA', names: 'edges[0]' },
  { name: 'an edge that is not a pair', doc: (d) => ((d.edges as unknown[])[0] = ['0']), error: 'E_GENESIS_SCHEMA', names: 'edges[0]' },
  { name: 'threshold 0', doc: (d) => (d.threshold = '0'), error: 'E_GENESIS_RULE', names: 'threshold' },
  { name: 'threshold above the founders', doc: (d) => (d.threshold = '4'), error: 'E_GENESIS_RULE', names: 'threshold' },
  { name: 'oracle_key not 2,592 bytes of hex', doc: (d) => (d.oracle_key = 'abc'), error: 'E_GENESIS_SCHEMA', names: 'oracle_key' },
  { name: "a founder with a shard's key", doc: (d) => (d.founders[0]!.key = d.shards[0]!.key), error: 'E_GENESIS_RULE', names: 'founders[0].key' },
  { name: 'a negative treasury', doc: (d) => (d.treasury = '-1'), error: 'E_GENESIS_RULE', names: 'treasury' },
];

/** Text-level faults that only the canonical reader of `genesis verify` sees (the --from reader takes any JSON formatting). */
const canonicalOnly: Mutation[] = [
  { name: 'whitespace', text: (t) => t.replace('{', '{ '), error: 'E_CANONICAL', names: '(document)' },
  { name: 'a trailing newline', text: (t) => `${t}\n`, error: 'E_CANONICAL', names: '(document)' },
  { name: 'a JSON number', text: (t) => t.replace(/"threshold":"2"/, '"threshold":2'), error: 'E_CANONICAL', names: 'threshold' },
  { name: 'a duplicate key', text: (t) => t.replace('{"chain_id"', '{"version":"QFS-V13-P3","chain_id"'), error: 'E_CANONICAL', names: '(document)' },
  { name: 'invalid UTF-8', text: (t) => Buffer.concat([Buffer.from(t), Buffer.from([0xff])]), error: 'E_CANONICAL', names: '(document)' },
  { name: 'an empty file', text: () => '', error: 'E_CANONICAL', names: '(document)' },
  { name: 'not JSON', text: () => '{"chain_id":', error: 'E_CANONICAL', names: '(document)' },
  { name: 'a 50 MB chain_id', doc: (d) => (d.chain_id = 'c'.repeat(50 * 1024 * 1024)), error: 'E_CANONICAL', names: '(document)' },
];

/** The altered document: canonical bytes for a change of the object (so that only text mutations are canonical faults). */
function mutatedText(dir: string, m: Mutation): string | Uint8Array {
  const text = readFileSync(join(dir, 'G', 'genesis.json'), 'utf8');
  if (m.text) return m.text(text);
  const d = JSON.parse(text) as Doc;
  m.doc!(d);
  return canonicalString(d as unknown as Encodable);
}

describe('bad input: genesis verify (a stored genesis.json altered)', () => {
  for (const m of [...mutations, ...canonicalOnly]) {
    const c: Case = {
      name: `genesis verify: ${m.name}`,
      setup: (dir) => writeFileSync(join(dir, 'G', 'genesis.json'), mutatedText(dir, m)),
      args: (dir) => ['genesis', 'verify', join(dir, 'G')],
      code: 1,
      error: m.error,
      ...(m.names === undefined ? {} : { names: m.names }),
    };
    test(c.name, () => runCase(c, fixture), 60_000);
  }
});

describe('bad input: genesis new --from (a user document, written nowhere)', () => {
  for (const m of mutations) {
    const c: Case = {
      name: `genesis new --from: ${m.name}`,
      setup: (dir) => writeFileSync(join(dir, 'doc.json'), mutatedText(dir, m)),
      args: (dir) => ['genesis', 'new', '--from', join(dir, 'doc.json'), '--out', join(dir, 'out')],
      code: 1,
      error: m.error,
      ...(m.error === 'E_CANONICAL' ? { names: (dir: string) => join(dir, 'doc.json') } : m.names === undefined ? {} : { names: m.names }),
    };
    test(c.name, () => runCase(c, fixture), 60_000);
  }
});

const cases: Case[] = [
  { name: 'genesis new over a genesis directory', args: (d) => ['genesis', 'new', '--out', join(d, 'G')], code: 2, error: 'E_USAGE', names: (d) => join(d, 'G') },
  { name: 'genesis new --from a real genesis over a genesis directory', args: (d) => ['genesis', 'new', '--from', join(d, 'G', 'genesis.json'), '--out', join(d, 'G')], code: 2, error: 'E_USAGE', names: (d) => join(d, 'G') },
  { name: 'genesis new --out an existing file', args: (d) => ['genesis', 'new', '--out', join(d, 'file.txt')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt') },
  { name: 'genesis new --out under an existing file', args: (d) => ['genesis', 'new', '--out', join(d, 'file.txt', 'G2')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt', 'G2') },
  { name: 'genesis new --out under /proc', args: () => ['genesis', 'new', '--out', '/proc/self/qfs-genesis'], code: 3, error: 'E_IO', names: '/proc/self/qfs-genesis' },
  { name: 'genesis new --out under /sys', args: () => ['genesis', 'new', '--out', '/sys/qfs-genesis'], code: 3, error: 'E_IO', names: '/sys/qfs-genesis' },
  { name: 'genesis new --from a missing file', args: (d) => ['genesis', 'new', '--from', join(d, 'missing.json'), '--out', join(d, 'out')], code: 3, error: 'E_IO', names: (d) => join(d, 'missing.json') },
  { name: 'genesis new --from a directory', args: (d) => ['genesis', 'new', '--from', join(d, 'G'), '--out', join(d, 'out')], code: 3, error: 'E_IO', names: (d) => join(d, 'G') },
  { name: 'genesis new --from /dev/zero (would never end)', args: (d) => ['genesis', 'new', '--from', '/dev/zero', '--out', join(d, 'out')], code: 3, error: 'E_IO', names: '/dev/zero' },
  { name: 'genesis new --founder-key that is no founder', args: (d) => ['genesis', 'new', '--founder-key', join(d, 'o.key'), '--out', join(d, 'out')], code: 1, error: 'E_KEY', names: (d) => join(d, 'o.key') },
  { name: 'genesis verify a missing directory', args: (d) => ['genesis', 'verify', join(d, 'nope')], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'genesis verify a file', args: (d) => ['genesis', 'verify', join(d, 'file.txt')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt') },
  { name: 'genesis verify /proc/self', args: () => ['genesis', 'verify', '/proc/self'], code: 3, error: 'E_IO', names: '/proc/self/genesis.json' },
  { name: 'genesis verify without genesis.json', setup: (d) => mkdirSync(join(d, 'E')), args: (d) => ['genesis', 'verify', join(d, 'E')], code: 3, error: 'E_IO', names: (d) => join(d, 'E', 'genesis.json') },
  { name: 'genesis verify with genesis.json a directory', setup: (d) => mkdirSync(join(d, 'E', 'genesis.json'), { recursive: true }), args: (d) => ['genesis', 'verify', join(d, 'E')], code: 3, error: 'E_IO', names: (d) => join(d, 'E', 'genesis.json') },
  { name: 'genesis verify with a wrong hash file', setup: (d) => writeFileSync(join(d, 'G', 'genesis_hash.sha256'), `${'0'.repeat(64)}\n`), args: (d) => ['genesis', 'verify', join(d, 'G')], code: 1, error: 'E_SIGNATURES', names: 'genesis_hash.sha256' },
  { name: 'genesis verify with a 2 KiB hash file (limit 1 KiB)', setup: (d) => writeFileSync(join(d, 'G', 'genesis_hash.sha256'), '0'.repeat(2048)), args: (d) => ['genesis', 'verify', join(d, 'G')], code: 3, error: 'E_IO', names: (d) => join(d, 'G', 'genesis_hash.sha256') },
  { name: 'genesis verify with signatures not JSON', setup: (d) => writeFileSync(join(d, 'G', 'genesis_signatures.json'), 'x'), args: (d) => ['genesis', 'verify', join(d, 'G')], code: 1, error: 'E_CANONICAL', names: '(document)' },
  { name: 'genesis verify with signatures nested 50,000 deep', setup: (d) => writeFileSync(join(d, 'G', 'genesis_signatures.json'), nested(50_000)), args: (d) => ['genesis', 'verify', join(d, 'G')], code: 1, error: 'E_CANONICAL', names: '(document)' },
  { name: 'genesis sign with a missing key', args: (d) => ['genesis', 'sign', join(d, 'G'), '--key', join(d, 'missing.key')], code: 3, error: 'E_IO', names: (d) => join(d, 'missing.key') },
  { name: 'genesis sign with a key that is no founder', args: (d) => ['genesis', 'sign', join(d, 'G'), '--key', join(d, 'o.key')], code: 1, error: 'E_KEY', names: (d) => join(d, 'o.key') },
  { name: 'genesis sign with a public key file', args: (d) => ['genesis', 'sign', join(d, 'G'), '--key', join(d, 'k.pub')], code: 1, error: 'E_KEY_PERMISSIONS', names: (d) => join(d, 'k.pub') },
  { name: 'genesis sign a missing directory', args: (d) => ['genesis', 'sign', join(d, 'nope'), '--key', join(d, 'k.key')], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'genesis show a missing directory', args: (d) => ['genesis', 'show', join(d, 'nope')], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'genesis show without a directory or --default', args: () => ['genesis', 'show'], code: 2, error: 'E_USAGE', names: 'dir' },
];

describe('bad input: genesis directories and keys', () => {
  for (const c of cases) test(c.name, () => runCase(c, fixture), 60_000);
});
