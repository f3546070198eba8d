/**
 * `npm run bench [-- --json] [-- --sizes 1000,10000,100000] [-- --epochs N] [-- --actions N]
 *  [-- --oracle-nodes N] [-- --no-stages] [-- --no-rust] [-- --v8="--max-semi-space-size=64 --single-threaded-gc"]`
 *
 * The real honest epoch, `runHonestEpoch` (src/epoch/epoch.ts), on synthetic economies
 * (bench/synthetic.ts) at 1k, 10k and 100k nodes, each epoch with `--actions` submitted actions
 * (default 300, about 1 in 16 invalid and refused by the honest agents) and one signed oracle
 * snapshot moving `--oracle-nodes` dissonances (default 300). The inputs are made (and signed)
 * outside the timed region. In the same run, a baseline — the state root of S alone — so that the
 * ratio epoch / baseline can be compared across noisy machines. Medians of N epochs per size.
 *
 * Then (unless `--no-ledger`) bench/ledger.ts once per ML-DSA backend, each in its own process:
 * ledger epochs per second on the default genesis with real signatures (`--ledger-epochs`), and
 * signatures and verifications per second; the noble row is the baseline of the liboqs row.
 * Last (unless `--no-rust`), bench/rust.ts: the largest size's epochs replayed by the Rust
 * conformance port, which must reach the same roots and record hashes; its time and peak memory.
 *
 * Per-stage timings: after each timed epoch, the stages of that same epoch are run again one by
 * one on the same S and inputs (the exported functions `runHonestEpoch` is made of) and timed:
 * prev_root (root of S), oracle (step 1), opening_field (step 2), agents (the honest agents'
 * choices and proposals), steps_4_10 (`runEconomy`), record (inputs hash, validator, sync,
 * c_shards and the record itself), state_root (root of the next state), and record_hash
 * (`recordHash`, which `runHonestEpoch` does not compute). `stage_sum_ms` is their sum without
 * record_hash, to compare with epoch_ms. Wall-clock medians, and beside them (`epoch_cpu_ms`,
 * `stages_cpu`) the process CPU time of the same calls, steadier on a shared machine (it counts GC
 * helper threads too: run with `node --single-threaded-gc` to keep all of the work on one thread).
 * The baseline is the root of S computed afresh (`stateRoot({ ...S })`: the root of S itself is
 * remembered from the epoch that produced it). `--json` prints one JSON object per line.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { median as medianBigint } from '../src/math/certified-math.ts';
import { recordHash, type EpochRecord } from '../src/epoch/epoch-record.ts';
import { activeShards, epochContext, inputsHash, runHonestEpoch, type EpochInputs, type StoredInputs } from '../src/epoch/epoch.ts';
import { runEconomy } from '../src/economics/harmonic-economics.ts';
import { chooseActions, honestProposal } from '../src/economics/honest-agent.ts';
import { applyOracle, decideOracle, storedSnapshots } from '../src/epoch/oracle.ts';
import { openingField } from '../src/field/psi-field.ts';
import { stakeCoherence, type ActionBasis } from '../src/economics/action-rules.ts';
import { initialState, stateRoot, type State } from '../src/economics/state.ts';
import { checkValidator } from '../src/epoch/validator.ts';
import { commitRecord } from '../src/epoch/record-builder.ts';
import type { Json } from '../src/math/canonical.ts';
import { syntheticGenesis, syntheticInputs } from './synthetic.ts';
import { RustReplay } from './rust.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '1000,10000,100000' },
    epochs: { type: 'string', default: '5' },
    actions: { type: 'string', default: '300' },
    'oracle-nodes': { type: 'string', default: '300' },
    'no-stages': { type: 'boolean', default: false },
    'no-ledger': { type: 'boolean', default: false },
    'ledger-epochs': { type: 'string', default: '20' },
    'no-rust': { type: 'boolean', default: false },
    v8: { type: 'string' },
  },
});
// `--v8="--max-semi-space-size=64 --single-threaded-gc"`: run again under those V8 flags.
if (values.v8 !== undefined && process.env.QFS_BENCH_V8 === undefined) {
  const flags = values.v8.split(/\s+/).filter((f) => f !== '');
  const r = spawnSync(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, QFS_BENCH_V8: values.v8 } });
  process.exit(r.status ?? 1);
}
const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
const epochs = Number(values.epochs);
const actionCount = Number(values.actions);
const oracleNodes = Number(values['oracle-nodes']);
if (
  sizes.some((n) => !Number.isInteger(n) || n < 16) ||
  !Number.isInteger(epochs) ||
  epochs < 1 ||
  !Number.isInteger(actionCount) ||
  actionCount < 0 ||
  !Number.isInteger(oracleNodes) ||
  oracleNodes < 0
) {
  console.error('bench: --sizes takes integers >= 16 separated by commas, --epochs an integer >= 1, --actions and --oracle-nodes integers >= 0');
  process.exit(2);
}

// The largest economy's epochs are replayed by the Rust port at the end (bench/rust.ts).
const rust = values['no-rust'] ? null : new RustReplay(Math.max(...sizes));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const ms = (x: number) => Math.round(x * 10) / 10;
/** CPU time (user + system, all threads of the process, so GC helper threads too) of each `time` call, in order. */
let cpuLog: number[] = [];
const time = <T>(f: () => T): [T, number] => {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  cpuLog.push((d.user + d.system) / 1000);
  return [r, wall];
};
const lastCpu = (): number => cpuLog[cpuLog.length - 1]!;

