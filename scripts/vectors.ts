/**
 * Conformance vectors (SPEC §13), produced by the TypeScript reference. `npm run vectors` writes
 * them to conformance/vectors/; a test fails when the committed files differ from what this
 * produces. Every integer is a decimal string; documents are plain JSON values.
 */
import { canonicalString, parseCanonical, type Json } from '../src/math/canonical.ts';
import { checkSigned, checkUnsigned, floorDiv, LIMIT, MathViolation, median, mulDiv, SCALE } from '../src/math/certified-math.ts';
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { certify, signGenesis, type FounderSignature } from '../src/genesis/founders.ts';
import { genesisHash, validateGenesis } from '../src/genesis/genesis.ts';
import { taggedHashHex, TAGS, toHex, sha256 } from '../src/math/hashing.ts';
import { devKey, devSeed, signDigest, verifyDigest } from '../src/math/signatures.ts';
import { applyPatch, type Patch } from './patch.ts';
import type { Encodable } from '../src/math/canonical.ts';
import { sum } from '../src/math/certified-math.ts';
import type { Constants } from '../src/genesis/constants.ts';
import { recordHash, type EpochRecord } from '../src/epoch/epoch-record.ts';
import { epochContext, runHonestEpoch, type EpochContext, type EpochInputs } from '../src/epoch/epoch.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { applyActions, fieldFlow, mintPsy, rebalanceChr, resonance, type Action } from '../src/economics/harmonic-economics.ts';
import { holoRewards } from '../src/economics/holo-reward.ts';
import { checkStep } from '../src/invariants/catalog.ts';
import { merkleRootHex } from '../src/math/merkle.ts';
import { applyOracle, decideOracle, signSnapshot, storedSnapshots, type SignedSnapshot } from '../src/epoch/oracle.ts';
import { curl, fluxDemand, gradient, openingField, shardCoherences, triangles, type OpeningField } from '../src/field/psi-field.ts';
import { atrSupply, chrSupply, flxSupply, initialState, psySupply, resSupply, stateRoot, type State } from '../src/economics/state.ts';
import { topology, type Topology } from '../src/field/topology.ts';
import { distributeTreasury } from '../src/economics/treasury-distribution.ts';

type Vectors = Record<string, unknown>;
const s = (x: bigint) => x.toString();

function mathVectors(): Vectors {
  const cases: unknown[] = [];
  const run = (op: string, args: bigint[], f: () => bigint) => {
    try {
      cases.push({ op, args: args.map(s), result: s(f()) });
    } catch (e) {
      if (!(e instanceof MathViolation)) throw e;
      cases.push({ op, args: args.map(s), error: { code: e.code, reason: e.reason } });
    }
  };
  const M = LIMIT - 1n;
  const mulDivArgs: [bigint, bigint, bigint][] = [
    [0n, 0n, 1n], [1n, 1n, 1n], [7n, 3n, 2n], [10n, 10n, 3n], [SCALE, SCALE, SCALE], [3n * SCALE, SCALE, 2n * SCALE],
    [M, 1n, 1n], [M, M, M], [M, 2n, 2n], [M, 3n, 2n], [2n ** 126n, 2n, 1n], [2n ** 126n, 2n, 2n], [M, M, M - 1n],
    [123456789012345678901234567890n, 987654321098765432109876543210n, 2n ** 100n + 7n],
    [-1n, 1n, 1n], [1n, -1n, 1n], [1n, 1n, 0n], [1n, 1n, -1n], [LIMIT, 1n, 1n], [1n, LIMIT, 1n], [1n, 1n, LIMIT], [0n, 5n, 0n],
  ];
  for (const a of mulDivArgs) run('mulDiv', a, () => mulDiv(...a));
  const floorArgs: [bigint, bigint][] = [[0n, 1n], [7n, 2n], [M, 1n], [M, M], [M, 2n], [5n, 0n], [-1n, 3n], [-7n, 2n], [1n, -2n], [LIMIT, 1n], [1n, LIMIT]];
  for (const a of floorArgs) run('floorDiv', a, () => floorDiv(...a));
  const medians: bigint[][] = [[5n], [2n, 1n], [3n, 1n, 2n], [4n, 1n, 3n, 2n], [7n, 7n, 1n, 9n, 9n, 0n], [-3n, 5n, -1n], []];
  for (const xs of medians) run('median', xs, () => median(xs));
  for (const x of [0n, M, LIMIT, -1n]) run('checkUnsigned', [x], () => checkUnsigned(x));
  for (const x of [-LIMIT, -LIMIT - 1n, M, LIMIT, 0n]) run('checkSigned', [x], () => checkSigned(x));
  return { format: 'qfs-vectors/1', section: '§1 CertifiedMath', cases };
}

function canonicalVectors(): Vectors {
  const encode: { name: string; input: Json }[] = [
    { name: 'empty object', input: {} },
    { name: 'sorted keys', input: { b: '1', a: ['2', null, true, false], c: { z: 'x', a: '' } } },
    { name: 'escapes', input: { s: 'quote " backslash \\ nl \n tab \t cr \r bs \b ff \f ctl \u0001 \u001f del \u007f' } },
    { name: 'non-ascii', input: { s: 'ψ-field ΔCHR 日本 😀' } },
    { name: 'key order by code unit', input: { a_b: '1', a0: '2', a: '3', ab: '4', _: '5', z9: '6' } },
    { name: 'nested arrays', input: [[], [[]], [{}], ['0', '-1', '340282366920938463463374607431768211455']] },
    { name: 'integer-like strings are strings', input: { a: '-0', b: '007', c: '+1', d: '1e3' } },
  ];
  const parse: { name: string; text: string }[] = [
    { name: 'canonical', text: '{"a":"1","b":[true,null]}' },
    { name: 'whitespace', text: '{"a": "1"}' },
    { name: 'unsorted keys', text: '{"b":"1","a":"2"}' },
    { name: 'duplicate key', text: '{"a":"1","a":"1"}' },
    { name: 'json number', text: '{"a":1}' },
    { name: 'float', text: '{"a":1.5}' },
    { name: 'escaped slash', text: '{"a":"\\/"}' },
    { name: 'unicode escape of printable', text: '{"a":"\\u0041"}' },
    { name: 'upper-case escape', text: '{"a":"\\u001F"}' },
    { name: 'lower-case escape', text: '{"a":"\\u001f"}' },
    { name: 'trailing newline', text: '{"a":"1"}\n' },
    { name: 'bad key', text: '{"A":"1"}' },
    { name: 'empty key', text: '{"":"1"}' },
    { name: 'top-level string', text: '"x"' },
    { name: 'not json', text: '{' },
    { name: 'byte order mark', text: '\ufeff{"a":"1"}' },
    { name: 'lone surrogate escape', text: '{"a":"\\ud800"}' },
    { name: 'lone low surrogate escape', text: '{"a":"\\udc00"}' },
    { name: 'escaped surrogate pair', text: '{"a":"\\ud83d\\ude00"}' },
    { name: 'literal astral character', text: '{"a":"\u{1f600}"}' },
    { name: 'raw control character', text: '{"a":"\u0001"}' },
    { name: 'raw tab', text: '{"a":"\t"}' },
    { name: 'escaped tab', text: '{"a":"\\t"}' },
    { name: 'raw DEL', text: '{"a":"\u007f"}' },
    { name: 'escaped DEL', text: '{"a":"\\u007f"}' },
    { name: 'minus zero string', text: '{"a":"-0"}' },
    { name: 'leading zero string', text: '{"a":"007"}' },
  ];
  return {
    format: 'qfs-vectors/1',
    section: '§2 canonical encoding',
    encode: encode.map((c) => ({ ...c, canonical: canonicalString(c.input) })),
    // The reference reader (P2.3) over the text's UTF-8 bytes, as the ports read it.
    parse: parse.map((c) => {
      let canonical = true;
      try {
        parseCanonical(new TextEncoder().encode(c.text));
      } catch (e) {
        if (!(e instanceof QfsError)) throw e;
        canonical = false;
      }
      return { ...c, canonical };
    }),
  };
}

function hashVectors(): Vectors {
  const values: Json[] = [{}, { a: '1' }, ['x', null, true], 'ψ', { epoch: '1', nodes: [{ id: '0', chr: '1000000000000000000' }] }];
  const cases = [];
  for (const tag of TAGS) for (const value of values) cases.push({ tag, value, digest: taggedHashHex(tag, value) });
  return { format: 'qfs-vectors/1', section: '§2 tagged hashing', cases };
}

