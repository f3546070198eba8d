/**
 * `npm run bench [-- --json] [-- --sizes 1000,10000,100000] [-- --epochs N]`
 *
 * An honest epoch on synthetic economies (bench/synthetic.ts) at 1k, 10k and 100k nodes, and in
 * the same run a baseline — the cost of computing the state root alone — so that the ratio
 * epoch / baseline can be compared across noisy machines. Median of N epochs per size.
 * `--json` prints one JSON object per line.
 */
import { parseArgs } from 'node:util';
import { genesisHash } from '../src/genesis.ts';
import { openingField } from '../src/psi-field.ts';
import { runEconomy } from '../src/harmonic-economics.ts';
import { initialState, stateRoot, topology, type State } from '../src/state.ts';
import { syntheticGenesis } from './synthetic.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '1000,10000,100000' },
    epochs: { type: 'string', default: '5' },
  },
});
const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
const epochs = Number(values.epochs);
if (sizes.some((n) => !Number.isInteger(n) || n < 16) || !Number.isInteger(epochs) || epochs < 1) {
  console.error('bench: --sizes takes integers >= 16 separated by commas, --epochs an integer >= 1');
  process.exit(2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

function honestEpoch(topo: ReturnType<typeof topology>, s: State): State {
  const field = openingField(topo, s.nodes);
  const t = s.epoch + 1n;
  const r = runEconomy(topo, s, field, [], t);
  const next: State = { ...s, epoch: t, nodes: r.nodes, users: r.users, treasury: r.treasury, chr_pool: r.chr_pool, unstakes: r.unstakes, coherence: field.c };
  stateRoot(next);
  return next;
}

for (const n of sizes) {
  const g = syntheticGenesis(n);
  const topo = topology(g);
  let s = initialState(g, genesisHash(g));
  const epochMs: number[] = [];
  const rootMs: number[] = [];
  for (let e = 0; e < epochs; e++) {
    rootMs.push(time(() => stateRoot(s)));
    epochMs.push(time(() => (s = honestEpoch(topo, s))));
  }
  const row = {
    bench: 'honest-epoch',
    nodes: n,
    edges: g.edges.length,
    users: topo.userIds.length,
    epochs,
    epoch_ms: Math.round(median(epochMs)),
    baseline: 'state-root',
    baseline_ms: Math.round(median(rootMs)),
    ratio: Number((median(epochMs) / median(rootMs)).toFixed(2)),
  };
  if (values.json) console.log(JSON.stringify(row));
  else
    console.log(
      `${String(n).padStart(7)} nodes ${String(row.edges).padStart(7)} edges: epoch ${String(row.epoch_ms).padStart(6)} ms, state root alone ${String(row.baseline_ms).padStart(5)} ms, ratio ${row.ratio}`,
    );
}
