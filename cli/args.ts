/** Shared command-line argument readers: every refusal is E_USAGE naming the flag. */
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { signGenesis, type FounderSignature } from '../src/genesis/founders.ts';
import { genesisHash, type Genesis } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { readGenesisDir } from '../src/io/genesis-dir.ts';
import { devKey } from '../src/math/signatures.ts';
import { DEV_NOTE } from './output.ts';

/** A decimal integer flag ≥ min (and below 2^53, so that it fits every use). */
export const integer =
  (name: string, min: bigint) =>
  (v: string): bigint => {
    if (!/^(0|[1-9][0-9]*)$/.test(v) || BigInt(v) < min || BigInt(v) >= 2n ** 53n) throw new QfsError('E_USAGE', name, `${name} takes an integer >= ${min}, got ${JSON.stringify(v)}`);
    return BigInt(v);
  };

/** A certified genesis directory, or the built-in default genesis signed by its development founders (said on stderr). */
export function certifiedGenesis(dir: string | undefined): { genesis: Genesis; signatures: readonly FounderSignature[] } {
  if (dir !== undefined) {
    const d = readGenesisDir(dir);
    if (!d.certification.certified) throw new QfsError('E_SIGNATURES', dir, 'the genesis is not certified by M founders');
    return { genesis: d.genesis, signatures: d.signatures };
  }
  const genesis = defaultGenesis();
  const G = genesisHash(genesis);
  process.stderr.write(`genesis: the built-in default ${G} (${DEV_NOTE})\n`);
  const signatures = genesis.founders.flatMap((f) => {
    const pair = devKey(devLabel.founder(f.id));
    return toHex(pair.publicKey) === f.key ? [signGenesis(G, f.id, pair.secretKey)] : [];
  });
  return { genesis, signatures };
}