const STAGES = ['prev_root', 'oracle', 'opening_field', 'agents', 'steps_4_10', 'record', 'state_root', 'record_hash'] as const;
type Stage = (typeof STAGES)[number];

/** The stages of `runHonestEpoch` (src/epoch/epoch.ts, normal mode), one by one, timed. */
function stages(ctx: ReturnType<typeof epochContext>, S: State, inputs: EpochInputs): Record<Stage, number> {
  const topo = ctx.topology;
  const t = S.epoch + 1n;
  const out = {} as Record<Stage, number>;
  cpuLog = [];
  const [prevRoot, a] = time(() => stateRoot(S));
  out.prev_root = a;
  const [w, b] = time(() => {
    const snapshots = storedSnapshots(inputs.snapshots);
    const oracle = decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: topo }, snapshots, t, S.last_oracle_epoch);
    return { snapshots, oracle, s1: applyOracle(topo, S, oracle.admitted), active: activeShards(S, t) };
  });
  out.oracle = b;
  const [field, c] = time(() => openingField(topo, w.s1.nodes));
  out.opening_field = c;
  const basis: ActionBasis = { topology: topo, nodes: w.s1.nodes, unstakes: S.unstakes, field };
  const [stored, d] = time(() => {
    const submitted = new Map<bigint, Json[]>();
    for (const { shard, actions } of inputs.actions) submitted.set(shard, [...(submitted.get(shard) ?? []), ...actions]);
    const choices = w.active.map((shard) => chooseActions(basis, shard, submitted.get(shard) ?? []));
    const proposals = choices.map((ch) => honestProposal(basis, ch, t, prevRoot));
    const doc: StoredInputs = { epoch: t, snapshots: w.snapshots, validator: inputs.validator, proposals };
    return doc;
  });
  out.agents = d;
  const actions = stored.proposals.flatMap((p) => p.actions);
  const [econ, e] = time(() => runEconomy(topo, w.s1, field, actions, t));
  out.steps_4_10 = e;
  const next: State = {
    ...w.s1,
    epoch: t,
    nodes: econ.nodes,
    users: econ.users,
    treasury: econ.treasury,
    chr_pool: econ.chr_pool,
    unstakes: econ.unstakes,
    coherence: field.c,
  };
  const [record, f] = time(() => {
    const validator = checkValidator(topo, t, field.psi, stored.validator);
    const inputs_hash = inputsHash(stored);
    const reports = stored.proposals.map((p) => ({ shard: p.shard, value: p.reports.sync }));
    const sync = { c: field.c, median: reports.length === 0 ? null : medianBigint(reports.map((r) => r.value)), reports };
    const c_shards = stored.proposals.map((p) => {
      const x = stakeCoherence(basis, p.shard, p.actions);
      return { shard: p.shard, open: x.open, with_stakes: x.with_stakes };
    });
    const incidents = [...w.oracle.rejections.map((evidence) => ({ code: null, ea: 'EA-11' as const, shard: null, evidence })), ...validator.incidents];
    const voters = stored.proposals.map((p) => p.shard);
    // The root is timed on its own below (stage state_root).
    const r: EpochRecord = commitRecord({ epoch: t, prev_root: prevRoot, root: '' }, { inputs_hash, active: w.active, voters, incidents, events: [...validator.events], sync, c_shards }, econ.record);
    return r;
  });
  out.record = f;
  const [root, g] = time(() => stateRoot(next));
  out.state_root = g;
  const [, h] = time(() => recordHash({ ...record, root }));
  out.record_hash = h;
  return out;
}

/** The CPU times of the last `stages` call, in STAGES order. */
const stagesCpu = (): Record<Stage, number> => Object.fromEntries(STAGES.map((x, k) => [x, cpuLog[k]!])) as Record<Stage, number>;

