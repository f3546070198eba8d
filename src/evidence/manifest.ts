/**
 * The manifest (P11.3), its signature (P11.5), the final hash file (P11.2) and the ten files of a
 * package in write order. The manifest is what the signer attests; `readManifest` is the one
 * schema both the writer and the verifier apply.
 */
import { canonicalString, type Encodable } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { compareString } from '../core/vocabulary.ts';
import { fromHex, sha256, taggedHash, toHex } from '../math/hashing.ts';
import { merkleRootHex } from '../math/merkle.ts';
import { at, type JsonObject } from '../math/schema.ts';
import { devKey, signDigest, verifyDigest } from '../math/signatures.ts';
import { developmentLabelOf } from './dev-keys.ts';
import {
  ACCEPTANCE,
  ACCEPTANCE_STATUSES,
  ARTIFACTS,
  FINAL_HASH_FILE,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_TAG,
  SIGNATURE_FILE,
  type AcceptanceResult,
  type AcceptanceRow,
  type Runtimes,
} from './names.ts';
import { EvidenceReader } from './reader.ts';

/** What the caller knows about the run (everything in the manifest that is not computed from the files). */
export interface EvidenceParameters {
  readonly genesisHash: string;
  readonly seed: bigint;
  readonly runs: bigint;
  readonly epochs: bigint;
  /** Scenario runs per attack (the main job's `--scenario-runs`). */
  readonly scenarioRuns: bigint;
  readonly versions: Readonly<Record<string, string>>;
  readonly runtimes: Runtimes;
  /** One row per ACCEPTANCE id, in that order; the criterion text is filled in from ACCEPTANCE. */
  readonly acceptance: readonly AcceptanceResult[];
}

export interface SignerInfo {
  readonly publicKey: Uint8Array;
  readonly label: string;
  readonly development: boolean;
}

export type ManifestParameters = {
  readonly seed: bigint;
  readonly runs: bigint;
  readonly epochs: bigint;
  readonly scenario_runs: bigint;
  readonly versions: Readonly<Record<string, string>>;
};

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly genesis_hash: string;
  readonly files: readonly { readonly name: string; readonly size: bigint; readonly sha256: string }[];
  readonly merkle_root: string;
  readonly parameters: ManifestParameters;
  readonly runtimes: Runtimes;
  readonly acceptance: readonly AcceptanceRow[];
  readonly signer: { readonly public_key: string; readonly development: boolean; readonly label: string };
}

/** First 16 hex digits of SHA-256 of a public key: how the CLI names a key. */
export const keyFingerprint = (publicKey: Uint8Array): string => toHex(sha256(publicKey)).slice(0, 16);

export const manifestEncodable = (m: Manifest): Encodable => m as unknown as Encodable;
export const manifestText = (m: Manifest): string => canonicalString(manifestEncodable(m));

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
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    genesis_hash: params.genesisHash,
    files: ARTIFACTS.map((name) => {
      const b = artifactBytes(artifacts, name);
      return { name, size: BigInt(b.length), sha256: toHex(sha256(b)) };
    }),
    merkle_root: artifactsRoot(artifacts),
    parameters: { seed: params.seed, runs: params.runs, epochs: params.epochs, scenario_runs: params.scenarioRuns, versions: { ...params.versions } },
    runtimes: { typescript: params.runtimes.typescript, python: params.runtimes.python, rust: params.runtimes.rust },
    acceptance: params.acceptance.map((row) => ({ id: row.id, criterion: ACCEPTANCE.find((a) => a.id === row.id)?.criterion ?? '', status: row.status, figure: row.figure })),
    signer: { public_key: toHex(signer.publicKey), development: signer.development, label: signer.label },
  };
  // The writer never writes what the reader refuses: the same schema and signer checks.
  readManifest(new TextEncoder().encode(manifestText(manifest)));
  return manifest;
}

/** The text of `phase3_final_hash.sha256` (P11.2). */
export const finalHashText = (root: string): string => `${root}\n`;

/** `phase3_manifest.sig` (P11.5): ML-DSA-87 over `utf8(tag) || 0x00 || H("qfs/v13/manifest", manifest)`, as hex and a newline. */
export function signManifest(manifest: Manifest, secretKey: Uint8Array): string {
  return `${toHex(signDigest(MANIFEST_TAG, taggedHash(MANIFEST_TAG, manifestEncodable(manifest)), secretKey))}\n`;
}

/**
 * The ten files of a package (name → bytes), in the order they are written: artifacts in name
 * order, the final hash, the manifest, the signature last. No cross-check is run here (tests build
 * inconsistent and forged packages with it); `writeEvidencePackage` verifies before it writes.
 */
export function packageFiles(
  artifacts: ReadonlyMap<string, Uint8Array>,
  params: EvidenceParameters,
  signer: SignerInfo & { readonly secretKey: Uint8Array },
): [string, Uint8Array][] {
  const manifest = buildManifest(artifacts, params, signer);
  const sig = signManifest(manifest, signer.secretKey);
  if (!verifyDigest(MANIFEST_TAG, taggedHash(MANIFEST_TAG, manifestEncodable(manifest)), fromHex(sig.trimEnd())!, signer.publicKey)) {
    throw new QfsError('E_KEY', 'signer', 'the secret key does not belong to the signer public key');
  }
  const enc = new TextEncoder();
  return [
    ...ARTIFACTS.map((n): [string, Uint8Array] => [n, artifactBytes(artifacts, n)]),
    [FINAL_HASH_FILE, enc.encode(finalHashText(manifest.merkle_root))],
    [MANIFEST_FILE, enc.encode(manifestText(manifest))],
    [SIGNATURE_FILE, enc.encode(sig)],
  ];
}

const MANIFEST_KEYS = ['format', 'genesis_hash', 'files', 'merkle_root', 'parameters', 'runtimes', 'acceptance', 'signer'];

/**
 * Reads and checks `phase3_manifest.json` (P11.3), including the honesty of the signer's
 * `development` flag: true iff the key is a published development key (any label, dev-keys.ts),
 * and then the development key of the label it names.
 */
export function readManifest(bytes: Uint8Array): Manifest {
  const r = new EvidenceReader(MANIFEST_FILE);
  const o = r.object(r.parse(bytes), '', MANIFEST_KEYS);
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
  const po = r.object(o.parameters, 'parameters', ['seed', 'runs', 'epochs', 'scenario_runs', 'versions']);
  const vo = r.loose(po.versions, 'parameters.versions');
  const versions: Record<string, string> = {};
  for (const k of Object.keys(vo as JsonObject).sort(compareString)) versions[k] = r.string(vo[k], `parameters.versions.${k}`);
  const parameters = {
    seed: r.id(po.seed, 'parameters.seed'),
    runs: r.id(po.runs, 'parameters.runs'),
    epochs: r.id(po.epochs, 'parameters.epochs'),
    scenario_runs: r.id(po.scenario_runs, 'parameters.scenario_runs'),
    versions,
  };
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
  const devLabel = developmentLabelOf(fromHex(signer.public_key)!, signer.label);
  if (signer.development && signer.public_key !== toHex(devKey(signer.label).publicKey)) {
    r.fail('signer.development', `says development, but the key is not the development key of label ${JSON.stringify(signer.label)}`);
  }
  if (!signer.development && devLabel !== null) {
    r.fail('signer.development', `says false, but the key is the published development key of ${JSON.stringify(devLabel)} (P4): anyone can sign with it`);
  }
  return { format: MANIFEST_FORMAT, genesis_hash, files: fileRows, merkle_root, parameters, runtimes, acceptance, signer };
}
