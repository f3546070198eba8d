mod common;

use common::{apply_patch, array, load, string, Report};
use qfs_conformance::{genesis, signatures};
use serde_json::{json, Value};

fn default(vectors: &Value) -> &Value {
    &vectors["default"]["genesis"]
}

#[test]
fn default_hash() {
    let v = load("genesis.json");
    assert_eq!(
        genesis::genesis_hash(default(&v)).unwrap(),
        string(&v["default"], "hash")
    );
}

#[test]
fn genesis_cases() {
    let v = load("genesis.json");
    let mut report = Report::default();
    for case in array(&v, "cases") {
        let doc = apply_patch(default(&v), array(case, "patch"));
        let got = match genesis::genesis_hash(&doc) {
            Ok(hash) => json!({ "hash": hash }),
            Err(e) => json!({ "error": { "code": e.code, "field": e.field } }),
        };
        let want = match case.get("error") {
            Some(e) => json!({ "error": e }),
            None => json!({ "hash": case["hash"] }),
        };
        report.check(string(case, "name"), got == want, || {
            format!("got {got}, want {want}")
        });
    }
    report.finish("genesis.json cases");
}

#[test]
fn certification_cases() {
    let v = load("genesis.json");
    let mut report = Report::default();
    for case in array(&v, "certification") {
        let (signers, certified) =
            genesis::certification(default(&v), array(case, "signatures")).unwrap();
        let got = json!({ "signers": signers, "certified": certified });
        let want = json!({ "signers": case["signers"], "certified": case["certified"] });
        report.check(string(case, "name"), got == want, || {
            format!("got {got}, want {want}")
        });
    }
    report.finish("genesis.json certification");
}

/// P4: the default genesis derives every key from the published seeds.
#[test]
fn default_genesis_uses_development_keys() {
    let v = load("genesis.json");
    let g = default(&v);
    let dev =
        |label: String| hex::encode(signatures::public_key(&signatures::dev_signing_key(&label)));
    for s in array(g, "shards") {
        assert_eq!(dev(format!("shard-{}", string(s, "id"))), string(s, "key"));
    }
    for f in array(g, "founders") {
        assert_eq!(
            dev(format!("founder-{}", string(f, "id"))),
            string(f, "key")
        );
    }
    assert_eq!(dev("oracle".into()), string(g, "oracle_key"));
}
