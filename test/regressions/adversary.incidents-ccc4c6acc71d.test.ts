// Regression test exported by `qfs replay --export-test` from a adversary.EA-8 counterexample (SPEC §12).
import { expect, test } from 'vitest';
import { parseCanonical } from '../../src/math/canonical.ts';
import { readCounterexample } from '../../src/io/counterexamples.ts';
import { replayCounterexample } from '../../models/adversary-check.ts';

const counterexample = readCounterexample(parseCanonical("{\"commands\":[{\"byzantine\":[\"1\"],\"kind\":\"setup\",\"mutant\":\"first-proposal-wins\",\"shards\":\"4\"},{\"attacks\":[{\"delta\":\"1\",\"ea\":\"EA-8\",\"shard\":\"1\"}],\"exit\":false,\"kind\":\"epoch\",\"load\":\"0\"}],\"failure\":{\"actual\":[],\"epoch\":\"1\",\"expected\":[\"CIR-412|EA-8|1\"],\"message\":\"the incidents are not the twin's plus the expected ones\"},\"format\":\"qfs-counterexample/1\",\"genesis_hash\":\"224947c72a077804e75ed202a2367585e9ad9bda377e317ffeb7c2171df83feb\",\"invariant\":\"adversary.incidents\",\"path\":\"0:0:0:0:0:0:0:0\",\"property\":\"adversary.EA-8\",\"roots\":[\"5360ef477f9e4eb8e43494e9de037b76e63a5c68612b38b5b4c03870b782b81c\"],\"seed\":\"7\"}"));

test("regression: adversary.EA-8 adversary.incidents", () => {
  const r = replayCounterexample(counterexample);
  // The run executes a planted bug: the harness must still catch it, with the same failure and roots.
  expect(r.kind).toBe('reproduced');
});
