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

/// A vector file that another engineer may not have generated yet: `None` (with a clear note on
/// stderr) when it is missing, so that the other files still run.
pub fn load_optional(name: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors")
        .join(name);
    if !path.exists() {
        eprintln!(
            "SKIPPED {name}: {} does not exist yet (generate it from the TypeScript reference)",
            path.display()
        );
        return None;
    }
    Some(load(name))
}

/// Replaces every string `"dev:<label>"` by the hex of the P4 development public key of `label`.
fn expand_dev_keys(v: &mut Value, cache: &mut std::collections::HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(label) = s.strip_prefix("dev:") {
                let key = cache
                    .entry(label.to_string())
                    .or_insert_with(|| {
                        use qfs_conformance::signatures as sig;
                        hex::encode(sig::public_key(&sig::dev_signing_key(label)))
                    })
                    .clone();
                *s = key;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| expand_dev_keys(x, cache)),
        Value::Object(map) => map.values_mut().for_each(|x| expand_dev_keys(x, cache)),
        _ => {}
    }
}

/// The genesis named `name` in a vector file's `geneses`: `{ patch }` on genesis.json's default,
/// or `{ document }` with its `dev:<label>` keys expanded.
pub fn genesis_named(vectors: &Value, name: &str) -> Value {
    let entry = &vectors["geneses"][name];
    if let Some(patch) = entry.get("patch") {
        let base = load("genesis.json");
        return apply_patch(
            &base["default"]["genesis"],
            patch.as_array().expect("patch"),
        );
    }
    let mut doc = entry["document"].clone();
    assert!(
        doc.is_object(),
        "genesis {name} is neither a patch nor a document"
    );
    expand_dev_keys(&mut doc, &mut std::collections::HashMap::new());
    doc
}

/// The first path at which two JSON values differ, with both values (for readable failures).
pub fn first_difference(got: &Value, want: &Value) -> Option<String> {
    fn walk(path: String, g: &Value, w: &Value) -> Option<String> {
        match (g, w) {
            (Value::Object(a), Value::Object(b)) => {
                let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().find_map(|k| match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(format!("{path}.{k}"), x, y),
                    (x, y) => Some(format!("{path}.{k}: got {x:?}, want {y:?}")),
                })
            }
            (Value::Array(a), Value::Array(b)) => {
                let common = a
                    .iter()
                    .zip(b)
                    .enumerate()
                    .find_map(|(i, (x, y))| walk(format!("{path}[{i}]"), x, y));
                common.or_else(|| {
                    (a.len() != b.len()).then(|| {
                        format!(
                            "{path}: length {} vs {} (got {:.300}, want {:.300})",
                            a.len(),
                            b.len(),
                            Value::Array(a[b.len().min(a.len())..].to_vec()).to_string(),
                            Value::Array(b[a.len().min(b.len())..].to_vec()).to_string()
                        )
                    })
                })
            }
            _ => (g != w).then(|| format!("{path}: got {g}, want {w}")),
        }
    }
    walk(String::new(), got, want)
}
