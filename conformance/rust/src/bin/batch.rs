//! Batch runner of the differential property (properties/differential.test.ts).
//!
//! `cargo run --release --bin batch < scenarios.jsonl > results.jsonl`
//!
//! Each input line is one scenario, a JSON object
//! `{"id", "genesis": <genesis document>, "epochs": [{"safe_mode": bool, "inputs": <P6.7 inputs>}]}`
//! run from the state at epoch 0 of its genesis: for each epoch, `"safe_mode": true` first sets
//! `S.mode = "safe"` (what a CIR-511 abort leaves behind), then the stored inputs are replayed (§6).
//! Each output line (in input order, flushed at once) is
//! `{"id", "start_root": str|null, "epochs": [{"root", "record_hash"}], "error": str|null, "us": int}`
//! where `epochs` stops at the first epoch the port could not run (named by `error`), and `us` is
//! the time spent on the scenario in microseconds (genesis check, every replay, root and record hash).

use qfs_conformance::epoch;
use qfs_conformance::state::{Chain, Mode, State};
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

/// Runs one scenario, filling `start_root` and one entry per epoch run until the first failure.
fn run(
    scenario: &Value,
    start_root: &mut Value,
    epochs_out: &mut Vec<Value>,
) -> Result<(), String> {
    let doc = &scenario["genesis"];
    let chain = Chain::new(doc).map_err(|e| format!("genesis refused: {e}"))?;
    let mut state = State::genesis(&chain, doc).map_err(|e| format!("state at epoch 0: {e}"))?;
    *start_root = Value::String(state.root());
    let epochs = scenario["epochs"]
        .as_array()
        .ok_or("scenario field epochs is not a list")?;
    for (k, e) in epochs.iter().enumerate() {
        if e["safe_mode"] == Value::Bool(true) {
            state.mode = Mode::Safe;
        }
        let out = epoch::replay(&chain, &state, &e["inputs"])
            .map_err(|err| format!("epoch {}: {err}", k + 1))?;
        epochs_out.push(
            json!({ "root": out.next.root(), "record_hash": epoch::record_hash(&out.record) }),
        );
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
        let (id, result) = match serde_json::from_str::<Value>(&line) {
            Err(e) => (Value::Null, Err(format!("input line is not JSON: {e}"))),
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
                (scenario["id"].clone(), result)
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
