/**
 * The seven artifacts parsed, in name order, into the typed data the cross-checks and the
 * acceptance recomputation read (schemas P11.6–P11.8 exactly; of the P7 files, the fields used).
 */
import type { Json } from '../math/canonical.ts';
import { at, type JsonObject } from '../math/schema.ts';
import { CIR_CODES, OUTCOMES } from '../core/vocabulary.ts';
import { ADVERSARY_FORMAT, EA_IDS, LEDGER_FORMAT, PSISYNC_FORMAT, TOKENS, type ArtifactName, type Supplies, type TokenKey } from './names.ts';
import { EvidenceReader } from './reader.ts';

export type Incident = { readonly code: string | null; readonly ea: string | null; readonly shard: bigint | null };
export type Stake = { readonly shard: bigint; readonly open: bigint; readonly with_stakes: bigint };
export type LedgerEpoch = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly root: string;
  readonly outcome: string;
  readonly mode: string;
  readonly incidents: readonly Incident[];
  readonly expected: readonly Incident[];
  readonly events: readonly string[];
  readonly stakes: readonly Stake[];
  readonly supplies: Supplies;
};
export type RunFailure = { readonly invariant: string; readonly epoch: bigint; readonly message: string };
export type LedgerRun = {
  readonly run: string;
  readonly ea: string | null;
  readonly genesis: string;
  readonly genesis_root: string;
  readonly genesis_supplies: Supplies;
  readonly failure: RunFailure | null;
  readonly epochs: readonly LedgerEpoch[];
};
export type RewardComparison = { readonly epoch: bigint; readonly node: bigint; readonly field: string; readonly reward: bigint; readonly raised_reward: bigint };
export type MainChecks = { readonly store_verified: boolean; readonly cross_shard_transfers: bigint; readonly reward_comparisons: readonly RewardComparison[] };
export type Ledger = { readonly genesis: string; readonly delta_max: bigint; readonly main_checks: MainChecks; readonly runs: readonly LedgerRun[] };

export type Fraction = readonly [bigint, bigint];
export type Shift = Readonly<Record<TokenKey, Fraction | null>>;
export type AdversaryRow = {
  readonly ea: string;
  readonly expected_code: string | null;
  readonly expected_response: string;
  readonly runs: bigint;
  readonly failed: bigint;
  readonly detections: bigint;
  readonly incidents_expected: bigint;
  readonly incidents_actual: bigint;
  readonly paused_epochs: bigint;
  readonly pause_shift: Shift;
};
export type PropertyRow = {
  readonly property: string;
  readonly ea: string;
  readonly runs: bigint;
  readonly applied: bigint;
  readonly paused_epochs: bigint;
  readonly failure: RunFailure | null;
  readonly pause_shift: Shift;
};
export type Adversaries = { readonly adversaries: readonly AdversaryRow[]; readonly properties: readonly PropertyRow[] };

export type SyncEpoch = { readonly epoch: bigint; readonly c: bigint; readonly median: bigint | null; readonly values: readonly bigint[]; readonly max_deviation: bigint; readonly epsilon_bound: bigint };
export type Psisync = { readonly genesis: string; readonly epsilon_sync: bigint; readonly epochs: readonly SyncEpoch[] };

/** An epoch row of a P7 file: its epoch, outcome, the raw row and its path. */
export type EpochKey = { readonly epoch: bigint; readonly outcome: string; readonly row: JsonObject; readonly path: string };

/** Every artifact parsed, with the readers that name faults in each file. */
export type Parsed = {
  readonly adversaries: Adversaries;
  readonly harmonics: readonly EpochKey[];
  readonly rewardsDoc: JsonObject;
  readonly rewards: readonly EpochKey[];
  readonly ledger: Ledger;
  readonly psiDoc: JsonObject;
  readonly psi: readonly EpochKey[];
  readonly sync: Psisync;
  readonly treasury: readonly EpochKey[];
};

/** The reader of an artifact (every fault names the file). */
export const readerOf = (name: ArtifactName): EvidenceReader => new EvidenceReader(name);

const SHIFT = /^(n\/a|(0|[1-9][0-9]*)\/[1-9][0-9]*)$/;

