/**
 * The ML-DSA-87 primitive behind signatures.ts, with two interchangeable backends:
 *
 * - `noble`: @noble/post-quantum, the auditable reference (deterministic signing, `extraEntropy: false`);
 * - `liboqs`: liboqs compiled to WebAssembly (@oqs/liboqs-js), about 10× faster to sign and verify.
 *   liboqs signs in FIPS 204's hedged mode, drawing its 32-byte `rnd` from node:crypto's
 *   `randomFillSync`. FIPS 204's deterministic variant is the hedged algorithm with `rnd = 0^32`,
 *   so for the duration of one (synchronous) `sign` call that source is replaced by one that
 *   writes zeros: the signature is then exactly the deterministic bytes SPEC §2 pins.
 *
 * liboqs is used only after a self-test at load (`SELF_TEST`: the exact bytes noble signs for a
 * fixed key and message, and the verdicts on them). Otherwise (package missing, another random
 * source, any mismatch) noble is used. `QFS_SIGNATURE_BACKEND=noble` forces noble (to measure it,
 * or to rule the fast path out). properties/signatures.test.ts checks the two agree on random keys,
 * messages and corrupted signatures, and the signature vectors pass through whichever is chosen.
 */
import nodeCrypto from 'node:crypto';
import { ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';

export type MlDsaBackend = {
  readonly name: 'noble' | 'liboqs';
  readonly sign: (msg: Uint8Array, secretKey: Uint8Array) => Uint8Array;
  /** Never throws: a malformed input is an invalid signature. */
  readonly verify: (signature: Uint8Array, msg: Uint8Array, publicKey: Uint8Array) => boolean;
};

export const nobleBackend: MlDsaBackend = {
  name: 'noble',
  sign: (msg, secretKey) => ml_dsa87.sign(msg, secretKey, { extraEntropy: false }),
  verify: (signature, msg, publicKey) => {
    try {
      return ml_dsa87.verify(signature, msg, publicKey);
    } catch {
      return false; // noble throws on malformed encodings; for a verifier that is "invalid"
    }
  },
};

type OqsSig = {
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
};

/** Runs `f` with node:crypto's random fill writing zeros (FIPS 204 deterministic `rnd`). */
function withZeroRnd<T>(f: () => T): T {
  const crypto = nodeCrypto as unknown as { randomFillSync: (b: Uint8Array) => Uint8Array };
  const original = crypto.randomFillSync;
  crypto.randomFillSync = (b) => b.fill(0);
  try {
    return f();
  } finally {
    crypto.randomFillSync = original;
  }
}

function liboqsBackend(sig: OqsSig): MlDsaBackend {
  return {
    name: 'liboqs',
    sign: (msg, secretKey) => withZeroRnd(() => sig.sign(msg, secretKey)),
    verify: (signature, msg, publicKey) => {
      try {
        return sig.verify(msg, signature, publicKey);
      } catch {
        return false; // the wrapper throws on wrong lengths; for a verifier that is "invalid"
      }
    },
  };
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The load-time self-test, cheap enough for every process: noble's deterministic signature of a
 * fixed message under the key of seed 0x01…01 has this SHA-256 (properties/signatures.test.ts
 * recomputes it with noble). The candidate must produce it, accept it, and refuse it altered.
 */
export const SELF_TEST = { seedByte: 1, message: 'qfs/v13/ml-dsa-self-test', signatureSha256: 'e44df72a7835855228cea5dad5636662e7f8f40c0210aef054b0ba8f806546ca' } as const;

export function passesSelfTest(candidate: MlDsaBackend): boolean {
  const { publicKey, secretKey } = ml_dsa87.keygen(new Uint8Array(32).fill(SELF_TEST.seedByte));
  const msg = new TextEncoder().encode(SELF_TEST.message);
  const s = candidate.sign(msg, secretKey);
  if (!equalBytes(sha256(s), hexToBytes(SELF_TEST.signatureSha256))) return false;
  const bad = s.slice();
  bad[7] = bad[7]! ^ 1;
  return candidate.verify(s, msg, publicKey) && !candidate.verify(bad, msg, publicKey);
}

/** The liboqs backend if it loads and passes the self-test, else undefined. */
export async function loadLiboqs(): Promise<MlDsaBackend | undefined> {
  try {
    const { createMLDSA87 } = (await import('@oqs/liboqs-js/sig')) as { createMLDSA87: () => Promise<OqsSig> };
    const backend = liboqsBackend(await createMLDSA87());
    return passesSelfTest(backend) ? backend : undefined;
  } catch {
    return undefined; // not installed or not loadable here: noble it is
  }
}

/** The backend every signature of this process goes through. */
export const mlDsa: MlDsaBackend = process.env['QFS_SIGNATURE_BACKEND'] === 'noble' ? nobleBackend : ((await loadLiboqs()) ?? nobleBackend);
