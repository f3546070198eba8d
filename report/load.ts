/**
 * Reading what a report shows: an evidence package (SPEC §10; layouts docs/spec.md P7, P11), the
 * `--json` output of `qfs check` campaigns, and stored counterexamples (SPEC §12). The package is
 * verified as `qfs verify` does; a package that does not verify is still shown, with the fault.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { QfsError } from '../src/core/errors.ts';
import { parseCanonical, type Json } from '../src/math/canonical.ts';
import { listCounterexamples, loadCounterexample, type Counterexample } from '../src/io/counterexamples.ts';
import { verifyEvidencePackage } from '../src/io/evidence-dir.ts';

export type Obj = { readonly [key: string]: Json };

export type Evidence = {
  readonly dir: string;
  readonly verified: { ok: true; summary: string } | { ok: false; code: string; field: string; message: string };
  readonly manifest: Obj;
  readonly psiDynamics: Obj;
  readonly harmonics: readonly Obj[];
  readonly treasury: readonly Obj[];
  readonly rewards: Obj;
  readonly ledger: Obj;
  readonly psisync: Obj;
  readonly adversaries: Obj;
};

export type Campaign = { readonly file: string; readonly doc: Obj };

export type StoredCounterexample = { readonly file: string; readonly c: Counterexample };

export type ReportInput = {
  readonly evidence: Evidence | null;
  readonly campaigns: readonly Campaign[];
  readonly counterexamples: readonly StoredCounterexample[];
};

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new QfsError('E_IO', path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function object(x: Json | undefined, field: string): Obj {
  if (x === null || x === undefined || typeof x !== 'object' || Array.isArray(x)) throw new QfsError('E_MALFORMED', field, 'expected a JSON object');
  return x as Obj;
}

function parseFile(path: string, name: string): Obj {
  try {
    return object(parseCanonical(readText(path)), name);
  } catch (e) {
    if (e instanceof QfsError && e.code !== 'E_IO') throw new QfsError('E_MALFORMED', name, e.message);
    throw e;
  }
}

function parseLines(path: string, name: string): Obj[] {
  return readText(path)
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      try {
        return object(parseCanonical(l), `${name}[${i}]`);
      } catch (e) {
        if (e instanceof QfsError && e.code !== 'E_IO') throw new QfsError('E_MALFORMED', `${name}[${i}]`, e.message);
        throw e;
      }
    });
}

/** Reads and verifies the package in `dir`. */
export function loadEvidence(dir: string): Evidence {
  const v = verifyEvidencePackage(dir);
  const verified: Evidence['verified'] = v.ok
    ? {
        ok: true,
        summary: `10 files, merkle root ${v.value.manifest.merkle_root}, signed by ${v.value.manifest.signer.label}${v.value.manifest.signer.development ? ' (DEVELOPMENT key)' : ''} key ${v.value.fingerprint}`,
      }
    : { ok: false, code: v.error.code, field: v.error.field, message: v.error.message };
  const f = (name: string) => join(dir, name);
  return {
    dir,
    verified,
    manifest: parseFile(f('phase3_manifest.json'), 'phase3_manifest.json'),
    psiDynamics: parseFile(f('phase3_psi_dynamics.json'), 'phase3_psi_dynamics.json'),
    harmonics: parseLines(f('phase3_harmonics.jsonl'), 'phase3_harmonics.jsonl'),
    treasury: parseLines(f('phase3_treasury.jsonl'), 'phase3_treasury.jsonl'),
    rewards: parseFile(f('phase3_holofield_rewards.json'), 'phase3_holofield_rewards.json'),
    ledger: parseFile(f('phase3_ledger_consistency.json'), 'phase3_ledger_consistency.json'),
    psisync: parseFile(f('phase3_psisync.json'), 'phase3_psisync.json'),
    adversaries: parseFile(f('phase3_adversary_results.json'), 'phase3_adversary_results.json'),
  };
}

/** The `--json` document of `qfs check` (one canonical line). */
export function loadCampaign(file: string): Campaign {
  // `qfs check --json` prints canonical JSON, but a saved file may have been re-indented: any JSON is read.
  let doc: Obj;
  try {
    doc = object(JSON.parse(readText(file)) as Json, file);
  } catch (e) {
    if (e instanceof SyntaxError) throw new QfsError('E_MALFORMED', file, `not JSON: ${e.message}`);
    throw e;
  }
  if (!Array.isArray(doc.properties)) throw new QfsError('E_MALFORMED', `${file}:properties`, 'not the --json output of qfs check (no "properties" list)');
  return { file, doc };
}

/** A counterexample file, or every one under a directory (counterexamples/<invariant>/<hash12>.json). */
export function loadCounterexamples(path: string): StoredCounterexample[] {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch (e) {
    throw new QfsError('E_IO', path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const files = dir ? listCounterexamples(path) : [path];
  return files.map((file) => ({ file, c: loadCounterexample(file) }));
}

/** True when `dir` looks like an evidence package (it has a manifest), so `qfs report DIR` can tell it from a campaign file. */
export function isEvidenceDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).includes('phase3_manifest.json');
  } catch {
    return false;
  }
}
