/**
 * `qfs verify DIR (--key FILE | --reexecute) [--allow-dev-key] [--genesis DIR] [--json]`: verify a
 * signed evidence package (SPEC §10, P11) against a trust root. A package's own signer key proves
 * nothing (anyone can sign anything), so a trust root is required: `--key` pins the signer, and
 * `--reexecute` proves the content by re-running the main job. A development key is never a trust
 * root (anyone can derive it); `--allow-dev-key` accepts one for demos, and the result then says
 * DEVELOPMENT, never plain "verified".
 */
import type { Command } from 'commander';
import { canonicalString, type Encodable } from '../src/math/canonical.ts';
import { QfsError } from '../src/core/errors.ts';
import { developmentLabelOf } from '../src/evidence/dev-keys.ts';
import { ARTIFACTS } from '../src/evidence/names.ts';
import type { VerifiedPackage } from '../src/evidence/verifier.ts';
import { genesisHash } from '../src/genesis/genesis.ts';
import { verifyEvidencePackage } from '../src/io/evidence-dir.ts';
import { readPublicKeyFile } from '../src/io/key-files.ts';
import { refuseSpecial } from '../src/io/files.ts';
import { conformanceRuntimes } from '../models/phase3-conformance.ts';
import { reexecute, type Reexecution } from '../models/phase3-reexecute.ts';
import { certifiedGenesis } from './args.ts';
import { acceptanceTable, terminalWidth, verdictLine } from './acceptance-table.ts';
import { EXIT, exitCodeFor, run } from './output.ts';

const FLOWS = `A trust root is required (a package's own key proves nothing: anyone can sign anything):
  qfs verify DIR --key SIGNER.pub    pins the signer: the package must be signed by that public key
                                     (not a development key), and is then checked from its files
  qfs verify DIR --reexecute         proves the content: re-runs the main job from the manifest's
                                     genesis and parameters and compares every file byte for byte`;

const HELP = `
${FLOWS}

Both flows first check, from the files alone and in this order, stopping at the first fault: the
manifest; its ML-DSA-87 signature; exactly the ten files of SPEC §10; each artifact's size and
SHA-256; the Merkle root; phase3_final_hash.sha256; the cross-checks between the artifacts; and
every acceptance row, recomputed from the artifacts (docs/spec.md P11.4).

--reexecute needs the package's genesis: the built-in one, or --genesis DIR. The Python and Rust
roots are re-executed when python3 and cargo exist; a root that could not be re-executed is
reported as "not re-executed" and the command exits 1 (fail closed: not fully verified).

A development key (derived from a published seed, whatever its label or development flag) is not a
trust root: --key with one exits 2 unless --allow-dev-key is given, and the result then says
"DEVELOPMENT key", never plain "verified".

Exit codes: 0 verified, 1 a fault ("E_EVIDENCE <file or file:path>: <what is wrong>") or a root
not re-executed, 2 bad usage (no trust root, a development --key), 3 a file could not be read.

Examples:
  qfs verify evidence/phase3 --key signer.pub
  qfs verify evidence/phase3 --reexecute`;

type Trust = { readonly key: 'pinned' | 'development' | null; readonly reexecution: Reexecution | null };

function summary(v: VerifiedPackage, trust: Trust): Encodable {
  const m = v.manifest;
  return {
    verified: true,
    trust: { pinned_key: trust.key === 'pinned', development_key: v.developmentKey !== null, reexecuted: trust.reexecution !== null },
    files: v.files,
    artifacts: ARTIFACTS.length,
    merkle_root: m.merkle_root,
    genesis_hash: m.genesis_hash,
    signer: { label: m.signer.label, development: v.developmentKey !== null, fingerprint: v.fingerprint },
    runtimes: { ...m.runtimes },
    acceptance: m.acceptance.map((a) => ({ id: a.id, status: a.status, figure: a.figure })),
  };
}

