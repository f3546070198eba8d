/** The signed evidence package (SPEC §10, docs/spec.md P11): building, writing, verifying, and the CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { canonicalString, type Encodable } from '../../src/math/canonical.ts';
import { defaultGenesis } from '../../src/genesis/default-genesis.ts';
import { epochContext } from '../../src/epoch/epoch.ts';
import type { QfsError } from '../../src/core/errors.ts';
import {
  ACCEPTANCE,
  ARTIFACTS,
  FINAL_HASH_FILE,
  ledgerConsistencyRun,
  MANIFEST_FILE,
  PACKAGE_FILES,
  packageFiles,
  psisyncData,
  SIGNATURE_FILE,
  verifyPackage,
  type AcceptanceId,
  type AcceptanceStatus,
  type EvidenceParameters,
  type Runtimes,
  type SignerInfo,
} from '../../src/evidence/evidence-package.ts';
import { sha256, taggedHash, toHex } from '../../src/math/hashing.ts';
import { honestRun } from '../../src/runs/honest-run.ts';
import { verifyEvidencePackage, writeEvidencePackage } from '../../src/io/evidence-dir.ts';
import { writePublicKeyFile } from '../../src/io/key-files.ts';
import { merkleRootHex } from '../../src/math/merkle.ts';
import { harmonicsLog, holofieldRewards, psiDynamics, treasuryLog } from '../../src/evidence/phase3-data.ts';
import { devKey, keygenFromSeed, signDigest } from '../../src/math/signatures.ts';
import { initialState } from '../../src/economics/state.ts';
import { computeAcceptance } from '../../src/evidence/acceptance.ts';
import { readArtifacts } from '../../src/evidence/artifacts.ts';
import { thrown } from '../codes.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'qfs.mjs');
const qfs = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const enc = new TextEncoder();
const json = (v: Encodable) => enc.encode(canonicalString(v));
const jsonl = (vs: readonly Encodable[]) => enc.encode(vs.map((v) => `${canonicalString(v)}\n`).join(''));
const hex = (b: string) => b.repeat(32);

const signer = devKey('evidence-signer');
const SIGNER: SignerInfo = { publicKey: signer.publicKey, label: 'evidence-signer', development: true };
const other = devKey('evidence-other');

// ---------------------------------------------------------------------------------------------
// Small synthetic artifacts, consistent with each other (two epochs of a main run, one EA-3 run)

const G = hex('aa');
const R = [hex('b0'), hex('b1'), hex('b2')];
const Q = [hex('c0'), hex('c1'), hex('c2')];
const S0 = { chr: 1000n, flx: 5000n, psy: 100n, atr: 300n, res: 0n };
const S1 = { chr: 1000n, flx: 5000n, psy: 110n, atr: 310n, res: 4n };
const S2 = { chr: 1000n, flx: 5000n, psy: 120n, atr: 310n, res: 6n };
const C = 5n * 10n ** 17n;

type Docs = Record<(typeof ARTIFACTS)[number], Encodable>;
function docs(): Docs {
  const harmonic = (epoch: bigint, root: string, supplies: Encodable) => ({
    epoch,
    outcome: 'commit',
    root,
    supplies,
    moves: [{ kind: 'transfer', count: 1n, amount: 7n }],
    chr: { penalties: 0n, shares: 0n, pool: 0n },
    res: { cap: 10n, credited: 2n, total: 4n },
    psy_minted: 10n,
    incidents: [],
    events: ['oracle_admitted'],
  });
  const syncEpoch = (epoch: bigint) => ({
    epoch,
    c: C,
    median: C,
    reports: [
      { shard: 0n, value: C },
      { shard: 1n, value: C },
    ],
    max_deviation: 0n,
    epsilon_bound: 5n * 10n ** 15n,
  });
  return {
    'phase3_adversary_results.json': {
      format: 'qfs-phase3/adversary-results/2',
      adversaries: [
        {
          ea: 'EA-3',
          expected_code: 'CIR-511',
          expected_response: 'CIR-511: abort, safe mode, voter halted',
          runs: 1n,
          failed: 0n,
          detections: 1n,
          incidents_expected: 1n,
          incidents_actual: 1n,
          paused_epochs: 1n,
          pause_shift: { chr: '0/1000', flx: '0/5000', psy: '0/120', atr: '0/310', res: 'n/a' },
        },
      ],
      properties: [],
    },
    'phase3_harmonics.jsonl': [harmonic(1n, R[1]!, S1), harmonic(2n, R[2]!, S2)],
    'phase3_holofield_rewards.json': {
      format: 'qfs-phase3/holofield-rewards/1',
      genesis: G,
      a_max: 16n,
      epochs: [
        { epoch: 1n, outcome: 'commit', budget: 10n, total_weight: 7n, rewarded: 8n, nodes_rewarded: 2n, multipliers: [{ m: 1n, count: 1n }, { m: 3n, count: 1n }] },
        { epoch: 2n, outcome: 'commit', budget: 9n, total_weight: 7n, rewarded: 6n, nodes_rewarded: 2n, multipliers: [{ m: 2n, count: 2n }] },
      ],
      nodes: [
        { node: 0n, reward: 9n, cut: 3n, last_multiplier: 2n },
        { node: 1n, reward: 5n, cut: 2n, last_multiplier: 2n },
      ],
    },
    'phase3_ledger_consistency.json': {
      format: 'qfs-phase3/ledger-consistency/2',
      genesis: G,
      delta_max: 10n ** 17n,
      main_checks: { store_verified: true, cross_shard_transfers: 1n, reward_comparisons: [{ epoch: 1n, node: 0n, field: 'chr', reward: 5n, raised_reward: 6n }] },
      runs: [
        {
          run: 'main',
          ea: null,
          genesis: G,
          genesis_root: R[0]!,
          genesis_supplies: S0,
          failure: null,
          epochs: [
            { epoch: 1n, prev_root: R[0]!, root: R[1]!, outcome: 'commit', mode: 'normal', record_hash: hex('d1'), incidents: [], expected: [], events: ['oracle_admitted'], stakes: [{ shard: 0n, open: C, with_stakes: C + 1n }], supplies: S1 },
            { epoch: 2n, prev_root: R[1]!, root: R[2]!, outcome: 'commit', mode: 'normal', record_hash: hex('d2'), incidents: [], expected: [], events: [], stakes: [], supplies: S2 },
          ],
        },
        {
          run: 'EA-3/1',
          ea: 'EA-3',
          genesis: hex('ab'),
          genesis_root: Q[0]!,
          genesis_supplies: S0,
          failure: null,
          epochs: [
            { epoch: 1n, prev_root: Q[0]!, root: Q[1]!, outcome: 'commit', mode: 'normal', record_hash: hex('e1'), incidents: [], expected: [], events: [], stakes: [], supplies: S1 },
            {
              epoch: 2n,
              prev_root: Q[1]!,
              root: Q[2]!,
              outcome: 'abort',
              mode: 'safe',
              record_hash: hex('e2'),
              incidents: [{ code: 'CIR-511', ea: 'EA-3', shard: 1n }],
              expected: [{ code: 'CIR-511', ea: 'EA-3', shard: 1n }],
              events: [],
              stakes: [],
              supplies: S1,
            },
          ],
        },
      ],
    },
    'phase3_psi_dynamics.json': {
      format: 'qfs-phase3/psi-dynamics/1',
      genesis: G,
      nodes: 2n,
      edges: 1n,
      triangles: 0n,
      epochs: [1n, 2n].map((epoch) => ({
        epoch,
        outcome: 'commit',
        c: C,
        sum_psi: 10n,
        psi_min: 4n,
        psi_max: 6n,
        c_shards: [{ shard: 0n, c: C }],
        gradient_max_abs: 2n,
        aligned_edges: 0n,
        curl_max_abs: 0n,
      })),
    },
    'phase3_psisync.json': { format: 'qfs-phase3/psisync/1', genesis: G, epsilon_sync: 10n ** 16n, epochs: [syncEpoch(1n), syncEpoch(2n)] },
    'phase3_treasury.jsonl': [
      { epoch: 1n, outcome: 'commit', before: 900n, budget: 10n, rewarded: 8n, cuts: 3n, payouts: 5n, paid: 8n, kept: 2n, after: 892n },
      { epoch: 2n, outcome: 'commit', before: 892n, budget: 9n, rewarded: 6n, cuts: 2n, payouts: 4n, paid: 6n, kept: 3n, after: 886n },
    ],
  };
}

function artifactsOf(d: Docs): Map<string, Uint8Array> {
  return new Map(ARTIFACTS.map((n) => [n, n.endsWith('.jsonl') ? jsonl(d[n] as Encodable[]) : json(d[n])]));
}

function params(
  status: Partial<Record<AcceptanceId, AcceptanceStatus>> = {},
  runtimes: Runtimes = { typescript: R[2]!, python: R[2]!, rust: null },
  d: Docs = docs(),
): EvidenceParameters {
  // The rows the artifacts give (the verifier recomputes them); `status` overrides some (a forgery).
  const rows = computeAcceptance(readArtifacts(artifactsOf(d)), runtimes);
  return {
    genesisHash: G,
    seed: 1n,
    runs: 1n,
    epochs: 2n,
    scenarioRuns: 1n,
    versions: { qfs_harmonic: '0.1.0', spec: 'v4' },
    runtimes,
    acceptance: rows.map((a) => ({ ...a, status: status[a.id] ?? a.status })),
  };
}

const PARAMS = params();

let tmp: string;
let n = 0;
const fresh = () => join(tmp, `pkg-${n++}`);
const write = (dir = fresh(), a = artifactsOf(docs()), p = PARAMS) => {
  writeEvidencePackage(dir, a, p, signer.secretKey, SIGNER);
  return dir;
};
const faultOf = (dir: string, key?: Uint8Array): QfsError => {
  const r = verifyEvidencePackage(dir, key);
  if (r.ok) throw new Error('expected a fault');
  return r.error;
};
const faultOfFiles = (files: [string, Uint8Array][]): QfsError => {
  const r = verifyPackage(new Map(files));
  if (r.ok) throw new Error('expected a fault');
  return r.error;
};
const signed = (d: Docs, p = PARAMS) => packageFiles(artifactsOf(d), p, { ...SIGNER, secretKey: signer.secretKey });

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'qfs-evidence-'));
});

describe('evidence package: build, write, verify', () => {
  test('evidence.verify-ok: a written package verifies and holds exactly the ten files', () => {
    const dir = write();
    expect(readdirSync(dir).sort()).toEqual([...PACKAGE_FILES]);
    const r = verifyEvidencePackage(dir, signer.publicKey);
    expect(r.ok, r.ok ? '' : r.error.describe()).toBe(true);
    if (!r.ok) return;
    const artifacts = ARTIFACTS.map((a) => new Uint8Array(readFileSync(join(dir, a))));
    expect(r.value.manifest.merkle_root).toBe(merkleRootHex(artifacts));
    expect(readFileSync(join(dir, FINAL_HASH_FILE), 'utf8')).toBe(`${merkleRootHex(artifacts)}\n`);
    expect(r.value.manifest.signer).toEqual({ public_key: toHex(signer.publicKey), development: true, label: 'evidence-signer' });
    expect(r.value.manifest.files.map((f) => f.name)).toEqual([...ARTIFACTS]);
    expect(r.value.files).toBe(10);
    const sig = readFileSync(join(dir, SIGNATURE_FILE), 'utf8');
    expect(sig).toMatch(/^[0-9a-f]{9254}\n$/);
  });

  test('evidence.deterministic: two writes of the same inputs are byte-identical', () => {
    const a = write();
    const b = write();
    for (const f of PACKAGE_FILES) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    // and rewriting a package in place gives the same bytes again
    write(a);
    for (const f of PACKAGE_FILES) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });

  test.each(PACKAGE_FILES.map((f) => [f]))('evidence.flip: a flipped byte in %s is a fault naming it', (file) => {
    const dir = write();
    const p = join(dir, file);
    const b = readFileSync(p);
    const i = Math.floor(b.length / 2);
    b[i] = b[i]! ^ 0x01;
    writeFileSync(p, b);
    const e = faultOf(dir);
    expect(e.code).toBe('E_EVIDENCE');
    if (file === MANIFEST_FILE) expect(e.field).toMatch(/^phase3_manifest\.(json|sig)/);
    else expect(e.field).toBe(file);
    if ((ARTIFACTS as readonly string[]).includes(file)) expect(e.message).toContain('SHA-256');
  });

  test('evidence.truncated: a truncated artifact is a size fault naming it', () => {
    const dir = write();
    const p = join(dir, 'phase3_treasury.jsonl');
    truncateSync(p, readFileSync(p).length - 3);
    const e = faultOf(dir);
    expect(e.field).toBe('phase3_treasury.jsonl');
    expect(e.message).toMatch(/^size \d+ bytes, but the manifest says \d+/);
  });

  test('evidence.extra: an extra file is a fault naming it', () => {
    const dir = write();
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const e = faultOf(dir);
    expect(e.field).toBe('notes.txt');
    expect(e.message).toContain('unexpected file');
  });

  test('evidence.missing: a removed file is a fault naming it', () => {
    for (const f of ['phase3_psisync.json', FINAL_HASH_FILE, SIGNATURE_FILE, MANIFEST_FILE]) {
      const dir = write();
      unlinkSync(join(dir, f));
      const e = faultOf(dir);
      expect(e.field, f).toBe(f);
      expect(e.message).toBe('missing');
    }
  });

  test('evidence.subdirectory: an entry that is not a regular file is a fault', () => {
    const dir = write();
    mkdirSync(join(dir, 'sub'));
    expect(faultOf(dir).field).toBe('sub');
  });

  test('evidence.other-key: verifying with another key names the signer key', () => {
    const dir = write();
    const e = faultOf(dir, other.publicKey);
    expect(e.field).toBe('phase3_manifest.json:signer.public_key');
    expect(e.message).toContain('not by the given key');
  });

  test('evidence.resigned: a signature by another key does not verify', () => {
    const dir = write();
    const forged = packageFiles(artifactsOf(docs()), PARAMS, { publicKey: other.publicKey, label: 'evidence-other', development: true, secretKey: other.secretKey });
    writeFileSync(join(dir, SIGNATURE_FILE), forged.find(([f]) => f === SIGNATURE_FILE)![1]);
    const e = faultOf(dir);
    expect(e.field).toBe(SIGNATURE_FILE);
    expect(e.message).toContain('does not verify');
  });

  test('evidence.order: faults are reported in the pinned order (signature before files)', () => {
    const dir = write();
    writeFileSync(join(dir, 'phase3_treasury.jsonl'), 'x');
    writeFileSync(join(dir, 'zzz'), 'x');
    expect(faultOf(dir).field).toBe('zzz');
    unlinkSync(join(dir, SIGNATURE_FILE));
    expect(faultOf(dir).field).toBe(SIGNATURE_FILE);
  });

  test('evidence.crash: every prefix of the write order of a new package leaves a fault, never a lying manifest', () => {
    const dir = write();
    const d2 = docs();
    (d2['phase3_treasury.jsonl'] as { before: bigint; after: bigint }[])[0]!.before = 901n;
    (d2['phase3_treasury.jsonl'] as { before: bigint; after: bigint }[])[0]!.after = 893n;
    (d2['phase3_treasury.jsonl'] as { before: bigint; after: bigint }[])[1]!.before = 893n;
    (d2['phase3_treasury.jsonl'] as { before: bigint; after: bigint }[])[1]!.after = 887n;
    const next = signed(d2);
    expect(verifyPackage(new Map(next)).ok).toBe(true);
    // The writer removes the old signature, then writes the files in this order, the signature last.
    unlinkSync(join(dir, SIGNATURE_FILE));
    for (let k = 0; k < next.length; k++) {
      expect(verifyEvidencePackage(dir).ok, `after ${k} files`).toBe(false);
      writeFileSync(join(dir, next[k]![0]), next[k]![1]);
    }
    expect(verifyEvidencePackage(dir).ok).toBe(true);
  });

  test('evidence.residue: crash residue of the writer is removed on the next write; a stray file is refused', () => {
    const dir = write();
    writeFileSync(join(dir, '.phase3_manifest.json.123.0.tmp'), 'half');
    expect(faultOf(dir).field).toBe('.phase3_manifest.json.123.0.tmp');
    write(dir);
    expect(verifyEvidencePackage(dir).ok).toBe(true);
    writeFileSync(join(dir, 'mine.txt'), 'keep');
    expect(thrown(() => write(dir))).toEqual({ code: 'E_EVIDENCE', field: 'mine.txt' });
    expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('keep');
  });
});

describe('evidence package: manifest and cross-checks', () => {
  test('evidence.inconsistent-not-written: the writer refuses a package that would not verify and writes nothing', () => {
    const d = docs();
    (d['phase3_treasury.jsonl'] as { kept: bigint }[])[1]!.kept = 4n;
    const dir = fresh();
    expect(thrown(() => write(dir, artifactsOf(d)))).toEqual({ code: 'E_EVIDENCE', field: 'phase3_treasury.jsonl:[1].kept' });
    expect(existsSync(dir)).toBe(false);
  });

  test('evidence.dev-flag: a development key cannot be labelled as a real key', () => {
    expect(thrown(() => packageFiles(artifactsOf(docs()), PARAMS, { ...SIGNER, development: false, secretKey: signer.secretKey }))).toEqual({ code: 'E_EVIDENCE', field: 'phase3_manifest.json:signer.development' });
  });

  test('evidence.wrong-secret: a secret key that is not the signer key is refused', () => {
    expect(thrown(() => packageFiles(artifactsOf(docs()), PARAMS, { ...SIGNER, secretKey: other.secretKey }))).toEqual({ code: 'E_KEY', field: 'signer' });
  });

  test('evidence.acceptance: rows must be the pinned ids in order', () => {
    const p = params();
    const swapped = { ...p, acceptance: [p.acceptance[1]!, p.acceptance[0]!, ...p.acceptance.slice(2)] };
    expect(thrown(() => signed(docs(), swapped))).toEqual({ code: 'E_EVIDENCE', field: 'phase3_manifest.json:acceptance[0].id' });
  });

  const cases: [string, (d: Docs) => void, string, RegExp][] = [
    [
      'broken chain',
      (d) => {
        ((d['phase3_ledger_consistency.json'] as { runs: { epochs: { prev_root: string }[] }[] }).runs[0]!.epochs[1]!.prev_root = hex('ee'));
      },
      'phase3_ledger_consistency.json:runs[0].epochs[1].prev_root',
      /chain is broken/,
    ],
    [
      'supplies changed on an abort',
      (d) => {
        ((d['phase3_ledger_consistency.json'] as { runs: { epochs: { supplies: { res: bigint } }[] }[] }).runs[1]!.epochs[1]!.supplies = { ...S1, res: 5n });
      },
      'phase3_ledger_consistency.json:runs[1].epochs[1].supplies',
      /did not commit/,
    ],
    [
      'CHR supply changed',
      (d) => {
        ((d['phase3_ledger_consistency.json'] as { runs: { epochs: { supplies: unknown }[] }[] }).runs[0]!.epochs[0]!.supplies = { ...S1, chr: 999n });
      },
      'phase3_ledger_consistency.json:runs[0].epochs[0].supplies.chr',
      /CHR supply/,
    ],
    [
      'adversary count',
      (d) => {
        ((d['phase3_adversary_results.json'] as { adversaries: { incidents_actual: bigint }[] }).adversaries[0]!.incidents_actual = 2n);
      },
      'phase3_adversary_results.json:adversaries[0].incidents_actual',
      /ledger runs of EA-3/,
    ],
    [
      'adversary code',
      (d) => {
        ((d['phase3_adversary_results.json'] as { adversaries: { expected_code: string }[] }).adversaries[0]!.expected_code = 'CIR-302');
      },
      'phase3_adversary_results.json:adversaries[0].expected_code',
      /SPEC 8's code of EA-3 is CIR-511/,
    ],
    [
      'harmonics root differs from the main run',
      (d) => {
        ((d['phase3_harmonics.jsonl'] as { root: string }[])[1]!.root = hex('ef'));
      },
      'phase3_harmonics.jsonl:[1].root',
      /main run's root/,
    ],
    [
      'treasury does not balance',
      (d) => {
        ((d['phase3_treasury.jsonl'] as { after: bigint }[])[0]!.after = 891n);
      },
      'phase3_treasury.jsonl:[0].after',
      /before − paid/,
    ],
    [
      'psisync median',
      (d) => {
        ((d['phase3_psisync.json'] as { epochs: { median: bigint }[] }).epochs[0]!.median = C + 1n);
      },
      'phase3_psisync.json:epochs[0].median',
      /lower median/,
    ],
    [
      'psi dynamics curl',
      (d) => {
        ((d['phase3_psi_dynamics.json'] as { epochs: { curl_max_abs: bigint }[] }).epochs[1]!.curl_max_abs = 1n);
      },
      'phase3_psi_dynamics.json:epochs[1].curl_max_abs',
      /no curl/,
    ],
    [
      'genesis of an artifact',
      (d) => {
        ((d['phase3_holofield_rewards.json'] as { genesis: string }).genesis = hex('ac'));
      },
      'phase3_holofield_rewards.json:genesis',
      /genesis_hash/,
    ],
    [
      'epoch lists differ',
      (d) => {
        ((d['phase3_psi_dynamics.json'] as { epochs: { outcome: string }[] }).epochs[1]!.outcome = 'abort');
      },
      'phase3_psi_dynamics.json:epochs[1]',
      /phase3_harmonics\.jsonl line 2/,
    ],
  ];
  test.each(cases)('evidence.cross-check: %s', (_name, edit, field, message) => {
    const d = docs();
    edit(d);
    const e = faultOfFiles(signed(d));
    expect(e.code).toBe('E_EVIDENCE');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  test('evidence.acceptance-recomputed: every row is recomputed from the artifacts; a status or figure they do not give is a fault', () => {
    const computed = params().acceptance;
    computed.forEach((row, i) => {
      for (const status of ['pass', 'fail', 'not_run'] as const) {
        if (status === row.status) continue;
        const e = faultOfFiles(signed(docs(), params({ [row.id]: status })));
        expect(e.field, `${row.id} → ${status}`).toBe(`phase3_manifest.json:acceptance[${i}].status`);
        expect(e.message).toContain(`the artifacts give ${row.status}`);
      }
    });
    const p = params();
    const figure = { ...p, acceptance: p.acceptance.map((a, i) => (i === 0 ? { ...a, figure: 'all fine' } : a)) };
    expect(faultOfFiles(signed(docs(), figure)).field).toBe('phase3_manifest.json:acceptance[0].figure');
    // the cross-runtime row follows the runtimes: made-up equal roots make it pass, and it is then consistent
    const three = params({}, { typescript: R[2]!, python: R[2]!, rust: R[2]! });
    expect(three.acceptance[2]!.status).toBe('pass');
    expect(verifyPackage(new Map(signed(docs(), three))).ok).toBe(true);
  });

  test('evidence.failed-run: a failed run is counted by its row, and its rows fail', () => {
    const d = docs();
    const runs = (d['phase3_ledger_consistency.json'] as { runs: { ea: string | null; failure: unknown }[] }).runs;
    runs.find((r) => r.ea === 'EA-3')!.failure = { invariant: 'adversary.incidents', epoch: 2n, message: 'planted' };
    expect(faultOfFiles(signed(d, params({}, undefined, d))).field).toBe('phase3_adversary_results.json:adversaries[0].failed');
    (d['phase3_adversary_results.json'] as { adversaries: { failed: bigint }[] }).adversaries[0]!.failed = 1n;
    const p = params({}, undefined, d);
    expect(p.acceptance.find((a) => a.id === 'value_leakage')).toMatchObject({ status: 'fail' });
    expect(p.acceptance.find((a) => a.id === 'value_leakage')!.figure).toContain('EA-3/1: adversary.incidents at epoch 2');
    expect(verifyPackage(new Map(signed(d, p))).ok).toBe(true);
  });

  test('evidence.real-data: the honest path data of three epochs with its ledger chain and psisync verifies', () => {
    const ctx = epochContext(defaultGenesis());
    const run = honestRun(ctx, 3, { seed: 3n });
    const start = initialState(ctx.genesis, ctx.genesisHash);
    const d: Docs = {
      'phase3_adversary_results.json': { format: 'qfs-phase3/adversary-results/2', adversaries: [], properties: [] },
      'phase3_harmonics.jsonl': harmonicsLog(run.steps),
      'phase3_holofield_rewards.json': holofieldRewards(ctx, run.steps),
      'phase3_ledger_consistency.json': {
        format: 'qfs-phase3/ledger-consistency/2',
        genesis: ctx.genesisHash,
        delta_max: ctx.genesis.constants.delta_max,
        main_checks: { store_verified: false, cross_shard_transfers: 0n, reward_comparisons: [] },
        runs: [ledgerConsistencyRun('main', null, ctx.genesisHash, start, run.steps)],
      },
      'phase3_psi_dynamics.json': psiDynamics(ctx, run.steps),
      'phase3_psisync.json': psisyncData(ctx.genesisHash, ctx.genesis.constants.epsilon_sync, run.steps.map((s) => s.record)),
      'phase3_treasury.jsonl': treasuryLog(run.steps),
    };
    const root = run.steps.at(-1)!.record.root;
    const p = { ...params({}, { typescript: root, python: null, rust: null }, d), genesisHash: ctx.genesisHash, epochs: 3n, seed: 3n };
    expect(p.acceptance.find((a) => a.id === 'psisync_deviation')!.status).toBe('pass');
    const r = verifyPackage(new Map(signed(d, p)));
    expect(r.ok, r.ok ? '' : r.error.describe()).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Forgeries (issue 15): each is refused by `qfs verify --key genuine.pub` and `--reexecute` (exit 1,
// naming the fault), and plain `qfs verify DIR` never exits 0.

const genuine = keygenFromSeed(sha256('qfs-test/genuine-signer'));
const GENUINE: SignerInfo = { publicKey: genuine.publicKey, label: 'evidence-signer', development: false };
const own = keygenFromSeed(sha256('qfs-test/forger'));

describe('forgeries', () => {
  let genuinePub: string;
  beforeAll(() => {
    genuinePub = join(tmp, 'genuine.pub.json');
    writePublicKeyFile(genuinePub, 'evidence-signer', genuine.publicKey, false);
  });
  const writeFiles = (files: [string, Uint8Array][]) => {
    const dir = fresh();
    mkdirSync(dir);
    for (const [n, b] of files) writeFileSync(join(dir, n), b);
    return dir;
  };
  const genuineFiles = () => packageFiles(artifactsOf(docs()), PARAMS, { ...GENUINE, secretKey: genuine.secretKey });

  /** The review's forgery: every row pass (made-up runtime roots), the EA-3 runs deleted with the row kept, the main run's final root replaced. */
  function forgedDocs(): { d: Docs; p: EvidenceParameters } {
    const d = docs();
    const ledger = d['phase3_ledger_consistency.json'] as { runs: { ea: string | null; epochs: { root: string }[] }[] };
    ledger.runs = ledger.runs.filter((r) => r.ea !== 'EA-3');
    ledger.runs[0]!.epochs[1]!.root = hex('fe');
    (d['phase3_harmonics.jsonl'] as { root: string }[])[1]!.root = hex('fe');
    const all = Object.fromEntries(ACCEPTANCE.map((a) => [a.id, 'pass'])) as Record<AcceptanceId, AcceptanceStatus>;
    return { d, p: params(all, { typescript: hex('99'), python: hex('99'), rust: hex('99') }, docs()) };
  }
  const cases: [string, () => [string, Uint8Array][], string][] = [
    ['(a) signed with the published development key', () => packageFiles(artifactsOf(forgedDocs().d), forgedDocs().p, { ...SIGNER, secretKey: signer.secretKey }), 'phase3_manifest.json:signer.public_key'],
    [
      '(b) signed with its own key under the label evidence-signer',
      () => packageFiles(artifactsOf(forgedDocs().d), forgedDocs().p, { publicKey: own.publicKey, label: 'evidence-signer', development: false, secretKey: own.secretKey }),
      'phase3_manifest.json:signer.public_key',
    ],
    [
      '(c) a published development key declared development: false under another label',
      () => {
        const f = devKey('founder-0');
        const { d, p } = forgedDocs();
        // packageFiles refuses this manifest: build the files around the refusal, as a forger would.
        const files = packageFiles(artifactsOf(d), p, { ...SIGNER, secretKey: signer.secretKey });
        const m = JSON.parse(new TextDecoder().decode(files.find(([n]) => n === MANIFEST_FILE)![1])) as { signer: { public_key: string; development: boolean; label: string } };
        m.signer = { public_key: toHex(f.publicKey), development: false, label: 'auditor' };
        const bytes = json(m as unknown as Encodable);
        const sig = `${toHex(signDigest('qfs/v13/manifest', taggedHash('qfs/v13/manifest', JSON.parse(new TextDecoder().decode(bytes)) as Encodable), f.secretKey))}\n`;
        return files.map(([n, b]): [string, Uint8Array] => [n, n === MANIFEST_FILE ? bytes : n === SIGNATURE_FILE ? enc.encode(sig) : b]);
      },
      'phase3_manifest.json:signer.development',
    ],
    [
      'an artifact edited, every hash recomputed, the genuine signature kept',
      () => {
        const d = docs();
        (d['phase3_treasury.jsonl'] as { cuts: bigint; payouts: bigint }[])[0]!.cuts = 4n;
        (d['phase3_treasury.jsonl'] as { cuts: bigint; payouts: bigint }[])[0]!.payouts = 4n;
        const edited = packageFiles(artifactsOf(d), PARAMS, { ...GENUINE, secretKey: genuine.secretKey });
        const sig = genuineFiles().find(([n]) => n === SIGNATURE_FILE)!;
        return edited.map(([n, b]): [string, Uint8Array] => (n === SIGNATURE_FILE ? sig : [n, b]));
      },
      SIGNATURE_FILE,
    ],
    ['re-signed with another key', () => packageFiles(artifactsOf(docs()), PARAMS, { publicKey: own.publicKey, label: 'evidence-signer', development: false, secretKey: own.secretKey }), 'phase3_manifest.json:signer.public_key'],
    [
      'a dropped run with its counts kept',
      () => {
        const d = docs();
        const ledger = d['phase3_ledger_consistency.json'] as { runs: { ea: string | null }[] };
        ledger.runs = ledger.runs.filter((r) => r.ea === null);
        return packageFiles(artifactsOf(d), PARAMS, { ...GENUINE, secretKey: genuine.secretKey });
      },
      'phase3_adversary_results.json:adversaries[0].runs',
    ],
    ['a flipped acceptance status', () => packageFiles(artifactsOf(docs()), params({ safe_mode: PARAMS.acceptance[8]!.status === 'pass' ? 'fail' : 'pass' }), { ...GENUINE, secretKey: genuine.secretKey }), 'phase3_manifest.json:acceptance[8].status'],
  ];
  test.each(cases)('forgery %s: --key genuine.pub exits 1 naming it; plain verify does not exit 0', (_name, build, field) => {
    const dir = writeFiles(build());
    const pinned = qfs('verify', dir, '--key', genuinePub, '--json');
    expect(pinned.code).toBe(1);
    expect((JSON.parse(pinned.out) as { fault: { field: string } }).fault.field).toBe(field);
    expect(qfs('verify', dir).code).toBe(2);
  });
  test.each(cases.filter(([name]) => name !== 're-signed with another key'))('forgery %s: --reexecute exits 1 before re-executing', (_name, build) => {
    const dir = writeFiles(build());
    const r = qfs('verify', dir, '--reexecute', '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { fault: { code: string } }).fault.code).toBe('E_EVIDENCE');
  });
  test('the genuine package verifies against the pinned genuine key, and a development --key is no trust root', () => {
    const dir = writeFiles(genuineFiles());
    const r = qfs('verify', dir, '--key', genuinePub);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^evidence verified: 10 files, merkle root [0-9a-f]{64}; signed by the pinned key; signer evidence-signer key [0-9a-f]{16}\n/);
    const devPub = join(tmp, 'dev-relabelled.pub.json');
    writePublicKeyFile(devPub, 'my-signer', devKey('shard-200').publicKey, false);
    const dev = qfs('verify', dir, '--key', devPub);
    expect(dev.code).toBe(2);
    expect(dev.err).toContain('E_USAGE --key');
    expect(dev.err).toContain('"shard-200"');
  });
});

