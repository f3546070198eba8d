//! §2 ML-DSA-87 signatures (via the `ml-dsa` crate) and P4 development keys.

use ml_dsa::{EncodedVerifyingKey, MlDsa87, Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

pub const PUBLIC_KEY_BYTES: usize = 2592;
pub const SIGNATURE_BYTES: usize = 4627;

/// Bytes of a lowercase hex string of exactly `nbytes` bytes, else `None` (never normalises case).
pub fn from_hex(s: &str, nbytes: usize) -> Option<Vec<u8>> {
    let lower = s
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if s.len() != 2 * nbytes || !lower {
        return None;
    }
    hex::decode(s).ok()
}

/// P4: `seed = SHA-256(utf8("qfs/v13/dev-key/" + label))`.
pub fn dev_seed(label: &str) -> [u8; 32] {
    Sha256::digest(format!("qfs/v13/dev-key/{label}").as_bytes()).into()
}

/// The signing key from the published seed. Development use only: anyone can derive it.
pub fn dev_signing_key(label: &str) -> SigningKey<MlDsa87> {
    SigningKey::<MlDsa87>::from_seed(&dev_seed(label).into())
}

pub fn public_key(key: &SigningKey<MlDsa87>) -> Vec<u8> {
    let vk: &VerifyingKey<MlDsa87> = key.as_ref();
    vk.encode().to_vec()
}

/// `utf8(tag) || 0x00 || digest`.
pub fn signed_message(tag: &str, digest: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(tag.len() + 33);
    m.extend_from_slice(tag.as_bytes());
    m.push(0);
    m.extend_from_slice(digest);
    m
}

/// Deterministic (`rnd` = 32 zero bytes), empty context: one message, one signature.
pub fn sign(key: &SigningKey<MlDsa87>, tag: &str, digest: &[u8; 32]) -> Vec<u8> {
    key.expanded_key()
        .sign_deterministic(&signed_message(tag, digest), &[])
        .expect("an empty context is always accepted")
        .encode()
        .to_vec()
}

/// `ML-DSA.Verify` with an empty context. Wrong sizes or an undecodable signature are invalid.
pub fn verify(public_key: &[u8], tag: &str, digest: &[u8; 32], signature: &[u8]) -> bool {
    let Ok(encoded) = EncodedVerifyingKey::<MlDsa87>::try_from(public_key) else {
        return false;
    };
    let Ok(sig) = Signature::<MlDsa87>::try_from(signature) else {
        return false;
    };
    VerifyingKey::<MlDsa87>::decode(&encoded).verify_with_context(
        &signed_message(tag, digest),
        &[],
        &sig,
    )
}
