"""The differential property's batch runner (qfs_conformance.batch) on the chains of epochs.json
that a scenario can express: a genesis, then stored inputs epoch by epoch (a start patch that only
sets safe mode is the first epoch's safe_mode)."""

import json
import subprocess
import sys
from pathlib import Path

from qfs_conformance import batch
from vectors import genesis_doc, load

VEC = load("epochs.json")
SAFE = [{"op": "set", "path": ["mode"], "value": "safe"}]


def scenarios():
    out = []
    for c in VEC["chains"]:
        if c["start_patch"] not in ([], SAFE):
            continue
        epochs = [{"safe_mode": k == 0 and c["start_patch"] == SAFE, "inputs": e["inputs"]}
                  for k, e in enumerate(c["epochs"])]
        out.append((c, {"id": c["name"], "genesis": genesis_doc(VEC["geneses"][c["genesis"]]), "epochs": epochs}))
    return out


SCENARIOS = scenarios()


def expected(c):
    return [{"root": e["root"], "record_hash": e["record_hash"]} for e in c["epochs"]]


def test_covers_the_chains():
    assert {c["name"] for c, _ in SCENARIOS} >= {"example", "triangle", "example-frozen", "single", "default"}


def test_run_reproduces_the_vectors():
    for c, s in SCENARIOS:
        r = batch.run(s)
        assert r["error"] is None, (c["name"], r["error"])
        assert r["epochs"] == expected(c), c["name"]
        if c["start_patch"] == []:
            assert r["start_root"] == c["start_root"], c["name"]


def test_json_lines_in_and_out():
    """The module's entry point: one line per scenario in order; a broken scenario reports its
    epoch and does not stop the batch."""
    (c, good), (_, other) = SCENARIOS[0], SCENARIOS[1]
    broken = json.loads(json.dumps(good))
    broken["id"] = "broken"
    broken["epochs"][1]["inputs"]["epoch"] = "99"
    lines = "".join(json.dumps(s) + "\n" for s in (good, broken, other))
    done = subprocess.run([sys.executable, "-m", "qfs_conformance.batch"], input=lines, capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1], check=True)
    out = [json.loads(x) for x in done.stdout.splitlines()]
    assert [r["id"] for r in out] == [good["id"], "broken", other["id"]]
    assert out[0]["epochs"] == expected(c) and out[0]["error"] is None
    assert out[1]["epochs"] == expected(c)[:1]
    assert out[1]["error"].startswith("RuntimeError: epoch 2:")
    assert out[2]["error"] is None
