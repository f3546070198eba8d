//! §10 the evidence package's Merkle tree hash (RFC 9162 §2.1.1), written from docs/spec.md §10:
//! leaf `SHA-256(0x00 || bytes)`, node `SHA-256(0x01 || left || right)`, a list of n > 1 entries
//! split at k = the largest power of two below n; the empty list hashes to SHA-256 of nothing.
//!
//! Computed bottom-up rather than by the recursive definition: pair the hashes of each level from
//! the left and carry an odd last hash up unchanged. The two agree because the left part of every
//! split, k = the largest power of two below n, is a complete subtree of k leaves: so the pairing
//! of each level never crosses a split, and the carried hash is the right part's root, combined as
//! soon as the level of the left part's root is reached.

use sha2::{Digest, Sha256};

pub fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// MTH of the entries in the order given.
pub fn root<E: AsRef<[u8]>>(entries: &[E]) -> [u8; 32] {
    if entries.is_empty() {
        return Sha256::digest([]).into();
    }
    let mut level: Vec<[u8; 32]> = entries.iter().map(|e| leaf_hash(e.as_ref())).collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => node_hash(l, r),
                [odd] => *odd,
                _ => unreachable!("chunks(2) yields one or two hashes"),
            })
            .collect();
    }
    level[0]
}

pub fn root_hex<E: AsRef<[u8]>>(entries: &[E]) -> String {
    hex::encode(root(entries))
}
