/**
 * The power-loss model of the ledger store (docs/spec.md P10.11): a run is data — a seed for the
 * simulated disk's choices and a few steps, each `open` (the store opened the way `qfs ledger
 * recover` does, with its signed anchor, then `appends` honest epochs, each followed by the
 * anchor's rewrite, as `qfs simulate` does) or `tamper` (the storage attacker, between steps:
 * a byte of a committed epoch's inputs or record flipped, or its inputs deleted) — and each step
 * may be cut by a power failure after `cut` changes of the disk. After a cut the simulated disk
 * loses what it may (models/power-loss-storage.ts) and the store is reopened, without a cut.
 *
 * What must hold (`PowerLossFailure` otherwise):
 *   - anchored: the anchor on disk reads and verifies, and every epoch whose anchor write had
 *     returned is still in it (before the first epoch whose inputs the attacker altered, which only
 *     EA-14 replaces);
 *   - no recovery from a crash alone: the reopening recovers (EA-14) iff the attacker altered
 *     inputs, and then at that epoch;
 *   - the reopened store is clean: no fault, head = the anchor's, and `verifyStore` re-executes
 *     it to the anchor;
 *   - nothing lost: every file content under the store at the start of a step is still
 *     somewhere under the store after it (the store sets aside, it never deletes).
 */
import fc from 'fast-check';
import { epochContext } from '../src/epoch/epoch.ts';
import { genesisHash } from '../src/genesis/genesis.ts';
import { devOperatorKey, readAnchorAt, writeAnchorAt, type Anchor } from '../src/io/anchor.ts';
import { appendEpoch, createStore, epochFile, verifyStore } from '../src/io/ledger-store.ts';
import { recoverStore } from '../src/io/store-recovery.ts';
import type { OmittedFsync, StoreIo } from '../src/io/storage.ts';
import { sha256, toHex } from '../src/math/hashing.ts';
import { initialState, type State } from '../src/economics/state.ts';
import { devSignatures, honestEpoch, smallGenesis } from '../test/store/fixtures.ts';
import { PowerCut, PowerLossStorage, type PowerLossStats } from './power-loss-storage.ts';

export type PowerLossStep =
  | { readonly kind: 'open'; readonly appends: number; readonly cut: number | null }
  | { readonly kind: 'tamper'; readonly target: 'inputs' | 'record' | 'delete_inputs'; readonly pick: number; readonly at: number };
export type PowerLossRun = { readonly seed: number; readonly steps: readonly PowerLossStep[] };

export const powerLossRunArbitrary: fc.Arbitrary<PowerLossRun> = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('open' as const), appends: fc.integer({ min: 0, max: 2 }), cut: fc.option(fc.nat({ max: 40 }), { freq: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('tamper' as const), target: fc.constantFrom('inputs' as const, 'record' as const, 'delete_inputs' as const), pick: fc.nat(), at: fc.nat() }) },
    ),
    { minLength: 2, maxLength: 6 },
  ),
});

export class PowerLossFailure extends Error {
  override readonly name = 'PowerLossFailure';
}

const GENESIS = smallGenesis(2);
const CTX = epochContext(GENESIS);
const STORE = '/sim/store';
const ANCHOR = '/sim/store.anchor.json';
const KEY = devOperatorKey();
const LOAD_SEED = 5n;

export type PowerLossReport = { readonly cuts: number; readonly recoveries: number; readonly repairs: number; readonly residue: number; readonly head: number; readonly disk: PowerLossStats };

