"""Independent Python port of docs/spec.md (qfs-harmonic).

§1-§3 and pins P1-P4: certified_math, canonical, hashing, signatures, genesis.
§4-§6 and pins P5-P6 (the honest epoch, without the ledger): state (initial state, root, supplies,
topology), psi_field (§5), economy (steps 4-8), holo_reward (step 9), treasury (step 10), oracle
(step 1, EA-11), validator (step 2, EA-12), agent (the honest agent and the step-3 action rules),
epoch (replay of the stored inputs of P6.7, the record of P6.1-P6.5, its hash).
§10: merkle (the RFC 9162 Merkle tree hash of the evidence package).
batch: `python -m qfs_conformance.batch`, the runner of the differential property (JSON lines of
scenarios in, roots out; see properties/differential.test.ts).

Written from the spec text, not by translating the TypeScript reference; conformance/vectors/
decides. (The author of the §4-§6 modules had read src/ while generating the vectors, so they are
less independent than the §1-§3 ones; the pins where the spec text alone left a choice open are
listed in the vector files' `conventions` and in the report that came with them.)
"""