function signatureVectors(): Vectors {
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

function genesisVectors(): Vectors {
  const g = defaultGenesis();
  const doc = JSON.parse(canonicalString(g as never)) as Json;
  const G = genesisHash(g);
  const cases = genesisCases(doc).map(({ name, patch }) => {
    const r = validateGenesis(applyPatch(doc, patch));
    return r.ok ? { name, patch, hash: genesisHash(r.value) } : { name, patch, error: { code: r.error.code, field: r.error.field } };
  });
  const sigs: FounderSignature[] = [0n, 1n, 2n].map((id) => signGenesis(G, id, devKey(devLabel.founder(id)).secretKey));
  const certCases = [
    { name: 'all three', signatures: sigs },
    { name: 'two', signatures: [sigs[0]!, sigs[2]!] },
    { name: 'one', signatures: [sigs[1]!] },
    { name: 'one twice', signatures: [sigs[1]!, sigs[1]!] },
    { name: 'wrong founder id', signatures: [sigs[0]!, { founder: 2n, signature: sigs[1]!.signature }] },
    { name: 'unknown founder', signatures: [sigs[0]!, { founder: 9n, signature: sigs[1]!.signature }] },
  ].map((c) => {
    const r = certify(g, G, c.signatures);
    return {
      name: c.name,
      signatures: c.signatures.map((x) => ({ founder: s(x.founder), signature: x.signature })),
      signers: r.signers.map(s),
      certified: r.certified,
    };
  });
  return { format: 'qfs-vectors/1', section: '§3 genesis', default: { genesis: doc, hash: G }, cases, certification: certCases };
}

/** Mutations of the default genesis: every check of §3 in order, each side of every bound. */
export function genesisCases(doc: Json): { name: string; patch: Patch }[] {
  const d = doc as { nodes: { chr: string }[]; edges: string[][] };
  const set = (path: (string | number)[], value: Json): Patch[number] => ({ op: 'set', path, value });
  const del = (path: (string | number)[]): Patch[number] => ({ op: 'delete', path });
  const c = (k: string, v: bigint | string) => set(['constants', k], typeof v === 'string' ? v : s(v));
  const cases: { name: string; patch: Patch }[] = [{ name: 'default', patch: [] }];
  const add = (name: string, ...patch: Patch) => cases.push({ name, patch });
  const bounds: [string, bigint | undefined, bigint | undefined][] = [
    ['a_max', 1n, 64n], ['base', 1n, SCALE], ['delta_max', 10n ** 16n, SCALE], ['epsilon_sync', 1n, undefined],
    ['delta_curl', 0n, 10n ** 16n], ['kappa', 1n, SCALE], ['flow_rate', 1n, SCALE / 2n], ['penalty_rate', 0n, SCALE],
    ['align_tol', 0n, LIMIT - 1n], ['res_rate', 0n, SCALE], ['res_cap_ratio', 1n, 100n * SCALE], ['psy_rate', 0n, SCALE],
    ['release_rate', 1n, SCALE / 10n], ['node_commission', 0n, SCALE], ['oracle_window', 0n, 16n], ['halt_epochs', 1n, 64n],
    ['blacklist_after', 1n, 16n],
  ];
  for (const [k, lo, hi] of bounds) {
    if (lo !== undefined) {
      // EPSILON_SYNC bounds DELTA_CURL from above: lower it too, so the case is valid.
      add(`${k} at its lower bound`, c(k, lo), ...(k === 'epsilon_sync' ? [c('delta_curl', 0n)] : []));
      add(`${k} below its lower bound`, c(k, lo - 1n));
    }
    if (hi !== undefined) {
      add(`${k} at its upper bound`, c(k, hi));
      add(`${k} above its upper bound`, c(k, hi + 1n));
    }
  }
  add('epsilon_sync above delta_max', c('epsilon_sync', 2n * 10n ** 17n));
  add('epsilon_sync out of range', c('epsilon_sync', LIMIT), c('delta_max', SCALE));
  add('constant -1 is a bound error', c('a_max', '-1'));
  add('constant not canonical', c('a_max', '016'));
  add('constant missing', del(['constants', 'a_max']));
  add('extra top-level key', set(['extra'], '1'));
  add('missing top-level key', del(['threshold']));
  add('wrong version', set(['version'], 'QFS-V13-P2'));
  add('empty chain id', set(['chain_id'], ''));
  add('group not sorted', set(['groups', 0], ['1', '0', '2', '3']));
  add('groups out of order', set(['groups'], [['4', '5', '6', '7'], ['0', '1', '2', '3']]));
  add('empty group', set(['groups'], [['0', '1', '2', '3'], [], ['4', '5', '6', '7']]));
  add('shard in no group', set(['groups'], [['0', '1', '2', '3'], ['4', '5', '6']]));
  add('shard in two groups', set(['groups'], [['0', '1', '2', '3'], ['3', '4', '5', '6', '7']]));
  add('group names a missing shard', set(['groups', 1], ['4', '5', '6', '7', '99']));
  add('shard id out of range', set(['shards', 7, 'id'], s(2n ** 63n)));
  add('shard key upper-case', set(['shards', 0, 'key'], 'AB'));
  add('node extra key', set(['nodes', 3, 'extra'], '1'));
  add('node id negative', set(['nodes', 0, 'id'], '-1'));
  add('nodes out of order', set(['nodes', 1, 'id'], '0'));
  add('node shard missing', set(['nodes', 2, 'shard'], '42'));
  add('node balance not an integer', set(['nodes', 3, 'chr'], '1.5'));
  add('user ids not sorted', set(['nodes', 1, 'users', 1, 'id'], '1000'));
  add('user id on two nodes', set(['nodes', 2, 'users', 0, 'id'], '1001'));
  add('edge self-loop', set(['edges', 0], ['1', '1']));
  add('edge reversed', set(['edges', 0], ['1', '0']));
  add('edge not a pair', set(['edges', 0], ['0', '1', '2']));
  add('edge duplicate', set(['edges', 1], ['0', '1']));
  const lastEdge = d.edges.length - 1;
  add('edge to a missing node', set(['edges', lastEdge], [d.edges[lastEdge]![0]!, '999']));
  add('threshold too low', set(['threshold'], '1'));
  add('threshold above N', set(['threshold'], '4'));
  add('no founders', set(['founders'], []), set(['threshold'], '0'));
  add('founder key equals a shard key', { op: 'copy', from: ['shards', 0, 'key'], path: ['founders', 0, 'key'] });
  add('oracle key equals a founder key', { op: 'copy', from: ['founders', 1, 'key'], path: ['oracle_key'] });
  add('dis above SCALE', set(['nodes', 5, 'dis'], s(SCALE + 1n)));
  add('dis negative', set(['nodes', 5, 'dis'], '-1'));
  add('negative flx', set(['nodes', 6, 'flx'], '-1'));
  add('chr out of range', set(['nodes', 6, 'chr'], s(LIMIT)));
  add('atr below stake', set(['nodes', 1, 'atr'], '0'));
  add('weight zero', set(['nodes', 0, 'users', 0, 'weight'], '0'));
  add('weight 2^64', set(['nodes', 0, 'users', 0, 'weight'], s(2n ** 64n)));
  add('weight sum 2^64', set(['nodes', 1, 'users', 0, 'weight'], s(2n ** 63n)), set(['nodes', 1, 'users', 1, 'weight'], s(2n ** 63n)));
  add('treasury negative', set(['treasury'], '-1'));
  add('treasury out of range', set(['treasury'], s(LIMIT)));
  add('CHR supply above 2^89', set(['nodes', 0, 'chr'], s(2n ** 89n)));
  const others = d.nodes.slice(1).reduce((a, n) => a + BigInt(n.chr), 0n);
  add('CHR supply at 2^89', set(['nodes', 0, 'chr'], s(2n ** 89n - others)));
  add('FLX + ATR above 2^90', set(['treasury'], s(2n ** 90n)));
  add('PSY above 2^100', set(['nodes', 0, 'psy'], s(2n ** 100n + 1n)));
  add('RES above 2^100', set(['nodes', 0, 'res'], s(2n ** 100n + 1n)));
  add('zero CHR', ...d.nodes.map((_, i) => set(['nodes', i, 'chr'], '0')));
  add('chain id changed', set(['chain_id'], 'another-chain'));
  add('one balance changed', set(['nodes', 10, 'flx'], '1'));
  add('no edges', set(['edges'], []));
  isolationCases(doc, add);
  return cases;
}

type Add = (name: string, ...patch: Patch) => void;
type DocNode = { id: string; chr: string; flx: string; stake: string; psy: string; atr: string; res: string; users: { id: string }[] };

/**
 * Each check of §3 and its pins in isolation, on each side where it has sides, and pairs of faults
 * that pin "the first failure decides" (stage order, table order, node order, P3.3's walk).
 */
function isolationCases(doc: Json, add: Add): void {
  const d = doc as { nodes: DocNode[]; edges: string[][]; treasury: string; shards: { key: string }[] };
  const set = (path: (string | number)[], value: Json): Patch[number] => ({ op: 'set', path, value });
  const c = (k: string, v: bigint | string) => set(['constants', k], typeof v === 'string' ? v : s(v));
  const sum = (k: keyof Omit<DocNode, 'id' | 'users'>) => d.nodes.reduce((a, n) => a + BigInt(n[k]), 0n);

  // Keys (P3.2: 2,592 bytes of lowercase hex, a schema check) for each kind of key.
  const key = d.shards[0]!.key;
  const keyVariants: [string, string][] = [
    ['upper-case hex of the right length', key.toUpperCase()],
    ['one byte short', key.slice(0, -2)],
    ['one byte long', `${key}00`],
    ['non-hex character', `${key.slice(0, -1)}g`],
  ];
  const keyPaths: [string, (string | number)[]][] = [['shard key', ['shards', 3, 'key']], ['founder key', ['founders', 1, 'key']], ['oracle key', ['oracle_key']]];
  for (const [what, path] of keyPaths) {
    for (const [variant, value] of keyVariants) add(`${what} ${variant}`, set(path, value));
  }

  // chain_id (P3.2: ^[\x20-\x7e]+$).
  add('chain id with a control character', set(['chain_id'], 'qfs\u0007dev'));
  add('chain id with DEL', set(['chain_id'], 'qfs\u007fdev'));
  add('chain id with a non-ASCII character', set(['chain_id'], 'qfs-dév'));
  add('chain id a single space', set(['chain_id'], ' '));
  add('chain id all printable ASCII', set(['chain_id'], Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('')));

  // Degree: node `index` gets exactly `degree` edges, by adding edges to the lowest-id non-neighbours.
  const withDegree = (index: number, degree: number): Patch[number] => {
    const id = BigInt(d.nodes[index]!.id);
    const edges = d.edges.map(([a, b]) => [BigInt(a!), BigInt(b!)] as [bigint, bigint]);
    const neighbours = new Set(edges.filter(([a, b]) => a === id || b === id).map(([a, b]) => (a === id ? b : a)));
    for (const n of d.nodes) {
      const m = BigInt(n.id);
      if (neighbours.size >= degree) break;
      if (m === id || neighbours.has(m)) continue;
      neighbours.add(m);
      edges.push(m < id ? [m, id] : [id, m]);
    }
    if (neighbours.size !== degree) throw new Error(`the default genesis has too few nodes for a degree of ${degree}`);
    edges.sort(([a, b], [x, y]) => (a !== x ? (a < x ? -1 : 1) : b < y ? -1 : b > y ? 1 : 0));
    return set(['edges'], edges.map(([a, b]) => [s(a), s(b)]));
  };
  add('node with 64 edges', withDegree(5, 64));
  add('node with 65 edges', withDegree(5, 65));

  // Orders and duplicates (P3.1: strict, the later element is the fault).
  const swap = (list: 'shards' | 'founders' | 'nodes', i: number, j: number): Patch => {
    const items = (doc as Record<string, readonly Json[]>)[list]!;
    return [set([list, i], items[j]!), set([list, j], items[i]!)];
  };
  add('shards out of order', ...swap('shards', 1, 2));
  add('founders out of order', ...swap('founders', 0, 1));
  add('nodes swapped', ...swap('nodes', 3, 4));
  add('duplicate shard id', set(['shards', 3, 'id'], '2'));
  add('duplicate founder id', set(['founders', 2, 'id'], '1'));
  add('duplicate node id', set(['nodes', 5, 'id'], '4'));
  add('duplicate user id within a node', set(['nodes', 2, 'users', 2, 'id'], d.nodes[2]!.users[1]!.id));
  add('duplicate group member', set(['groups', 0], ['0', '1', '1', '2', '3']));

  // Balances: [0, 2^127) each, checked per node in the order chr, flx, stake, psy, atr, res.
  // Node 1 has stake > 0; node 3 has stake 0.
  for (const k of ['chr', 'flx', 'stake', 'psy', 'atr', 'res'] as const) {
    const i = k === 'atr' ? 3 : 1;
    add(`${k} at 2^127`, set(['nodes', i, k], s(LIMIT)));
    add(`${k} negative`, set(['nodes', i, k], '-1'));
    // In range for the rule, so the case reaches the supply bound that 2^127 - 1 breaks (stake
    // needs atr >= stake, and then FLX + ATR breaks).
    add(`${k} at 2^127 - 1`, set(['nodes', i, k], s(LIMIT - 1n)), ...(k === 'stake' ? [set(['nodes', i, 'atr'], s(LIMIT - 1n))] : []));
  }
  add('stake 2^127 with atr 2^127', set(['nodes', 1, 'stake'], s(LIMIT)), set(['nodes', 1, 'atr'], s(LIMIT)));
  add('stake equal to atr', set(['nodes', 1, 'stake'], d.nodes[1]!.atr));
  add('atr one below stake', set(['nodes', 1, 'atr'], s(BigInt(d.nodes[1]!.stake) - 1n)));
  add('dis at SCALE', set(['nodes', 5, 'dis'], s(SCALE)));
  add('dis zero', set(['nodes', 5, 'dis'], '0'));
  add('weight one', set(['nodes', 0, 'users', 0, 'weight'], '1'));
  add('weight 2^64 - 1', set(['nodes', 0, 'users', 0, 'weight'], s(2n ** 64n - 1n)));
  add('weight sum 2^64 - 1', set(['nodes', 1, 'users', 0, 'weight'], s(2n ** 63n)), set(['nodes', 1, 'users', 1, 'weight'], s(2n ** 63n - 1n)));
  add('weight negative', set(['nodes', 0, 'users', 0, 'weight'], '-1'));
  add('treasury 2^127 - 1', set(['treasury'], s(LIMIT - 1n)));
  add('treasury zero', set(['treasury'], '0'));

  // Supply bounds: each exactly at its limit (valid) and one above (E_GENESIS_SUPPLY).
  const chr0 = BigInt(d.nodes[0]!.chr);
  const flx0 = BigInt(d.nodes[0]!.flx);
  const treasury = BigInt(d.treasury);
  const flxAtr = sum('flx') + sum('stake') + treasury + sum('atr');
  const room = 2n ** 90n - flxAtr;
  add('CHR supply at 2^89 + 1', set(['nodes', 0, 'chr'], s(2n ** 89n - sum('chr') + chr0 + 1n)));
  add('FLX + ATR at 2^90', set(['treasury'], s(treasury + room)));
  add('FLX + ATR at 2^90 + 1', set(['treasury'], s(treasury + room + 1n)));
  add('FLX + ATR at 2^90 by node flx', set(['nodes', 0, 'flx'], s(flx0 + room)));
  add('FLX + ATR at 2^90 + 1 by node flx', set(['nodes', 0, 'flx'], s(flx0 + room + 1n)));
  // Σ flx + treasury + Σ atr is exactly 2^90: only Σ stake takes it over.
  add('FLX supply counts stake', set(['treasury'], s(treasury + room + sum('stake'))));
  // Σ flx + Σ stake + Σ atr is exactly 2^90: only the treasury takes it over.
  add('FLX supply counts the treasury', set(['nodes', 0, 'flx'], s(flx0 + room + treasury)));
  // FLX supply alone is exactly 2^90: only Σ atr takes it over.
  add('FLX + ATR counts ATR', set(['nodes', 0, 'flx'], s(flx0 + room + sum('atr'))));
  for (const k of ['psy', 'res'] as const) {
    const rest = sum(k) - BigInt(d.nodes[0]![k]);
    add(`${k.toUpperCase()} supply at 2^100`, set(['nodes', 0, k], s(2n ** 100n - rest)));
    add(`${k.toUpperCase()} supply at 2^100 + 1`, set(['nodes', 0, k], s(2n ** 100n - rest + 1n)));
  }

  // The first failure decides: two faults, the earlier check names the case.
  add('schema fault after a bound fault: schema wins', c('a_max', 65n), set(['threshold'], '02'));
  add('bound fault and a rule fault: bound wins', c('blacklist_after', 17n), set(['threshold'], '1'));
  add('bound fault and a supply fault: bound wins', c('halt_epochs', 0n), set(['nodes', 0, 'psy'], s(2n ** 100n + 1n)));
  add('rule fault and a supply fault: rule wins', set(['treasury'], s(2n ** 90n)), set(['nodes', 70, 'users', 0, 'weight'], '0'));
  add('two bound faults: table order, not key order', c('blacklist_after', 0n), c('kappa', 0n));
  add('delta_max and delta_curl out: delta_max first', c('delta_curl', SCALE), c('delta_max', SCALE + 1n));
  add('rule faults on nodes[2] and nodes[1]: earlier node wins', set(['nodes', 2, 'dis'], s(SCALE + 1n)), set(['nodes', 1, 'atr'], '0'));
  add('dis and a balance on one node: dis first', set(['nodes', 3, 'chr'], '-1'), set(['nodes', 3, 'dis'], '-1'));
  add('two balances on one node: chr..res order', set(['nodes', 4, 'res'], '-1'), set(['nodes', 4, 'psy'], s(LIMIT)));
  add('balance and atr below stake on one node: balance first', set(['nodes', 1, 'atr'], '0'), set(['nodes', 1, 'res'], '-1'));
  add('weight fault on node 0, degree fault on node 5: degree first', set(['nodes', 0, 'users', 0, 'weight'], '0'), withDegree(5, 65));
  add('threshold and a repeated key: threshold first', set(['threshold'], '4'), { op: 'copy', from: ['shards', 0, 'key'], path: ['oracle_key'] });
  add('repeated key and a node rule: key first', set(['nodes', 0, 'dis'], '-1'), { op: 'copy', from: ['shards', 0, 'key'], path: ['founders', 2, 'key'] });
  add('weight fault and a later weight-sum fault: node order', set(['nodes', 1, 'users', 0, 'weight'], s(2n ** 63n)), set(['nodes', 1, 'users', 1, 'weight'], s(2n ** 63n)), set(['nodes', 2, 'users', 0, 'weight'], '0'));
  // P3.3: a node's users are read and ordered before the cross-node uniqueness check.
  add('user order fault after a cross-node duplicate in one node: order wins',
    set(['nodes', 1, 'users', 0, 'id'], d.nodes[0]!.users[0]!.id), set(['nodes', 1, 'users', 1, 'id'], '999'));
  // P3.3: a list's order is checked after all its elements have been read.
  add('cross-node user duplicate before a node order fault', set(['nodes', 3, 'id'], '2'), set(['nodes', 4, 'users', 0, 'id'], d.nodes[0]!.users[0]!.id));
  add('unsorted node list before an edge fault', ...swap('nodes', 3, 4), set(['edges', 0], ['1', '1']));
  // References come after the whole shape.
  add('reference fault and a later schema fault: schema wins', set(['nodes', 2, 'shard'], '42'), set(['founders', 0, 'key'], 'ab'));
  add('edge reference fault and a bad threshold string: schema wins', set(['edges', d.edges.length - 1], [d.edges[d.edges.length - 1]![0]!, '999']), set(['threshold'], '+2'));
  add('two reference faults: groups before node shards', set(['nodes', 2, 'shard'], '42'), set(['groups', 1], ['4', '5', '6', '7', '99']));
  add('node shard before an edge end', set(['nodes', 60, 'shard'], '42'), set(['edges', d.edges.length - 1], [d.edges[d.edges.length - 1]![0]!, '999']));
  add('edge end before a shard in no group', set(['edges', d.edges.length - 1], [d.edges[d.edges.length - 1]![0]!, '999']), set(['groups', 1], ['4', '5', '6']));
  add('schema fault and a rule fault: schema wins', set(['nodes', 1, 'atr'], '0'), set(['oracle_key'], ''));
}

/** `length` bytes of SHA-256 counter mode: block i is SHA-256(label || 0x00 || i as 4 bytes big-endian). */
function counterBytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const prefix = new TextEncoder().encode(label);
  for (let i = 0, o = 0; o < length; i++, o += 32) {
    const block = new Uint8Array(prefix.length + 5);
    block.set(prefix);
    new DataView(block.buffer).setUint32(prefix.length + 1, i);
    out.set(sha256(block).subarray(0, Math.min(32, length - o)), o);
  }
  return out;
}

