/** The genesis vectors' cases: patches of the default genesis, each check of §3 on each side of its bound. */
import type { Json } from '../../src/math/canonical.ts';
import { LIMIT, SCALE } from '../../src/math/certified-math.ts';
import type { Patch } from '../patch.ts';
import { s } from './common.ts';

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