function print(v: VerifiedPackage, trust: Trust): void {
  const m = v.manifest;
  const dev = v.developmentKey !== null ? ` — a DEVELOPMENT key (${v.developmentKey}): anyone can sign with it` : '';
  const how = [
    trust.key === 'pinned' ? 'signed by the pinned key' : trust.key === 'development' ? 'signed by the given DEVELOPMENT key (--allow-dev-key: not a trust root)' : null,
    trust.reexecution !== null ? `every artifact and the manifest identical to a re-execution (${trust.reexecution.seconds.toFixed(1)} s)` : null,
  ].filter((x) => x !== null);
  const head = trust.key === 'development' && trust.reexecution === null ? 'evidence verified against a DEVELOPMENT key only' : 'evidence verified';
  console.log(`${head}: ${v.files} files, merkle root ${m.merkle_root}; ${how.join('; ')}; signer ${m.signer.label} key ${v.fingerprint}${dev}`);
  console.log(`genesis     ${m.genesis_hash}`);
  const rt = (x: string | null) => x ?? 'not run';
  console.log(`runtimes    typescript ${rt(m.runtimes.typescript)}; python ${rt(m.runtimes.python)}; rust ${rt(m.runtimes.rust)}`);
  console.log('acceptance (every row recomputed from the artifacts; "evidence package verifies" is this check)');
  const rows = [...m.acceptance.map((a) => ({ status: a.status, id: a.id, figure: a.figure })), { status: 'pass' as const, id: 'evidence_verifies', figure: 'this check' }];
  for (const l of acceptanceTable(rows, terminalWidth())) console.log(l);
  console.log(verdictLine(rows));
}

type Opts = { key?: string; reexecute?: boolean; allowDevKey?: boolean; genesis?: string; json?: boolean };

function verify(dir: string, opts: Opts): { v: VerifiedPackage; trust: Trust } {
  if (opts.key === undefined && !opts.reexecute) throw new QfsError('E_USAGE', 'verify', `no trust root given.\n${FLOWS}`);
  let key: Uint8Array | undefined;
  let keyTrust: Trust['key'] = null;
  if (opts.key !== undefined) {
    const k = readPublicKeyFile(opts.key);
    const dev = developmentLabelOf(k.publicKey, k.label);
    if (dev !== null && !opts.allowDevKey) {
      throw new QfsError(
        'E_USAGE',
        '--key',
        `${opts.key} is the published development key ${JSON.stringify(dev)} (whatever its label says): anyone can sign with it, so it is not a trust root. Pin a real signer key, or prove the content with --reexecute (--allow-dev-key accepts it for demos)`,
      );
    }
    key = k.publicKey;
    keyTrust = dev === null ? 'pinned' : 'development';
  }
  const r = verifyEvidencePackage(dir, key);
  if (!r.ok) throw r.error;
  const v = r.value;
  let reexecution: Reexecution | null = null;
  if (opts.reexecute) {
    const g = certifiedGenesis(opts.genesis);
    const G = genesisHash(g.genesis);
    if (G !== v.manifest.genesis_hash) {
      throw new QfsError('E_USAGE', '--genesis', `the package's genesis is ${v.manifest.genesis_hash}, ${opts.genesis ?? 'the built-in genesis'} is ${G}: give the package's genesis directory with --genesis DIR`);
    }
    const tty = process.stderr.isTTY;
    const progress = (line: string) => process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    reexecution = reexecute(v, { genesis: g.genesis, signatures: g.signatures, runtimes: conformanceRuntimes, progress });
    if (tty) process.stderr.write('\n');
    const d = reexecution.difference;
    if (d !== null) {
      throw new QfsError('E_EVIDENCE', d.field === '' ? d.file : `${d.file}:${d.field}`, `the re-execution gives ${d.reexecuted}, the package holds ${d.package}: the package is not what its parameters produce`);
    }
    const missing = reexecution.notReexecuted[0];
    if (missing !== undefined) {
      throw new QfsError(
        'E_EVIDENCE',
        `phase3_manifest.json:runtimes.${missing.runtime}`,
        `NOT VERIFIED: the ${missing.runtime} root was not re-executed on this machine (${missing.reason}); everything else matches the re-execution byte for byte. Install the toolchain (conformance/) and re-run`,
      );
    }
  }
  return { v, trust: { key: keyTrust, reexecution } };
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify a signed evidence package against a trust root: a pinned signer key (--key) or a re-execution (--reexecute); exit 0 iff verified')
    .argument('<dir>', 'evidence directory (e.g. evidence/phase3)')
    .option('--key <file>', 'public key file of the signer the package must be signed by (a trust root; not a development key)')
    .option('--reexecute', 're-run the main job from the manifest and compare every artifact and the manifest byte for byte')
    .option('--allow-dev-key', 'accept a development --key (demos only; the result then says DEVELOPMENT)')
    .option('--genesis <dir>', 'the genesis directory of the package, for --reexecute (default: the built-in genesis)')
    .option('--json', 'print the result (or the fault) as canonical JSON on stdout')
    .addHelpText('after', HELP)
    .action(
      run((dir: string, opts: Opts) => {
        try {
          refuseSpecial(dir); // /proc, /sys, /dev are never a package (P13.4)
          const { v, trust } = verify(dir, opts);
          if (opts.json) console.log(canonicalString(summary(v, trust)));
          else print(v, trust);
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
