/** --force never loses data: what was there is set aside (and dropped only when byte-identical to what was written). */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeFixture, qfs } from './harness.ts';

describe('--force', () => {
  test('force.genesis-changed: genesis new --force over a changed genesis keeps the old directory aside', async () => {
    const dir = makeFixture();
    const G = join(dir, 'G');
    writeFileSync(join(G, 'genesis_signatures.json'), 'edited');
    const r = await qfs(['genesis', 'new', '--out', G, '--force']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(`${G}.replaced-1`, 'genesis_signatures.json'), 'utf8')).toBe('edited');
    expect(readdirSync(G).sort()).toEqual(['genesis.json', 'genesis_hash.sha256', 'genesis_signatures.json']);
  });

  test('force.genesis-identical: genesis new --force over the same genesis leaves no copy (nothing differs)', async () => {
    const dir = makeFixture();
    const G = join(dir, 'G');
    const r = await qfs(['genesis', 'new', '--out', G, '--force']);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(`${G}.replaced-1`)).toBe(false);
  });

  test('force.economy: economy writes to its own default, and --force sets a changed output aside', async () => {
    const dir = makeFixture();
    const out = join(dir, 'eco');
    expect((await qfs(['economy', '--epochs', '2', '--out', out])).code).toBe(0);
    const again = await qfs(['economy', '--epochs', '2', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^qfs: E_USAGE \S+eco: /);
    writeFileSync(join(out, 'phase3_treasury.jsonl'), 'edited');
    expect((await qfs(['economy', '--epochs', '2', '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(join(`${out}.replaced-1`, 'phase3_treasury.jsonl'), 'utf8')).toBe('edited');
    expect((await qfs(['economy', '--help'])).code).toBe(0);
  });

  test('force.export-test: replay --export-test --force sets the old file aside', async () => {
    const dir = makeFixture();
    const f = join(dir, 'file.txt');
    const r = await qfs(['replay', join(dir, 'cx.json'), '--export-test', f, '--force']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(`${f}.replaced-1`, 'utf8')).toBe('a plain file\n');
    expect(readFileSync(f, 'utf8')).toContain('regression');
  });
});
