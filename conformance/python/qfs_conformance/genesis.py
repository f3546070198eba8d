"""§3 genesis: schema, references, bounds, rules, supplies, hash and certification (pins P3.1-P3.7).

Checks run in the spec's order and the first failure decides (code, field). A field is the JSON
path of the offending value: "" for the document, `constants.a_max`, `nodes[3].users[0].weight`.
"""

import re

from . import hashing, signatures
from .certified_math import LIMIT, SCALE

VERSION = "QFS-V13-P3"
TAG = "qfs/v13/genesis"
ID_LIMIT = 1 << 63
WEIGHT_LIMIT = 1 << 64
MAX_DEGREE = 64

DOC_KEYS = ("version", "chain_id", "constants", "groups", "shards", "nodes", "edges",
            "treasury", "oracle_key", "founders", "threshold")
NODE_KEYS = ("id", "shard", "chr", "flx", "stake", "psy", "atr", "res", "dis", "users")
BALANCES = ("chr", "flx", "stake", "psy", "atr", "res")

# The bound table of §3 in table order; each check sees all constants (DELTA_MAX and DELTA_CURL
# are bounded by EPSILON_SYNC). P3.5 adds EPSILON_SYNC < 2^127.
BOUNDS = (
    ("a_max", "1 <= A_MAX <= 64", lambda x, k: 1 <= x <= 64),
    ("base", "0 < BASE <= SCALE", lambda x, k: 0 < x <= SCALE),
    ("delta_max", "EPSILON_SYNC <= DELTA_MAX <= SCALE", lambda x, k: k["epsilon_sync"] <= x <= SCALE),
    ("epsilon_sync", "0 < EPSILON_SYNC < 2^127", lambda x, k: 0 < x < LIMIT),
    ("delta_curl", "0 <= DELTA_CURL <= EPSILON_SYNC", lambda x, k: 0 <= x <= k["epsilon_sync"]),
    ("kappa", "0 < KAPPA <= SCALE", lambda x, k: 0 < x <= SCALE),
    ("flow_rate", "0 < FLOW_RATE <= SCALE/2", lambda x, k: 0 < x <= SCALE // 2),
    ("penalty_rate", "0 <= PENALTY_RATE <= SCALE", lambda x, k: 0 <= x <= SCALE),
    ("align_tol", "0 <= ALIGN_TOL < 2^127", lambda x, k: 0 <= x < LIMIT),
    ("res_rate", "0 <= RES_RATE <= SCALE", lambda x, k: 0 <= x <= SCALE),
    ("res_cap_ratio", "0 < RES_CAP_RATIO <= 100*SCALE", lambda x, k: 0 < x <= 100 * SCALE),
    ("psy_rate", "0 <= PSY_RATE <= SCALE", lambda x, k: 0 <= x <= SCALE),
    ("release_rate", "0 < RELEASE_RATE <= SCALE/10", lambda x, k: 0 < x <= SCALE // 10),
    ("node_commission", "0 <= NODE_COMMISSION <= SCALE", lambda x, k: 0 <= x <= SCALE),
    ("oracle_window", "0 <= ORACLE_WINDOW <= 16", lambda x, k: 0 <= x <= 16),
    ("halt_epochs", "1 <= HALT_EPOCHS <= 64", lambda x, k: 1 <= x <= 64),
    ("blacklist_after", "1 <= BLACKLIST_AFTER <= 16", lambda x, k: 1 <= x <= 16),
)
CONSTANT_NAMES = tuple(name for name, _, _ in BOUNDS)

_INT = re.compile(r"0|-?[1-9][0-9]*")  # used with fullmatch
_CHAIN_ID = re.compile(r"[\x20-\x7e]+")


class GenesisError(Exception):
    def __init__(self, code: str, field: str, message: str = ""):
        super().__init__(f"{code} at {field!r}: {message}")
        self.code = code
        self.field = field


def _schema(field: str, message: str):
    raise GenesisError("E_GENESIS_SCHEMA", field, message)


def _rule(field: str, message: str):
    raise GenesisError("E_GENESIS_RULE", field, message)


def _at(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- schema helpers: each returns the value read, or raises with the value's own path ---

def _object(v, keys, path):
    if not isinstance(v, dict):
        _schema(path, "not an object")
    if set(v) != set(keys):
        _schema(path, f"key set {sorted(v)} is not {sorted(keys)}")
    return v


def _list(v, path):
    if not isinstance(v, list):
        _schema(path, "not a list")
    return v


def _integer(v, path) -> int:
    if not isinstance(v, str) or not _INT.fullmatch(v):
        _schema(path, "not a canonical integer string")
    return int(v)


def _ident(v, path) -> int:
    x = _integer(v, path)
    if not 0 <= x < ID_LIMIT:
        _schema(path, "id outside [0, 2^63)")
    return x


def _key(v, path) -> str:
    if signatures.from_hex(v, signatures.PUBLIC_KEY_BYTES) is None:
        _schema(path, "not 2,592 bytes of lowercase hex")
    return v


def _strictly_sorted(sort_keys: list, path_of) -> None:
    # P3.1: an equal neighbour is an order fault too, reported at the later element.
    for i in range(1, len(sort_keys)):
        if sort_keys[i] <= sort_keys[i - 1]:
            _schema(path_of(i), "out of order or repeated")


def _id_key_list(v, path):
    """A list of {id, key} objects sorted by id: shards and founders."""
    items = []
    for i, entry in enumerate(_list(v, path)):
        p = _at(path, i)
        _object(entry, ("id", "key"), p)
        items.append((_ident(entry["id"], _at(p, "id")), _key(entry["key"], _at(p, "key"))))
    _strictly_sorted([ident for ident, _ in items], lambda i: _at(path, i))
    return items


def _read(doc) -> dict:
    """The schema walk (P3.3): depth-first in template key order, lists in list order."""
    _object(doc, DOC_KEYS, "")
    if doc["version"] != VERSION:
        _schema("version", f"must be {VERSION!r}")
    if not isinstance(doc["chain_id"], str) or not _CHAIN_ID.fullmatch(doc["chain_id"]):
        _schema("chain_id", "must be non-empty printable ASCII")

    _object(doc["constants"], CONSTANT_NAMES, "constants")
    constants = {n: _integer(doc["constants"][n], _at("constants", n)) for n in CONSTANT_NAMES}

    groups = []
    for i, g in enumerate(_list(doc["groups"], "groups")):
        gp = _at("groups", i)
        ids = [_ident(s, _at(gp, j)) for j, s in enumerate(_list(g, gp))]
        _strictly_sorted(ids, lambda j: _at(gp, j))
        groups.append(ids)
    # Non-empty groups are ordered strictly by their first id; an empty group is a rule fault later.
    nonempty = [i for i, g in enumerate(groups) if g]
    for a, b in zip(nonempty, nonempty[1:]):
        if groups[b][0] <= groups[a][0]:
            _schema(_at("groups", b), "groups out of order")

    shards = _id_key_list(doc["shards"], "shards")

    nodes = []
    seen_users: set = set()
    for i, raw in enumerate(_list(doc["nodes"], "nodes")):
        p = _at("nodes", i)
        _object(raw, NODE_KEYS, p)
        node = {"id": _ident(raw["id"], _at(p, "id")), "shard": _ident(raw["shard"], _at(p, "shard"))}
        for name in BALANCES + ("dis",):
            node[name] = _integer(raw[name], _at(p, name))
        up = _at(p, "users")
        users = []
        for j, u in enumerate(_list(raw["users"], up)):
            q = _at(up, j)
            _object(u, ("id", "weight"), q)
            users.append((_ident(u["id"], _at(q, "id")), _integer(u["weight"], _at(q, "weight"))))
        _strictly_sorted([uid for uid, _ in users], lambda j: _at(up, j))
        for j, (uid, _) in enumerate(users):
            if uid in seen_users:
                _schema(_at(up, j), "user id already on an earlier node")
        seen_users.update(uid for uid, _ in users)
        node["users"] = users
        nodes.append(node)
    _strictly_sorted([n["id"] for n in nodes], lambda i: _at("nodes", i))

    edges = []
    for i, e in enumerate(_list(doc["edges"], "edges")):
        p = _at("edges", i)
        # P3.2: every fault of an edge is reported at the edge itself.
        if (not isinstance(e, list) or len(e) != 2
                or not all(isinstance(x, str) and _INT.fullmatch(x) for x in e)):
            _schema(p, "not a pair of ids")
        a, b = int(e[0]), int(e[1])
        if not (0 <= a < b < ID_LIMIT):
            _schema(p, "needs ids with a < b")
        edges.append((a, b))
    _strictly_sorted(edges, lambda i: _at("edges", i))

    treasury = _integer(doc["treasury"], "treasury")
    oracle_key = _key(doc["oracle_key"], "oracle_key")
    founders = _id_key_list(doc["founders"], "founders")
    threshold = _integer(doc["threshold"], "threshold")

    # References (P3.4).
    shard_ids = {sid for sid, _ in shards}
    for i, g in enumerate(groups):
        if any(s not in shard_ids for s in g):
            _schema(_at("groups", i), "names a missing shard")
    node_ids = {n["id"] for n in nodes}
    for i, n in enumerate(nodes):
        if n["shard"] not in shard_ids:
            _schema(_at(_at("nodes", i), "shard"), "missing shard")
    for i, (a, b) in enumerate(edges):
        if a not in node_ids or b not in node_ids:
            _schema(_at("edges", i), "end is not a node")
    for i, (sid, _) in enumerate(shards):
        if sum(g.count(sid) for g in groups) != 1:
            _schema(_at("shards", i), "not in exactly one group")

    return {"constants": constants, "groups": groups, "shards": shards, "nodes": nodes,
            "edges": edges, "treasury": treasury, "oracle_key": oracle_key,
            "founders": founders, "threshold": threshold}


def _check_bounds(constants: dict) -> None:
    for name, text, ok in BOUNDS:
        if not ok(constants[name], constants):
            raise GenesisError("E_GENESIS_BOUND", _at("constants", name),
                               f"{name.upper()} ({name}) = {constants[name]} breaks {text}")


def _check_rules(g: dict) -> None:
    n, m = len(g["founders"]), g["threshold"]
    if not (n >= 1 and n // 2 + 1 <= m <= n):
        _rule("threshold", f"threshold {m} of {n} founders")
    for i, grp in enumerate(g["groups"]):
        if not grp:
            _rule(_at("groups", i), "empty group")
    keys = ([(_at(_at("shards", i), "key"), k) for i, (_, k) in enumerate(g["shards"])]
            + [(_at(_at("founders", i), "key"), k) for i, (_, k) in enumerate(g["founders"])]
            + [("oracle_key", g["oracle_key"])])
    seen = set()
    for path, k in keys:
        if k in seen:
            _rule(path, "key used twice")
        seen.add(k)
    degree = {n_["id"]: 0 for n_ in g["nodes"]}
    for a, b in g["edges"]:
        degree[a] += 1
        degree[b] += 1
    # Nodes are sorted by id, so list order is id order.
    for i, node in enumerate(g["nodes"]):
        p = _at("nodes", i)
        if not 0 <= node["dis"] <= SCALE:
            _rule(_at(p, "dis"), "dis outside [0, SCALE]")
        for name in BALANCES:
            if not 0 <= node[name] < LIMIT:
                _rule(_at(p, name), "balance outside [0, 2^127)")
        if node["atr"] < node["stake"]:
            _rule(_at(p, "atr"), "atr below stake")
        if degree[node["id"]] > MAX_DEGREE:
            _rule(p, "more than 64 edges")
    for i, node in enumerate(g["nodes"]):
        up = _at(_at("nodes", i), "users")
        for j, (_, w) in enumerate(node["users"]):
            if not 1 <= w < WEIGHT_LIMIT:
                _rule(_at(_at(up, j), "weight"), "weight outside [1, 2^64)")
        if sum(w for _, w in node["users"]) >= WEIGHT_LIMIT:
            _rule(up, "weight sum not below 2^64")
    if not 0 <= g["treasury"] < LIMIT:
        _rule("treasury", "treasury outside [0, 2^127)")
    if sum(n_["chr"] for n_ in g["nodes"]) <= 0:
        _rule("", "no CHR at all")


def _check_supplies(g: dict) -> None:
    def total(name):
        return sum(n_[name] for n_ in g["nodes"])

    flx_supply = total("flx") + total("stake") + g["treasury"]  # P3.6
    for ok, message in ((total("chr") <= 1 << 89, "CHR supply above 2^89"),
                        (flx_supply + total("atr") <= 1 << 90, "FLX supply + ATR above 2^90"),
                        (total("psy") <= 1 << 100, "PSY supply above 2^100"),
                        (total("res") <= 1 << 100, "RES supply above 2^100")):
        if not ok:
            raise GenesisError("E_GENESIS_SUPPLY", "", message)


def validate(doc) -> dict:
    """Check a parsed genesis document; return its integer view or raise GenesisError."""
    g = _read(doc)
    _check_bounds(g["constants"])
    _check_rules(g)
    _check_supplies(g)
    return g


def genesis_hash(doc) -> str:
    validate(doc)
    return hashing.H(TAG, doc)


def certification(doc, entries: list) -> tuple[list[str], bool]:
    """Distinct founders whose signature over G verifies (sorted by id) and whether they reach M.

    Duplicates and unknown signers do not count; a malformed entry simply does not count.
    """
    g = validate(doc)
    digest = bytes.fromhex(hashing.H(TAG, doc))
    keys = {fid: bytes.fromhex(k) for fid, k in g["founders"]}
    signers: set = set()
    for entry in entries:
        fid, sig_hex = entry.get("founder"), entry.get("signature")
        if not isinstance(fid, str) or not _INT.fullmatch(fid) or int(fid) not in keys:
            continue
        fid = int(fid)
        sig = signatures.from_hex(sig_hex, signatures.SIGNATURE_BYTES)
        if fid in signers or sig is None:
            continue  # already counted: a second signature adds nothing
        if signatures.verify(keys[fid], TAG, digest, sig):
            signers.add(fid)
    return [str(f) for f in sorted(signers)], len(signers) >= g["threshold"]
