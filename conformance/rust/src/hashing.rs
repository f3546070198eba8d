//! §2 tagged hashing: `H(tag, value) = SHA-256(utf8(tag) || 0x00 || canonical(value))`.

use crate::canonical::{Canonical, CanonicalError, HashSink, Sink};

pub const TAGS: [&str; 11] = [
    "qfs/v13/genesis",
    "qfs/v13/state",
    "qfs/v13/action",
    "qfs/v13/proposal",
    "qfs/v13/vote",
    "qfs/v13/epoch",
    "qfs/v13/governance",
    "qfs/v13/oracle",
    "qfs/v13/validator",
    "qfs/v13/manifest",
    "qfs/v13/counterexample",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashError {
    /// Only the spec's tags exist; refusing others catches a misspelt tag before it forks a hash.
    UnknownTag(String),
    Canonical(CanonicalError),
}

/// The canonical text is streamed into the hasher, never built whole.
pub fn digest(tag: &str, value: &(impl Canonical + ?Sized)) -> Result<[u8; 32], HashError> {
    if !TAGS.contains(&tag) {
        return Err(HashError::UnknownTag(tag.to_string()));
    }
    let mut h = HashSink::new();
    h.put(tag);
    h.put("\0");
    value.write_to(&mut h).map_err(HashError::Canonical)?;
    Ok(h.finish())
}

/// The digest as lowercase hex.
pub fn h(tag: &str, value: &(impl Canonical + ?Sized)) -> Result<String, HashError> {
    digest(tag, value).map(hex::encode)
}

/// SHA-256 without a tag of the canonical text (`inputs_hash`).
pub fn untagged(value: &(impl Canonical + ?Sized)) -> Result<String, CanonicalError> {
    let mut h = HashSink::new();
    value.write_to(&mut h)?;
    Ok(hex::encode(h.finish()))
}
