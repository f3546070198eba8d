/** genesis.json: §3 — the default genesis and its hash, its mutations (genesis-cases.ts), founder certification. */
import { canonicalString, type Json } from '../../src/math/canonical.ts';
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import { certify, signGenesis, type FounderSignature } from '../../src/genesis/founders.ts';
import { genesisHash, validateGenesis } from '../../src/genesis/genesis.ts';
import { devKey } from '../../src/math/signatures.ts';
import { applyPatch } from '../patch.ts';
import { s, type Vectors } from './common.ts';
import { genesisCases } from './genesis-cases.ts';

export function genesisVectors(): Vectors {
  const g = defaultGenesis();
  const doc = JSON.parse(canonicalString(g as never)) as Json;
  const G = genesisHash(g);
  const cases = genesisCases(doc).map(({ name, patch }) => {
    const r = validateGenesis(applyPatch(doc, patch));
    return r.ok ? { name, patch, hash: genesisHash(r.value) } : { name, patch, error: { code: r.error.code, field: r.error.field } };
  });
  const sigs: FounderSignature[] = [0n, 1n, 2n].map((id) => signGenesis(G, id, devKey(devLabel.founder(id)).secretKey));
  const certCases = [
    { name: 'all three', signatures: sigs },
    { name: 'two', signatures: [sigs[0]!, sigs[2]!] },
    { name: 'one', signatures: [sigs[1]!] },
    { name: 'one twice', signatures: [sigs[1]!, sigs[1]!] },
    { name: 'wrong founder id', signatures: [sigs[0]!, { founder: 2n, signature: sigs[1]!.signature }] },
    { name: 'unknown founder', signatures: [sigs[0]!, { founder: 9n, signature: sigs[1]!.signature }] },
  ].map((c) => {
    const r = certify(g, G, c.signatures);
    return {
      name: c.name,
      signatures: c.signatures.map((x) => ({ founder: s(x.founder), signature: x.signature })),
      signers: r.signers.map(s),
      certified: r.certified,
    };
  });
  return { format: 'qfs-vectors/1', section: '§3 genesis', default: { genesis: doc, hash: G }, cases, certification: certCases };
}