function merkleVectors(): Vectors {
  const utf8 = (x: string): Uint8Array => new TextEncoder().encode(x);
  const cases: { name: string; leaves: string[]; root: string }[] = [];
  const add = (name: string, leaves: Uint8Array[]) => cases.push({ name, leaves: leaves.map(toHex), root: merkleRootHex(leaves) });
  add('no leaves (SHA-256 of nothing)', []);
  // n = 1..17: every split shape up to two full levels past 8, leaves of 1..40 bytes (empty leaves: below).
  for (let n = 1; n <= 17; n++) add(`${n} leaves of different sizes`, Array.from({ length: n }, (_, i) => counterBytes(`qfs merkle leaf ${n}/${i}`, ((i + 1) * 7) % 41)));
  add('one empty leaf', [new Uint8Array()]);
  add('two empty leaves', [new Uint8Array(), new Uint8Array()]);
  add('three empty leaves', [new Uint8Array(), new Uint8Array(), new Uint8Array()]);
  add('an empty leaf between two others', [utf8('a'), new Uint8Array(), utf8('b')]);
  add('a leaf of one 0x00 byte', [new Uint8Array([0])]);
  add('a leaf of one 0x01 byte and a leaf of one 0xff byte', [new Uint8Array([1]), new Uint8Array([255])]);
  const [a, b, c] = [utf8('a'), utf8('b'), utf8('c')];
  add('three leaves a, b, c', [a, b, c]);
  add('the same leaves in another order (a, c, b)', [a, c, b]);
  add('two equal leaves', [a, a]);
  // A single leaf holding 0x01 || leaf(a) || leaf(b): its root is not the two-leaf root (the 0x00 / 0x01 prefixes).
  const hashA = sha256(new Uint8Array([0, ...a]));
  const hashB = sha256(new Uint8Array([0, ...b]));
  add('one 65-byte leaf that spells the node of a and b', [new Uint8Array([1, ...hashA, ...hashB])]);
  add('two leaves a, b', [a, b]);
  add('the phase-3 evidence file names as leaves', ['phase3_adversary_results.json', 'phase3_harmonics.jsonl', 'phase3_holofield_rewards.json', 'phase3_ledger_consistency.json', 'phase3_psi_dynamics.json', 'phase3_psisync.json', 'phase3_treasury.jsonl'].map(utf8));
  // One large leaf (the evidence files are tens of kilobytes), hashed in place among small and empty ones.
  const big = counterBytes('qfs merkle big leaf', 100_000);
  add('a leaf of 100,000 bytes among four small ones', [a, b, big, c, new Uint8Array()]);
  add('32 leaves of 1,000 bytes', Array.from({ length: 32 }, (_, i) => counterBytes(`qfs merkle block ${i}`, 1000)));
  add('33 leaves (one past a power of two)', Array.from({ length: 33 }, (_, i) => utf8(`leaf-${i}`)));
  return {
    format: 'qfs-vectors/1',
    section: '§10 Merkle tree hash (RFC 9162) of the evidence package',
    conventions:
      'leaves are the entries in the order given, each as lowercase hex of its bytes (an empty leaf is ""); root is the lowercase hex MTH: ' +
      'no leaves → SHA-256 of nothing; one leaf → SHA-256(0x00 || bytes); n > 1 → SHA-256(0x01 || MTH(first k) || MTH(the rest)), k the largest power of two below n. ' +
      'Generated leaves are SHA-256 counter-mode bytes (block i = SHA-256(label || 0x00 || i as 4 bytes big-endian)); only their hex matters.',
    cases,
  };
}

export function buildVectors(): Record<string, Vectors> {
  return {
    'math.json': mathVectors(),
    'canonical.json': canonicalVectors(),
    'hash.json': hashVectors(),
    'signatures.json': signatureVectors(),
    'genesis.json': genesisVectors(),
    'state.json': stateVectors(),
    'psi.json': psiVectors(),
    'economy.json': economyVectors(),
    'epochs.json': epochVectors(),
    'merkle.json': merkleVectors(),
  };
}

/** The text of a vector file: pretty JSON (vectors are read by people too), newline-terminated. */
export const vectorText = (v: Vectors): string => `${JSON.stringify(v, null, 1)}\n`;

// =================================================================================================
// §4–§6: state, ψ-field, economy steps and whole honest epochs (P5, P6).

const S = SCALE;
/** A value as the vectors write it: canonical JSON (integers as decimal strings, keys sorted). */
const j = (v: unknown): Json => JSON.parse(canonicalString(v as Encodable)) as Json;
const strs = (xs: readonly bigint[]): string[] => xs.map(s);

const GENESES_TEXT =
  'geneses: each entry is { patch } — the patch (set/delete/copy, as in genesis.json) applied to genesis.json\'s ' +
  'default.genesis — or { document } — a whole genesis document in which every key (shards[i].key, founders[i].key, ' +
  'oracle_key) is written "dev:<label>": it stands for the lowercase hex of the development public key of <label> ' +
  '(P4: ML-DSA-87 KeyGen on SHA-256("qfs/v13/dev-key/" + label)). Replace those strings before validating or hashing. ' +
  'Every genesis here is valid (§3). Node-aligned arrays of integers are in node id order (the genesis node order).';

type GenesisSpec = { readonly patch: Patch } | { readonly document: Json };

/** The economy fixtures' constants (BASE = SCALE, to be a valid genesis): small numbers that make every branch reachable by hand. */
const SMALL_CONSTANTS: Constants = {
  a_max: 4n,
  base: S,
  delta_max: S / 10n,
  epsilon_sync: S / 100n,
  delta_curl: 0n,
  kappa: S / 2n,
  flow_rate: S / 4n,
  penalty_rate: S / 2n,
  align_tol: 2n * S,
  res_rate: S / 10n,
  res_cap_ratio: S,
  psy_rate: S / 100n,
  release_rate: S / 10n,
  node_commission: S / 4n,
  oracle_window: 2n,
  halt_epochs: 2n,
  blacklist_after: 3n,
};

