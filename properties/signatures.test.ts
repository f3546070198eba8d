/**
 * SPEC §2's signatures through the fast backend: liboqs (WebAssembly) must be indistinguishable
 * from noble, the auditable reference — the same deterministic signature bytes for any key and
 * message, and the same verdict on valid, corrupted, truncated and wrong-key signatures.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { loadLiboqs, mlDsa, nobleBackend, passesSelfTest } from '../src/math/ml-dsa.ts';
import { keygenFromSeed } from '../src/math/signatures.ts';

const liboqs = await loadLiboqs();
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 300 });

describe.skipIf(liboqs === undefined)('signatures.backend (liboqs against noble)', () => {
  test('signatures.backend.chosen: the process signs through liboqs when it passes its self-test', () => {
    if (process.env['QFS_SIGNATURE_BACKEND'] !== 'noble') expect(mlDsa.name).toBe('liboqs');
    expect(passesSelfTest(liboqs!)).toBe(true);
  });

  test('signatures.backend.self-test: the load-time check holds for noble and refuses a backend that signs hedged', () => {
    expect(passesSelfTest(nobleBackend)).toBe(true);
    const hedged = { ...nobleBackend, sign: (m: Uint8Array, sk: Uint8Array) => nobleBackend.sign(Uint8Array.from([...m, 0]), sk) };
    expect(passesSelfTest(hedged)).toBe(false);
  });

  test.prop([seed, message], { numRuns: 20 })('signatures.backend.same-bytes: deterministic signatures are byte-identical', (s, msg) => {
    const { secretKey } = keygenFromSeed(s);
    expect(Buffer.from(liboqs!.sign(msg, secretKey)).equals(Buffer.from(nobleBackend.sign(msg, secretKey)))).toBe(true);
  });

  test.prop([seed, seed, message, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'truncate', 'other-key', 'other-message', 'none')], { numRuns: 30 })(
    'signatures.backend.same-verdict: valid, corrupted, truncated and wrong-key signatures get the same verdict',
    (s1, s2, msg, at, mask, how) => {
      const a = keygenFromSeed(s1);
      const b = keygenFromSeed(s2);
      let sig = nobleBackend.sign(msg, a.secretKey);
      let key = a.publicKey;
      let m = msg;
      if (how === 'flip') {
        sig = sig.slice();
        sig[at % sig.length] = sig[at % sig.length]! ^ mask;
      } else if (how === 'truncate') sig = sig.slice(0, at % sig.length);
      else if (how === 'other-key') key = b.publicKey;
      else if (how === 'other-message') m = Uint8Array.from([...msg, mask]);
      expect(liboqs!.verify(sig, m, key)).toBe(nobleBackend.verify(sig, m, key));
    },
  );
});

describe.runIf(liboqs === undefined)('signatures.backend (liboqs not loadable here)', () => {
  test('signatures.backend.fallback: without liboqs every signature goes through noble', () => {
    console.warn('[qfs] liboqs did not load or failed its self-test: signatures use noble (slower, same bytes)');
    expect(mlDsa.name).toBe('noble');
  });
});
