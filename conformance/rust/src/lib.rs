//! Independent Rust port of docs/spec.md §1-§3 and the project pins P1-P4 (qfs-harmonic).
//!
//! Written from the spec text, not from the TypeScript reference; `conformance/vectors/` decides.

pub mod canonical;
pub mod certified_math;
pub mod genesis;
pub mod hashing;
pub mod signatures;