type SmallNode = {
  id: bigint;
  shard: bigint;
  chr?: bigint;
  flx?: bigint;
  stake?: bigint;
  psy?: bigint;
  atr?: bigint;
  res?: bigint;
  dis?: bigint;
  users?: [bigint, bigint][];
};

function smallGenesis(o: {
  chain_id: string;
  constants?: Partial<Constants>;
  groups: bigint[][];
  nodes: SmallNode[];
  edges: [bigint, bigint][];
  treasury: bigint;
  founders: bigint[];
  threshold: bigint;
}): GenesisSpec {
  const shards = o.groups.flat().sort((a, b) => (a < b ? -1 : 1));
  return {
    document: j({
      version: 'QFS-V13-P3',
      chain_id: o.chain_id,
      constants: { ...SMALL_CONSTANTS, ...o.constants },
      groups: o.groups,
      shards: shards.map((id) => ({ id, key: `dev:${devLabel.shard(id)}` })),
      nodes: o.nodes.map((n) => ({
        id: n.id,
        shard: n.shard,
        chr: n.chr ?? 0n,
        flx: n.flx ?? 0n,
        stake: n.stake ?? 0n,
        psy: n.psy ?? 0n,
        atr: n.atr ?? 0n,
        res: n.res ?? 0n,
        dis: n.dis ?? 0n,
        users: (n.users ?? []).map(([id, weight]) => ({ id, weight })),
      })),
      edges: o.edges,
      treasury: o.treasury,
      oracle_key: `dev:${devLabel.oracle}`,
      founders: o.founders.map((id) => ({ id, key: `dev:${devLabel.founder(id)}` })),
      threshold: o.threshold,
    }),
  };
}

const GENESES: Record<string, GenesisSpec> = {
  // The economy tests' hand-computed example (shards 0 = {2, 3}, 1 = {1, 4}, 2 = {}), with stakes.
  example: smallGenesis({
    chain_id: 'qfs-vectors-example',
    groups: [[0n, 1n, 2n]],
    nodes: [
      { id: 1n, shard: 1n, chr: 2n * S, flx: 10n * S, stake: S, atr: 3n * S, res: S, users: [[30n, 1n], [31n, 2n]] },
      { id: 2n, shard: 0n, chr: 5n * S, flx: 4n * S, stake: S / 2n, psy: 5n * S, atr: S, dis: S / 4n, users: [[5n, 3n]] },
      { id: 3n, shard: 0n, chr: S, flx: 2n * S + 4n, atr: S, res: 2n * S },
      { id: 4n, shard: 1n, chr: 3n * S, atr: 2n * S, res: S / 2n, dis: S / 2n, users: [[40n, 1n], [41n, 1n], [42n, 1n]] },
    ],
    edges: [[1n, 2n], [1n, 3n], [2n, 3n], [2n, 4n]],
    treasury: 1000n * S,
    founders: [0n],
    threshold: 1n,
  }),
  // One node, one shard, no edge, no user, an empty treasury.
  single: smallGenesis({
    chain_id: 'qfs-vectors-single',
    groups: [[0n]],
    nodes: [{ id: 0n, shard: 0n, chr: S, flx: 3n * S, atr: S }],
    edges: [],
    treasury: 0n,
    founders: [0n, 1n],
    threshold: 2n,
  }),
  // Shard ids with gaps and two groups; a triangle across two shards; node 40 alone in its shard
  // and group; user ids not in node order; ORACLE_WINDOW 0; every FLX reward goes to users
  // (NODE_COMMISSION 0) except node 30's (no users); edge (20, 30) aligned exactly at ALIGN_TOL.
  triangle: smallGenesis({
    chain_id: 'qfs-vectors-triangle',
    constants: {
      oracle_window: 0n,
      node_commission: 0n,
      kappa: S,
      flow_rate: S / 2n,
      a_max: 1n,
      base: S,
      align_tol: 3n * S,
      res_cap_ratio: 100n * S,
      penalty_rate: S,
      delta_max: S,
    },
    groups: [[5n, 7n], [9n]],
    nodes: [
      { id: 10n, shard: 5n, chr: 7n * S, flx: 50n * S, stake: 2n * S, atr: 5n * S, dis: S / 3n, users: [[300n, 5n], [301n, 1n]] },
      { id: 20n, shard: 7n, chr: 3n * S, flx: S, psy: 100n * S, atr: 4n * S, users: [[100n, 7n]] },
      { id: 30n, shard: 5n, chr: 2n * S, flx: 3n * S, atr: 9n * S, res: 4n * S, dis: S },
      { id: 40n, shard: 9n, chr: S / 3n, flx: 5n * S, atr: S, users: [[200n, 1n], [201n, 2n ** 40n]] },
    ],
    edges: [[10n, 20n], [10n, 30n], [20n, 30n]],
    treasury: 12345n * S + 6789n,
    founders: [0n, 1n, 2n],
    threshold: 2n,
  }),
  default: { patch: [] },
  'default-patched': {
    patch: [
      { op: 'set', path: ['treasury'], value: '0' },
      { op: 'set', path: ['nodes', 5, 'dis'], value: s(S) },
      { op: 'set', path: ['nodes', 6, 'chr'], value: '0' },
    ],
  },
};

let defaultDocCache: Json | undefined;
const defaultDoc = (): Json => (defaultDocCache ??= j(defaultGenesis()));

function expandDevKeys(doc: Json): Json {
  const d = structuredClone(doc) as unknown as { shards: { key: string }[]; founders: { key: string }[]; oracle_key: string };
  const ex = (k: string) => (k.startsWith('dev:') ? toHex(devKey(k.slice(4)).publicKey) : k);
  for (const x of d.shards) x.key = ex(x.key);
  for (const x of d.founders) x.key = ex(x.key);
  d.oracle_key = ex(d.oracle_key);
  return d as unknown as Json;
}

const genesisCache = new Map<string, Genesis>();
function genesisNamed(name: string): Genesis {
  const hit = genesisCache.get(name);
  if (hit) return hit;
  const spec = GENESES[name];
  if (spec === undefined) throw new Error(`vectors: no genesis ${name}`);
  const doc = 'patch' in spec ? applyPatch(defaultDoc(), spec.patch) : expandDevKeys(spec.document);
  const r = validateGenesis(doc);
  if (!r.ok) throw new Error(`vectors: genesis ${name} is invalid: ${r.error.describe()}`);
  genesisCache.set(name, r.value);
  return r.value;
}
const genesesUsed = (names: readonly string[]): Record<string, Json> =>
  Object.fromEntries([...new Set(names)].map((n) => [n, GENESES[n] as unknown as Json]));

/** A state from its JSON form (the inverse of `j` on a State). */
function stateFromJson(x: Json): State {
  type O = Record<string, string>;
  const o = x as unknown as Record<string, unknown>;
  const b = (v: unknown): bigint => BigInt(v as string);
  return {
    genesis: o.genesis as string,
    epoch: b(o.epoch),
    mode: o.mode as 'normal' | 'safe',
    nodes: (o.nodes as O[]).map((n) => ({
      id: b(n.id),
      chr: b(n.chr),
      flx: b(n.flx),
      stake: b(n.stake),
      psy: b(n.psy),
      atr: b(n.atr),
      res: b(n.res),
      dis: b(n.dis),
      nonce: b(n.nonce),
    })),
    users: (o.users as O[]).map((u) => ({ id: b(u.id), flx: b(u.flx) })),
    treasury: b(o.treasury),
    chr_pool: b(o.chr_pool),
    shards: (o.shards as Record<string, unknown>[]).map((x) => ({
      id: b(x.id),
      halted_until: b(x.halted_until),
      violations: b(x.violations),
      blacklisted: x.blacklisted as boolean,
    })),
    unstakes: (o.unstakes as O[]).map((u) => ({ node: b(u.node), nonce: b(u.nonce), amount: b(u.amount), since: b(u.since) })),
    coherence: b(o.coherence),
    founders: (o.founders as O[]).map((f) => ({ id: b(f.id), key: f.key as string })),
    last_oracle_epoch: b(o.last_oracle_epoch),
  };
}

/** The initial state of a named genesis with a patch applied to its JSON form. */
function patchedState(name: string, patch: Patch = []): State {
  const g = genesisNamed(name);
  const s0 = initialState(g, genesisHash(g));
  return patch.length === 0 ? s0 : stateFromJson(applyPatch(j(s0), patch));
}

function mathError(e: unknown): { code: string; reason: string } {
  if (!(e instanceof MathViolation)) throw e;
  return { code: e.code, reason: e.reason };
}

// ---------------------------------------------------------------------------------------------
// state.json

