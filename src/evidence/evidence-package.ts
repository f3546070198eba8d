/**
 * The signed evidence package (SPEC §10; every byte pinned in docs/spec.md P11). Pure: the package
 * is a map from file name to bytes, built from the seven artifact files and the run's parameters,
 * and verified from the files alone. `src/io/evidence-dir.ts` reads and writes the directory.
 *
 * Verification reports the FIRST fault as an `E_EVIDENCE` error whose field names the file (or
 * `file:json.path`), in the fixed order of P11.4: manifest readable → signature → file list →
 * each artifact's size and hash (name order) → Merkle root → final hash file → cross-checks.
 */
import { canonicalString, parseCanonical, type Encodable, type Json } from '../math/canonical.ts';
import { abs, max, median, mulDiv, SCALE } from '../math/certified-math.ts';
import type { EpochRecord } from '../epoch/epoch-record.ts';
import { recordHash } from '../epoch/epoch-record.ts';
import { attempt, QfsError, type Result } from '../core/errors.ts';
import { fromHex, sha256, taggedHash, toHex } from '../math/hashing.ts';
import { merkleRootHex } from '../math/merkle.ts';
import { at, Reader, type JsonObject } from '../math/schema.ts';
import { devKey, signDigest, SIGNATURE_BYTES, verifyDigest } from '../math/signatures.ts';
import { atrSupply, chrSupply, flxSupply, psySupply, resSupply, stateRoot, type State } from '../economics/state.ts';
import { compareString } from '../core/vocabulary.ts';

// ---------------------------------------------------------------------------------------------
// Names and constants (P11.1)

/** The seven artifact files, in name order (code unit): the leaves of the Merkle tree. */
export const ARTIFACTS = [
  'phase3_adversary_results.json',
  'phase3_harmonics.jsonl',
  'phase3_holofield_rewards.json',
  'phase3_ledger_consistency.json',
  'phase3_psi_dynamics.json',
  'phase3_psisync.json',
  'phase3_treasury.jsonl',
] as const;
export type ArtifactName = (typeof ARTIFACTS)[number];

export const FINAL_HASH_FILE = 'phase3_final_hash.sha256';
export const MANIFEST_FILE = 'phase3_manifest.json';
export const SIGNATURE_FILE = 'phase3_manifest.sig';


/** Every file of a package, in name order: exactly these and nothing else. */
export const PACKAGE_FILES: readonly string[] = [...ARTIFACTS, FINAL_HASH_FILE, MANIFEST_FILE, SIGNATURE_FILE].sort(compareString);

export const MANIFEST_FORMAT = 'qfs-phase3/manifest/1';
export const LEDGER_FORMAT = 'qfs-phase3/ledger-consistency/1';
export const PSISYNC_FORMAT = 'qfs-phase3/psisync/1';
export const ADVERSARY_FORMAT = 'qfs-phase3/adversary-results/1';

/** The acceptance table (SPEC §11), in this order; "evidence package verifies" is `qfs verify` itself (P11.3). */
export const ACCEPTANCE = [
  { id: 'stake_bound', criterion: "stake-driven change of every voter's C_s within EA-9's bound on every committed epoch" },
  { id: 'psisync_deviation', criterion: 'PsiSync deviation <= epsilon_sync for honest shards (it is exactly 0)' },
  { id: 'treasury_cross_runtime', criterion: 'treasury distribution identical across TypeScript, Python and Rust' },
  { id: 'adversaries_detected', criterion: 'all 14 adversaries detected and neutralized, with the expected code and no other' },
  {
    id: 'value_leakage',
    criterion: 'value leakage under attack: a lie or a halt moves nothing (0); paused epochs within the bound of SPEC 8; the pause shift reported',
  },
  { id: 'reward_monotone', criterion: 'reward monotonicity holds' },
  { id: 'cross_shard_consistency', criterion: 'cross-shard consistency verified' },
  { id: 'safe_mode', criterion: 'safe mode works for CIR-511 (entered, and exited by M founders and not by fewer)' },
] as const;
export type AcceptanceId = (typeof ACCEPTANCE)[number]['id'];
export const ACCEPTANCE_STATUSES = ['pass', 'fail', 'not_run'] as const;
export type AcceptanceStatus = (typeof ACCEPTANCE_STATUSES)[number];

export const TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'] as const;
export const EA_IDS = Array.from({ length: 14 }, (_, i) => `EA-${i + 1}`);
const CODES = ['CIR-302', 'CIR-412', 'CIR-511'] as const;
const OUTCOMES = ['commit', 'abort', 'frozen'] as const;
const TAG = 'qfs/v13/manifest';

// ---------------------------------------------------------------------------------------------
// Types

export type Supplies = { readonly [K in (typeof TOKENS)[number]]: bigint };

export interface AcceptanceRow {
  readonly id: AcceptanceId;
  readonly criterion: string;
  readonly status: AcceptanceStatus;
  readonly figure: string;
}

export interface Runtimes {
  readonly typescript: string | null;
  readonly python: string | null;
  readonly rust: string | null;
}

/** What the caller knows about the run (everything in the manifest that is not computed from the files). */
export interface EvidenceParameters {
  readonly genesisHash: string;
  readonly seed: bigint;
  readonly runs: bigint;
  readonly epochs: bigint;
  readonly versions: Readonly<Record<string, string>>;
  readonly runtimes: Runtimes;
  /** One row per ACCEPTANCE id, in that order; the criterion text is filled in from ACCEPTANCE. */
  readonly acceptance: readonly { readonly id: AcceptanceId; readonly status: AcceptanceStatus; readonly figure: string }[];
}

