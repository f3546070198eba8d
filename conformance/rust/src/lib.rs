//! Independent Rust port of docs/spec.md §1-§6, the Merkle tree hash of §10, and the project pins
//! P1-P6 (qfs-harmonic).
//!
//! Written from the spec text, not from the TypeScript reference; `conformance/vectors/` decides.

pub mod agent;
pub mod canonical;
pub mod certified_math;
pub mod economy;
pub mod epoch;
pub mod genesis;
pub mod hashing;
pub mod json;
pub mod merkle;
pub mod oracle;
pub mod psi;
pub mod signatures;
pub mod state;
pub mod validator;