function stateVectors(): Vectors {
  const names = ['example', 'single', 'triangle', 'default', 'default-patched'];
  const cases = names.map((name) => {
    const g = genesisNamed(name);
    const st = initialState(g, genesisHash(g));
    return {
      name,
      genesis: name,
      genesis_hash: st.genesis,
      state: j(st),
      root: stateRoot(st),
      supplies: j({ chr: chrSupply(st), flx: flxSupply(st), psy: psySupply(st), atr: atrSupply(st), res: resSupply(st) }),
    };
  });
  return {
    format: 'qfs-vectors/1',
    section: '§4 state: the state at epoch 0 of a genesis, its root R = H("qfs/v13/state", state), its supplies',
    conventions: GENESES_TEXT,
    geneses: genesesUsed(names),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// psi.json

type Reported = { a: bigint; b: bigint; value: bigint };

function psiCase(name: string, genesis: string, statePatch: Patch, reported: Reported[] = []): unknown {
  const g = genesisNamed(genesis);
  const topo = topology(g);
  const st = patchedState(genesis, statePatch);
  const head = { name, genesis, state_patch: statePatch, ...(reported.length > 0 ? { reported: j(reported) } : {}) };
  let field: OpeningField;
  try {
    field = openingField(topo, st.nodes);
  } catch (e) {
    return { ...head, error: mathError(e) };
  }
  const id = topo.nodeIds;
  const grads = [...field.gradients];
  for (const r of reported) {
    const e = g.edges.findIndex(([a, b]) => a === r.a && b === r.b);
    if (e < 0) throw new Error(`vectors: no edge (${r.a}, ${r.b})`);
    grads[e] = r.value;
  }
  return {
    ...head,
    psi: j(id.map((node, i) => ({ node, value: field.psi[i]! }))),
    sum_psi: s(field.sumPsi),
    c: s(field.c),
    c_shards: j(topo.shardIds.map((shard, k) => ({ shard, value: field.cShards[k]! }))),
    gradients: j(g.edges.map(([a, b], e) => ({ a, b, value: field.gradients[e]! }))),
    flux: j(
      g.edges.map(([a, b], e) => {
        const gr = field.gradients[e]!;
        const [from, to] = gr === 0n ? [null, null] : gr > 0n ? [a, b] : [b, a];
        return { a, b, demand: field.demand[e]!, from, to };
      }),
    ),
    triangles: j(triangles(topo).map((t) => ({ a: id[t.a]!, b: id[t.b]!, c: id[t.c]!, curl: curl(grads, t) }))),
  };
}

function psiVectors(): Vectors {
  const set = (path: (string | number)[], value: bigint | string): Patch[number] => ({ op: 'set', path, value: typeof value === 'string' ? value : s(value) });
  const big = 2n ** 126n;
  const cases = [
    psiCase('example at genesis', 'example', []),
    psiCase('example: dis at SCALE and flooring densities', 'example', [set(['nodes', 0, 'dis'], S), set(['nodes', 2, 'chr'], S + 1n), set(['nodes', 3, 'dis'], S / 3n)]),
    psiCase('example: equal densities on an edge (no gradient, no direction)', 'example', [set(['nodes', 0, 'chr'], 4n * S), set(['nodes', 0, 'atr'], S)]),
    psiCase('example: a gradient of 1 whose demand floors to 0 (direction kept)', 'example', [set(['nodes', 0, 'chr'], 4n * S), set(['nodes', 0, 'atr'], S), set(['nodes', 1, 'dis'], S / 4n - 1n)]),
    psiCase('example: zero density everywhere', 'example', [0, 1, 2, 3].map((i) => set(['nodes', i, 'chr'], 0n))),
    psiCase('example: a lied gradient on the triangle (curl ≠ 0)', 'example', [], [{ a: 1n, b: 3n, value: -4n * S }]),
    psiCase('single node, no edge', 'single', []),
    psiCase('triangle at genesis', 'triangle', []),
    psiCase('triangle: two lied gradients', 'triangle', [], [{ a: 10n, b: 20n, value: 1n }, { a: 20n, b: 30n, value: -(2n ** 126n) }]),
    psiCase('default at genesis', 'default', []),
    psiCase('default-patched at genesis (zero chr, dis at SCALE)', 'default-patched', []),
    psiCase('default: a lied gradient on a cross-shard triangle', 'default', [], [{ a: 4n, b: 13n, value: 12345n }]),
    psiCase('a density out of range: E_MATH out_of_range', 'example', [set(['nodes', 0, 'chr'], 2n ** 100n), set(['nodes', 0, 'atr'], 2n ** 100n)]),
    psiCase('Σψ reaches 2^127: E_MATH out_of_range', 'example', [
      set(['nodes', 0, 'chr'], big),
      set(['nodes', 0, 'atr'], S),
      set(['nodes', 2, 'chr'], big),
      set(['nodes', 2, 'atr'], S),
    ]),
    psiCase('Σψ = 2^127 − 1: in range', 'example', [
      set(['nodes', 0, 'chr'], big),
      set(['nodes', 0, 'atr'], S),
      set(['nodes', 2, 'chr'], big - 1n - 8n * S), // ψ = [2^126, 4·SCALE, this, 4·SCALE]: Σψ = 2^127 − 1
      set(['nodes', 2, 'atr'], S),
    ]),
  ];
  return {
    format: 'qfs-vectors/1',
    section: '§5 ψ-field: density per node, gradient and flux demand per edge, curl per triangle, C and C_s',
    conventions:
      `${GENESES_TEXT} A case's state is the state at epoch 0 of its genesis with state_patch applied to its JSON form (§4 keys). ` +
      'flux lists every edge: demand |d_e| and its direction from the lower-ψ end to the higher-ψ end, from/to null iff g_e = 0 (a demand that floors to 0 keeps the direction of its gradient). ' +
      'triangles lists every triangle a < b < c by (a, b, c); its curl g_ab + g_bc − g_ac is computed (exactly) from the gradients with `reported` replacing the named edges\' values, so it is 0 without `reported`. ' +
      'c_shards lists every shard in id order (0 for a shard with no nodes). An error case is { code, reason } of the MathViolation (P1.1).',
    geneses: genesesUsed(['example', 'single', 'triangle', 'default', 'default-patched']),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// economy.json

/** The opening field of ψ values given directly (steps 5–10 read nothing else of the field). */
function fieldFromPsi(topo: Topology, psi: readonly bigint[]): OpeningField {
  const gradients: bigint[] = [];
  const demand: bigint[] = [];
  for (let e = 0; e < topo.edgeA.length; e++) {
    const g = gradient(psi[topo.edgeA[e]!]!, psi[topo.edgeB[e]!]!);
    gradients.push(g);
    demand.push(fluxDemand(topo.constants.kappa, g));
  }
  const sumPsi = sum(psi);
  return { psi, gradients, demand, sumPsi, c: floorDiv(sumPsi, BigInt(psi.length)), cShards: shardCoherences(topo, psi) };
}

type Step = 'actions' | 'flow' | 'chr' | 'res' | 'psy' | 'rewards' | 'treasury';

function economyVectors(): Vectors {
  const cases: unknown[] = [];
  const used: string[] = [];
  const add = (step: Step, name: string, genesis: string, constants: Partial<Constants> | undefined, inputs: Record<string, unknown>, run: (topo: Topology) => unknown) => {
    used.push(genesis);
    const base = topology(genesisNamed(genesis));
    const topo: Topology = constants === undefined ? base : { ...base, constants: { ...base.constants, ...constants } };
    const head = { step, name, genesis, ...(constants === undefined ? {} : { constants: j(constants) }), inputs: j(inputs) };
    try {
      cases.push({ ...head, outputs: j(run(topo)) });
    } catch (e) {
      cases.push({ ...head, error: mathError(e) });
    }
  };
  const psiOfState = (name: string, patch: Patch = []) => {
    const g = genesisNamed(name);
    return [...openingField(topology(g), patchedState(name, patch).nodes).psi];
  };
  const col = (name: string, k: 'chr' | 'flx' | 'stake' | 'psy' | 'atr' | 'res' | 'dis') => genesisNamed(name).nodes.map((n) => n[k]);
  const userCount = (name: string) => topology(genesisNamed(name)).userIds.length;

  // Step 4: actions (valid, any order) and the unstake queue.
  const step4 = (name: string, genesis: string, o: { flx?: bigint[]; stake?: bigint[]; psy?: bigint[]; atr?: bigint[]; nonce?: bigint[]; unstakes?: State['unstakes']; coherence: bigint; c: bigint; t: bigint; actions: Action[] }) => {
    const g = genesisNamed(genesis);
    const inputs = {
      flx: o.flx ?? col(genesis, 'flx'),
      stake: o.stake ?? col(genesis, 'stake'),
      psy: o.psy ?? col(genesis, 'psy'),
      atr: o.atr ?? col(genesis, 'atr'),
      nonce: o.nonce ?? g.nodes.map(() => 0n),
      unstakes: o.unstakes ?? [],
      coherence: o.coherence,
      c: o.c,
      t: o.t,
      actions: o.actions,
    };
    add('actions', name, genesis, undefined, { ...inputs, flx: strs(inputs.flx), stake: strs(inputs.stake), psy: strs(inputs.psy), atr: strs(inputs.atr), nonce: strs(inputs.nonce) }, (topo) => {
      const s0 = patchedState(genesis);
      const st: State = {
        ...s0,
        coherence: inputs.coherence,
        unstakes: inputs.unstakes,
        nodes: s0.nodes.map((n, i) => ({ ...n, flx: inputs.flx[i]!, stake: inputs.stake[i]!, psy: inputs.psy[i]!, atr: inputs.atr[i]!, nonce: inputs.nonce[i]! })),
      };
      const r = applyActions(topo, st, inputs.actions, inputs.t, inputs.c);
      return {
        flx: strs(r.nodes.map((n) => n.flx)),
        stake: strs(r.nodes.map((n) => n.stake)),
        psy: strs(r.nodes.map((n) => n.psy)),
        atr: strs(r.nodes.map((n) => n.atr)),
        nonce: strs(r.nodes.map((n) => n.nonce)),
        unstakes: r.unstakes,
        moves: r.moves,
        released: r.released,
      };
    });
  };
  const mixed: Action[] = [
    { kind: 'unstake', node: 1n, amount: S / 4n, nonce: 2n },
    { kind: 'psy_transfer', from: 2n, to: 3n, amount: S, nonce: 2n },
    { kind: 'transfer', from: 3n, to: 4n, amount: S, nonce: 1n },
    { kind: 'stake', node: 1n, amount: S / 10n, nonce: 1n },
    { kind: 'transfer', from: 2n, to: 1n, amount: 2n * S, nonce: 1n },
    { kind: 'stake', node: 4n, amount: 1n, nonce: 6n },
  ];
  const queue = [
    { node: 1n, nonce: 1n, amount: S / 2n, since: 1n },
    { node: 2n, nonce: 3n, amount: S / 8n, since: 2n },
    { node: 2n, nonce: 4n, amount: S / 8n, since: 3n },
  ];
  step4('every kind, any order; C rose: the queue stays', 'example', { t: 3n, coherence: 3n * S, c: 3n * S + 1n, actions: mixed, unstakes: queue, nonce: [1n, 0n, 0n, 5n] });
  step4('C did not rise: entries with since < t execute in queue order, new ones wait', 'example', { t: 3n, coherence: 3n * S, c: 3n * S, actions: mixed, unstakes: queue, nonce: [1n, 0n, 0n, 5n] });
  step4('no action, C fell: the whole old queue executes', 'example', { t: 4n, coherence: 3n * S, c: 2n * S, actions: [], unstakes: queue });
  step4('a node stakes its whole flx and unstakes its whole stake (queued with since = t, not released)', 'triangle', {
    t: 1n,
    coherence: 0n,
    c: 0n,
    actions: [
      { kind: 'transfer', from: 40n, to: 10n, amount: 5n * S, nonce: 1n },
      { kind: 'unstake', node: 10n, amount: 2n * S, nonce: 2n },
      { kind: 'stake', node: 10n, amount: 50n * S, nonce: 1n },
      { kind: 'transfer', from: 20n, to: 30n, amount: S, nonce: 1n },
    ],
  });

  // Step 5: field flow.
  const flow = (name: string, genesis: string, psi: bigint[], flx: bigint[], constants?: Partial<Constants>) =>
    add('flow', name, genesis, constants, { psi: strs(psi), flx: strs(flx) }, (topo) => {
      const r = fieldFlow(topo, fieldFromPsi(topo, psi), flx);
      return { flx: strs(r.flx), flows: r.flows, moves: r.moves };
    });
  flow('example at genesis (sources over and under budget)', 'example', psiOfState('example'), col('example', 'flx'));
  flow('every demand within budget', 'example', psiOfState('example'), [1000n * S, 1000n * S, 1000n * S, 1000n * S]);
  flow('sources with no flx: entries with amount 0 and no move', 'example', psiOfState('example'), [0n, 0n, 0n, 7n * S]);
  flow('a node both source and target; budget from the balance before any flow', 'example', [S, 2n * S, 4n * S, 8n * S], [4n * S, 10n, 3n, 0n]);
  flow('a zero gradient carries nothing; a demand flooring to 0 is not listed', 'example', [5n * S, 5n * S, 5n * S + 1n, 7n * S], [S, S, S, S]);
  flow('KAPPA 1: demands floor to 0 except the largest gradients', 'example', [0n, S, S - 1n, 3n * S], [S, S, S, S], { kappa: 1n });
  flow('FLOW_RATE SCALE/2 on the triangle', 'triangle', psiOfState('triangle'), col('triangle', 'flx'));
  flow('default at genesis', 'default', psiOfState('default'), col('default', 'flx'));
  flow('a target pushed out of range: E_MATH out_of_range', 'example', [S, 5n * S, 2n * S, 3n * S], [10n * S, LIMIT - 1n, 10n * S, 0n]);

  // Step 6: CHR rebalancing.
  const chr = (name: string, genesis: string, psi: bigint[], chrs: bigint[], dis: bigint[], pool: bigint, constants?: Partial<Constants>) =>
    add('chr', name, genesis, constants, { psi: strs(psi), chr: strs(chrs), dis: strs(dis), chr_pool: pool }, (topo) => {
      const r = rebalanceChr(topo, fieldFromPsi(topo, psi), chrs, dis, pool);
      return { chr: strs(r.chr), chr_pool: r.chr_pool, record: r.record };
    });
  chr('example at genesis', 'example', psiOfState('example'), col('example', 'chr'), col('example', 'dis'), 0n);
  chr('a pool carried over, floor remainders kept', 'example', [7n, 11n, 13n, 0n], [3n * S + 1n, 5n * S + 7n, S, 9n], [S / 3n, S, 1n, S / 7n], 12345n);
  chr('Σψ = 0: no shares, the pool keeps P', 'example', [0n, 0n, 0n, 0n], col('example', 'chr'), [S, S, S, S], 5n);
  chr('PENALTY_RATE 0: only the pool is shared', 'example', psiOfState('example'), col('example', 'chr'), col('example', 'dis'), 999n, { penalty_rate: 0n });
  chr('PENALTY_RATE SCALE, dis SCALE: the whole chr is paid in', 'example', [S, 0n, 2n * S, 0n], col('example', 'chr'), [S, S, S, S], 0n, { penalty_rate: S });
  chr('default at genesis', 'default', psiOfState('default'), col('default', 'chr'), col('default', 'dis'), 0n);

  // Step 7: resonance — the three branches and their edges.
  const res = (name: string, genesis: string, psi: bigint[], r: bigint[], constants?: Partial<Constants>) =>
    add('res', name, genesis, constants, { psi: strs(psi), res: strs(r) }, (topo) => {
      const x = resonance(topo, fieldFromPsi(topo, psi), r);
      return { res: strs(x.res), record: x.record };
    });
  const exPsi = psiOfState('example');
  res('Σres > cap: every balance scaled down, nothing generated', 'example', exPsi, [10n * S, 3n * S, 7n * S + 1n, 2n]);
  res('generation within the room: every credit whole', 'example', exPsi, [0n, 0n, 0n, 0n], { res_cap_ratio: 100n * S });
  res('generation over the room: each credit scaled by room / Gen', 'example', exPsi, col('example', 'res'));
  res('Σres = cap exactly: room 0, credits 0 (listed)', 'example', [S, 2n * S, 3n * S, 4n * S], [S, 2n * S, 3n * S, 4n * S]);
  res('no aligned edge: no credit', 'example', [0n, 10n * S, 20n * S, 30n * S], [1n, 2n, 3n, 4n]);
  res('ALIGN_TOL 0: only equal densities align', 'example', [S, S, 2n * S, S], [0n, 0n, 0n, 0n], { align_tol: 0n });
  res('triangle at genesis (aligned exactly at ALIGN_TOL)', 'triangle', psiOfState('triangle'), col('triangle', 'res'));
  res('default at genesis', 'default', psiOfState('default'), col('default', 'res'));

  // Step 8: PSY.
  const psy = (name: string, genesis: string, psi: bigint[], p: bigint[], constants?: Partial<Constants>) =>
    add('psy', name, genesis, constants, { psi: strs(psi), psy: strs(p) }, (topo) => {
      const x = mintPsy(topo, fieldFromPsi(topo, psi), p);
      return { psy: strs(x.psy), psy_minted: x.psy_minted, psy_exhausted: x.psy_exhausted };
    });
  psy('example at genesis', 'example', exPsi, col('example', 'psy'));
  psy('PSY_RATE 0: zero mints', 'example', exPsi, col('example', 'psy'), { psy_rate: 0n });
  // ψ·PSY_RATE/SCALE with ψ = [100, 200, 300, 400]·SCALE and PSY_RATE = SCALE/100: the mint is 10·SCALE.
  const mintPsi = [100n * S, 200n * S, 300n * S, 400n * S];
  psy('supply + mint = 2^127 − 1: minted', 'example', mintPsi, [LIMIT - 1n - 10n * S, 0n, 0n, 0n]);
  psy('supply + mint = 2^127: exhausted, nothing minted', 'example', mintPsi, [LIMIT - 10n * S - 5n, 5n, 0n, 0n]);
  psy('supply alone at 2^127 − 1, zero mint: minted (nothing)', 'example', [0n, 0n, 0n, 0n], [LIMIT - 1n, 0n, 0n, 0n]);
  psy('default at genesis', 'default', psiOfState('default'), col('default', 'psy'));

  // Step 9: rewards.
  const exChrSupply = sum(col('example', 'chr'));
  const rewards = (name: string, genesis: string, psi: bigint[], chrs: bigint[], r: bigint[], treasury: bigint, chrSupplyValue: bigint, constants?: Partial<Constants>) =>
    add('rewards', name, genesis, constants, { psi: strs(psi), chr: strs(chrs), res: strs(r), treasury, chr_supply: chrSupplyValue }, (topo) => {
      const x = holoRewards({ ...topo, chrSupply: chrSupplyValue }, fieldFromPsi(topo, psi), chrs, r, treasury);
      return x;
    });
  rewards('example at genesis', 'example', exPsi, col('example', 'chr'), col('example', 'res'), 1000n * S, exChrSupply);
  rewards('W = 0 (every ψ below BASE): no rewards', 'example', [S - 1n, S / 2n, 0n, 3n], col('example', 'chr'), col('example', 'res'), 1000n * S, exChrSupply);
  rewards('the A_MAX cap and RES feedback capped at SCALE', 'example', [100n * S, 3n * S, 2n * S - 1n, S], col('example', 'chr'), [5n * S, S - 1n, S, 0n], 777n * S + 3n, exChrSupply);
  rewards('an empty treasury: budget 0', 'example', exPsi, col('example', 'chr'), col('example', 'res'), 0n, exChrSupply);
  rewards('floor shares leave a remainder', 'example', [2n * S, 2n * S, 2n * S, 2n * S], [S, S, S, S], [0n, 0n, 0n, 0n], 10n, 4n * S, { release_rate: S / 10n });
  rewards('default at genesis', 'default', psiOfState('default'), col('default', 'chr'), col('default', 'res'), genesisNamed('default').treasury, sum(col('default', 'chr')));
  rewards('a weight out of range: E_MATH out_of_range', 'example', [2n ** 125n, 2n ** 125n, 0n, 0n], [2n ** 88n, 2n ** 88n, S, S], [S, S, 0n, 0n], S, 2n ** 89n + 2n * S, { a_max: 64n, base: 1n });

  // Step 10: treasury distribution.
  const treasury = (name: string, genesis: string, r: bigint[], flx: bigint[], userFlx: bigint[], t: bigint, constants?: Partial<Constants>) =>
    add('treasury', name, genesis, constants, { r: strs(r), flx: strs(flx), user_flx: strs(userFlx), treasury: t }, (topo) => {
      const x = distributeTreasury(topo, r, flx, userFlx, t);
      return { flx: strs(x.nodeFlx), user_flx: strs(x.userFlx), treasury: x.treasury, k: strs(x.cuts), paid: x.paid, users: x.users, moves: x.moves };
    });
  const zerosU = (name: string) => Array.from({ length: userCount(name) }, () => 0n);
  treasury('example: cuts, weighted users, node 3 has no users (k = r)', 'example', [10n * S + 7n, 3n * S + 1n, 5n * S, 4n * S + 2n], col('example', 'flx'), zerosU('example'), 1000n * S);
  treasury('zero rewards and tiny ones: zero amounts are not moves', 'example', [0n, 3n, 1n, 2n], col('example', 'flx'), [1n, 2n, 3n, 4n, 5n, 6n], 100n);
  treasury('NODE_COMMISSION SCALE: everything to the nodes', 'example', [10n, 20n, 30n, 40n], [0n, 0n, 0n, 0n], zerosU('example'), 100n, { node_commission: S });
  treasury('NODE_COMMISSION 0: no cut is recorded for nodes with users', 'example', [10n, 20n, 30n, 40n], [0n, 0n, 0n, 0n], zerosU('example'), 100n, { node_commission: 0n });
  treasury('triangle: user ids out of node order, a weight of 2^40', 'triangle', [S, 2n * S + 1n, 3n * S, 5n * S], col('triangle', 'flx'), zerosU('triangle'), 12345n * S);
  const defHolo = holoRewards(topology(genesisNamed('default')), openingField(topology(genesisNamed('default')), patchedState('default').nodes), col('default', 'chr'), col('default', 'res'), genesisNamed('default').treasury);
  treasury('default at genesis (step 9\'s rewards)', 'default', defHolo.nodes.map((x) => x.r), col('default', 'flx'), zerosU('default'), genesisNamed('default').treasury);

  return {
    format: 'qfs-vectors/1',
    section: '§6 steps 4–10 (HarmonicEconomics, HoloRewardEngine, TreasuryDistributionEngine), each step alone',
    conventions:
      `${GENESES_TEXT} A case runs one step on the topology and constants of its genesis, with \`constants\` (if present) replacing some of them. ` +
      'Every node-aligned list (psi, flx, chr, dis, res, psy, stake, atr, nonce, r, k) is in node id order; user_flx in user id order. ' +
      'The opening field of steps 5–10 is §5 computed from the given psi (gradients, demands, Σψ). ' +
      'actions (step 4): inputs are S\'s node balances and nonces, S\'s queue and coherence, the opening C, t and the voters\' (valid) actions in any order; outputs the balances, nonces, queue (sorted by (node, nonce)), moves, and whether C <= coherence released the queue. ' +
      'flow (5): outputs flx after the flows, the record\'s flows and the moves. chr (6): inputs chr and dis of S and chr_pool; outputs chr, chr_pool and the record\'s chr. ' +
      'res (7): inputs res of S; outputs res and the record\'s res. psy (8): inputs psy after step 4; outputs psy, psy_minted, psy_exhausted. ' +
      'rewards (9): inputs chr and res of S, the treasury, CHR_SUPPLY; outputs budget R, total_weight W, and { node, m, w, r } per node. ' +
      'treasury (10): inputs r per node, node flx after step 5, user flx and the treasury; outputs the balances, the cut k per node, paid = Σk + Σu, the record\'s users and the moves. ' +
      'An error case is { code, reason } of the MathViolation the step raises (P1.1).',
    decisions: [
      'Where the spec text leaves a choice open, these vectors take (and pin) this one:',
      'step 4: new unstake entries join the queue, sorted by (node, nonce), before the release; released entries move in that order, after every action\'s move.',
      'step 5: budgets come from the balances after step 4, before any flow: what a node receives never raises its budget.',
      'step 7: Gen is the sum of every credit, two per aligned edge (one per end); Σres = cap is not over the cap: room 0, every credit listed with value 0.',
      'step 8: on psy_exhausted, psy_minted still lists every node, with 0.',
      'every sum the spec names (Σψ, a source\'s demand D_i, Σp, P, Gen, W, Σs, Σ res, what the treasury pays) must be below 2^127 (E_MATH out_of_range otherwise); the exhaustion test of step 8 is exact.',
    ],
    geneses: genesesUsed(used),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// epochs.json

type ChainView = { readonly ctx: EpochContext; readonly S: State; readonly t: bigint };
type Plan = (c: ChainView) => EpochInputs;

const oracleSecret = (): Uint8Array => devKey(devLabel.oracle).secretKey;
const notOracleSecret = (): Uint8Array => devKey(devLabel.founder(0)).secretKey;

function snap(ctx: EpochContext, epoch: bigint, dis: [bigint, bigint][], key = oracleSecret()): SignedSnapshot {
  return signSnapshot({ genesis: ctx.genesisHash, epoch, dis: dis.map(([node, value]) => ({ node, value })) }, key);
}
/** A snapshot document of any shape, signed by the oracle. */
const signedRaw = (doc: Json): SignedSnapshot => signSnapshot(doc, oracleSecret());
/** The same snapshot with a signature that fails (its first hex digit changed). */
const corrupt = (x: SignedSnapshot): SignedSnapshot => ({ snapshot: x.snapshot, signature: (x.signature[0] === '0' ? '1' : '0') + x.signature.slice(1) });

/** The opening ψ the engine will compute for these snapshots (what an honest validator answers). */
function enginePsi(c: ChainView, snapshots: readonly SignedSnapshot[]): bigint[] {
  const { ctx, S: st, t } = c;
  const d = decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: ctx.topology }, storedSnapshots(snapshots), t, st.last_oracle_epoch);
  return [...openingField(ctx.topology, applyOracle(ctx.topology, st, d.admitted).nodes).psi];
}
function answer(c: ChainView, snapshots: readonly SignedSnapshot[], lies: [bigint, bigint][] = [], epoch = c.t): Json {
  const psi = enginePsi(c, snapshots);
  const lie = new Map(lies);
  return j({ epoch, psi: c.ctx.topology.nodeIds.map((node, i) => ({ node, value: lie.get(node) ?? psi[i]! })) });
}

const act = {
  tr: (from: bigint, to: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'transfer', from, to, amount, nonce }),
  st: (node: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'stake', node, amount, nonce }),
  un: (node: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'unstake', node, amount, nonce }),
  ps: (from: bigint, to: bigint, amount: bigint, nonce: bigint): Json => j({ kind: 'psy_transfer', from, to, amount, nonce }),
};

type ChainResult = { chain: unknown; records: EpochRecord[]; refusalCodes: string[]; queueKept: number; queueReleased: number };

function runChain(name: string, note: string, genesis: string, startPatch: Patch, plans: Plan[], full: boolean): ChainResult {
  const ctx = epochContext(genesisNamed(genesis));
  let st = patchedState(genesis, startPatch);
  const startRoot = stateRoot(st);
  let prev: EpochRecord | null = null;
  const epochs: unknown[] = [];
  const records: EpochRecord[] = [];
  const refusalCodes: string[] = [];
  let queueKept = 0;
  let queueReleased = 0;
  for (const plan of plans) {
    const t = st.epoch + 1n;
    const inputs = plan({ ctx, S: st, t });
    const out = runHonestEpoch(ctx, st, inputs);
    const violations = checkStep(ctx, st, out.record, out.state, out.inputs, prev);
    if (violations.length > 0) throw new Error(`vectors: chain ${name}, epoch ${t} breaks ${violations.map((v) => v.id).join(', ')}`);
    const old = st.unstakes.filter((u) => u.since < t).length;
    const released = out.record.moves.filter((m) => m.kind === 'unstake').length;
    if (out.record.outcome === 'commit' && old > 0) {
      if (released > 0) queueReleased++;
      else queueKept++;
    }
    epochs.push({
      submitted: j(inputs.actions),
      refusals: j(out.refusals.map((r) => ({ shard: r.shard, code: r.code, digest: r.digest }))),
      inputs: j(out.inputs),
      inputs_hash: out.record.inputs_hash,
      outcome: out.record.outcome,
      record_hash: recordHash(out.record),
      root: out.record.root,
      ...(full ? { record: j(out.record), state: j(out.state) } : {}),
    });
    refusalCodes.push(...out.refusals.map((r) => r.code));
    records.push(out.record);
    prev = out.record;
    st = out.state;
  }
  return { chain: { name, note, genesis, start_patch: startPatch, start_root: startRoot, epochs }, records, refusalCodes, queueKept, queueReleased };
}

const submitted = (...xs: [bigint, Json[]][]): EpochInputs['actions'] => xs.map(([shard, actions]) => ({ shard, actions }));
const noInputs: EpochInputs = { snapshots: [], validator: null, actions: [] };

function exampleChain(): ChainResult {
  const plans: Plan[] = [
    // t = 1
    (c) => {
      const A = snap(c.ctx, 1n, [[2n, S / 2n]]);
      const snapshots = [
        A,
        corrupt(A),
        snap(c.ctx, 0n, [[1n, S]]),
        snap(c.ctx, 2n, [[3n, S]]),
        snap(c.ctx, 1n, [[4n, 0n]], notOracleSecret()),
        signedRaw({ genesis: '00'.repeat(32), epoch: '1', dis: [] }),
      ];
      return {
        snapshots,
        validator: answer(c, snapshots),
        actions: submitted(
          [
            0n,
            [
              act.tr(3n, 4n, S, 1n),
              act.ps(2n, 3n, S, 1n),
              act.st(2n, S / 10n, 2n),
              act.un(2n, S / 4n, 3n),
              act.tr(3n, 1n, 10n * S, 2n),
              act.ps(2n, 1n, S, 4n),
              act.tr(3n, 3n, S, 2n),
              { kind: 'transfer', from: '3', to: '4', amount: '-1', nonce: '2' },
              { kind: 'mint', node: '3', amount: '1', nonce: '2' },
              { kind: 'stake', node: '2', amount: '1', nonce: '4', extra: '1' },
              act.tr(3n, 4n, S, 1n),
              act.tr(3n, 99n, S, 2n),
              act.tr(3n, 4n, 0n, 2n),
              act.tr(3n, 4n, S, 5n),
              act.tr(1n, 2n, S, 1n),
            ],
          ],
          [1n, [act.un(1n, S / 2n, 1n), act.st(1n, S, 2n), act.st(4n, S / 20n, 1n)]], // node 4 has no flx yet: overdraft
          [2n, [act.tr(1n, 2n, S, 3n)]],
        ),
      };
    },
    // t = 2
    (c) => {
      const G1 = snap(c.ctx, 2n, [[1n, S / 4n]]);
      const snapshots = [G1, snap(c.ctx, 2n, [[1n, S / 8n]]), snap(c.ctx, 1n, [[2n, 0n]]), corrupt(G1)];
      return {
        snapshots,
        validator: answer(c, snapshots, [[1n, 1n], [4n, 10n ** 30n]]),
        actions: submitted([1n, [act.un(1n, S / 4n, 3n), act.tr(1n, 3n, 2n * S, 2n)]], [0n, [act.tr(2n, 4n, S, 4n), act.ps(3n, 2n, S / 2n, 2n)]]),
      };
    },
    // t = 3
    (c) => {
      const snapshots = [snap(c.ctx, 0n, [[1n, 0n]]), snap(c.ctx, 3n, [[2n, S], [3n, S / 2n]])];
      return {
        snapshots,
        validator: answer(c, snapshots, [], 2n),
        actions: submitted([0n, [act.un(2n, S / 8n, 5n), act.st(3n, S / 100n, 3n)]], [1n, [act.tr(4n, 1n, S / 3n, 1n)]]),
      };
    },
    // t = 4: nothing at all
    () => noInputs,
    // t = 5
    (c) => {
      const snapshots = [
        signedRaw({ genesis: c.ctx.genesisHash, epoch: s(2n ** 63n), dis: [] }),
        snap(c.ctx, 2n ** 63n - 1n, []),
        snap(c.ctx, 5n, []),
        snap(c.ctx, 4n, [[1n, 0n]]),
      ];
      const psi = answer(c, snapshots) as { epoch: string; psi: Json[] };
      return {
        snapshots,
        validator: { epoch: psi.epoch, psi: psi.psi.slice(1) },
        actions: submitted([0n, [act.ps(2n, 3n, 2n * S, 6n), act.st(2n, S / 50n, 7n)]], [1n, [act.un(1n, S / 8n, 4n), act.st(4n, S / 30n, 2n)]]),
      };
    },
    // t = 6
    (c) => {
      const G = c.ctx.genesisHash;
      const snapshots = [
        snap(c.ctx, 5n, [[1n, S]]),
        snap(c.ctx, 6n, [[99n, 0n]]),
        snap(c.ctx, 6n, [[2n, S + 1n]]),
        snap(c.ctx, 6n, [[3n, 0n], [2n, 0n]]),
        snap(c.ctx, 6n, [[1n, S], [1n, S]]),
        signedRaw({ genesis: G, epoch: '6', dis: [], note: 'x' }),
        signedRaw({ genesis: G, epoch: '06', dis: [] }),
        signedRaw({ genesis: G, epoch: '6', dis: [{ node: '1', value: '-1' }] }),
      ];
      return { snapshots, validator: answer(c, snapshots), actions: submitted([0n, [act.tr(3n, 2n, S / 7n, 4n)]], [1n, [act.tr(1n, 4n, S, 5n), act.tr(4n, 1n, S / 10n, 3n)]]) };
    },
    // t = 7: a quiet epoch that releases what is still queued, if C did not rise
    (c) => {
      const snapshots = [snap(c.ctx, 7n, [[1n, S], [4n, S]])];
      return { snapshots, validator: null, actions: submitted([1n, [act.st(1n, S / 100n, 6n)]]) };
    },
  ];
  return runChain('example', 'the 4-node example: every EA-11 reason, both validator faults, every refusal code, every move kind, queued and released unstakes', 'example', [], plans, true);
}

function triangleChain(): ChainResult {
  const plans: Plan[] = [
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[10n, 0n]]), snap(c.ctx, 0n, [])];
      return {
        snapshots,
        validator: null,
        actions: submitted(
          [5n, [act.tr(10n, 20n, S, 1n), act.st(30n, S / 10n, 1n), act.un(10n, S, 2n)]],
          [7n, [act.tr(20n, 40n, S / 2n, 1n)]],
          [9n, [act.tr(40n, 30n, S, 1n), act.ps(40n, 40n, S, 2n)]],
        ),
      };
    },
    (c) => {
      const snapshots = [snap(c.ctx, 2n, [[20n, S]]), snap(c.ctx, 1n, [[30n, 0n]])];
      return { snapshots, validator: answer(c, snapshots, [[40n, 0n]]), actions: submitted([5n, [act.un(10n, S / 2n, 3n), act.ps(20n, 10n, S, 2n)]], [7n, [act.ps(20n, 20n, S, 2n)]]) };
    },
    (c) => {
      const snapshots = [snap(c.ctx, 3n, [[30n, 0n]], notOracleSecret())];
      return { snapshots, validator: answer(c, snapshots), actions: submitted([5n, [act.ps(10n, 30n, S / 10n, 4n), act.ps(30n, 10n, S, 2n)]], [9n, [act.st(40n, S, 2n)]]) };
    },
    () => noInputs,
  ];
  return runChain('triangle', 'shard ids with gaps, ORACLE_WINDOW 0 (only a snapshot of epoch t is admissible), NODE_COMMISSION 0', 'triangle', [], plans, true);
}

