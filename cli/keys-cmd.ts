/** `qfs keys new | dev | public`. */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { devSeed, keygenFromSeed } from '../src/math/signatures.ts';
import { readSecretKeyFile, writePublicKeyFile, writeSecretKeyFile } from '../src/io/key-files.ts';
import { DEV_NOTE, run } from './output.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('ML-DSA-87 key files (secret files are written with mode 600)');

  keys
    .command('new')
    .description('generate a secret key from 32 random bytes of the operating system')
    .requiredOption('--out <file>', 'secret key file to write (mode 600)')
    .option('--label <text>', 'a label stored in the file', 'key')
    .option('--public <file>', 'also write the public key file')
    .action(
      run((opts: { out: string; label: string; public?: string }) => {
        const seed = new Uint8Array(randomBytes(32));
        writeSecretKeyFile(opts.out, opts.label, seed, false);
        if (opts.public) writePublicKeyFile(opts.public, opts.label, keygenFromSeed(seed).publicKey, false);
        console.log(`wrote ${opts.out} (secret, mode 600)${opts.public ? ` and ${opts.public} (public)` : ''}`);
      }),
    );

  keys
    .command('dev')
    .description(`write the development key of a published label (shard-<id>, founder-<id>, oracle, evidence-signer): ${DEV_NOTE}`)
    .argument('<label>', 'published label')
    .requiredOption('--out <file>', 'secret key file to write (mode 600)')
    .option('--public <file>', 'also write the public key file')
    .action(
      run((label: string, opts: { out: string; public?: string }) => {
        writeSecretKeyFile(opts.out, label, devSeed(label), true);
        if (opts.public) writePublicKeyFile(opts.public, label, keygenFromSeed(devSeed(label)).publicKey, true);
        console.log(`wrote ${opts.out}: ${DEV_NOTE}`);
      }),
    );

  keys
    .command('public')
    .description('write the public key file of a secret key file')
    .argument('<secret>', 'secret key file')
    .requiredOption('--out <file>', 'public key file to write')
    .action(
      run((secret: string, opts: { out: string }) => {
        const k = readSecretKeyFile(secret);
        writePublicKeyFile(opts.out, k.label, k.publicKey, k.development);
        console.log(`wrote ${opts.out}${k.development ? ` (${DEV_NOTE})` : ''}`);
      }),
    );
}
