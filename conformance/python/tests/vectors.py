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


# --- geneses of the §4–§6 vector files -------------------------------------------------------

_DEFAULT = None


def default_genesis() -> dict:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load("genesis.json")["default"]["genesis"]
    return _DEFAULT


def _dev_key(value: str) -> str:
    from qfs_conformance import signatures
    return signatures.dev_keypair(value[4:])[0].hex() if value.startswith("dev:") else value


def genesis_doc(entry: dict) -> dict:
    """A `geneses` entry: { patch } of genesis.json's default, or { document } with "dev:<label>" keys."""
    if "patch" in entry:
        return apply_patch(default_genesis(), entry["patch"])
    doc = copy.deepcopy(entry["document"])
    for shard in doc["shards"]:
        shard["key"] = _dev_key(shard["key"])
    for founder in doc["founders"]:
        founder["key"] = _dev_key(founder["key"])
    doc["oracle_key"] = _dev_key(doc["oracle_key"])
    return doc


_CHAINS: dict = {}


def chain_of(vec: dict, name: str):
    """The port's Chain (validated genesis, G, topology) of a named genesis of a vector file."""
    from qfs_conformance.state import Chain
    key = (id(vec), name)
    if key not in _CHAINS:
        _CHAINS[key] = Chain(genesis_doc(vec["geneses"][name]))
    return _CHAINS[key]


def as_json(value):
    """A value of the port as the vectors write it (ints as decimal strings), via the canonical encoder."""
    from qfs_conformance import canonical
    return json.loads(canonical.encode(value))


def patched_state(chain, patch: list) -> dict:
    """The state at epoch 0 of the chain with a patch applied to its JSON form."""
    from qfs_conformance.state import initial_state, state_from_json
    return state_from_json(apply_patch(as_json(initial_state(chain)), patch))