function haltedChain(): ChainResult {
  const patch: Patch = [
    { op: 'set', path: ['shards', 1, 'halted_until'], value: '2' },
    { op: 'set', path: ['shards', 1, 'violations'], value: '1' },
    { op: 'set', path: ['shards', 2, 'blacklisted'], value: true },
    { op: 'set', path: ['shards', 2, 'violations'], value: '3' },
  ];
  const acts = (c: ChainView) =>
    submitted(
      [0n, [act.tr(3n, 1n, S / 2n, c.S.nodes[2]!.nonce + 1n)]],
      [1n, [act.tr(1n, 2n, S, c.S.nodes[0]!.nonce + 1n), act.un(1n, S / 10n, c.S.nodes[0]!.nonce + 2n)]],
      [2n, [act.tr(4n, 2n, S, 1n)]],
    );
  const plans: Plan[] = [(c) => ({ snapshots: [], validator: null, actions: acts(c) }), (c) => ({ snapshots: [], validator: null, actions: acts(c) }), (c) => ({ snapshots: [], validator: null, actions: acts(c) })];
  return runChain('example-halted', 'constructed start: shard 1 halted until epoch 2, shard 2 blacklisted; their submissions are not proposed (and not refused) while inactive, their nodes stay in the economy', 'example', patch, plans, true);
}

