/**
 * `tsx bench/ledger.ts [--epochs N] [--signatures N]`: the full protocol on the default genesis
 * (8 shards, real ML-DSA-87: 8 proposals and 8 votes signed and verified per epoch), and the
 * signature primitive alone, through the backend this process chose (src/math/ml-dsa.ts;
 * `QFS_SIGNATURE_BACKEND=noble` forces noble). Prints one JSON line. bench/run.ts runs it once
 * per backend, each in a fresh process, so neither inherits the other's caches.
 */
import { parseArgs } from 'node:util';
import { epochContext } from '../src/epoch/epoch.ts';
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { initialState } from '../src/economics/state.ts';
import { mlDsa } from '../src/math/ml-dsa.ts';
import { devKey, keygenFromSeed } from '../src/math/signatures.ts';
import { honestLedgerEpoch } from '../src/runs/ledger-run.ts';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '20' }, signatures: { type: 'string', default: '40' } } });
const epochs = Number(values.epochs);
const sigs = Number(values.signatures);

const ctx = epochContext(defaultGenesis());
const keys = new Map(ctx.genesis.shards.map((s) => [s.id, devKey(devLabel.shard(s.id)).secretKey]));
let S = initialState(ctx.genesis, ctx.genesisHash);
// One epoch to warm up (JIT, WebAssembly instantiation), then the timed ones.
S = honestLedgerEpoch(ctx, S, 1n, (shard) => keys.get(shard)!).state;
const t0 = performance.now();
let commits = 0;
for (let e = 0; e < epochs; e++) {
  const run = honestLedgerEpoch(ctx, S, BigInt(e + 2), (shard) => keys.get(shard)!);
  if (run.record.outcome === 'commit') commits++;
  S = run.state;
}
const ledgerMs = performance.now() - t0;

// The primitive alone, on distinct messages (no cache: ml-dsa.ts is below signatures.ts's caches).
const { publicKey, secretKey } = keygenFromSeed(new Uint8Array(32).fill(9));
const msgs = Array.from({ length: sigs }, (_, i) => new TextEncoder().encode(`bench message ${i}`));
let t = performance.now();
const signed = msgs.map((m) => mlDsa.sign(m, secretKey));
const signMs = (performance.now() - t) / sigs;
t = performance.now();
const valid = signed.every((s, i) => mlDsa.verify(s, msgs[i]!, publicKey));
const verifyMs = (performance.now() - t) / sigs;
if (!valid) throw new Error('bench: a signature did not verify');

const r2 = (x: number) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    bench: 'ledger',
    backend: mlDsa.name,
    epochs,
    commits,
    ledger_ms: Math.round(ledgerMs),
    epochs_per_s: r2((epochs * 1000) / ledgerMs),
    sign_ms: r2(signMs),
    verify_ms: r2(verifyMs),
    signs_per_s: Math.round(1000 / signMs),
    verifies_per_s: Math.round(1000 / verifyMs),
  }),
);