for (const n of sizes) {
  const g = syntheticGenesis(n);
  const ctx = epochContext(g);
  let s = initialState(g, ctx.genesisHash);
  rust?.begin(n, g, stateRoot({ ...s })); // a copy: the root of s is not remembered for the timed epoch
  const epochMs: number[] = [];
  const epochCpu: number[] = [];
  const rootMs: number[] = [];
  const recordHashMs: number[] = [];
  const stageMs: Record<Stage, number[]> = Object.fromEntries(STAGES.map((x) => [x, []])) as unknown as Record<Stage, number[]>;
  const stageCpu: Record<Stage, number[]> = Object.fromEntries(STAGES.map((x) => [x, []])) as unknown as Record<Stage, number[]>;
  let taken = 0;
  let refused = 0;
  for (let e = 0; e < epochs; e++) {
    const inputs = syntheticInputs(ctx, s, { actions: actionCount, oracleNodes, seed: 3 });
    // Baseline: the root of S computed afresh (a copy of the object, so no remembered root).
    rootMs.push(time(() => stateRoot({ ...s }))[1]);
    const [out, epochTime] = time(() => runHonestEpoch(ctx, s, inputs));
    epochMs.push(epochTime);
    epochCpu.push(lastCpu());
    rust?.epoch(n, out, epochTime, lastCpu());
    recordHashMs.push(time(() => recordHash(out.record))[1]);
    taken += out.inputs.proposals.reduce((k, p) => k + p.actions.length, 0);
    refused += out.refusals.length;
    if (!values['no-stages']) {
      const st = stages(ctx, s, inputs);
      const sc = stagesCpu();
      for (const x of STAGES) {
        stageMs[x].push(st[x]);
        stageCpu[x].push(sc[x]);
      }
    }
    s = out.state;
  }
  const stageMedians = values['no-stages'] ? null : Object.fromEntries(STAGES.map((x) => [x, ms(median(stageMs[x]))]));
  const stageCpuMedians = values['no-stages'] ? null : Object.fromEntries(STAGES.map((x) => [x, ms(median(stageCpu[x]))]));
  const row = {
    bench: 'honest-epoch',
    nodes: n,
    edges: g.edges.length,
    users: ctx.topology.userIds.length,
    epochs,
    actions_taken: Math.round(taken / epochs),
    actions_refused: Math.round(refused / epochs),
    oracle_nodes: oracleNodes,
    epoch_ms: ms(median(epochMs)),
    epoch_min_ms: ms(Math.min(...epochMs)),
    epoch_max_ms: ms(Math.max(...epochMs)),
    epoch_cpu_ms: ms(median(epochCpu)),
    record_hash_ms: ms(median(recordHashMs)),
    baseline: 'state-root',
    baseline_ms: ms(median(rootMs)),
    ratio: Number((median(epochMs) / median(rootMs)).toFixed(2)),
    stages: stageMedians,
    stage_sum_ms: stageMedians === null ? null : ms(STAGES.filter((x) => x !== 'record_hash').reduce((k, x) => k + stageMedians[x]!, 0)),
    stages_cpu: stageCpuMedians,
    v8_flags: process.env.QFS_BENCH_V8 ?? '',
  };
  if (values.json) console.log(JSON.stringify(row));
  else {
    console.log(
      `${String(n).padStart(7)} nodes ${String(row.edges).padStart(7)} edges: epoch ${String(row.epoch_ms).padStart(7)} ms (${row.epoch_min_ms}–${row.epoch_max_ms}), ` +
        `record hash ${row.record_hash_ms} ms, state root alone ${row.baseline_ms} ms, ratio ${row.ratio}; ${row.actions_taken} actions taken/epoch`,
    );
    if (stageMedians !== null) console.log(`          stages (ms): ${STAGES.map((x) => `${x} ${stageMedians[x]}`).join(', ')}; sum w/o record_hash ${row.stage_sum_ms}`);
    if (stageCpuMedians !== null) console.log(`          stages (cpu ms): ${STAGES.map((x) => `${x} ${stageCpuMedians[x]}`).join(', ')}; epoch cpu ${row.epoch_cpu_ms}`);
  }
}

if (!values['no-ledger']) {
  const ledgerRows: Record<string, number | string>[] = [];
  for (const backend of ['noble', 'liboqs']) {
    const r = spawnSync(process.execPath, [...process.execArgv, 'bench/ledger.ts', '--epochs', values['ledger-epochs']], {
      encoding: 'utf8',
      env: { ...process.env, QFS_SIGNATURE_BACKEND: backend },
    });
    if (r.status !== 0) {
      console.error(`bench: bench/ledger.ts (${backend}) failed: ${r.stderr}`);
      process.exit(1);
    }
    const row = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
    ledgerRows.push(row);
    if (values.json) console.log(JSON.stringify(row));
  }
  const [noble, fast] = ledgerRows as [Record<string, number>, Record<string, number | string>];
  const n = (k: string): number => Number(noble[k]);
  if (!values.json) {
    for (const row of ledgerRows)
      console.log(
        `ledger (${String(row.backend).padEnd(6)}): ${row.epochs_per_s} epochs/s over ${row.epochs} epochs (${row.commits} committed); ` +
          `sign ${row.sign_ms} ms (${row.signs_per_s}/s), verify ${row.verify_ms} ms (${row.verifies_per_s}/s)`,
      );
    if (fast.backend === 'liboqs')
      console.log(
        `ledger ratios liboqs/noble: epochs/s ×${(Number(fast.epochs_per_s) / n('epochs_per_s')).toFixed(2)}, ` +
          `signs/s ×${(Number(fast.signs_per_s) / n('signs_per_s')).toFixed(1)}, verifies/s ×${(Number(fast.verifies_per_s) / n('verifies_per_s')).toFixed(1)}`,
      );
    else console.log('ledger: liboqs did not load or failed its self-test here; both rows are noble');
  }
}

if (rust !== null && !(await rust.run(values.json))) process.exit(1);