export interface SignerInfo {
  readonly publicKey: Uint8Array;
  readonly label: string;
  readonly development: boolean;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly genesis_hash: string;
  readonly files: readonly { readonly name: string; readonly size: bigint; readonly sha256: string }[];
  readonly merkle_root: string;
  readonly parameters: { readonly seed: bigint; readonly runs: bigint; readonly epochs: bigint; readonly versions: Readonly<Record<string, string>> };
  readonly runtimes: Runtimes;
  readonly acceptance: readonly AcceptanceRow[];
  readonly signer: { readonly public_key: string; readonly development: boolean; readonly label: string };
}

/** A directory's entries: name → bytes, or null for an entry that is not a regular file. */
export type PackageEntries = ReadonlyMap<string, Uint8Array | null>;

export interface VerifiedPackage {
  readonly manifest: Manifest;
  /** Number of files in the package (ten). */
  readonly files: number;
  readonly fingerprint: string;
}

// ---------------------------------------------------------------------------------------------
// Building and signing

/** First 16 hex digits of SHA-256 of a public key: how the CLI names a key. */
export const keyFingerprint = (publicKey: Uint8Array): string => toHex(sha256(publicKey)).slice(0, 16);

const asEncodable = (m: Manifest): Encodable => m as unknown as Encodable;

/** The Merkle root (P11.2) of the seven artifacts, in name order. */
export function artifactsRoot(artifacts: ReadonlyMap<string, Uint8Array>): string {
  return merkleRootHex(ARTIFACTS.map((n) => artifactBytes(artifacts, n)));
}

function artifactBytes(artifacts: ReadonlyMap<string, Uint8Array>, name: string): Uint8Array {
  const b = artifacts.get(name);
  if (b === undefined) throw new QfsError('E_EVIDENCE', name, 'artifact missing: a package has all seven artifact files (an empty list for a part not run)');
  return b;
}

/** The manifest (P11.3) of the seven artifacts. Throws `E_EVIDENCE` for a missing or unknown artifact, or a manifest the reader would refuse. */
export function buildManifest(artifacts: ReadonlyMap<string, Uint8Array>, params: EvidenceParameters, signer: SignerInfo): Manifest {
  const unknown = [...artifacts.keys()].filter((n) => !(ARTIFACTS as readonly string[]).includes(n)).sort(compareString);
  if (unknown.length > 0) throw new QfsError('E_EVIDENCE', unknown[0]!, 'not an artifact of the package (SPEC §10 lists seven)');
  const acceptance = params.acceptance.map((row) => ({
    id: row.id,
    criterion: ACCEPTANCE.find((a) => a.id === row.id)?.criterion ?? '',
    status: row.status,
    figure: row.figure,
  }));
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    genesis_hash: params.genesisHash,
    files: ARTIFACTS.map((name) => {
      const b = artifactBytes(artifacts, name);
      return { name, size: BigInt(b.length), sha256: toHex(sha256(b)) };
    }),
    merkle_root: artifactsRoot(artifacts),
    parameters: { seed: params.seed, runs: params.runs, epochs: params.epochs, versions: { ...params.versions } },
    runtimes: { typescript: params.runtimes.typescript, python: params.runtimes.python, rust: params.runtimes.rust },
    acceptance,
    signer: { public_key: toHex(signer.publicKey), development: signer.development, label: signer.label },
  };
  // The writer never writes what the reader refuses: the same schema and signer checks.
  readManifest(new TextEncoder().encode(canonicalOf(manifest)));
  return manifest;
}

const canonicalOf = (m: Manifest): string => canonicalString(asEncodable(m));

/** The text of `phase3_final_hash.sha256` (P11.2). */
export const finalHashText = (root: string): string => `${root}\n`;

/** `phase3_manifest.sig` (P11.5): ML-DSA-87 over `utf8(tag) || 0x00 || H("qfs/v13/manifest", manifest)`, as hex and a newline. */
export function signManifest(manifest: Manifest, secretKey: Uint8Array): string {
  return `${toHex(signDigest(TAG, taggedHash(TAG, asEncodable(manifest)), secretKey))}\n`;
}

/**
 * The ten files of a package (name → bytes), in the order they are written: artifacts in name
 * order, the final hash, the manifest, the signature last. No cross-check is run here (tests build
 * inconsistent packages with it); `writeEvidencePackage` verifies before it writes.
 */
export function packageFiles(
  artifacts: ReadonlyMap<string, Uint8Array>,
  params: EvidenceParameters,
  signer: SignerInfo & { readonly secretKey: Uint8Array },
): [string, Uint8Array][] {
  const manifest = buildManifest(artifacts, params, signer);
  const sig = signManifest(manifest, signer.secretKey);
  const probe = fromHex(sig.trimEnd())!;
  if (!verifyDigest(TAG, taggedHash(TAG, asEncodable(manifest)), probe, signer.publicKey)) {
    throw new QfsError('E_KEY', 'signer', 'the secret key does not belong to the signer public key');
  }
  const enc = new TextEncoder();
  return [
    ...ARTIFACTS.map((n): [string, Uint8Array] => [n, artifactBytes(artifacts, n)]),
    [FINAL_HASH_FILE, enc.encode(finalHashText(manifest.merkle_root))],
    [MANIFEST_FILE, enc.encode(canonicalOf(manifest))],
    [SIGNATURE_FILE, enc.encode(sig)],
  ];
}

// ---------------------------------------------------------------------------------------------
// Artifact data helpers for the main job (layouts P11.6–P11.8)

const suppliesOf = (s: State): Supplies => ({ chr: chrSupply(s), flx: flxSupply(s), psy: psySupply(s), atr: atrSupply(s), res: resSupply(s) });

