/**
 * The main job end to end, small: `qfs run` writes a package whose acceptance rows the verifier
 * recomputes; `qfs verify --reexecute` re-runs the job from the manifest and finds it byte for byte
 * (the same seed gives the same bytes); a package whose final root was replaced and re-signed
 * consistently passes every file check but not the re-execution; plain `qfs verify` is a usage
 * error; a development --key is not a trust root.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devLabel } from '../../src/genesis/default-genesis.ts';
import { packageFiles, readManifest } from '../../src/evidence/manifest.ts';
import { computeAcceptance } from '../../src/evidence/acceptance.ts';
import { readArtifacts } from '../../src/evidence/artifacts.ts';
import { ARTIFACTS, MANIFEST_FILE } from '../../src/evidence/names.ts';
import { writePublicKeyFile } from '../../src/io/key-files.ts';
import { devKey } from '../../src/math/signatures.ts';

const dir = mkdtempSync(join(tmpdir(), 'qfs-phase3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ARGS = ['--seed', '5', '--epochs', '4', '--runs', '1', '--scenario-runs', '1'];
const qfs = (...args: string[]) => spawnSync(process.execPath, ['bin/qfs.mjs', ...args], { encoding: 'utf8', timeout: 900_000 });

describe('qfs run (small) and qfs verify', () => {
  const out = join(dir, 'a');
  const cli = qfs('run', '--out', out, '--counterexamples', join(dir, 'cx'), ...ARGS);
  const manifest = () => readManifest(readFileSync(join(out, MANIFEST_FILE)));

  it('prints every acceptance criterion with a figure, and exits 1 iff a row failed', () => {
    for (const id of ['stake_bound', 'psisync_deviation', 'treasury_cross_runtime', 'adversaries_detected', 'value_leakage', 'pause_shift', 'reward_monotone', 'cross_shard_consistency', 'safe_mode', 'evidence_verifies']) {
      expect(cli.stdout, cli.stderr.slice(-2000)).toMatch(new RegExp(`(PASS|FAIL|NOT RUN) +${id} +\\S`));
    }
    expect(cli.stderr).toContain('main run: epoch 4/4');
    const failed = manifest().acceptance.some((a) => a.status === 'fail');
    expect(cli.status).toBe(failed ? 1 : 0);
  });

  it('every adversary has its ledger runs in the package, and the rows are what the artifacts give', () => {
    const m = manifest();
    const art = new Map<string, Uint8Array>(ARTIFACTS.map((n) => [n, new Uint8Array(readFileSync(join(out, n)))]));
    const p = readArtifacts(art);
    expect(p.adversaries.adversaries.map((a) => a.ea)).toHaveLength(14);
    for (const a of p.adversaries.adversaries) expect(p.ledger.runs.filter((r) => r.ea === a.ea).length, a.ea).toBe(Number(a.runs));
    expect(p.adversaries.properties).toHaveLength(14);
    expect(computeAcceptance(p, m.runtimes)).toEqual(m.acceptance.map(({ id, status, figure }) => ({ id, status, figure })));
  });

  it('plain qfs verify is a usage error naming both trusted flows; a development --key is refused unless allowed', () => {
    const plain = qfs('verify', out);
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain('--key');
    expect(plain.stderr).toContain('--reexecute');
    const pub = join(dir, 'dev.pub.json');
    writePublicKeyFile(pub, 'not-a-dev-label', devKey(devLabel.evidence).publicKey, false);
    const dev = qfs('verify', out, '--key', pub);
    expect(dev.status).toBe(2);
    expect(dev.stderr).toContain('E_USAGE --key');
    const allowed = qfs('verify', out, '--key', pub, '--allow-dev-key');
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/^evidence verified against a DEVELOPMENT key only/);
  });

  it('qfs verify --reexecute re-runs the job and finds the package byte for byte', () => {
    const t0 = Date.now();
    const v = qfs('verify', out, '--reexecute');
    expect(v.status, v.stderr.slice(-2000)).toBe(0);
    expect(v.stdout).toMatch(/^evidence verified: 10 files, merkle root [0-9a-f]{64}; every artifact and the manifest identical to a re-execution/);
    expect(v.stderr).toContain('re-executing the main job: seed 5');
    console.log(`[main-job] qfs verify --reexecute: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }, 900_000);

  it('a final root replaced in every file, every hash recomputed and re-signed, passes the file checks but not --reexecute', () => {
    const forged = join(dir, 'forged');
    cpSync(out, forged, { recursive: true });
    const art = new Map<string, Uint8Array>(ARTIFACTS.map((n) => [n, new Uint8Array(readFileSync(join(out, n)))]));
    const fake = 'ab'.repeat(32);
    const swap = (n: string, from: string) => art.set(n, new TextEncoder().encode(new TextDecoder().decode(art.get(n)!).replaceAll(from, fake)));
    const p = readArtifacts(art);
    const main = p.ledger.runs.find((r) => r.run === 'main')!;
    const last = main.epochs.at(-1)!.root;
    swap('phase3_harmonics.jsonl', last);
    swap('phase3_ledger_consistency.json', last);
    const m = manifest();
    const key = devKey(devLabel.evidence);
    const files = packageFiles(
      art,
      { genesisHash: m.genesis_hash, seed: m.parameters.seed, runs: m.parameters.runs, epochs: m.parameters.epochs, scenarioRuns: m.parameters.scenario_runs, versions: m.parameters.versions, runtimes: m.runtimes, acceptance: computeAcceptance(readArtifacts(art), m.runtimes) },
      { publicKey: key.publicKey, secretKey: key.secretKey, label: devLabel.evidence, development: true },
    );
    for (const [n, b] of files) writeFileSync(join(forged, n), b);
    const pub = join(dir, 'dev2.pub.json');
    writePublicKeyFile(pub, devLabel.evidence, key.publicKey, true);
    expect(qfs('verify', forged, '--key', pub, '--allow-dev-key').status).toBe(0); // consistency is not truth
    const v = qfs('verify', forged, '--reexecute');
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/E_EVIDENCE phase3_harmonics\.jsonl:\[3\]\.root: the re-execution gives/);
    expect(readdirSync(forged)).toHaveLength(10);
  }, 900_000);

  it('bad flags are refused with a code naming the flag, and write nothing', () => {
    const bad = qfs('run', '--out', join(dir, 'c'), '--epochs', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_USAGE --epochs');
    expect(() => readdirSync(join(dir, 'c'))).toThrow();
  });
});
