/** What a call threw, as the code and field a caller matches on (tests assert these, not message text). */
import { QfsError } from '../src/core/errors.ts';

export type Thrown = { readonly code: string; readonly field: string };

/** The code and field of the QfsError `f` throws; fails the test if it returns or throws anything else. */
export function thrown(f: () => unknown): Thrown {
  try {
    f();
  } catch (e) {
    if (e instanceof QfsError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a coded error (QfsError), but the call returned');
}