/** One run of `phase3_ledger_consistency.json` from a run's start state and its epochs (`next` = the state after the record). */
export function ledgerConsistencyRun(
  run: string,
  ea: string | null,
  genesisHash: string,
  start: State,
  steps: readonly { readonly record: EpochRecord; readonly next: State }[],
): Encodable {
  return {
    run,
    ea,
    genesis: genesisHash,
    genesis_root: stateRoot(start),
    genesis_supplies: suppliesOf(start),
    epochs: steps.map(({ record: r, next }) => ({
      epoch: r.epoch,
      prev_root: r.prev_root,
      root: r.root,
      outcome: r.outcome,
      record_hash: recordHash(r),
      incidents: r.incidents.map((i) => ({ code: i.code, ea: i.ea, shard: i.shard })),
      supplies: suppliesOf(next),
    })),
  };
}

/** `phase3_psisync.json` from the records of the main run (frozen epochs, which have no sync, are left out). */
export function psisyncData(genesisHash: string, epsilonSync: bigint, records: readonly EpochRecord[]): Encodable {
  return {
    format: PSISYNC_FORMAT,
    genesis: genesisHash,
    epsilon_sync: epsilonSync,
    epochs: records.flatMap((r) => {
      if (r.sync === null) return [];
      const { c, median: med, reports } = r.sync;
      return [{ epoch: r.epoch, c, median: med, reports, max_deviation: maxDeviation(c, reports.map((x) => x.value)), epsilon_bound: mulDiv(c, epsilonSync, SCALE) }];
    }),
  };
}

const maxDeviation = (c: bigint, values: readonly bigint[]): bigint => values.reduce((m, v) => max(m, abs(v - c)), 0n);

// ---------------------------------------------------------------------------------------------
// Reading: every fault is E_EVIDENCE with the field `file` or `file:path`

class EvidenceReader extends Reader {
  constructor(readonly file: string) {
    super('E_EVIDENCE');
  }
  override fail(path: string, message: string): never {
    throw new QfsError('E_EVIDENCE', path === '' ? this.file : `${this.file}:${path}`, message);
  }
  oneOf<T extends string>(v: Json | undefined, path: string, allowed: readonly T[]): T {
    const s = this.string(v, path);
    if (!(allowed as readonly string[]).includes(s)) this.fail(path, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(s)}`);
    return s as T;
  }
  boolean(v: Json | undefined, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'expected a boolean');
    return v as boolean;
  }
  nullOr<T>(v: Json | undefined, path: string, read: (v: Json | undefined, path: string) => T): T | null {
    return v === null ? null : read(v, path);
  }
  digest(v: Json | undefined, path: string): string {
    return this.hex(v, path, 32);
  }
  supplies(v: Json | undefined, path: string): Supplies {
    const o = this.object(v, path, TOKENS);
    const s = {} as Record<(typeof TOKENS)[number], bigint>;
    for (const t of TOKENS) s[t] = this.unsigned(o[t], at(path, t));
    return s;
  }
}

function parseIn(r: EvidenceReader, bytes: Uint8Array): Json {
  try {
    return parseCanonical(bytes);
  } catch (e) {
    if (e instanceof QfsError) return r.fail(e.field, `not canonical JSON: ${e.message}`);
    throw e;
  }
}

/** A JSONL file: one canonical value a line, each line newline-terminated (empty file: no lines). */
function parseLines(r: EvidenceReader, bytes: Uint8Array): Json[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return r.fail('', 'bytes are not valid UTF-8');
  }
  if (text === '') return [];
  if (!text.endsWith('\n')) r.fail('', 'the last line is not newline-terminated');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return parseCanonical(line);
      } catch (e) {
        if (e instanceof QfsError) return r.fail(`[${i}]`, `line ${i + 1} is not canonical JSON: ${e.message}`);
        throw e;
      }
    });
}

const MANIFEST_KEYS = ['format', 'genesis_hash', 'files', 'merkle_root', 'parameters', 'runtimes', 'acceptance', 'signer'];

/** Reads and checks `phase3_manifest.json` (P11.3), including the honesty of the signer's `development` flag. */
export function readManifest(bytes: Uint8Array): Manifest {
  const r = new EvidenceReader(MANIFEST_FILE);
  const o = r.object(parseIn(r, bytes), '', MANIFEST_KEYS);
  if (o.format !== MANIFEST_FORMAT) r.fail('format', `expected "${MANIFEST_FORMAT}"`);
  const genesis_hash = r.digest(o.genesis_hash, 'genesis_hash');
  const files = r.array(o.files, 'files');
  if (files.length !== ARTIFACTS.length) r.fail('files', `lists ${files.length} files, expected the ${ARTIFACTS.length} artifacts in name order`);
  const fileRows = files.map((f, i) => {
    const p = `files[${i}]`;
    const fo = r.object(f, p, ['name', 'size', 'sha256']);
    const name = r.string(fo.name, at(p, 'name'));
    if (name !== ARTIFACTS[i]) r.fail(at(p, 'name'), `expected "${ARTIFACTS[i]}" (the artifacts in name order), got ${JSON.stringify(name)}`);
    return { name, size: r.id(fo.size, at(p, 'size')), sha256: r.digest(fo.sha256, at(p, 'sha256')) };
  });
  const merkle_root = r.digest(o.merkle_root, 'merkle_root');
  const po = r.object(o.parameters, 'parameters', ['seed', 'runs', 'epochs', 'versions']);
  const vo = po.versions;
  if (vo === null || typeof vo !== 'object' || Array.isArray(vo)) r.fail('parameters.versions', 'expected an object (name → version string)');
  const versions: Record<string, string> = {};
  for (const k of Object.keys(vo as JsonObject).sort(compareString)) versions[k] = r.string((vo as JsonObject)[k], `parameters.versions.${k}`);
  const parameters = { seed: r.id(po.seed, 'parameters.seed'), runs: r.id(po.runs, 'parameters.runs'), epochs: r.id(po.epochs, 'parameters.epochs'), versions };
  const ro = r.object(o.runtimes, 'runtimes', ['typescript', 'python', 'rust']);
  const root = (k: string) => r.nullOr(ro[k], `runtimes.${k}`, (v, p) => r.digest(v, p));
  const runtimes = { typescript: root('typescript'), python: root('python'), rust: root('rust') };
  const acc = r.array(o.acceptance, 'acceptance');
  if (acc.length !== ACCEPTANCE.length) r.fail('acceptance', `has ${acc.length} rows, expected ${ACCEPTANCE.length} (${ACCEPTANCE.map((a) => a.id).join(', ')})`);
  const acceptance = acc.map((a, i): AcceptanceRow => {
    const p = `acceptance[${i}]`;
    const ao = r.object(a, p, ['id', 'criterion', 'status', 'figure']);
    const want = ACCEPTANCE[i]!;
    if (ao.id !== want.id) r.fail(at(p, 'id'), `expected "${want.id}" (the rows of SPEC §11 in P11.3's order)`);
    if (ao.criterion !== want.criterion) r.fail(at(p, 'criterion'), `the criterion text of "${want.id}" is pinned (P11.3) and differs`);
    return { id: want.id, criterion: want.criterion, status: r.oneOf(ao.status, at(p, 'status'), ACCEPTANCE_STATUSES), figure: r.string(ao.figure, at(p, 'figure')) };
  });
  const so = r.object(o.signer, 'signer', ['public_key', 'development', 'label']);
  const signer = { public_key: r.publicKey(so.public_key, 'signer.public_key'), development: r.boolean(so.development, 'signer.development'), label: r.string(so.label, 'signer.label') };
  if (signer.label === '') r.fail('signer.label', 'empty label');
  const devOfLabel = toHex(devKey(signer.label).publicKey);
  if (signer.development && signer.public_key !== devOfLabel) {
    r.fail('signer.development', `says development, but the key is not the development key of label ${JSON.stringify(signer.label)}`);
  }
  if (!signer.development && (signer.public_key === devOfLabel || signer.public_key === toHex(devKey('evidence-signer').publicKey))) {
    r.fail('signer.development', 'says false, but the key is a published development key (P4): anyone can sign with it');
  }
  return { format: MANIFEST_FORMAT, genesis_hash, files: fileRows, merkle_root, parameters, runtimes, acceptance, signer };
}

