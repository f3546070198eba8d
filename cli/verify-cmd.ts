/** `qfs verify DIR [--key FILE] [--json]`: verify a signed evidence package (SPEC §10, P11). */
import type { Command } from 'commander';
import { canonicalString, type Encodable } from '../src/math/canonical.ts';
import { QfsError } from '../src/core/errors.ts';
import { ARTIFACTS, type VerifiedPackage } from '../src/evidence/evidence-package.ts';
import { verifyEvidencePackage } from '../src/io/evidence-dir.ts';
import { readPublicKeyFile } from '../src/io/key-files.ts';
import { acceptanceTable, terminalWidth, verdictLine } from './acceptance-table.ts';
import { DEV_NOTE, EXIT, exitCodeFor, run } from './output.ts';

const HELP = `
Checks, from the files alone and in this order, stopping at the first fault: the manifest is
readable; its ML-DSA-87 signature verifies (against the key named in the manifest, or with --key
against that key, which the manifest must name); the directory holds exactly the ten files of
SPEC §10; each artifact's size and SHA-256; the Merkle root; phase3_final_hash.sha256; the
cross-checks between the artifacts (docs/spec.md P11).

Exit codes: 0 verified, 1 a fault (printed as "E_EVIDENCE <file or file:path>: <what is wrong>";
a bad --key file is E_KEY), 2 bad usage, 3 a file or directory could not be read.

Example:
  qfs verify evidence/phase3 --key evidence-signer.pub.json`;

function summary(v: VerifiedPackage): Encodable {
  const m = v.manifest;
  return {
    verified: true,
    files: v.files,
    artifacts: ARTIFACTS.length,
    merkle_root: m.merkle_root,
    genesis_hash: m.genesis_hash,
    signer: { label: m.signer.label, development: m.signer.development, fingerprint: v.fingerprint },
    runtimes: { ...m.runtimes },
    acceptance: m.acceptance.map((a) => ({ id: a.id, status: a.status, figure: a.figure })),
  };
}

function print(v: VerifiedPackage): void {
  const m = v.manifest;
  const dev = m.signer.development ? ` (${DEV_NOTE})` : '';
  console.log(`evidence verified: ${v.files} files, merkle root ${m.merkle_root}, signed by ${m.signer.label} key ${v.fingerprint}${dev}`);
  console.log(`genesis     ${m.genesis_hash}`);
  const rt = (x: string | null) => x ?? 'not run';
  console.log(`runtimes    typescript ${rt(m.runtimes.typescript)}; python ${rt(m.runtimes.python)}; rust ${rt(m.runtimes.rust)}`);
  console.log('acceptance (as recorded by the signer; "evidence package verifies" is this check)');
  const rows = [...m.acceptance.map((a) => ({ status: a.status, id: a.id, figure: a.figure })), { status: 'pass' as const, id: 'evidence_verifies', figure: 'this check' }];
  for (const l of acceptanceTable(rows, terminalWidth())) console.log(l);
  console.log(verdictLine(rows));
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify a signed evidence package: every hash, the Merkle root, the signature and the cross-checks (exit 0 iff verified)')
    .argument('<dir>', 'evidence directory (e.g. evidence/phase3)')
    .option('--key <file>', 'public key file the package must be signed by (default: the key the manifest names)')
    .option('--json', 'print the result (or the fault) as canonical JSON on stdout')
    .addHelpText('after', HELP)
    .action(
      run((dir: string, opts: { key?: string; json?: boolean }) => {
        try {
          const key = opts.key === undefined ? undefined : readPublicKeyFile(opts.key).publicKey;
          const r = verifyEvidencePackage(dir, key);
          if (!r.ok) throw r.error;
          if (opts.json) console.log(canonicalString(summary(r.value)));
          else print(r.value);
          process.exitCode = EXIT.ok;
        } catch (e) {
          if (opts.json && e instanceof QfsError) {
            console.log(canonicalString({ verified: false, fault: { code: e.code, field: e.field, message: e.message } }));
            process.exitCode = exitCodeFor(e.code);
            return;
          }
          throw e;
        }
      }),
    );
}