function frozenChain(): ChainResult {
  const plans: Plan[] = [
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[1n, S]])];
      return { snapshots, validator: answer(c, snapshots), actions: submitted([0n, [act.tr(3n, 4n, S, 1n)]]) };
    },
    () => noInputs,
  ];
  return runChain('example-frozen', 'constructed start: mode "safe" — frozen epochs read nothing (inputs { epoch, snapshots: [], validator: null, proposals: [] })', 'example', [{ op: 'set', path: ['mode'], value: 'safe' }], plans, true);
}

function noQuorumChain(): ChainResult {
  const patch: Patch = [0, 1, 2].map((i) => ({ op: 'set', path: ['shards', i, 'halted_until'], value: '1' }));
  const plans: Plan[] = [
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[4n, 0n]]), snap(c.ctx, 2n, [])];
      return { snapshots, validator: answer(c, snapshots, [[2n, 0n]]), actions: submitted([0n, [act.tr(3n, 4n, S, 1n)]]) };
    },
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[4n, 0n]])];
      return { snapshots, validator: null, actions: submitted([0n, [act.tr(3n, 4n, S, 1n)]]) };
    },
  ];
  return runChain(
    'example-no-quorum',
    'constructed start: every shard halted until epoch 1 — epoch 1 has no voter and aborts (no_quorum, votes 0, needed 1; the admitted snapshot changes nothing), and epoch 2 admits the same snapshot',
    'example',
    patch,
    plans,
    true,
  );
}