// ---------------------------------------------------------------------------------------------
// Verification (P11.4)

const fault = (field: string, message: string): never => {
  throw new QfsError('E_EVIDENCE', field, message);
};

const SIG_TEXT = new RegExp(`^[0-9a-f]{${SIGNATURE_BYTES * 2}}\\n$`);

/**
 * Verifies a package from its entries; `expectedKey` (from `--key`) must then be the manifest's
 * signer key. Returns the first fault as an `E_EVIDENCE` error value.
 */
export function verifyPackage(entries: PackageEntries, expectedKey?: Uint8Array): Result<VerifiedPackage> {
  return attempt(() => {
    try {
      return verifyOrThrow(entries, expectedKey);
    } catch (e) {
      // A MathViolation or a canonical fault inside a cross-check is still a fault of the package.
      if (e instanceof QfsError && e.code !== 'E_EVIDENCE') throw new QfsError('E_EVIDENCE', e.field, e.message);
      throw e;
    }
  });
}

function present(entries: PackageEntries, name: string): Uint8Array {
  if (!entries.has(name)) fault(name, 'missing');
  const b = entries.get(name);
  if (b === null || b === undefined) return fault(name, 'not a regular file');
  return b;
}

function verifyOrThrow(entries: PackageEntries, expectedKey?: Uint8Array): VerifiedPackage {
  // 1. manifest readable
  const manifestBytes = present(entries, MANIFEST_FILE);
  const m = readManifest(manifestBytes);
  const pk = fromHex(m.signer.public_key)!;
  // 2. signature
  if (expectedKey !== undefined && toHex(expectedKey) !== m.signer.public_key) {
    fault(`${MANIFEST_FILE}:signer.public_key`, `the package is signed by key ${keyFingerprint(pk)}, not by the given key ${keyFingerprint(expectedKey)}`);
  }
  const sigText = new TextDecoder().decode(present(entries, SIGNATURE_FILE));
  if (!SIG_TEXT.test(sigText)) fault(SIGNATURE_FILE, `not a signature file: expected ${SIGNATURE_BYTES} bytes as lowercase hex and a newline`);
  const sig = fromHex(sigText.slice(0, -1))!;
  if (!verifyDigest(TAG, taggedHash(TAG, parseCanonical(manifestBytes)), sig, pk)) {
    fault(SIGNATURE_FILE, `the ML-DSA-87 signature does not verify against ${MANIFEST_FILE} and its signer key ${keyFingerprint(pk)}: the manifest or the signature was changed`);
  }
  // 3. file list: missing (name order), then extra (name order)
  for (const name of PACKAGE_FILES) present(entries, name);
  const extra = [...entries.keys()].filter((n) => !PACKAGE_FILES.includes(n)).sort(compareString);
  if (extra.length > 0) fault(extra[0]!, `unexpected file: a package holds exactly the ${PACKAGE_FILES.length} files of SPEC §10`);
  // 4. each artifact's size and hash, name order
  const art = new Map<string, Uint8Array>();
  for (const f of m.files) {
    const b = present(entries, f.name);
    if (BigInt(b.length) !== f.size) fault(f.name, `size ${b.length} bytes, but the manifest says ${f.size}`);
    const h = toHex(sha256(b));
    if (h !== f.sha256) fault(f.name, `SHA-256 ${h}, but the manifest says ${f.sha256}: the file was changed`);
    art.set(f.name, b);
  }
  // 5. Merkle root
  const root = artifactsRoot(art);
  if (root !== m.merkle_root) fault(`${MANIFEST_FILE}:merkle_root`, `the Merkle root of the artifacts is ${root}, but the manifest says ${m.merkle_root}`);
  // 6. final hash file
  const finalText = new TextDecoder().decode(present(entries, FINAL_HASH_FILE));
  if (finalText !== finalHashText(root)) {
    fault(FINAL_HASH_FILE, `holds ${JSON.stringify(finalText.length > 80 ? `${finalText.slice(0, 80)}…` : finalText)}, expected the Merkle root ${root} and a newline`);
  }
  // 7. cross-checks
  crossCheck(m, art);
  return { manifest: m, files: PACKAGE_FILES.length, fingerprint: keyFingerprint(pk) };
}