/** Runs one power-loss run against the simulated disk (with `omitFsync`, a planted bug); throws PowerLossFailure. */
export function runPowerLoss(r: PowerLossRun, omitFsync?: OmittedFsync): PowerLossReport {
  const sim = new PowerLossStorage(r.seed);
  const io: StoreIo = { storage: sim, omitFsync };
  const fail = (message: string): never => {
    throw new PowerLossFailure(`${message} (seed ${r.seed}${omitFsync === undefined ? '' : `, planted: no ${omitFsync} fsync`})`);
  };
  let acked: Anchor = { genesis: genesisHash(GENESIS), records: [] };
  writeAnchorAt(ANCHOR, acked, KEY, io);
  createStore(STORE, GENESIS, devSignatures(GENESIS), io);
  let S: State = initialState(GENESIS, acked.genesis);
  let damaged: bigint | null = null;
  const rep = { cuts: 0, recoveries: 0, repairs: 0, residue: 0 };
  const contents = (): Map<string, string> => new Map(sim.files(STORE).map((f) => [toHex(sha256(sim.read(`${STORE}/${f}`)!)), f]));

  /** Opens as `qfs ledger recover` does and checks what a reopening must give. */
  const reopen = (where: string): void => {
    let anchor: Anchor;
    try {
      anchor = readAnchorAt(ANCHOR, KEY.publicKey, io).anchor;
    } catch (e) {
      return fail(`${where}: the anchor does not read after the power cut: ${(e as Error).message}`);
    }
    const keep = damaged === null ? acked.records.length : Number(damaged - 1n);
    if (anchor.records.length < keep || anchor.records.slice(0, keep).join() !== acked.records.slice(0, keep).join()) {
      fail(`${where}: an anchored epoch was lost: the anchor had ${acked.records.length} epochs, the disk's has ${anchor.records.length}${anchor.records.length >= keep ? ' (one differs)' : ''}`);
    }
    let o: ReturnType<typeof recoverStore>;
    try {
      o = recoverStore(STORE, { path: ANCHOR, key: KEY }, io);
    } catch (e) {
      return fail(`${where}: reopening failed: ${(e as Error).message}`);
    }
    if (o.recovery !== null) {
      if (damaged === null) fail(`${where}: a power cut alone caused an EA-14 recovery at epoch ${o.recovery.epoch} (${o.recovery.fault.file} ${o.recovery.fault.reason})`);
      else if (o.recovery.epoch !== damaged) fail(`${where}: recovered at ${o.recovery.epoch}, the attacker altered ${damaged}`);
    } else if (damaged !== null) {
      // Nothing to recover is right only if the cut recovery had already rewritten the anchor.
      const i = Number(damaged - 1n);
      if (!(anchor.records.length === i + 1 && anchor.records[i] !== acked.records[i])) fail(`${where}: the inputs of epoch ${damaged} were altered but the reopening recovered nothing`);
    }
    if (o.fault !== null || o.head !== BigInt(o.anchor.records.length)) fail(`${where}: the reopened store is not at the anchor's head`);
    const v = verifyStore(STORE, o.anchor, io);
    if (!v.ok) fail(`${where}: the reopened store does not verify: ${v.fault.error.describe()}`);
    if (o.recovery !== null) rep.recoveries++;
    rep.repairs += o.events.filter((e) => e.kind === 'store_repaired').length;
    rep.residue += o.events.filter((e) => e.kind === 'residue_set_aside').length;
    damaged = null;
    acked = o.anchor;
    S = o.state;
  };

  r.steps.forEach((step, i) => {
    const where = `step ${i} (${step.kind})`;
    const before = contents();
    if (step.kind === 'tamper') {
      const head = acked.records.length;
      if (head === 0) return;
      const e = BigInt((step.pick % head) + 1);
      const kind = step.target === 'record' ? 'record' : 'inputs';
      const path = `${STORE}/${epochFile(kind, e)}`;
      const b = sim.read(path);
      if (b === undefined) return;
      if (step.target === 'delete_inputs') sim.plant(path, null);
      else {
        const x = b.slice();
        x[step.at % x.length] = x[step.at % x.length]! ^ 1;
        sim.plant(path, x);
      }
      if (kind === 'inputs' && (damaged === null || e < damaged)) damaged = e;
      return;
    }
    sim.arm(step.cut);
    try {
      reopenQuietly();
      for (let n = 0; n < step.appends; n++) {
        const out = honestEpoch(CTX, S, LOAD_SEED);
        const h = appendEpoch(STORE, out, out.record.epoch % 2n === 0n, io);
        const next: Anchor = { genesis: acked.genesis, records: [...acked.records, h] };
        writeAnchorAt(ANCHOR, next, KEY, io);
        acked = next;
        S = out.state;
      }
      // A read swallowed after the cut (a checkpoint that "does not pass") still ends the step.
      if (sim.poweredOff) throw new PowerCut();
      sim.arm(null);
    } catch (e) {
      if (!(e instanceof PowerCut) && !sim.poweredOff) throw e;
      rep.cuts++;
      sim.crash();
      reopen(`${where}, after a power cut`);
    }
    // Nothing lost: every content present at the start of the step is still under the store.
    const after = contents();
    for (const [h, f] of before) if (!after.has(h)) fail(`${where}: ${f} (SHA-256 ${h.slice(0, 12)}…) is gone from the store`);
  });
  return { ...rep, head: acked.records.length, disk: { ...sim.stats } };

  /** The step's opening (may be cut): the store recovered with the anchor on disk. */
  function reopenQuietly(): void {
    const o = recoverStore(STORE, { path: ANCHOR, key: KEY }, io);
    if (o.recovery !== null) rep.recoveries++;
    if (damaged !== null && o.recovery === null) fail(`inputs of epoch ${damaged} were altered but the opening recovered nothing`);
    damaged = null;
    acked = o.anchor;
    S = o.state;
  }
}