function readShift(r: EvidenceReader, v: Json | undefined, p: string): Shift {
  const so = r.object(v, p, TOKENS);
  const out = {} as Record<TokenKey, Fraction | null>;
  for (const t of TOKENS) {
    const s = r.string(so[t], at(p, t));
    if (!SHIFT.test(s)) r.fail(at(p, t), `expected "<integer>/<positive integer>" or "n/a", got ${JSON.stringify(s)}`);
    const [n, d] = s.split('/');
    out[t] = s === 'n/a' ? null : [BigInt(n!), BigInt(d!)];
  }
  return out;
}

function readFailure(r: EvidenceReader, v: Json | undefined, p: string): RunFailure | null {
  return r.nullOr(v, p, (x, q) => {
    const o = r.object(x, q, ['invariant', 'epoch', 'message']);
    return { invariant: r.string(o.invariant, at(q, 'invariant')), epoch: r.id(o.epoch, at(q, 'epoch')), message: r.string(o.message, at(q, 'message')) };
  });
}

function readIncident(r: EvidenceReader, v: Json | undefined, p: string): Incident {
  const o = r.object(v, p, ['code', 'ea', 'shard']);
  return {
    code: r.nullOr(o.code, at(p, 'code'), (x, q) => r.oneOf(x, q, CIR_CODES)),
    ea: r.nullOr(o.ea, at(p, 'ea'), (x, q) => r.oneOf(x, q, EA_IDS)),
    shard: r.nullOr(o.shard, at(p, 'shard'), (x, q) => r.id(x, q)),
  };
}

export function readIncidents(r: EvidenceReader, v: Json | undefined, p: string): Incident[] {
  return r.array(v, p).map((x, k) => readIncident(r, x, `${p}[${k}]`));
}

function readLedger(bytes: Uint8Array): Ledger {
  const r = readerOf('phase3_ledger_consistency.json');
  const o = r.object(r.parse(bytes), '', ['format', 'genesis', 'delta_max', 'main_checks', 'runs']);
  if (o.format !== LEDGER_FORMAT) r.fail('format', `expected "${LEDGER_FORMAT}"`);
  const mo = r.object(o.main_checks, 'main_checks', ['store_verified', 'cross_shard_transfers', 'reward_comparisons']);
  const main_checks: MainChecks = {
    store_verified: r.boolean(mo.store_verified, 'main_checks.store_verified'),
    cross_shard_transfers: r.unsigned(mo.cross_shard_transfers, 'main_checks.cross_shard_transfers'),
    reward_comparisons: r.array(mo.reward_comparisons, 'main_checks.reward_comparisons').map((v, i) => {
      const p = `main_checks.reward_comparisons[${i}]`;
      const c = r.object(v, p, ['epoch', 'node', 'field', 'reward', 'raised_reward']);
      return {
        epoch: r.id(c.epoch, at(p, 'epoch')),
        node: r.id(c.node, at(p, 'node')),
        field: r.oneOf(c.field, at(p, 'field'), ['chr', 'atr', 'res', 'dis']),
        reward: r.unsigned(c.reward, at(p, 'reward')),
        raised_reward: r.unsigned(c.raised_reward, at(p, 'raised_reward')),
      };
    }),
  };
  const seen = new Set<string>();
  const runs = r.array(o.runs, 'runs').map((v, i): LedgerRun => {
    const p = `runs[${i}]`;
    const ro = r.object(v, p, ['run', 'ea', 'genesis', 'genesis_root', 'genesis_supplies', 'failure', 'epochs']);
    const run = r.string(ro.run, at(p, 'run'));
    if (seen.has(run)) r.fail(at(p, 'run'), `run ${JSON.stringify(run)} appears twice`);
    seen.add(run);
    const ea = r.nullOr(ro.ea, at(p, 'ea'), (x, q) => r.oneOf(x, q, EA_IDS));
    if (run === 'main' && ea !== null) r.fail(at(p, 'ea'), 'the main run has no adversary');
    const epochs = r.array(ro.epochs, at(p, 'epochs')).map((e, j): LedgerEpoch => {
      const q = `${p}.epochs[${j}]`;
      const eo = r.object(e, q, ['epoch', 'prev_root', 'root', 'outcome', 'mode', 'record_hash', 'incidents', 'expected', 'events', 'stakes', 'supplies']);
      r.digest(eo.record_hash, at(q, 'record_hash'));
      return {
        epoch: r.id(eo.epoch, at(q, 'epoch')),
        prev_root: r.digest(eo.prev_root, at(q, 'prev_root')),
        root: r.digest(eo.root, at(q, 'root')),
        outcome: r.oneOf(eo.outcome, at(q, 'outcome'), OUTCOMES),
        mode: r.oneOf(eo.mode, at(q, 'mode'), ['normal', 'safe']),
        incidents: readIncidents(r, eo.incidents, at(q, 'incidents')),
        expected: readIncidents(r, eo.expected, at(q, 'expected')),
        events: r.array(eo.events, at(q, 'events')).map((x, k) => r.string(x, `${q}.events[${k}]`)),
        stakes: r.array(eo.stakes, at(q, 'stakes')).map((x, k) => {
          const sp = `${q}.stakes[${k}]`;
          const so = r.object(x, sp, ['shard', 'open', 'with_stakes']);
          return { shard: r.id(so.shard, at(sp, 'shard')), open: r.unsigned(so.open, at(sp, 'open')), with_stakes: r.unsigned(so.with_stakes, at(sp, 'with_stakes')) };
        }),
        supplies: r.supplies(eo.supplies, at(q, 'supplies')),
      };
    });
    return {
      run,
      ea,
      genesis: r.digest(ro.genesis, at(p, 'genesis')),
      genesis_root: r.digest(ro.genesis_root, at(p, 'genesis_root')),
      genesis_supplies: r.supplies(ro.genesis_supplies, at(p, 'genesis_supplies')),
      failure: readFailure(r, ro.failure, at(p, 'failure')),
      epochs,
    };
  });
  return { genesis: r.digest(o.genesis, 'genesis'), delta_max: r.unsigned(o.delta_max, 'delta_max'), main_checks, runs };
}