// ---------------------------------------------------------------------------------------------
// Cross-checks (P11.9): parse every artifact in name order, then the checks in their pinned order

type Row = JsonObject;
type Incident = { readonly code: string | null; readonly ea: string | null; readonly shard: bigint | null };
type LedgerEpoch = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly root: string;
  readonly outcome: string;
  readonly incidents: readonly Incident[];
  readonly supplies: Supplies;
};
type LedgerRun = { readonly run: string; readonly ea: string | null; readonly genesis: string; readonly genesis_root: string; readonly genesis_supplies: Supplies; readonly epochs: readonly LedgerEpoch[] };
type AdversaryRow = {
  readonly ea: string;
  readonly expected_code: string | null;
  readonly runs: bigint;
  readonly detections: bigint;
  readonly incidents_expected: bigint;
  readonly incidents_actual: bigint;
  readonly paused_epochs: bigint;
};
type SyncEpoch = { readonly epoch: bigint; readonly c: bigint; readonly median: bigint | null; readonly values: readonly bigint[]; readonly max_deviation: bigint; readonly epsilon_bound: bigint };

const SHIFT = /^(n\/a|(0|[1-9][0-9]*)\/[1-9][0-9]*)$/;

function readIncident(r: EvidenceReader, v: Json | undefined, p: string): Incident {
  const o = r.object(v, p, ['code', 'ea', 'shard']);
  return {
    code: r.nullOr(o.code, at(p, 'code'), (x, q) => r.oneOf(x, q, CODES)),
    ea: r.nullOr(o.ea, at(p, 'ea'), (x, q) => r.oneOf(x, q, EA_IDS)),
    shard: r.nullOr(o.shard, at(p, 'shard'), (x, q) => r.id(x, q)),
  };
}

function readLedger(bytes: Uint8Array): { genesis: string; runs: LedgerRun[] } {
  const r = new EvidenceReader('phase3_ledger_consistency.json');
  const o = r.object(parseIn(r, bytes), '', ['format', 'genesis', 'runs']);
  if (o.format !== LEDGER_FORMAT) r.fail('format', `expected "${LEDGER_FORMAT}"`);
  const seen = new Set<string>();
  const runs = r.array(o.runs, 'runs').map((v, i): LedgerRun => {
    const p = `runs[${i}]`;
    const ro = r.object(v, p, ['run', 'ea', 'genesis', 'genesis_root', 'genesis_supplies', 'epochs']);
    const run = r.string(ro.run, at(p, 'run'));
    if (seen.has(run)) r.fail(at(p, 'run'), `run ${JSON.stringify(run)} appears twice`);
    seen.add(run);
    const ea = r.nullOr(ro.ea, at(p, 'ea'), (x, q) => r.oneOf(x, q, EA_IDS));
    if (run === 'main' && ea !== null) r.fail(at(p, 'ea'), 'the main run has no adversary');
    const epochs = r.array(ro.epochs, at(p, 'epochs')).map((e, j): LedgerEpoch => {
      const q = `${p}.epochs[${j}]`;
      const eo = r.object(e, q, ['epoch', 'prev_root', 'root', 'outcome', 'record_hash', 'incidents', 'supplies']);
      r.digest(eo.record_hash, at(q, 'record_hash'));
      return {
        epoch: r.id(eo.epoch, at(q, 'epoch')),
        prev_root: r.digest(eo.prev_root, at(q, 'prev_root')),
        root: r.digest(eo.root, at(q, 'root')),
        outcome: r.oneOf(eo.outcome, at(q, 'outcome'), OUTCOMES),
        incidents: r.array(eo.incidents, at(q, 'incidents')).map((x, k) => readIncident(r, x, `${q}.incidents[${k}]`)),
        supplies: r.supplies(eo.supplies, at(q, 'supplies')),
      };
    });
    return {
      run,
      ea,
      genesis: r.digest(ro.genesis, at(p, 'genesis')),
      genesis_root: r.digest(ro.genesis_root, at(p, 'genesis_root')),
      genesis_supplies: r.supplies(ro.genesis_supplies, at(p, 'genesis_supplies')),
      epochs,
    };
  });
  return { genesis: r.digest(o.genesis, 'genesis'), runs };
}

