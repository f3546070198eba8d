/** The `qfs` command line, run as a user would (a child process per call). */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'qfs.mjs');
const qfs = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('qfs genesis', () => {
  let tmp: string;
  let D: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'qfs-cli-'));
    D = join(tmp, 'D');
    const r = qfs('genesis', 'new', '--out', D);
    expect(r.code, r.err).toBe(0);
  });
  const copy = (name: string) => {
    const d = join(tmp, name);
    qfs('genesis', 'new', '--out', d);
    return d;
  };

  test('cli.genesis.new-verify: new writes the three files and verify certifies 3/3 with threshold 2', () => {
    for (const f of ['genesis.json', 'genesis_hash.sha256', 'genesis_signatures.json']) expect(existsSync(join(D, f))).toBe(true);
    const r = qfs('genesis', 'verify', D);
    expect(r.code).toBe(0);
    expect(r.out).toContain('certified 3/3, threshold 2');
    expect(r.out).toMatch(/hash\s+[0-9a-f]{64}/);
    expect(r.out).toContain('DEVELOPMENT key');
  });

  test('cli.genesis.edited-constant: verify fails and names the edited constant', () => {
    const d = copy('edited');
    const p = join(d, 'genesis.json');
    writeFileSync(p, readFileSync(p, 'utf8').replace('"a_max":"16"', '"a_max":"15"'));
    const r = qfs('genesis', 'verify', d);
    expect(r.code).toBe(1);
    expect(r.err).toContain('constants.a_max');
  });

  test('cli.genesis.a_max-65: verify refuses A_MAX = 65 naming A_MAX and its bound', () => {
    const d = copy('amax');
    const p = join(d, 'genesis.json');
    writeFileSync(p, readFileSync(p, 'utf8').replace('"a_max":"16"', '"a_max":"65"'));
    const r = qfs('genesis', 'verify', d);
    expect(r.code).toBe(1);
    expect(r.err).toContain('E_GENESIS_BOUND constants.a_max');
    expect(r.err).toContain('A_MAX (a_max) = 65 breaks 1 <= A_MAX <= 64');
  });

  test('cli.genesis.from-bad: new --from a genesis with A_MAX = 65 is refused and writes nothing', () => {
    const doc = JSON.parse(readFileSync(join(D, 'genesis.json'), 'utf8')) as { constants: Record<string, string> };
    doc.constants.a_max = '65';
    const src = join(tmp, 'bad.json');
    writeFileSync(src, JSON.stringify(doc, null, 2));
    const out = join(tmp, 'never');
    const r = qfs('genesis', 'new', '--from', src, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('A_MAX (a_max) = 65');
    expect(existsSync(out)).toBe(false);
  });

  test('cli.genesis.one-signature: a genesis signed by one founder of a 2-of-3 threshold is not certified', () => {
    const d = copy('onesig');
    const p = join(d, 'genesis_signatures.json');
    const sigs = JSON.parse(readFileSync(p, 'utf8')) as { genesis: string; signatures: unknown[] };
    writeFileSync(p, JSON.stringify({ genesis: sigs.genesis, signatures: sigs.signatures.slice(0, 1) }));
    const r = qfs('genesis', 'verify', d);
    expect(r.code).toBe(1);
    expect(r.out).toContain('NOT certified 1/3, threshold 2');
  });

  test('cli.genesis.sign: a founder key file adds a signature; a key file readable by others is refused', () => {
    const d = copy('sign');
    const p = join(d, 'genesis_signatures.json');
    const sigs = JSON.parse(readFileSync(p, 'utf8')) as { genesis: string; signatures: unknown[] };
    writeFileSync(p, JSON.stringify({ genesis: sigs.genesis, signatures: sigs.signatures.slice(0, 1) }));
    const key = join(tmp, 'founder-1.key');
    expect(qfs('keys', 'dev', 'founder-1', '--out', key).code).toBe(0);
    chmodSync(key, 0o644);
    const refused = qfs('genesis', 'sign', d, '--key', key);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('E_KEY_PERMISSIONS');
    chmodSync(key, 0o600);
    const r = qfs('genesis', 'sign', d, '--key', key);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('certified 2/3, threshold 2');
  });

  test('cli.usage: --help answers, an unknown flag is a usage error (2), a missing directory an I/O error (3)', () => {
    const help = qfs('genesis', 'new', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--out <dir>');
    expect(qfs('genesis', 'verify', D, '--bogus').code).toBe(2);
    const missing = qfs('genesis', 'verify', join(tmp, 'nope'));
    expect(missing.code).toBe(3);
    expect(missing.err).toContain('E_IO');
  });
});

describe('qfs economy', () => {
  test('cli.economy.deterministic: two runs with the same seed write byte-identical data files', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'qfs-eco-'));
    const a = qfs('economy', '--epochs', '4', '--seed', '3', '--out', join(tmp, 'a'));
    const b = qfs('economy', '--epochs', '4', '--seed', '3', '--out', join(tmp, 'b'));
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    for (const f of ['phase3_psi_dynamics.json', 'phase3_harmonics.jsonl', 'phase3_treasury.jsonl', 'phase3_holofield_rewards.json']) {
      expect(readFileSync(join(tmp, 'b', f), 'utf8')).toBe(readFileSync(join(tmp, 'a', f), 'utf8'));
    }
    expect(qfs('economy', '--epochs', 'x').code).toBe(2);
  });
});
