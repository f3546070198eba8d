/**
 * `npx tsx bench/fingerprint.ts [--update] [--sizes 1000,10000]`
 *
 * Byte-identity guard for performance work. Runs 5 honest epochs (`runHonestEpoch`) on the
 * default genesis and on synthetic economies (bench/synthetic.ts) with actions, oracle snapshots
 * and validator answers, and records per epoch: the state root, the record hash, the inputs hash,
 * the refusals, and a hash of the direct results of the exported economy functions (opening
 * field, every step of 4–10, `runEconomy` with its `holo`, supplies). It adds edge cases (unstake
 * release, resonance over the cap, PSY exhaustion) and the exact messages of MathViolations and
 * canonical-encoding faults raised on tampered inputs. Without `--update` it compares with
 * bench/fingerprint.expected.json and exits 1 on any difference.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { canonicalString, type Encodable } from '../src/math/canonical.ts';
import { LIMIT, SCALE } from '../src/math/certified-math.ts';
import { defaultGenesis } from '../src/genesis/default-genesis.ts';
import { recordHash } from '../src/epoch/epoch-record.ts';
import { epochContext, runHonestEpoch, type EpochContext, type EpochInputs } from '../src/epoch/epoch.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import {
  applyActions,
  canonicalActionOrder,
  fieldFlow,
  mintPsy,
  rebalanceChr,
  resonance,
  runEconomy,
  type Action,
} from '../src/economics/harmonic-economics.ts';
import { sha256, taggedHashHex, toHex } from '../src/math/hashing.ts';
import { holoRewards } from '../src/economics/holo-reward.ts';
import { applyOracle, decideOracle, type StoredSnapshot } from '../src/epoch/oracle.ts';
import { openingField, shardCoherences, triangles } from '../src/field/psi-field.ts';
import { atrSupply, chrSupply, flxSupply, initialState, psySupply, resSupply, stateRoot, type State } from '../src/economics/state.ts';
import { distributeTreasury, rewardsRecord } from '../src/economics/treasury-distribution.ts';
import { syntheticGenesis, syntheticInputs, type SyntheticLoad } from './synthetic.ts';

const { values } = parseArgs({
  options: {
    update: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '1000,10000' },
    epochs: { type: 'string', default: '5' },
  },
});
const EXPECTED = new URL('./fingerprint.expected.json', import.meta.url);
const EPOCHS = Number(values.epochs);

/** Canonical JSON after turning typed arrays and maps into lists. */
const plain = (v: unknown): Encodable => {
  if (v instanceof Int32Array) return [...v].map((x) => BigInt(x));
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [plain(k), plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'number') return BigInt(v);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), plain(x)]));
  return v as Encodable;
};
const digest = (v: unknown): string => toHex(sha256(canonicalString(plain(v)))).slice(0, 32);
const errorOf = (f: () => unknown): string => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return describeError(e);
  }
};
function describeError(e: unknown): string {
  const x = e as Error & { code?: string; field?: string; reason?: string };
  return `${x.constructor.name} ${x.code ?? ''} ${x.reason ?? ''} [${x.field ?? ''}]: ${x.message}`;
}

type Row = Record<string, string | number>;
const rows: Row[] = [];
const row = (r: Row): void => {
  rows.push(r);
};

/** Every exported step function on the same inputs as runEconomy, hashed. */
function directSteps(ctx: EpochContext, S: State, stored: readonly StoredSnapshot[], actions: readonly Action[]): string {
  const topo = ctx.topology;
  const t = S.epoch + 1n;
  const oracle = decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: topo }, stored, t, S.last_oracle_epoch);
  const s1 = applyOracle(topo, S, oracle.admitted);
  const field = openingField(topo, s1.nodes);
  const econ = runEconomy(topo, s1, field, actions, t);
  const s4 = applyActions(topo, s1, actions, t, field.c);
  const s5 = fieldFlow(topo, field, s4.nodes.map((n) => n.flx));
  const chr = s1.nodes.map((n) => n.chr);
  const res = s1.nodes.map((n) => n.res);
  const s6 = rebalanceChr(topo, field, chr, s1.nodes.map((n) => n.dis), s1.chr_pool);
  const s7 = resonance(topo, field, res);
  const s8 = mintPsy(topo, field, s4.nodes.map((n) => n.psy));
  const holo = holoRewards(topo, field, chr, res, s1.treasury);
  const s10 = distributeTreasury(topo, holo.nodes.map((x) => x.r), s5.flx, s1.users.map((u) => u.flx), s1.treasury);
  return digest({
    oracle,
    field,
    cShards: shardCoherences(topo, field.psi),
    order: canonicalActionOrder(topo, actions),
    econ,
    s4,
    s5,
    s6,
    s7,
    s8,
    holo,
    s10,
    rec: rewardsRecord(holo, s10),
  });
}