function readPsisync(bytes: Uint8Array): { genesis: string; epsilon_sync: bigint; epochs: SyncEpoch[] } {
  const r = new EvidenceReader('phase3_psisync.json');
  const o = r.object(parseIn(r, bytes), '', ['format', 'genesis', 'epsilon_sync', 'epochs']);
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

function readAdversaries(bytes: Uint8Array): AdversaryRow[] {
  const r = new EvidenceReader('phase3_adversary_results.json');
  const o = r.object(parseIn(r, bytes), '', ['format', 'adversaries']);
  if (o.format !== ADVERSARY_FORMAT) r.fail('format', `expected "${ADVERSARY_FORMAT}"`);
  let last = -1;
  return r.array(o.adversaries, 'adversaries').map((v, i): AdversaryRow => {
    const p = `adversaries[${i}]`;
    const ao = r.object(v, p, ['ea', 'expected_code', 'expected_response', 'runs', 'detections', 'incidents_expected', 'incidents_actual', 'paused_epochs', 'pause_shift']);
    const ea = r.oneOf(ao.ea, at(p, 'ea'), EA_IDS);
    const k = EA_IDS.indexOf(ea);
    if (k <= last) r.fail(at(p, 'ea'), 'rows are not strictly in EA order (EA-1 … EA-14, each at most once)');
    last = k;
    r.string(ao.expected_response, at(p, 'expected_response'));
    const so = r.object(ao.pause_shift, at(p, 'pause_shift'), TOKENS);
    for (const t of TOKENS) {
      const s = r.string(so[t], `${p}.pause_shift.${t}`);
      if (!SHIFT.test(s)) r.fail(`${p}.pause_shift.${t}`, `expected "<integer>/<positive integer>" or "n/a", got ${JSON.stringify(s)}`);
    }
    const row = {
      ea,
      expected_code: r.nullOr(ao.expected_code, at(p, 'expected_code'), (x, q) => r.oneOf(x, q, CODES)),
      runs: r.id(ao.runs, at(p, 'runs')),
      detections: r.id(ao.detections, at(p, 'detections')),
      incidents_expected: r.id(ao.incidents_expected, at(p, 'incidents_expected')),
      incidents_actual: r.id(ao.incidents_actual, at(p, 'incidents_actual')),
      paused_epochs: r.id(ao.paused_epochs, at(p, 'paused_epochs')),
    };
    if (row.detections > row.runs) r.fail(at(p, 'detections'), `${row.detections} detections in ${row.runs} runs`);
    return row;
  });
}

/** The (epoch, outcome) list of a P7 file's epochs (only the fields the cross-checks use are read). */
function epochKeys(r: EvidenceReader, rows: readonly Json[], base: string): { epoch: bigint; outcome: string; row: Row; path: string }[] {
  return rows.map((v, i) => {
    const p = base === '' ? `[${i}]` : `${base}[${i}]`;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) r.fail(p, 'expected an object');
    const row = v as Row;
    return { epoch: r.id(row.epoch, at(p, 'epoch')), outcome: r.oneOf(row.outcome, at(p, 'outcome'), OUTCOMES), row, path: p };
  });
}

function docObject(r: EvidenceReader, bytes: Uint8Array): Row {
  const v = parseIn(r, bytes);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) r.fail('', 'expected an object');
  return v as Row;
}

const eqSupplies = (a: Supplies, b: Supplies): boolean => TOKENS.every((t) => a[t] === b[t]);
const showSupplies = (s: Supplies): string => TOKENS.map((t) => `${t} ${s[t]}`).join(', ');

