/**
 * `npm run vectors`: writes conformance/vectors/*.json from the reference (atomically).
 * `npm run vectors -- --check`: exits 1 and names the files that differ from the committed ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/io/files.ts';
import { buildVectors, vectorText } from './vectors/build.ts';

const dir = join(import.meta.dirname, '..', 'conformance', 'vectors');
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, v] of Object.entries(buildVectors())) {
  const path = join(dir, name);
  const text = vectorText(v);
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
      console.error(`stale: ${path}`);
      stale++;
    }
  } else {
    writeFileAtomic(path, text);
    console.log(`wrote ${path} (${text.length} bytes)`);
  }
}
if (stale > 0) {
  console.error(`${stale} vector file(s) differ from the reference: run \`npm run vectors\` and commit.`);
  process.exit(1);
}
