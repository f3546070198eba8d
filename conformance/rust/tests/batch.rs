//! The differential property's batch runner (`src/bin/batch.rs`) on the chains of epochs.json
//! that a scenario can express: a genesis, then stored inputs epoch by epoch (a start patch that
//! only sets safe mode is the first epoch's `safe_mode`). A broken scenario reports its epoch and
//! does not stop the batch.

mod common;

use common::{array, genesis_named, load, string};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn run_batch(lines: &str) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_batch"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the batch runner starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("the batch runner ends");
    assert!(out.status.success(), "batch runner exit {}", out.status);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("an output line is JSON"))
        .collect()
}

/// Each epoch's root and record hash (an epoch's line also has its times).
fn roots_of(epochs: &Value) -> Vec<Value> {
    epochs
        .as_array()
        .expect("epochs is a list")
        .iter()
        .map(|e| json!({ "root": e["root"], "record_hash": e["record_hash"] }))
        .collect()
}

#[test]
fn batch_reproduces_the_epoch_vectors() {
    let v = load("epochs.json");
    let safe = json!([{ "op": "set", "path": ["mode"], "value": "safe" }]);
    let mut lines = String::new();
    let mut want = Vec::new();
    for c in array(&v, "chains") {
        let patch = &c["start_patch"];
        if patch != &json!([]) && patch != &safe {
            continue;
        }
        let epochs: Vec<Value> = array(c, "epochs")
            .iter()
            .enumerate()
            .map(|(k, e)| json!({ "safe_mode": k == 0 && patch == &safe, "inputs": e["inputs"] }))
            .collect();
        let id = string(c, "name");
        let scenario = json!({ "id": id, "genesis": genesis_named(&v, string(c, "genesis")), "epochs": epochs });
        lines.push_str(&format!("{scenario}\n"));
        let roots: Vec<Value> = array(c, "epochs")
            .iter()
            .map(|e| json!({ "root": e["root"], "record_hash": e["record_hash"] }))
            .collect();
        want.push((
            id.to_string(),
            roots,
            patch == &json!([]),
            c["start_root"].clone(),
        ));
        if id == "example" {
            // The same scenario with the second epoch's inputs for another epoch.
            let mut broken = scenario.clone();
            broken["id"] = json!("broken");
            broken["epochs"][1]["inputs"]["epoch"] = json!("99");
            lines.push_str(&format!("{broken}\n"));
        }
    }
    let out = run_batch(&lines);
    let names: Vec<&str> = want.iter().map(|(id, ..)| id.as_str()).collect();
    for needed in ["example", "triangle", "example-frozen", "single", "default"] {
        assert!(names.contains(&needed), "chain {needed} is not a scenario");
    }
    assert_eq!(out.len(), want.len() + 1, "one output line per scenario");
    let mut results = out.iter();
    for (id, roots, plain, start_root) in &want {
        let r = results.next().unwrap();
        assert_eq!(r["id"], json!(id));
        assert_eq!(r["error"], Value::Null, "{id}: {}", r["error"]);
        assert_eq!(&roots_of(&r["epochs"]), roots, "{id}");
        if *plain {
            assert_eq!(&r["start_root"], start_root, "{id}");
        }
        if id == "example" {
            let b = results.next().unwrap();
            assert_eq!(b["id"], json!("broken"));
            assert_eq!(roots_of(&b["epochs"]), [roots[0].clone()]);
            let err = b["error"].as_str().expect("an error");
            assert!(err.starts_with("epoch 2: "), "{err}");
        }
    }
}