function chain(name: string, g: Genesis, load: (S: State, e: number) => SyntheticLoad): void {
  const ctx = epochContext(g);
  const topo = ctx.topology;
  row({ case: name, what: 'topology', hash: digest({ topo: { ...topo, constants: null }, triangles: triangles(topo) }) });
  let S = initialState(g, ctx.genesisHash);
  row({ case: name, what: 'genesis-state', root: stateRoot(S) });
  for (let e = 1; e <= EPOCHS; e++) {
    const inputs = syntheticInputs(ctx, S, load(S, e));
    const out = runHonestEpoch(ctx, S, inputs);
    const actions = out.inputs.proposals.flatMap((p) => p.actions);
    const next = out.state;
    row({
      case: name,
      epoch: e,
      root: out.record.root,
      prev_root: out.record.prev_root,
      record: recordHash(out.record),
      inputs_hash: out.record.inputs_hash,
      refusals: digest(out.refusals),
      taken: actions.length,
      refused: out.refusals.length,
      moves: out.record.moves.length,
      incidents: out.record.incidents.length,
      events: digest(out.record.events),
      supplies: digest([chrSupply(next), flxSupply(next), psySupply(next), atrSupply(next), resSupply(next)]),
      steps: directSteps(ctx, S, out.inputs.snapshots, actions),
    });
    S = next;
  }
}

const small = (S: State, e: number): SyntheticLoad => ({
  actions: 40,
  oracleNodes: e % 3 === 0 ? 0 : 10,
  validator: e === 1 ? 'psi-of-S' : e === 2 ? 'malformed' : 'none',
  seed: 1,
});
chain('default', defaultGenesis(), small);
for (const n of values.sizes.split(',').map(Number)) {
  chain(`synthetic-${n}`, syntheticGenesis(n), (_S, e) => ({ actions: 300, oracleNodes: n >> 5, validator: e === 2 ? 'psi-of-S' : 'none', seed: 2 }));
}

// ---------------------------------------------------------------------------------------------
// Edge cases on the default genesis