function readPsisync(bytes: Uint8Array): Psisync {
  const r = readerOf('phase3_psisync.json');
  const o = r.object(r.parse(bytes), '', ['format', 'genesis', 'epsilon_sync', 'epochs']);
  if (o.format !== PSISYNC_FORMAT) r.fail('format', `expected "${PSISYNC_FORMAT}"`);
  const epochs = r.array(o.epochs, 'epochs').map((v, i): SyncEpoch => {
    const p = `epochs[${i}]`;
    const eo = r.object(v, p, ['epoch', 'c', 'median', 'reports', 'max_deviation', 'epsilon_bound']);
    let last = -1n;
    const values = r.array(eo.reports, at(p, 'reports')).map((x, j) => {
      const q = `${p}.reports[${j}]`;
      const xo = r.object(x, q, ['shard', 'value']);
      const shard = r.id(xo.shard, at(q, 'shard'));
      if (shard <= last) r.fail(at(q, 'shard'), 'reports are not strictly ascending by shard');
      last = shard;
      return r.unsigned(xo.value, at(q, 'value'));
    });
    return {
      epoch: r.id(eo.epoch, at(p, 'epoch')),
      c: r.unsigned(eo.c, at(p, 'c')),
      median: r.nullOr(eo.median, at(p, 'median'), (x, q) => r.unsigned(x, q)),
      values,
      max_deviation: r.unsigned(eo.max_deviation, at(p, 'max_deviation')),
      epsilon_bound: r.unsigned(eo.epsilon_bound, at(p, 'epsilon_bound')),
    };
  });
  return { genesis: r.digest(o.genesis, 'genesis'), epsilon_sync: r.unsigned(o.epsilon_sync, 'epsilon_sync'), epochs };
}

