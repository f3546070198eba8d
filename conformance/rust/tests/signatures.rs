mod common;

use common::{array, load, string, Report};
use qfs_conformance::signatures as sig;
use sha2::{Digest, Sha256};

#[test]
fn dev_key_vectors() {
    let mut report = Report::default();
    for key in array(&load("signatures.json"), "keys") {
        let label = string(key, "label");
        let public_key = sig::public_key(&sig::dev_signing_key(label));
        report.check(
            label,
            hex::encode(sig::dev_seed(label)) == string(key, "seed"),
            || "seed differs".into(),
        );
        report.check(
            label,
            hex::encode(&public_key) == string(key, "public_key"),
            || "public key differs".into(),
        );
        report.check(
            label,
            hex::encode(Sha256::digest(&public_key)) == string(key, "public_key_sha256"),
            || "public key digest differs".into(),
        );
    }
    report.finish("signatures.json keys");
}

#[test]
fn signature_vectors() {
    let mut report = Report::default();
    for case in array(&load("signatures.json"), "cases") {
        let key = sig::dev_signing_key(string(case, "key"));
        let tag = string(case, "tag");
        let digest: [u8; 32] = hex::decode(string(case, "digest"))
            .unwrap()
            .try_into()
            .unwrap();
        let signature =
            sig::from_hex(string(case, "signature"), sig::SIGNATURE_BYTES).expect("signature hex");
        let want = case["valid"].as_bool().unwrap();
        let got = sig::verify(&sig::public_key(&key), tag, &digest, &signature);
        report.check(string(case, "name"), got == want, || {
            format!("verify gave {got}, want {want}")
        });
        if want {
            // Deterministic signing (§2): re-signing reproduces the reference's bytes exactly.
            report.check(
                string(case, "name"),
                sig::sign(&key, tag, &digest) == signature,
                || "deterministic signature differs".into(),
            );
        }
    }
    report.finish("signatures.json cases");
}
