/** `qfs keys new | dev | public`. */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { QfsError } from '../src/core/errors.ts';
import { devSeed, keygenFromSeed } from '../src/math/signatures.ts';
import { checkOutputFile } from '../src/io/files.ts';
import { isPublishedLabel, MAX_LABEL, readSecretKeyFile, writePublicKeyFile, writeSecretKeyFile } from '../src/io/key-files.ts';
import { DEV_NOTE, run } from './output.ts';

const FORCE_HELP = 'replace existing files (each is set aside as <file>.replaced-<n>, never deleted)';

/** Both outputs checked before anything is written (so that a refused --public leaves no secret file behind). */
function checkOutputs(out: string, pub: string | undefined, force: boolean): void {
  if (pub !== undefined && resolve(pub) === resolve(out)) throw new QfsError('E_USAGE', '--public', '--public names the same file as --out');
  checkOutputFile(out, force);
  if (pub !== undefined) checkOutputFile(pub, force);
}

const kept = (aside: string | null): string => (aside === null ? '' : `; the previous file is kept as ${aside}`);

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('ML-DSA-87 key files (secret files are written with mode 600)');

  keys
    .command('new')
    .description('generate a secret key from 32 random bytes of the operating system')
    .requiredOption('--out <file>', 'secret key file to write (mode 600)')
    .option('--label <text>', 'a label stored in the file', 'key')
    .option('--public <file>', 'also write the public key file')
    .option('--force', FORCE_HELP)
    .action(
      run((opts: { out: string; label: string; public?: string; force?: boolean }) => {
        if (opts.label.length === 0 || opts.label.length > MAX_LABEL || !/^[\x20-\x7e]+$/.test(opts.label)) {
          throw new QfsError('E_USAGE', '--label', `--label takes 1 to ${MAX_LABEL} printable ASCII characters (P13.3)`);
        }
        if (isPublishedLabel(opts.label)) process.stderr.write(`note: ${opts.label} is also a published development label; this key is random, not that development key\n`);
        const force = opts.force === true;
        checkOutputs(opts.out, opts.public, force);
        const seed = new Uint8Array(randomBytes(32));
        const a = writeSecretKeyFile(opts.out, opts.label, seed, false, force);
        const b = opts.public ? writePublicKeyFile(opts.public, opts.label, keygenFromSeed(seed).publicKey, false, force) : null;
        console.log(`wrote ${opts.out} (secret, mode 600)${opts.public ? ` and ${opts.public} (public)` : ''}${kept(a)}${kept(b)}`);
      }),
    );

  keys
    .command('dev')
    .description(`write the development key of a published label (shard-<id>, founder-<id>, oracle, evidence-signer, operator): ${DEV_NOTE}`)
    .argument('<label>', 'published label')
    .requiredOption('--out <file>', 'secret key file to write (mode 600)')
    .option('--public <file>', 'also write the public key file')
    .option('--force', FORCE_HELP)
    .action(
      run((label: string, opts: { out: string; public?: string; force?: boolean }) => {
        if (!isPublishedLabel(label)) {
          throw new QfsError('E_USAGE', 'label', `${JSON.stringify(label.length > 40 ? `${label.slice(0, 40)}…` : label)} is not a published development label (shard-<id>, founder-<id>, oracle, evidence-signer, operator; P4)`);
        }
        const force = opts.force === true;
        checkOutputs(opts.out, opts.public, force);
        const a = writeSecretKeyFile(opts.out, label, devSeed(label), true, force);
        const b = opts.public ? writePublicKeyFile(opts.public, label, keygenFromSeed(devSeed(label)).publicKey, true, force) : null;
        console.log(`wrote ${opts.out}: ${DEV_NOTE}${kept(a)}${kept(b)}`);
      }),
    );

  keys
    .command('public')
    .description('write the public key file of a secret key file')
    .argument('<secret>', 'secret key file')
    .requiredOption('--out <file>', 'public key file to write')
    .option('--force', FORCE_HELP)
    .action(
      run((secret: string, opts: { out: string; force?: boolean }) => {
        if (resolve(secret) === resolve(opts.out)) throw new QfsError('E_USAGE', '--out', '--out names the secret key file itself');
        const force = opts.force === true;
        checkOutputFile(opts.out, force);
        const k = readSecretKeyFile(secret);
        const a = writePublicKeyFile(opts.out, k.label, k.publicKey, k.development, force);
        console.log(`wrote ${opts.out}${k.development ? ` (${DEV_NOTE})` : ''}${kept(a)}`);
      }),
    );
}
