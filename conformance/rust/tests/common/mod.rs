//! Loading conformance/vectors/*.json (produced by the TypeScript reference), applying genesis
//! patches, and reporting every mismatching case at once.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

pub fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn array<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("vector field {key} is not a list"))
}

pub fn string<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key} is not a string"))
}

fn step<'a>(doc: &'a mut Value, s: &Value) -> &'a mut Value {
    match s {
        Value::String(k) => &mut doc[k.as_str()],
        Value::Number(i) => &mut doc[i.as_u64().expect("index") as usize],
        _ => panic!("bad path step {s}"),
    }
}

fn parent<'a>(mut doc: &'a mut Value, path: &'a [Value]) -> (&'a mut Value, &'a Value) {
    let (last, init) = path.split_last().expect("non-empty path");
    for s in init {
        doc = step(doc, s);
    }
    (doc, last)
}

fn get(doc: &Value, path: &[Value]) -> Value {
    path.iter()
        .fold(doc, |d, s| match s {
            Value::String(k) => &d[k.as_str()],
            Value::Number(i) => &d[i.as_u64().expect("index") as usize],
            _ => panic!("bad path step {s}"),
        })
        .clone()
}

/// A copy of `doc` with the ops set / delete / copy applied (paths of keys and list indices).
pub fn apply_patch(doc: &Value, patch: &[Value]) -> Value {
    let mut doc = doc.clone();
    for op in patch {
        let path = op["path"].as_array().expect("path");
        let value = match string(op, "op") {
            "set" => Some(op["value"].clone()),
            "copy" => Some(get(&doc, op["from"].as_array().expect("from"))),
            "delete" => None,
            other => panic!("unknown patch op {other}"),
        };
        let (p, last) = parent(&mut doc, path);
        match (value, last) {
            (Some(v), Value::String(k)) => {
                p.as_object_mut().expect("object").insert(k.clone(), v);
            }
            (Some(v), Value::Number(i)) => p[i.as_u64().unwrap() as usize] = v,
            (None, Value::String(k)) => {
                p.as_object_mut().expect("object").remove(k);
            }
            (None, Value::Number(i)) => {
                p.as_array_mut()
                    .expect("list")
                    .remove(i.as_u64().unwrap() as usize);
            }
            _ => panic!("bad path step {last}"),
        }
    }
    doc
}

/// Collects mismatches so that one run names every failing case, then fails once.
#[derive(Default)]
pub struct Report {
    checked: usize,
    failures: Vec<String>,
}

impl Report {
    pub fn check(&mut self, name: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.checked += 1;
        if !ok {
            self.failures.push(format!("{name}: {}", detail()));
        }
    }

    pub fn finish(self, what: &str) {
        eprintln!("{what}: {} vector cases checked", self.checked);
        assert!(
            self.failures.is_empty(),
            "{} of {} failed:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
        assert!(self.checked > 0, "{what}: no vector case ran");
    }
}
