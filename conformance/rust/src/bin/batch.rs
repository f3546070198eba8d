//! Batch runner of the differential property (properties/differential.test.ts) and of the bench's
//! cross-runtime check (bench/rust.ts).
//!
//! `cargo run --release --bin batch < scenarios.jsonl > results.jsonl`
//!
//! Each input line is one scenario, a JSON object
//! `{"id", "genesis": <genesis document>, "epochs": [{"safe_mode": bool, "inputs": <P6.7 inputs>}]}`
//! run from the state at epoch 0 of its genesis: for each epoch, `"safe_mode": true` first sets
//! `S.mode = "safe"` (what a CIR-511 abort leaves behind), then the stored inputs are replayed (§6).
//! Each output line (in input order, flushed at once) is
//! `{"id", "start_root": str|null, "epochs": [{"root", "record_hash", "us", "parse_us", "cpu_us"}],
//!   "error": str|null, "us": int}`
//! where `epochs` stops at the first epoch the port could not run (named by `error`). Times are in
//! microseconds: `us` of the scenario covers everything (genesis check, parsing, every replay, roots
//! and record hashes); an epoch's `us` its replay, next state root and record hash, `parse_us` the
//! parse of its inputs document, and `cpu_us` the CPU time of the replay (null where the system
//! does not say), steadier than wall time on a shared machine.
//!
//! A line of a large economy is over a hundred megabytes: it is split into its members' raw text
//! first, and the genesis and each epoch's inputs are parsed only when they are needed and dropped
//! after, so one document tree at most is in memory at a time.

use qfs_conformance::epoch;
use qfs_conformance::state::{Chain, Mode, State};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

/// An object's members as their raw JSON text.
type Members<'a> = HashMap<String, &'a RawValue>;

fn member<'a>(m: &Members<'a>, key: &str, what: &str) -> Result<&'a RawValue, String> {
    m.get(key)
        .copied()
        .ok_or_else(|| format!("{what} has no field {key}"))
}

/// CPU time of this thread in nanoseconds (Linux: the first field of schedstat), if available.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs one scenario, filling `start_root` and one entry per epoch run until the first failure.
fn run(
    scenario: &Members,
    start_root: &mut Value,
    epochs_out: &mut Vec<Value>,
) -> Result<(), String> {
    let doc: Value = serde_json::from_str(member(scenario, "genesis", "scenario")?.get())
        .map_err(|e| format!("genesis is not JSON: {e}"))?;
    let chain = Chain::new(&doc).map_err(|e| format!("genesis refused: {e}"))?;
    let mut state = State::genesis(&chain, &doc).map_err(|e| format!("state at epoch 0: {e}"))?;
    drop(doc);
    *start_root = Value::String(state.root());
    let epochs: Vec<Members> = serde_json::from_str(member(scenario, "epochs", "scenario")?.get())
        .map_err(|_| "scenario field epochs is not a list of objects")?;
    for (k, e) in epochs.iter().enumerate() {
        let what = format!("epoch {}", k + 1);
        let safe_mode: Value = serde_json::from_str(member(e, "safe_mode", &what)?.get())
            .map_err(|err| format!("{what}: safe_mode: {err}"))?;
        if safe_mode == Value::Bool(true) {
            state.mode = Mode::Safe;
        }
        let began = Instant::now();
        let inputs: Value = serde_json::from_str(member(e, "inputs", &what)?.get())
            .map_err(|err| format!("{what}: inputs are not JSON: {err}"))?;
        let parse_us = began.elapsed().as_micros() as u64;
        let (began, cpu) = (Instant::now(), cpu_ns());
        let out = epoch::replay(&chain, &state, &inputs).map_err(|err| format!("{what}: {err}"))?;
        drop(inputs);
        let (root, record_hash) = (out.next.root(), epoch::record_hash(&out.record));
        let cpu_us = cpu.zip(cpu_ns()).map(|(a, b)| (b - a) / 1000);
        epochs_out.push(json!({
            "root": root, "record_hash": record_hash,
            "us": began.elapsed().as_micros() as u64, "parse_us": parse_us, "cpu_us": cpu_us,
        }));
        state = out.next;
    }
    Ok(())
}

fn main() {
    // A panic is reported in the scenario's output line; the default hook would only add noise.
    panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.expect("stdin is readable");
        if line.trim().is_empty() {
            continue;
        }
        let began = Instant::now();
        let mut epochs = Vec::new();
        let mut start_root = Value::Null;
        let (id, result) = match serde_json::from_str::<Members>(&line) {
            Err(e) => (
                Value::Null,
                Err(format!("input line is not a JSON object: {e}")),
            ),
            Ok(scenario) => {
                let caught = panic::catch_unwind(AssertUnwindSafe(|| {
                    run(&scenario, &mut start_root, &mut epochs)
                }));
                let result = caught.unwrap_or_else(|p| {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "(no message)".to_string());
                    Err(format!("panic: {msg}"))
                });
                let id = scenario
                    .get("id")
                    .and_then(|raw| serde_json::from_str(raw.get()).ok())
                    .unwrap_or(Value::Null);
                (id, result)
            }
        };
        let error = match result {
            Ok(()) => Value::Null,
            Err(e) => Value::String(e),
        };
        let out = json!({
            "id": id, "start_root": start_root, "epochs": epochs, "error": error,
            "us": began.elapsed().as_micros() as u64,
        });
        writeln!(stdout, "{out}").expect("stdout is writable");
        stdout.flush().expect("stdout is writable");
    }
}