function crossCheck(m: Manifest, art: ReadonlyMap<string, Uint8Array>): void {
  const get = (n: ArtifactName) => art.get(n)!;
  // Parse, in name order.
  const adversaries = readAdversaries(get('phase3_adversary_results.json'));
  const hR = new EvidenceReader('phase3_harmonics.jsonl');
  const harmonics = epochKeys(hR, parseLines(hR, get('phase3_harmonics.jsonl')), '');
  const rwR = new EvidenceReader('phase3_holofield_rewards.json');
  const rewardsDoc = docObject(rwR, get('phase3_holofield_rewards.json'));
  const rewards = epochKeys(rwR, rwR.array(rewardsDoc.epochs, 'epochs'), 'epochs');
  const ledger = readLedger(get('phase3_ledger_consistency.json'));
  const pdR = new EvidenceReader('phase3_psi_dynamics.json');
  const psiDoc = docObject(pdR, get('phase3_psi_dynamics.json'));
  const psi = epochKeys(pdR, pdR.array(psiDoc.epochs, 'epochs'), 'epochs');
  const sync = readPsisync(get('phase3_psisync.json'));
  const tR = new EvidenceReader('phase3_treasury.jsonl');
  const treasury = epochKeys(tR, parseLines(tR, get('phase3_treasury.jsonl')), '');

  // X1 genesis
  const g = m.genesis_hash;
  const genesisOf: [EvidenceReader, Json | undefined][] = [
    [rwR, rewardsDoc.genesis],
    [new EvidenceReader('phase3_ledger_consistency.json'), ledger.genesis],
    [pdR, psiDoc.genesis],
    [new EvidenceReader('phase3_psisync.json'), sync.genesis],
  ];
  for (const [r, v] of genesisOf) if (r.digest(v, 'genesis') !== g) r.fail('genesis', `is ${String(v)}, but the manifest's genesis_hash is ${g}`);

  // X2 epoch lists: harmonics ascending; rewards, psi dynamics, treasury the same (epoch, outcome) list; psisync the non-frozen epochs
  harmonics.forEach((h, i) => {
    if (i > 0 && h.epoch <= harmonics[i - 1]!.epoch) hR.fail(at(h.path, 'epoch'), 'epochs are not strictly ascending');
  });
  const sameEpochs = (r: EvidenceReader, xs: typeof harmonics, where: string) => {
    if (xs.length !== harmonics.length) r.fail(where, `has ${xs.length} epochs, phase3_harmonics.jsonl ${harmonics.length}`);
    xs.forEach((x, i) => {
      const h = harmonics[i]!;
      if (x.epoch !== h.epoch || x.outcome !== h.outcome) r.fail(x.path, `epoch ${x.epoch} (${x.outcome}), but phase3_harmonics.jsonl line ${i + 1} is epoch ${h.epoch} (${h.outcome})`);
    });
  };
  sameEpochs(rwR, rewards, 'epochs');
  sameEpochs(pdR, psi, 'epochs');
  sameEpochs(tR, treasury, '');
  const syncR = new EvidenceReader('phase3_psisync.json');
  const unfrozen = harmonics.filter((h) => h.outcome !== 'frozen').map((h) => h.epoch);
  if (sync.epochs.length !== unfrozen.length) syncR.fail('epochs', `has ${sync.epochs.length} epochs, phase3_harmonics.jsonl ${unfrozen.length} that are not frozen`);
  sync.epochs.forEach((s, i) => {
    if (s.epoch !== unfrozen[i]) syncR.fail(`epochs[${i}].epoch`, `is ${s.epoch}, expected ${unfrozen[i]} (the epochs of phase3_harmonics.jsonl that are not frozen)`);
  });

  // X3 the ledger chains
  const lR = new EvidenceReader('phase3_ledger_consistency.json');
  ledger.runs.forEach((run, i) => {
    let prevRoot = run.genesis_root;
    let prev = run.genesis_supplies;
    run.epochs.forEach((e, j) => {
      const q = `runs[${i}].epochs[${j}]`;
      if (e.epoch !== BigInt(j + 1)) lR.fail(at(q, 'epoch'), `is ${e.epoch}, expected ${j + 1} (a run's epochs are 1, 2, … from its genesis)`);
      if (e.prev_root !== prevRoot) lR.fail(at(q, 'prev_root'), `is ${e.prev_root}, but the previous root is ${prevRoot}: the chain is broken`);
      const s = e.supplies;
      if (s.chr !== run.genesis_supplies.chr) lR.fail(`${q}.supplies.chr`, `CHR supply ${s.chr} differs from the genesis supply ${run.genesis_supplies.chr}`);
      if (s.flx !== run.genesis_supplies.flx) lR.fail(`${q}.supplies.flx`, `FLX supply ${s.flx} differs from the genesis supply ${run.genesis_supplies.flx}`);
      if (s.psy < prev.psy) lR.fail(`${q}.supplies.psy`, `PSY supply fell from ${prev.psy} to ${s.psy}`);
      if (e.outcome !== 'commit' && !eqSupplies(s, prev)) lR.fail(at(q, 'supplies'), `an epoch that did not commit changed the supplies (${showSupplies(prev)} → ${showSupplies(s)})`);
      prevRoot = e.root;
      prev = s;
    });
  });

  // X4 the main run is the run the harmonics describe
  const mainIndex = ledger.runs.findIndex((x) => x.run === 'main');
  if (mainIndex >= 0) {
    const main = ledger.runs[mainIndex]!;
    if (main.genesis !== g) lR.fail(`runs[${mainIndex}].genesis`, `the main run's genesis is ${main.genesis}, the manifest's ${g}`);
    if (main.epochs.length !== harmonics.length) hR.fail('', `has ${harmonics.length} epochs, the main run of phase3_ledger_consistency.json ${main.epochs.length}`);
    harmonics.forEach((h, i) => {
      const e = main.epochs[i]!;
      if (h.epoch !== e.epoch || h.outcome !== e.outcome) hR.fail(h.path, `epoch ${h.epoch} (${h.outcome}), the main run's is ${e.epoch} (${e.outcome})`);
      if (hR.digest(h.row.root, at(h.path, 'root')) !== e.root) hR.fail(at(h.path, 'root'), `is ${String(h.row.root)}, the main run's root is ${e.root}`);
      if (!eqSupplies(hR.supplies(h.row.supplies, at(h.path, 'supplies')), e.supplies)) hR.fail(at(h.path, 'supplies'), `differ from the main run's (${showSupplies(e.supplies)})`);
      const inc = hR.array(h.row.incidents, at(h.path, 'incidents')).map((x, k) => readIncident(hR, x, `${h.path}.incidents[${k}]`));
      const key = (xs: readonly Incident[]) => xs.map((x) => `${x.code}/${x.ea}/${x.shard}`).join(',');
      if (key(inc) !== key(e.incidents)) hR.fail(at(h.path, 'incidents'), `differ from the main run's (${key(e.incidents) || 'none'})`);
    });
  }

  // X5 treasury: each line balances, lines chain, rewarded equals the rewards file's
  treasury.forEach((t, i) => {
    const v = (k: string) => tR.unsigned(t.row[k], at(t.path, k));
    const [before, budget, rewarded, cuts, payouts, paid, kept, after] = ['before', 'budget', 'rewarded', 'cuts', 'payouts', 'paid', 'kept', 'after'].map(v) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    if (paid !== cuts + payouts) tR.fail(at(t.path, 'paid'), `paid ${paid} ≠ cuts + payouts = ${cuts + payouts}`);
    if (kept !== budget - paid) tR.fail(at(t.path, 'kept'), `kept ${kept} ≠ budget − paid = ${budget - paid}`);
    if (after !== before - paid) tR.fail(at(t.path, 'after'), `after ${after} ≠ before − paid = ${before - paid}`);
    if (i > 0) {
      const prevAfter = tR.unsigned(treasury[i - 1]!.row.after, at(treasury[i - 1]!.path, 'after'));
      if (before !== prevAfter) tR.fail(at(t.path, 'before'), `before ${before} ≠ the previous line's after (${prevAfter})`);
    }
    const rw = rwR.unsigned(rewards[i]!.row.rewarded, at(rewards[i]!.path, 'rewarded'));
    if (rewarded !== rw) tR.fail(at(t.path, 'rewarded'), `rewarded ${rewarded}, but phase3_holofield_rewards.json says ${rw} for epoch ${t.epoch}`);
  });

  // X6 rewards: per-node totals equal the per-epoch totals and the treasury's cuts; multipliers ≤ A_MAX
  const aMax = rwR.unsigned(rewardsDoc.a_max, 'a_max');
  const nodes = rwR.array(rewardsDoc.nodes, 'nodes');
  const nodeSum = (k: string) => nodes.reduce<bigint>((s, x, i) => s + rwR.unsigned((x as Row)?.[k], `nodes[${i}].${k}`), 0n);
  const perEpoch = rewards.reduce((s, e) => s + rwR.unsigned(e.row.rewarded, at(e.path, 'rewarded')), 0n);
  if (nodeSum('reward') !== perEpoch) rwR.fail('nodes', `the nodes' rewards add up to ${nodeSum('reward')}, the epochs' to ${perEpoch}`);
  const cuts = treasury.reduce((s, t) => s + tR.unsigned(t.row.cuts, at(t.path, 'cuts')), 0n);
  if (nodeSum('cut') !== cuts) rwR.fail('nodes', `the nodes' cuts add up to ${nodeSum('cut')}, phase3_treasury.jsonl's to ${cuts}`);
  for (const e of rewards) {
    rwR.array(e.row.multipliers, at(e.path, 'multipliers')).forEach((x, k) => {
      const p = `${e.path}.multipliers[${k}].m`;
      const mv = rwR.unsigned((x as Row)?.m, p);
      if (mv > aMax) rwR.fail(p, `multiplier ${mv} > A_MAX = ${aMax}`);
    });
  }

  // X7 ψ dynamics: the computed field is curl-free
  for (const e of psi) {
    const c = pdR.unsigned(e.row.curl_max_abs, at(e.path, 'curl_max_abs'));
    if (c !== 0n) pdR.fail(at(e.path, 'curl_max_abs'), `is ${c}: the computed field has no curl (SPEC §5)`);
  }

  // X8 ΨSync: median, deviation and bound recomputed
  sync.epochs.forEach((s, i) => {
    const p = `epochs[${i}]`;
    const med = s.values.length === 0 ? null : median(s.values);
    if (med !== s.median) syncR.fail(at(p, 'median'), `is ${s.median ?? 'null'}, the lower median of the reports is ${med ?? 'null'}`);
    const dev = maxDeviation(s.c, s.values);
    if (dev !== s.max_deviation) syncR.fail(at(p, 'max_deviation'), `is ${s.max_deviation}, recomputed ${dev}`);
    const b = attempt(() => mulDiv(s.c, sync.epsilon_sync, SCALE));
    if (!b.ok) syncR.fail(at(p, 'epsilon_bound'), `mulDiv(c, epsilon_sync, SCALE) is not defined: ${b.error.message}`);
    const bound = b.ok ? b.value : 0n;
    if (bound !== s.epsilon_bound) syncR.fail(at(p, 'epsilon_bound'), `is ${s.epsilon_bound}, mulDiv(c, epsilon_sync, SCALE) = ${bound}`);
  });

  // X9 adversary table against the ledger runs labelled with each EA
  const aR = new EvidenceReader('phase3_adversary_results.json');
  ledger.runs.forEach((run, i) => {
    if (run.ea !== null && !adversaries.some((a) => a.ea === run.ea)) lR.fail(`runs[${i}].ea`, `run of ${run.ea}, which phase3_adversary_results.json does not report`);
  });
  adversaries.forEach((a, i) => {
    const p = `adversaries[${i}]`;
    const runs = ledger.runs.filter((x) => x.ea === a.ea);
    if (runs.length === 0) return;
    const incidents = runs.map((x) => x.epochs.flatMap((e) => e.incidents.filter((inc) => inc.ea === a.ea)));
    const counted = {
      runs: BigInt(runs.length),
      detections: BigInt(incidents.filter((xs) => xs.length > 0).length),
      incidents_actual: BigInt(incidents.reduce((n, xs) => n + xs.length, 0)),
      paused_epochs: BigInt(runs.reduce((n, x) => n + x.epochs.filter((e) => e.outcome !== 'commit').length, 0)),
    };
    for (const k of ['runs', 'detections', 'incidents_actual', 'paused_epochs'] as const) {
      if (a[k] !== counted[k]) aR.fail(at(p, k), `is ${a[k]}, but the ledger runs of ${a.ea} in phase3_ledger_consistency.json give ${counted[k]}`);
    }
    const wrong = incidents.flat().find((x) => x.code !== a.expected_code);
    if (wrong !== undefined) aR.fail(at(p, 'expected_code'), `is ${a.expected_code ?? 'null'}, but a ledger incident of ${a.ea} has code ${wrong.code ?? 'null'}`);
  });

  // X10 acceptance statuses the files can contradict
  const mR = new EvidenceReader(MANIFEST_FILE);
  const row = (id: AcceptanceId) => m.acceptance.findIndex((x) => x.id === id);
  const passes = (id: AcceptanceId) => m.acceptance[row(id)]!.status === 'pass';
  if (passes('treasury_cross_runtime')) {
    const { typescript, python, rust } = m.runtimes;
    if (typescript === null || python === null || rust === null || typescript !== python || python !== rust) {
      mR.fail(`acceptance[${row('treasury_cross_runtime')}].status`, 'pass, but runtimes does not hold one state root from all three runtimes');
    }
  }
  if (passes('psisync_deviation')) {
    const bad = sync.epochs.findIndex((s) => s.max_deviation > s.epsilon_bound);
    if (sync.epochs.length === 0) mR.fail(`acceptance[${row('psisync_deviation')}].status`, 'pass, but phase3_psisync.json has no epoch');
    if (bad >= 0) mR.fail(`acceptance[${row('psisync_deviation')}].status`, `pass, but phase3_psisync.json epoch ${sync.epochs[bad]!.epoch} deviates beyond its bound`);
  }
  if (passes('adversaries_detected')) {
    const p = `acceptance[${row('adversaries_detected')}].status`;
    if (adversaries.length !== EA_IDS.length) mR.fail(p, `pass, but phase3_adversary_results.json reports ${adversaries.length} of the 14 adversaries`);
    const bad = adversaries.find((a) => a.runs === 0n || a.detections !== a.runs || a.incidents_actual !== a.incidents_expected);
    if (bad !== undefined) mR.fail(p, `pass, but ${bad.ea} was not detected in every run with the expected incidents`);
  }
}