describe('qfs verify (the CLI)', () => {
  test('cli.verify: a trust root is required; exit 0 with --key --allow-dev-key, 1 naming the fault, 3 for no directory; --json', () => {
    const dir = write();
    const plain = qfs('verify', dir);
    expect(plain.code).toBe(2);
    expect(plain.err).toContain('no trust root');
    expect(plain.out).not.toContain('verified');

    const pub = join(tmp, 'signer.pub.json');
    writePublicKeyFile(pub, 'evidence-signer', signer.publicKey, true);
    const otherPub = join(tmp, 'other.pub.json');
    writePublicKeyFile(otherPub, 'evidence-other', other.publicKey, true);
    expect(qfs('verify', dir, '--key', pub).code).toBe(2);
    const ok = qfs('verify', dir, '--key', pub, '--allow-dev-key');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^evidence verified against a DEVELOPMENT key only: 10 files, merkle root [0-9a-f]{64}; .*DEVELOPMENT key \(evidence-signer\)/);
    expect(ok.out).toContain('psisync_deviation');
    const wrongKey = qfs('verify', dir, '--key', otherPub);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain('E_EVIDENCE phase3_manifest.json:signer.public_key');

    const js = qfs('verify', dir, '--key', pub, '--allow-dev-key', '--json');
    expect(js.code).toBe(0);
    const doc = JSON.parse(js.out) as { verified: boolean; files: string; signer: { development: boolean }; trust: { pinned_key: boolean; development_key: boolean } };
    expect(doc.verified).toBe(true);
    expect(doc.files).toBe('10');
    expect(doc.signer.development).toBe(true);
    expect(doc.trust).toEqual({ pinned_key: false, development_key: true, reexecuted: false });

    const p = join(dir, 'phase3_holofield_rewards.json');
    writeFileSync(p, readFileSync(p, 'utf8').replace('"a_max":"16"', '"a_max":"17"'));
    const bad = qfs('verify', dir, '--key', pub, '--allow-dev-key');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^qfs: E_EVIDENCE phase3_holofield_rewards\.json: SHA-256 [0-9a-f]{64}, but the manifest says/);
    const badJson = qfs('verify', dir, '--reexecute', '--json');
    expect(badJson.code).toBe(1);
    expect((JSON.parse(badJson.out) as { fault: { field: string } }).fault.field).toBe('phase3_holofield_rewards.json');

    const none = qfs('verify', join(tmp, 'no-such-dir'), '--reexecute');
    expect(none.code).toBe(3);
    expect(none.err).toContain('E_IO');
    expect(qfs('verify').code).toBe(2);
    rmSync(dir, { recursive: true });
  });
});