{
  const g = defaultGenesis();
  const ctx = epochContext(g);
  const S0 = initialState(g, ctx.genesisHash);
  const noInputs: EpochInputs = { snapshots: [], validator: null, actions: [] };
  const epoch = (name: string, S: State, inputs: EpochInputs = noInputs): void => {
    let r: Row;
    try {
      const out = runHonestEpoch(ctx, S, inputs);
      r = { case: name, root: out.record.root, record: recordHash(out.record), events: digest(out.record.events) };
    } catch (e) {
      r = { case: name, error: describeError(e) };
    }
    row(r);
  };
  const withNode = (S: State, i: number, patch: Partial<State['nodes'][number]>): State => ({
    ...S,
    nodes: S.nodes.map((n, k) => (k === i ? { ...n, ...patch } : n)),
  });
  // Queued unstakes released (C <= S.coherence), one queued this epoch kept.
  const queued: State = {
    ...withNode(S0, 1, { nonce: 1n }),
    epoch: 3n,
    coherence: LIMIT - 1n,
    unstakes: [
      { node: S0.nodes[1]!.id, nonce: 1n, amount: S0.nodes[1]!.stake / 4n, since: 2n },
      { node: S0.nodes[2]!.id, nonce: 1n, amount: S0.nodes[2]!.stake / 4n, since: 3n },
    ],
  };
  epoch('unstake-release', { ...queued, nodes: queued.nodes.map((n, k) => (k === 2 ? { ...n, nonce: 1n } : n)) });
  epoch('unstake-no-release', { ...queued, coherence: 0n, nodes: queued.nodes.map((n, k) => (k === 2 ? { ...n, nonce: 1n } : n)) });
  // Σres over the cap: every balance scaled down; generation larger than the room: credits scaled.
  epoch('res-over-cap', { ...S0, nodes: S0.nodes.map((n) => ({ ...n, res: 10n ** 30n })) });
  const field = openingField(ctx.topology, S0.nodes);
  const cap = field.sumPsi * 2n; // RES_CAP_RATIO = 2
  epoch('res-near-cap', { ...S0, nodes: S0.nodes.map((n, i) => ({ ...n, res: i === 0 ? cap - 1000n : 0n })) });
  // PSY exhausted.
  epoch('psy-exhausted', withNode(S0, 0, { psy: LIMIT - 10n }));
  // MathViolations (exact messages).
  epoch('mv-flx-overflow', withNode(S0, 1, { flx: LIMIT - 1n }));
  epoch('mv-chr-psi', withNode(S0, 0, { chr: LIMIT - 1n, atr: LIMIT - 1n }));
  epoch('mv-res-sum', { ...S0, nodes: S0.nodes.map((n, i) => ({ ...n, res: i < 3 ? LIMIT / 2n : n.res })) });
  epoch('mv-treasury', { ...S0, treasury: LIMIT - 1n, users: S0.users.map((u, j) => ({ ...u, flx: j === 0 ? LIMIT - 1n : u.flx })) });
  epoch('mv-user-flx', { ...S0, users: S0.users.map((u, j) => ({ ...u, flx: j === 3 ? LIMIT - 1n : u.flx })) });
  epoch('mv-chr-pool', { ...S0, chr_pool: LIMIT - 1n });
  epoch('mv-negative-flx', withNode(S0, 4, { flx: -5n }));
  epoch('mv-dis-negative', withNode(S0, 4, { dis: -SCALE * 2n }));
  const topo = ctx.topology;
  const f = openingField(topo, S0.nodes);
  row({ case: 'mv-fieldFlow', error: errorOf(() => fieldFlow(topo, f, S0.nodes.map((n, i) => (i === 7 ? -1n : n.flx)))) });
  row({ case: 'mv-rebalance', error: errorOf(() => rebalanceChr(topo, f, S0.nodes.map((n) => n.chr), S0.nodes.map((n, i) => (i === 9 ? LIMIT : n.dis)), 0n)) });
  row({ case: 'mv-resonance', error: errorOf(() => resonance(topo, f, S0.nodes.map((n, i) => (i === 3 ? -1n : n.res)))) });
  row({ case: 'mv-mintPsy', error: errorOf(() => mintPsy(topo, { ...f, psi: f.psi.map((x, i) => (i === 5 ? -1n : x)) }, S0.nodes.map((n) => n.psy))) });
  row({ case: 'mv-holo', error: errorOf(() => holoRewards(topo, f, S0.nodes.map((n, i) => (i === 6 ? -3n : n.chr)), S0.nodes.map((n) => n.res), S0.treasury)) });
  row({
    case: 'mv-distribute',
    error: errorOf(() => distributeTreasury(topo, S0.nodes.map((_, i) => (i === 2 ? LIMIT : 1000n)), S0.nodes.map((n) => n.flx), S0.users.map((u) => u.flx), S0.treasury)),
  });
  row({ case: 'mv-openingField', error: errorOf(() => openingField(topo, S0.nodes.map((n, i) => (i === 11 ? { ...n, atr: -1n } : n)))) });
  row({ case: 'mv-gradient', error: errorOf(() => openingField(topo, S0.nodes.map((n, i) => (i === 0 ? { ...n, chr: LIMIT - 1n, atr: 1n, dis: 0n } : n)))) });
  // Canonical-encoding faults inside a state (exact paths).
  const bad: [string, unknown][] = [
    ['float', { ...S0, nodes: S0.nodes.map((n, i) => (i === 3 ? { ...n, chr: 1.5 } : n)) }],
    ['undefined', { ...S0, nodes: S0.nodes.map((n, i) => (i === 3 ? { ...n, flx: undefined } : n)) }],
    ['key', { ...S0, users: S0.users.map((u, i) => (i === 2 ? { ...u, Bad: 1n } : u)) }],
    ['surrogate', { ...S0, founders: [{ id: 0n, key: '\ud800' }] }],
    ['class', { ...S0, unstakes: [new Map()] }],
    ['number', { ...S0, epoch: 2 ** 60 }],
    ['symbol', { ...S0, mode: Symbol('x') }],
    ['neg-zero', { ...S0, epoch: -0 }],
    ['null-proto', { ...S0, extra: Object.assign(Object.create(null) as object, { b: 1n, a: [true, false, null, 'x"\n\u0001é'] }) }],
  ];
  for (const [name, v] of bad) {
    row({ case: `canonical-${name}`, error: errorOf(() => taggedHashHex('qfs/v13/state', v as Encodable)), text: errorOf(() => canonicalString(v as Encodable)) });
    if (name === 'neg-zero' || name === 'null-proto') row({ case: `canonical-${name}-hash`, hash: taggedHashHex('qfs/v13/state', v as Encodable) });
  }
}

const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
if (values.update) {
  writeFileSync(EXPECTED, text);
  console.log(`fingerprint: wrote ${rows.length} rows to bench/fingerprint.expected.json`);
} else {
  const expected = readFileSync(EXPECTED, 'utf8').split('\n').filter((l) => l !== '');
  const got = text.split('\n').filter((l) => l !== '');
  let diffs = 0;
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    if (expected[i] !== got[i]) {
      diffs++;
      console.log(`- ${expected[i] ?? '(none)'}\n+ ${got[i] ?? '(none)'}`);
    }
  }
  if (diffs > 0) {
    console.log(`fingerprint: ${diffs} of ${got.length} rows DIFFER`);
    process.exit(1);
  }
  console.log(`fingerprint: all ${got.length} rows identical`);
}
