/** `qfs genesis new | sign | verify | show`. */
import type { Command } from 'commander';
import { canonicalString, checkJsonLimits, type Encodable, type Json } from '../src/math/canonical.ts';
import { CONSTANT_BOUNDS } from '../src/genesis/constants.ts';
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { signGenesis, type FounderSignature } from '../src/genesis/founders.ts';
import { degrees, genesisHash, totals, validateGenesis, type Genesis } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { checkOutputDir, readBytes } from '../src/io/files.ts';
import { firstDifference, readGenesisDir, writeNewGenesisDir, writeSignatures } from '../src/io/genesis-dir.ts';
import { readSecretKeyFile } from '../src/io/key-files.ts';
import { devKey, type KeyPair } from '../src/math/signatures.ts';
import { DEV_NOTE, EXIT, run } from './output.ts';

/** Reads a genesis document the user wrote: any JSON formatting, but integers must be strings. */
function readUserGenesis(path: string): Genesis {
  const bytes = readBytes(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new QfsError('E_CANONICAL', path, 'not UTF-8');
  }
  let doc: Json;
  try {
    checkJsonLimits(text);
    doc = JSON.parse(text) as Json;
  } catch (e) {
    throw new QfsError('E_CANONICAL', path, `cannot read JSON: ${(e as Error).message}`);
  }
  canonicalString(doc as Encodable); // refuses JSON numbers, floats, bad keys
  JSON.stringify(doc, (_k, v) => {
    if (typeof v === 'number') throw new QfsError('E_CANONICAL', path, 'a JSON number: write every integer as a decimal string');
    return v as unknown;
  });
  const v = validateGenesis(doc);
  if (!v.ok) throw v.error;
  return v.value;
}

interface Signer {
  founder: bigint;
  pair: KeyPair;
  development: boolean;
}

/** The founders' signers: key files given, else development keys for founders whose key is a development key. */
function signersFor(g: Genesis, keyFiles: readonly string[]): Signer[] {
  if (keyFiles.length > 0) {
    return keyFiles.map((f) => {
      const k = readSecretKeyFile(f);
      const founder = g.founders.find((x) => x.key === toHex(k.publicKey));
      if (!founder) throw new QfsError('E_KEY', f, 'this key is not the key of any founder of the genesis');
      return { founder: founder.id, pair: k, development: k.development };
    });
  }
  return g.founders.flatMap((f) => {
    const pair = devKey(devLabel.founder(f.id));
    return toHex(pair.publicKey) === f.key ? [{ founder: f.id, pair, development: true }] : [];
  });
}

function printCertification(dir: string): number {
  const d = readGenesisDir(dir);
  const c = d.certification;
  console.log(`genesis   ${d.genesis.chain_id}`);
  console.log(`hash      ${d.hash}`);
  console.log(`${c.certified ? 'certified' : 'NOT certified'} ${c.signers.length}/${c.founders}, threshold ${c.threshold}` +
    (c.signers.length > 0 ? ` (valid signers: founders ${c.signers.join(', ')})` : ''));
  const dev = d.genesis.founders.filter((f) => toHex(devKey(devLabel.founder(f.id)).publicKey) === f.key).map((f) => f.id);
  if (dev.length > 0) console.log(`note      founders ${dev.join(', ')} use a ${DEV_NOTE}`);
  return c.certified ? EXIT.ok : EXIT.invalid;
}