function readAdversaries(bytes: Uint8Array): Adversaries {
  const r = readerOf('phase3_adversary_results.json');
  const o = r.object(r.parse(bytes), '', ['format', 'adversaries', 'properties']);
  if (o.format !== ADVERSARY_FORMAT) r.fail('format', `expected "${ADVERSARY_FORMAT}"`);
  let last = -1;
  const adversaries = r.array(o.adversaries, 'adversaries').map((v, i): AdversaryRow => {
    const p = `adversaries[${i}]`;
    const ao = r.object(v, p, ['ea', 'expected_code', 'expected_response', 'runs', 'failed', 'detections', 'incidents_expected', 'incidents_actual', 'paused_epochs', 'pause_shift']);
    const ea = r.oneOf(ao.ea, at(p, 'ea'), EA_IDS);
    const k = EA_IDS.indexOf(ea);
    if (k <= last) r.fail(at(p, 'ea'), 'rows are not strictly in EA order (EA-1 … EA-14, each at most once)');
    last = k;
    const row = {
      ea,
      expected_code: r.nullOr(ao.expected_code, at(p, 'expected_code'), (x, q) => r.oneOf(x, q, CIR_CODES)),
      expected_response: r.string(ao.expected_response, at(p, 'expected_response')),
      runs: r.id(ao.runs, at(p, 'runs')),
      failed: r.id(ao.failed, at(p, 'failed')),
      detections: r.id(ao.detections, at(p, 'detections')),
      incidents_expected: r.id(ao.incidents_expected, at(p, 'incidents_expected')),
      incidents_actual: r.id(ao.incidents_actual, at(p, 'incidents_actual')),
      paused_epochs: r.id(ao.paused_epochs, at(p, 'paused_epochs')),
      pause_shift: readShift(r, ao.pause_shift, at(p, 'pause_shift')),
    };
    if (row.detections > row.runs) r.fail(at(p, 'detections'), `${row.detections} detections in ${row.runs} runs`);
    return row;
  });
  let lastP = -1;
  const properties = r.array(o.properties, 'properties').map((v, i): PropertyRow => {
    const p = `properties[${i}]`;
    const po = r.object(v, p, ['property', 'ea', 'runs', 'applied', 'paused_epochs', 'failure', 'pause_shift']);
    const ea = r.oneOf(po.ea, at(p, 'ea'), EA_IDS);
    const property = r.string(po.property, at(p, 'property'));
    if (property !== `adversary.${ea}`) r.fail(at(p, 'property'), `expected "adversary.${ea}"`);
    const k = EA_IDS.indexOf(ea);
    if (k <= lastP) r.fail(at(p, 'ea'), 'properties are not strictly in EA order');
    lastP = k;
    return {
      property,
      ea,
      runs: r.id(po.runs, at(p, 'runs')),
      applied: r.id(po.applied, at(p, 'applied')),
      paused_epochs: r.id(po.paused_epochs, at(p, 'paused_epochs')),
      failure: readFailure(r, po.failure, at(p, 'failure')),
      pause_shift: readShift(r, po.pause_shift, at(p, 'pause_shift')),
    };
  });
  return { adversaries, properties };
}

/** The (epoch, outcome) list of a P7 file's epochs (only the fields the cross-checks use are read). */
function epochKeys(r: EvidenceReader, rows: readonly Json[], base: string): EpochKey[] {
  return rows.map((v, i) => {
    const p = base === '' ? `[${i}]` : `${base}[${i}]`;
    const row = r.loose(v, p);
    return { epoch: r.id(row.epoch, at(p, 'epoch')), outcome: r.oneOf(row.outcome, at(p, 'outcome'), OUTCOMES), row, path: p };
  });
}

/** Parses the seven artifacts in name order (P11.9 (1)). */
export function readArtifacts(art: ReadonlyMap<string, Uint8Array>): Parsed {
  const get = (n: ArtifactName) => art.get(n)!;
  const adversaries = readAdversaries(get('phase3_adversary_results.json'));
  const hR = readerOf('phase3_harmonics.jsonl');
  const harmonics = epochKeys(hR, hR.lines(get('phase3_harmonics.jsonl')), '');
  const rwR = readerOf('phase3_holofield_rewards.json');
  const rewardsDoc = rwR.loose(rwR.parse(get('phase3_holofield_rewards.json')), '');
  const rewards = epochKeys(rwR, rwR.array(rewardsDoc.epochs, 'epochs'), 'epochs');
  const ledger = readLedger(get('phase3_ledger_consistency.json'));
  const pdR = readerOf('phase3_psi_dynamics.json');
  const psiDoc = pdR.loose(pdR.parse(get('phase3_psi_dynamics.json')), '');
  const psi = epochKeys(pdR, pdR.array(psiDoc.epochs, 'epochs'), 'epochs');
  const sync = readPsisync(get('phase3_psisync.json'));
  const tR = readerOf('phase3_treasury.jsonl');
  const treasury = epochKeys(tR, tR.lines(get('phase3_treasury.jsonl')), '');
  return { adversaries, harmonics, rewardsDoc, rewards, ledger, psiDoc, psi, sync, treasury };
}
