/**
 * The signed evidence package (SPEC §10; every byte pinned in docs/spec.md P11), one concept per
 * module: names.ts (files, formats, acceptance rows), manifest.ts (manifest, signature, the ten
 * files), reader.ts and artifacts.ts (parsing), layouts.ts (builders of P11.6–P11.7),
 * cross-checks.ts (P11.9 as data), acceptance.ts (the §11 table recomputed from the artifacts),
 * dev-keys.ts (published development keys), verifier.ts (P11.4), compare.ts (re-execution's
 * byte-for-byte comparison). This module re-exports their public names.
 */
export * from './names.ts';
export * from './manifest.ts';
export * from './layouts.ts';
export * from './verifier.ts';
export { computeAcceptance, percent } from './acceptance.ts';
export { readArtifacts, type Parsed } from './artifacts.ts';
export { CROSS_CHECKS, type CrossCheck } from './cross-checks.ts';
export { developmentLabelOf, isPublishedLabel, DEV_ID_BOUND } from './dev-keys.ts';
export { fileDifference, firstJsonDifference, type Difference } from './compare.ts';