export function registerGenesis(program: Command): void {
  const genesis = program.command('genesis').description('create, sign, verify and show a genesis (SPEC §3)');

  genesis
    .command('new')
    .description('write genesis.json, genesis_hash.sha256 and genesis_signatures.json')
    .requiredOption('--out <dir>', 'directory to write (created if missing; must be empty unless --force)')
    .option('--from <file>', 'a genesis document (JSON, integers as strings); default: the built-in default genesis')
    .option('--founder-key <file...>', 'secret key files of founders to sign with; default: development keys where the founder key is one')
    .option('--force', 'write into a non-empty directory: what was there is set aside as <dir>.replaced-<n> (removed again if identical), never deleted')
    .addHelpText('after', '\nExample:\n  qfs genesis new --out D && qfs genesis verify D')
    .action(
      run((opts: { out: string; from?: string; founderKey?: string[]; force?: boolean }) => {
        checkOutputDir(opts.out, opts.force === true);
        const g = opts.from ? readUserGenesis(opts.from) : defaultGenesis();
        const G = genesisHash(g);
        const signers = signersFor(g, opts.founderKey ?? []);
        const sigs: FounderSignature[] = signers.map((s) => signGenesis(G, s.founder, s.pair.secretKey));
        const { aside } = writeNewGenesisDir(opts.out, g, sigs, opts.force === true);
        if (aside !== null) console.log(`the previous contents of ${opts.out} are kept in ${aside}`);
        for (const s of signers) console.log(`signed by founder ${s.founder}${s.development ? ` with a ${DEV_NOTE}` : ''}`);
        process.exitCode = printCertification(opts.out);
      }),
    );

  genesis
    .command('sign')
    .description("add a founder's signature to a genesis directory")
    .argument('<dir>', 'genesis directory')
    .requiredOption('--key <file>', "the founder's secret key file (mode 600)")
    .action(
      run((dir: string, opts: { key: string }) => {
        const d = readGenesisDir(dir);
        const [s] = signersFor(d.genesis, [opts.key]);
        const sig = signGenesis(d.hash, s!.founder, s!.pair.secretKey);
        const rest = d.signatures.filter((x) => x.founder !== s!.founder);
        writeSignatures(dir, d.hash, [...rest, sig]);
        console.log(`signed by founder ${s!.founder}${s!.development ? ` with a ${DEV_NOTE}` : ''}`);
        process.exitCode = printCertification(dir);
      }),
    );

  genesis
    .command('verify')
    .description('check the files against each other, every §3 rule and the founders\' signatures (exit 0 iff certified)')
    .argument('<dir>', 'genesis directory')
    .action(
      run((dir: string) => {
        try {
          process.exitCode = printCertification(dir);
        } catch (e) {
          // For the development chain, name what an edit changed relative to the built-in genesis.
          if (e instanceof QfsError && e.field === 'genesis_hash.sha256') {
            const d = defaultGenesis();
            try {
              const doc = JSON.parse(Buffer.from(readBytes(`${dir}/genesis.json`)).toString('utf8')) as Json;
              const base = JSON.parse(canonicalString(d as never)) as Json;
              const diff = (doc as { chain_id?: Json }).chain_id === d.chain_id ? firstDifference(base, doc) : undefined;
              if (diff !== undefined) throw new QfsError(e.code, diff, `${e.message} (first change from the built-in default genesis: ${diff})`);
            } catch (inner) {
              if (inner instanceof QfsError) throw inner;
            }
          }
          throw e;
        }
      }),
    );

  genesis
    .command('show')
    .description('summarise a genesis directory (or the built-in default with --default)')
    .argument('[dir]', 'genesis directory')
    .option('--default', 'show the built-in default genesis')
    .option('--json', 'print the genesis document (canonical JSON)')
    .action(
      run((dir: string | undefined, opts: { default?: boolean; json?: boolean }) => {
        if (!dir && !opts.default) throw new QfsError('E_USAGE', 'dir', 'give a genesis directory or --default');
        const g = dir ? readGenesisDir(dir).genesis : defaultGenesis();
        if (opts.json) {
          console.log(canonicalString(g as never));
          return;
        }
        show(g);
      }),
    );
}

function show(g: Genesis): void {
  const t = totals(g);
  const deg = degrees(g);
  const users = g.nodes.reduce((n, x) => n + x.users.length, 0);
  const tok = (x: bigint) => `${x} base units`;
  console.log(`chain      ${g.chain_id} (${g.version})`);
  console.log(`hash       ${genesisHash(g)}`);
  console.log(`shards     ${g.shards.length} in ${g.groups.length} groups: ${g.groups.map((x) => `[${x.join(' ')}]`).join(' ')}`);
  console.log(`nodes      ${g.nodes.length} (${g.nodes.filter((n) => n.users.length > 0).length} with users), users ${users}`);
  console.log(`edges      ${g.edges.length}, max degree ${Math.max(0, ...deg.values())}`);
  console.log(`supplies   CHR ${tok(t.chr)}; FLX ${tok(t.flxSupply)}; PSY ${tok(t.psy)}; ATR ${tok(t.atr)}; RES ${tok(t.res)}`);
  console.log(`treasury   ${tok(g.treasury)}`);
  console.log(`founders   ${g.founders.map((f) => f.id).join(', ')}; threshold ${g.threshold} of ${g.founders.length}`);
  const devFounders = g.founders.filter((f) => toHex(devKey(devLabel.founder(f.id)).publicKey) === f.key);
  if (devFounders.length > 0) console.log(`keys       founders ${devFounders.map((f) => f.id).join(', ')}: ${DEV_NOTE}`);
  console.log('constants');
  for (const b of CONSTANT_BOUNDS) console.log(`  ${b.name.padEnd(16)} ${String(g.constants[b.key]).padStart(22)}   ${b.bound}`);
}
