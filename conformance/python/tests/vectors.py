"""Loading conformance/vectors/*.json (produced by the TypeScript reference) and applying genesis patches."""

import copy
import json
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def _parent(doc, path):
    for step in path[:-1]:
        doc = doc[step]
    return doc, path[-1]


def apply_patch(doc, patch: list):
    """A deep copy of doc with the ops set / delete / copy applied (paths of keys and list indices)."""
    doc = copy.deepcopy(doc)
    for op in patch:
        parent, last = _parent(doc, op["path"])
        if op["op"] == "set":
            parent[last] = copy.deepcopy(op["value"])
        elif op["op"] == "delete":
            del parent[last]
        elif op["op"] == "copy":
            src, src_last = _parent(doc, op["from"])
            parent[last] = copy.deepcopy(src[src_last])
        else:
            raise ValueError(f"unknown patch op {op['op']!r}")
    return doc