function psyExhaustedChain(): ChainResult {
  const plans: Plan[] = [() => ({ snapshots: [], validator: null, actions: submitted([0n, [act.ps(3n, 2n, 10n ** 20n, 1n)]]) }), () => noInputs];
  return runChain('example-psy-exhausted', 'constructed start: node 3 holds 2^127 − 10^16 PSY, so every mint is refused (psy_exhausted)', 'example', [{ op: 'set', path: ['nodes', 2, 'psy'], value: s(LIMIT - 10n ** 16n) }], plans, true);
}

function singleChain(): ChainResult {
  const plans: Plan[] = [
    () => ({ snapshots: [], validator: null, actions: submitted([0n, [act.st(0n, S / 100n, 1n), act.un(0n, S / 100n, 2n), act.tr(0n, 0n, S, 3n)]]) }),
    (c) => ({ snapshots: [snap(c.ctx, 2n, [[0n, S]])], validator: null, actions: submitted([0n, [act.tr(0n, 1n, S, 3n)]]) }),
    () => noInputs,
  ];
  return runChain('single', 'one node, no edge: no flow, no resonance credit, an empty treasury', 'single', [], plans, true);
}

/** Step 3's bounds on each side, as the honest agent applies them (P6.9): every sum exactly at its limit is taken, one more is refused. */
function boundsChain(): ChainResult {
  const plans: Plan[] = [
    () => ({
      snapshots: [],
      validator: null,
      actions: submitted(
        [
          0n,
          [
            act.tr(3n, 1n, S, 1n),
            act.tr(3n, 4n, S + 4n, 2n), // Σ = flx of node 3 exactly
            act.tr(3n, 4n, 1n, 3n), // overdraft
            act.ps(2n, 3n, 5n * S, 1n), // psy of node 2 exactly
            act.ps(2n, 3n, 1n, 2n), // overdraft
            act.un(2n, S / 4n, 2n),
          ],
        ],
        // Shard 1: C_s = 5·SCALE, bound SCALE/2; staking x on node 1 moves C_s by exactly x.
        [1n, [act.st(1n, S / 4n, 1n), act.st(1n, S / 4n, 2n), act.st(1n, 1n, 3n)]],
      ),
    }),
    () => ({
      snapshots: [],
      validator: null,
      // Node 2: stake S/2 in S with S/4 queued: S/4 more is the limit.
      // Node 3 reuses nonce 1, taken in epoch 1: bad_nonce (nonce_conflict is for a nonce taken in this epoch).
      actions: submitted([0n, [act.un(2n, S / 4n, 3n), act.un(2n, 1n, 4n), act.tr(3n, 4n, 1n, 1n), act.tr(3n, 4n, 1n, 3n), act.tr(3n, 4n, 2n, 3n)]]),
    }),
  ];
  return runChain('example-step3-bounds', 'every step-3 limit met exactly (taken) and passed by one (refused): flx, psy, stake minus queued unstakes, the EA-9 bound', 'example', [], plans, true);
}

/** A shard whose C_s is below one unit: EA-9's bound is mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE). */
function lowCoherenceChain(): ChainResult {
  const plans: Plan[] = [
    (c) => ({
      snapshots: [snap(c.ctx, 1n, [[0n, S]])], // ψ = SCALE/2 after the oracle
      validator: null,
      actions: submitted([0n, [act.st(0n, S / 5n, 1n), act.st(0n, 2n, 2n)]]),
    }),
  ];
  return runChain('single-low-coherence', 'C_s = SCALE/2 after the oracle: a stake moving it by exactly SCALE/10 is taken, by one more refused', 'single', [], plans, true);
}

function defaultChain(): ChainResult {
  const N = 72;
  const plan =
    (k: number): Plan =>
    (c) => {
      const topo = c.ctx.topology;
      const st = c.S;
      const byShard = new Map<bigint, Json[]>();
      const push = (i: number, a: Json) => {
        const shard = topo.shardIds[topo.nodeShard[i]!]!;
        byShard.set(shard, [...(byShard.get(shard) ?? []), a]);
      };
      st.nodes.forEach((n, i) => {
        let nonce = n.nonce;
        const queued = st.unstakes.filter((u) => u.node === n.id).reduce((x, u) => x + u.amount, 0n);
        if ((i + k) % 3 === 0) {
          const to = topo.nodeIds[(i * 7 + k + 1) % N]!;
          if (to !== n.id && n.flx / 5n > 0n) push(i, act.tr(n.id, to, n.flx / 5n, ++nonce));
        }
        if ((i + k) % 4 === 1) {
          const amount = n.atr / 50n + 1n < n.flx / 4n ? n.atr / 50n + 1n : n.flx / 4n;
          if (amount > 0n) push(i, act.st(n.id, amount, ++nonce));
        }
        if ((i + k) % 5 === 2 && n.stake - queued > 0n) push(i, act.un(n.id, (n.stake - queued) / 3n + 1n, ++nonce));
        if ((i + k) % 2 === 0 && n.psy > 0n) {
          const members = topo.shardNodes[topo.nodeShard[i]!]!;
          const to = topo.nodeIds[members[(members.indexOf(i) + 1 + k) % members.length]!]!;
          if (to !== n.id) push(i, act.ps(n.id, to, n.psy / 4n + 1n, ++nonce));
        }
        // An over-large stake (EA-9 or overdraft) now and then; the agent refuses it.
        if ((i + k) % 11 === 5) push(i, act.st(n.id, n.flx, nonce + 1n));
      });
      const t = c.t;
      const snapshots = [snap(c.ctx, t, [[BigInt((k * 11) % N), (BigInt(k + 1) * S) / 8n], [BigInt((k * 11 + 5) % N), 0n]]), snap(c.ctx, t - 1n, [[0n, S]])];
      const validator = k % 3 === 0 ? answer(c, snapshots) : k % 3 === 1 ? answer(c, snapshots, [[BigInt(k), 0n], [BigInt(k + 40), 1n]]) : null;
      return { snapshots, validator, actions: [...byShard].map(([shard, actions]) => ({ shard, actions })) };
    };
  return runChain('default', 'the 72-node default genesis: six epochs with many actions, snapshots and validator answers (hashes and roots only)', 'default', [], [0, 1, 2, 3, 4, 5].map(plan), false);
}

function epochVectors(): Vectors {
  const results = [
    exampleChain(),
    triangleChain(),
    haltedChain(),
    frozenChain(),
    noQuorumChain(),
    psyExhaustedChain(),
    singleChain(),
    boundsChain(),
    lowCoherenceChain(),
    defaultChain(),
  ];
  // Coverage: what the brief promises is really in the vectors (so a change in src cannot quietly drop it).
  const records = results.flatMap((r) => r.records);
  const need = (what: string, have: Iterable<string>, want: readonly string[]) => {
    const got = new Set(have);
    const missing = want.filter((w) => !got.has(w));
    if (missing.length > 0) throw new Error(`vectors: epochs.json covers no ${what} ${missing.join(', ')}`);
  };
  need('EA-11 reason', records.flatMap((r) => r.incidents.flatMap((i) => (i.ea === 'EA-11' ? [i.evidence.reason] : []))), ['malformed', 'bad_signature', 'future', 'stale', 'replayed', 'superseded']);
  need('incident', records.flatMap((r) => r.incidents.flatMap((i) => (i.ea === null ? [] : [i.ea]))), ['EA-11', 'EA-12']);
  need('event', records.flatMap((r) => r.events.map((e) => e.kind)), ['oracle_admitted', 'validator_malformed', 'psy_exhausted', 'no_quorum']);
  need('move kind', records.flatMap((r) => r.moves.map((m) => m.kind)), ['transfer', 'stake', 'psy_transfer', 'unstake', 'flow', 'cut', 'payout']);
  need('outcome', records.map((r) => r.outcome), ['commit', 'abort', 'frozen']);
  need('refusal code', results.flatMap((r) => r.refusalCodes), ['malformed', 'unknown_node', 'wrong_shard', 'self_transfer', 'non_positive_amount', 'nonce_conflict', 'bad_nonce', 'overdraft', 'coherence_divergence']);
  if (!results.some((r) => r.queueKept > 0) || !results.some((r) => r.queueReleased > 0)) throw new Error('vectors: epochs.json needs a queue kept (C rose) and a queue released');
  return {
    format: 'qfs-vectors/1',
    section: '§6 whole honest epochs (P6): stored inputs (P6.7) → record hash, next state root; small chains carry the full record and state',
    conventions:
      `${GENESES_TEXT} A chain starts from the state at epoch 0 of its genesis with start_patch applied to its JSON form (start_root is its root); ` +
      'each epoch then runs on the previous epoch\'s next state. inputs is the stored inputs document of P6.7 (snapshot signatures are real ML-DSA-87 signatures: by the development oracle key, or by founder-0 for a bad signature); ' +
      'replaying it gives the record (inputs_hash = SHA-256 of its canonical bytes, record_hash = H("qfs/v13/epoch", record), root = the next state\'s root). ' +
      'submitted is what each shard\'s nodes submitted to the honest agent ({ shard, actions } in any order; an inactive shard\'s submissions are not read) and refusals the agent\'s refusals { shard, code, digest } in the agent\'s order (P6.8–P6.9): ' +
      'running the honest agent of every active shard on them reproduces inputs.proposals. record and state (small chains only) are the full JSON for diffing.',
    decisions: [
      'Where the spec text leaves a choice open, these vectors take (and pin) this one:',
      'abort with no voter (P6.10): sync.c is C of the opening field, i.e. with the admitted snapshot\'s dissonance although the admission is then discarded; EA-11/EA-12 incidents and the oracle_admitted event are kept; active is the active set, c_shards and sync.reports are empty, sync.median null.',
      'frozen: the inputs document is { epoch, snapshots: [], validator: null, proposals: [] } whatever arrived (step 0: nothing is read or stored).',
      'inputs.snapshots keeps copies whose signature fails and snapshots that are rejected; a failing copy of a digest that another copy signs raises nothing.',
      'last_oracle_epoch starts at 0, so a snapshot of epoch 0 is never admitted (replayed while inside the window, stale after).',
      'a snapshot epoch outside [0, 2^63) (P6.6) is malformed (evidence epoch null), not future.',
      'the digest of validator_malformed and of EA-12 evidence is H("qfs/v13/validator", answer).',
      'an inactive shard runs no agent: its submissions are neither proposed nor refused. A voter with no node proposes (empty lists, sync = C) and refuses what is submitted to it as wrong_shard.',
      'a nonce taken in an earlier epoch (<= S.nonce) is bad_nonce; nonce_conflict is a nonce already taken in this epoch (a second copy of a taken action included).',
      'the agent\'s EA-9 test is cumulative over the stakes it already took, in (acting node, nonce, digest) order; a move of exactly the bound is taken. EA-9 and c_shards use the dissonance after step 1.',
      'on psy_exhausted, psy_minted lists every node with 0.',
    ],
    geneses: genesesUsed(results.map((r) => (r.chain as { genesis: string }).genesis)),
    chains: results.map((r) => r.chain),
  };
}
