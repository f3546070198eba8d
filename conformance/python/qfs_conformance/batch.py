"""Batch runner of the differential property (properties/differential.test.ts).

    python -m qfs_conformance.batch  < scenarios.jsonl  > results.jsonl

Each input line is one scenario, a JSON object
    {"id": str, "genesis": <genesis document>, "epochs": [{"safe_mode": bool, "inputs": <P6.7 inputs>}]}
run from the state at epoch 0 of its genesis: for each epoch, "safe_mode": true first sets
S.mode = "safe" (what a CIR-511 abort leaves behind), then the stored inputs are replayed (§6).
Each output line (in input order, flushed at once) is
    {"id": str, "start_root": str|null, "epochs": [{"root": str, "record_hash": str}],
     "error": str|null, "us": int}
where "epochs" stops at the first epoch the port could not run (named by "error"), and "us" is the
time spent on the scenario in microseconds (genesis check, every replay, root and record hash).
"""

import json
import sys
import time

from . import epoch
from .state import Chain, initial_state, state_root


def run(scenario: dict) -> dict:
    began = time.perf_counter_ns()
    out = {"id": scenario.get("id"), "start_root": None, "epochs": [], "error": None}
    try:
        chain = Chain(scenario["genesis"])
        st = initial_state(chain)
        out["start_root"] = state_root(st)
        for k, e in enumerate(scenario["epochs"]):
            if e.get("safe_mode"):
                st = {**st, "mode": "safe"}
            try:
                nxt, record = epoch.replay(chain, st, e["inputs"])
            except Exception as exc:  # noqa: BLE001 - any failure is reported with its epoch
                raise RuntimeError(f"epoch {k + 1}: {type(exc).__name__}: {exc}") from exc
            out["epochs"].append({"root": state_root(nxt), "record_hash": epoch.record_hash(record)})
            st = nxt
    except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the batch
        out["error"] = f"{type(exc).__name__}: {exc}"
    out["us"] = (time.perf_counter_ns() - began) // 1000
    return out


def main() -> int:
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(run(json.loads(line)), separators=(",", ":")) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
