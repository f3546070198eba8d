//! §3 genesis: schema, references, bounds, rules, supplies, hash and certification (P3.1-P3.7).
//!
//! Checks run in the spec's order and the first failure decides `(code, field)`. A field is the
//! JSON path of the offending value: `""` for the document, `constants.a_max`,
//! `nodes[3].users[0].weight`.

use crate::certified_math::{limit, SCALE};
use crate::{hashing, signatures};
use ethnum::I256;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

pub const VERSION: &str = "QFS-V13-P3";
pub const TAG: &str = "qfs/v13/genesis";
const ID_LIMIT: u64 = 1 << 63;
const MAX_DEGREE: usize = 64;

const DOC_KEYS: [&str; 11] = [
    "version",
    "chain_id",
    "constants",
    "groups",
    "shards",
    "nodes",
    "edges",
    "treasury",
    "oracle_key",
    "founders",
    "threshold",
];
const NODE_KEYS: [&str; 10] = [
    "id", "shard", "chr", "flx", "stake", "psy", "atr", "res", "dis", "users",
];
pub const BALANCES: [&str; 6] = ["chr", "flx", "stake", "psy", "atr", "res"];

type Constants = BTreeMap<&'static str, I256>;
type Bound = fn(I256, &Constants) -> bool;

fn scale() -> I256 {
    I256::new(SCALE)
}

/// The bound table of §3 in table order. Each check sees all constants (DELTA_MAX and DELTA_CURL
/// are bounded by EPSILON_SYNC); P3.5 adds `EPSILON_SYNC < 2^127`. Written as the spec's
/// inequalities so that each row can be read against the table.
#[allow(clippy::manual_range_contains)]
const BOUNDS: [(&str, &str, Bound); 17] = [
    ("a_max", "1 <= A_MAX <= 64", |x, _| x >= 1 && x <= 64),
    ("base", "0 < BASE <= SCALE", |x, _| x > 0 && x <= scale()),
    ("delta_max", "EPSILON_SYNC <= DELTA_MAX <= SCALE", |x, k| {
        k["epsilon_sync"] <= x && x <= scale()
    }),
    ("epsilon_sync", "0 < EPSILON_SYNC < 2^127", |x, _| {
        x > 0 && x < limit()
    }),
    ("delta_curl", "0 <= DELTA_CURL <= EPSILON_SYNC", |x, k| {
        x >= 0 && x <= k["epsilon_sync"]
    }),
    ("kappa", "0 < KAPPA <= SCALE", |x, _| x > 0 && x <= scale()),
    ("flow_rate", "0 < FLOW_RATE <= SCALE/2", |x, _| {
        x > 0 && x <= scale() / 2
    }),
    ("penalty_rate", "0 <= PENALTY_RATE <= SCALE", |x, _| {
        x >= 0 && x <= scale()
    }),
    ("align_tol", "0 <= ALIGN_TOL < 2^127", |x, _| {
        x >= 0 && x < limit()
    }),
    ("res_rate", "0 <= RES_RATE <= SCALE", |x, _| {
        x >= 0 && x <= scale()
    }),
    ("res_cap_ratio", "0 < RES_CAP_RATIO <= 100*SCALE", |x, _| {
        x > 0 && x <= scale() * 100
    }),
    ("psy_rate", "0 <= PSY_RATE <= SCALE", |x, _| {
        x >= 0 && x <= scale()
    }),
    ("release_rate", "0 < RELEASE_RATE <= SCALE/10", |x, _| {
        x > 0 && x <= scale() / 10
    }),
    (
        "node_commission",
        "0 <= NODE_COMMISSION <= SCALE",
        |x, _| x >= 0 && x <= scale(),
    ),
    ("oracle_window", "0 <= ORACLE_WINDOW <= 16", |x, _| {
        x >= 0 && x <= 16
    }),
    ("halt_epochs", "1 <= HALT_EPOCHS <= 64", |x, _| {
        x >= 1 && x <= 64
    }),
    ("blacklist_after", "1 <= BLACKLIST_AFTER <= 16", |x, _| {
        x >= 1 && x <= 16
    }),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesisError {
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

impl fmt::Display for GenesisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {:?}: {}", self.code, self.field, self.message)
    }
}

impl std::error::Error for GenesisError {}

type Check<T> = Result<T, GenesisError>;

fn fail<T>(code: &'static str, field: &str, message: impl Into<String>) -> Check<T> {
    Err(GenesisError {
        code,
        field: field.to_string(),
        message: message.into(),
    })
}

fn schema<T>(field: &str, message: &str) -> Check<T> {
    fail("E_GENESIS_SCHEMA", field, message)
}

fn rule<T>(field: &str, message: &str) -> Check<T> {
    fail("E_GENESIS_RULE", field, message)
}

fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn at_index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: u64,
    pub shard: u64,
    /// In the order of `BALANCES`: chr, flx, stake, psy, atr, res.
    pub balances: [I256; 6],
    pub dis: I256,
    pub users: Vec<(u64, I256)>,
}

impl Node {
    pub fn balance(&self, name: &str) -> I256 {
        self.balances[BALANCES
            .iter()
            .position(|b| *b == name)
            .expect("a balance name")]
    }
}

/// The integer view of a genesis document that passed the schema walk.
#[derive(Debug, Clone)]
pub struct Genesis {
    pub constants: Constants,
    pub groups: Vec<Vec<u64>>,
    pub shards: Vec<(u64, String)>,
    pub nodes: Vec<Node>,
    pub edges: Vec<(u64, u64)>,
    pub treasury: I256,
    pub oracle_key: String,
    pub founders: Vec<(u64, String)>,
    pub threshold: I256,
}

/// A canonical integer string (`^(0|-?[1-9][0-9]*)$`) of any size. Beyond 76 digits it saturates
/// at the `I256` extremes: every bound and sum here compares against values below `2^128`, so a
/// saturated value fails exactly the checks the true value fails.
pub fn parse_int(s: &str) -> Option<I256> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let canonical = s == "0"
        || (!digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0'));
    if !canonical {
        return None;
    }
    let negative = digits.len() != s.len();
    if digits.len() > 76 {
        return Some(if negative { I256::MIN } else { I256::MAX });
    }
    s.parse().ok()
}

// --- schema helpers: each returns the value read, or fails with the value's own path ---

fn object<'a>(v: &'a Value, keys: &[&str], path: &str) -> Check<&'a Map<String, Value>> {
    let Some(map) = v.as_object() else {
        return schema(path, "not an object");
    };
    if map.len() != keys.len() || !keys.iter().all(|k| map.contains_key(*k)) {
        return schema(path, &format!("key set must be {keys:?}"));
    }
    Ok(map)
}

fn list<'a>(v: &'a Value, path: &str) -> Check<&'a Vec<Value>> {
    v.as_array().map_or_else(|| schema(path, "not a list"), Ok)
}

fn integer(v: &Value, path: &str) -> Check<I256> {
    v.as_str()
        .and_then(parse_int)
        .map_or_else(|| schema(path, "not a canonical integer string"), Ok)
}

fn ident(v: &Value, path: &str) -> Check<u64> {
    let x = integer(v, path)?;
    if x < 0 || x >= I256::from(ID_LIMIT) {
        return schema(path, "id outside [0, 2^63)");
    }
    Ok(x.as_u64())
}

fn key(v: &Value, path: &str) -> Check<String> {
    match v.as_str() {
        Some(s) if signatures::from_hex(s, signatures::PUBLIC_KEY_BYTES).is_some() => Ok(s.into()),
        _ => schema(path, "not 2,592 bytes of lowercase hex"),
    }
}

/// P3.1: an equal neighbour is an order fault too, reported at the later element.
fn strictly_sorted<T: PartialOrd>(items: &[T], path_of: impl Fn(usize) -> String) -> Check<()> {
    for i in 1..items.len() {
        if items[i] <= items[i - 1] {
            return schema(&path_of(i), "out of order or repeated");
        }
    }
    Ok(())
}

/// A list of `{ id, key }` sorted by id: shards and founders.
fn id_key_list(v: &Value, path: &str) -> Check<Vec<(u64, String)>> {
    let mut items = Vec::new();
    for (i, entry) in list(v, path)?.iter().enumerate() {
        let p = at_index(path, i);
        let m = object(entry, &["id", "key"], &p)?;
        items.push((
            ident(&m["id"], &at(&p, "id"))?,
            key(&m["key"], &at(&p, "key"))?,
        ));
    }
    let ids: Vec<u64> = items.iter().map(|(id, _)| *id).collect();
    strictly_sorted(&ids, |i| at_index(path, i))?;
    Ok(items)
}

fn read_node(v: &Value, p: &str, seen_users: &mut HashSet<u64>) -> Check<Node> {
    let m = object(v, &NODE_KEYS, p)?;
    let id = ident(&m["id"], &at(p, "id"))?;
    let shard = ident(&m["shard"], &at(p, "shard"))?;
    let mut balances = [I256::ZERO; 6];
    for (slot, name) in balances.iter_mut().zip(BALANCES) {
        *slot = integer(&m[name], &at(p, name))?;
    }
    let dis = integer(&m["dis"], &at(p, "dis"))?;
    let up = at(p, "users");
    let mut users = Vec::new();
    for (j, u) in list(&m["users"], &up)?.iter().enumerate() {
        let q = at_index(&up, j);
        let um = object(u, &["id", "weight"], &q)?;
        users.push((
            ident(&um["id"], &at(&q, "id"))?,
            integer(&um["weight"], &at(&q, "weight"))?,
        ));
    }
    let ids: Vec<u64> = users.iter().map(|(uid, _)| *uid).collect();
    strictly_sorted(&ids, |j| at_index(&up, j))?;
    // P3.3: uniqueness across nodes, node by node, once this node's users are read and ordered.
    if let Some(j) = ids.iter().position(|uid| seen_users.contains(uid)) {
        return schema(&at_index(&up, j), "user id already on an earlier node");
    }
    seen_users.extend(ids);
    Ok(Node {
        id,
        shard,
        balances,
        dis,
        users,
    })
}

fn read_edge(v: &Value, p: &str) -> Check<(u64, u64)> {
    // P3.2: every fault of an edge is reported at the edge itself.
    let ends: Option<Vec<I256>> = v
        .as_array()
        .filter(|e| e.len() == 2)
        .and_then(|e| e.iter().map(|x| x.as_str().and_then(parse_int)).collect());
    match ends.as_deref() {
        Some(&[a, b]) if a >= 0 && a < b && b < I256::from(ID_LIMIT) => {
            Ok((a.as_u64(), b.as_u64()))
        }
        _ => schema(p, "not a pair of ids a < b"),
    }
}

/// The schema walk (P3.3, depth-first in template key order) and the references (P3.4).
fn read(doc: &Value) -> Check<Genesis> {
    let d = object(doc, &DOC_KEYS, "")?;
    if d["version"].as_str() != Some(VERSION) {
        return schema("version", "wrong version");
    }
    match d["chain_id"].as_str() {
        Some(s) if !s.is_empty() && s.bytes().all(|b| (0x20..=0x7e).contains(&b)) => {}
        _ => return schema("chain_id", "must be non-empty printable ASCII"),
    }

    let names: Vec<&str> = BOUNDS.iter().map(|(n, _, _)| *n).collect();
    let cm = object(&d["constants"], &names, "constants")?;
    let mut constants = Constants::new();
    for (name, _, _) in BOUNDS {
        constants.insert(name, integer(&cm[name], &at("constants", name))?);
    }

    let mut groups = Vec::new();
    for (i, g) in list(&d["groups"], "groups")?.iter().enumerate() {
        let gp = at_index("groups", i);
        let ids = list(g, &gp)?
            .iter()
            .enumerate()
            .map(|(j, s)| ident(s, &at_index(&gp, j)))
            .collect::<Check<Vec<u64>>>()?;
        strictly_sorted(&ids, |j| at_index(&gp, j))?;
        groups.push(ids);
    }
    // Non-empty groups are ordered strictly by their first id; an empty one is a rule fault later.
    let nonempty: Vec<usize> = (0..groups.len())
        .filter(|&i| !groups[i].is_empty())
        .collect();
    for w in nonempty.windows(2) {
        if groups[w[1]][0] <= groups[w[0]][0] {
            return schema(&at_index("groups", w[1]), "groups out of order");
        }
    }

    let shards = id_key_list(&d["shards"], "shards")?;

    let mut nodes = Vec::new();
    let mut seen_users = HashSet::new();
    for (i, v) in list(&d["nodes"], "nodes")?.iter().enumerate() {
        nodes.push(read_node(v, &at_index("nodes", i), &mut seen_users)?);
    }
    let node_ids: Vec<u64> = nodes.iter().map(|n| n.id).collect();
    strictly_sorted(&node_ids, |i| at_index("nodes", i))?;

    let edges = list(&d["edges"], "edges")?
        .iter()
        .enumerate()
        .map(|(i, e)| read_edge(e, &at_index("edges", i)))
        .collect::<Check<Vec<_>>>()?;
    strictly_sorted(&edges, |i| at_index("edges", i))?;

    let treasury = integer(&d["treasury"], "treasury")?;
    let oracle_key = key(&d["oracle_key"], "oracle_key")?;
    let founders = id_key_list(&d["founders"], "founders")?;
    let threshold = integer(&d["threshold"], "threshold")?;

    // References (P3.4), in this order.
    let shard_ids: HashSet<u64> = shards.iter().map(|(id, _)| *id).collect();
    if let Some(i) = groups
        .iter()
        .position(|g| g.iter().any(|s| !shard_ids.contains(s)))
    {
        return schema(&at_index("groups", i), "names a missing shard");
    }
    if let Some(i) = nodes.iter().position(|n| !shard_ids.contains(&n.shard)) {
        return schema(&at(&at_index("nodes", i), "shard"), "missing shard");
    }
    let node_set: HashSet<u64> = node_ids.iter().copied().collect();
    if let Some(i) = edges
        .iter()
        .position(|(a, b)| !node_set.contains(a) || !node_set.contains(b))
    {
        return schema(&at_index("edges", i), "an end is not a node");
    }
    for (i, (sid, _)) in shards.iter().enumerate() {
        if groups.iter().flatten().filter(|s| *s == sid).count() != 1 {
            return schema(&at_index("shards", i), "not in exactly one group");
        }
    }

    Ok(Genesis {
        constants,
        groups,
        shards,
        nodes,
        edges,
        treasury,
        oracle_key,
        founders,
        threshold,
    })
}

fn check_bounds(k: &Constants) -> Check<()> {
    for (name, text, ok) in BOUNDS {
        if !ok(k[name], k) {
            let message = format!(
                "{} ({name}) = {} breaks {text}",
                name.to_uppercase(),
                k[name]
            );
            return fail("E_GENESIS_BOUND", &at("constants", name), message);
        }
    }
    Ok(())
}

fn check_rules(g: &Genesis) -> Check<()> {
    let n = I256::from(g.founders.len() as u64);
    if n < 1 || g.threshold < n / 2 + 1 || g.threshold > n {
        return rule(
            "threshold",
            "threshold M of N founders needs N >= 1, N/2 + 1 <= M <= N",
        );
    }
    if let Some(i) = g.groups.iter().position(|grp| grp.is_empty()) {
        return rule(&at_index("groups", i), "empty group");
    }
    // Keys pairwise distinct; a repeat is reported at the later key, in the order shards,
    // founders, oracle.
    let keyed = g
        .shards
        .iter()
        .enumerate()
        .map(|(i, (_, k))| (at(&at_index("shards", i), "key"), k))
        .chain(
            g.founders
                .iter()
                .enumerate()
                .map(|(i, (_, k))| (at(&at_index("founders", i), "key"), k)),
        )
        .chain([("oracle_key".to_string(), &g.oracle_key)]);
    let mut seen = HashSet::new();
    for (path, k) in keyed {
        if !seen.insert(k) {
            return rule(&path, "key used twice");
        }
    }
    let mut degree: HashMap<u64, usize> = HashMap::new();
    for (a, b) in &g.edges {
        *degree.entry(*a).or_default() += 1;
        *degree.entry(*b).or_default() += 1;
    }
    // Nodes are sorted by id, so list order is id order.
    for (i, node) in g.nodes.iter().enumerate() {
        let p = at_index("nodes", i);
        if node.dis < 0 || node.dis > scale() {
            return rule(&at(&p, "dis"), "dis outside [0, SCALE]");
        }
        for (name, value) in BALANCES.iter().zip(node.balances) {
            if value < 0 || value >= limit() {
                return rule(&at(&p, name), "balance outside [0, 2^127)");
            }
        }
        if node.balance("atr") < node.balance("stake") {
            return rule(&at(&p, "atr"), "atr below stake");
        }
        if degree.get(&node.id).copied().unwrap_or(0) > MAX_DEGREE {
            return rule(&p, "more than 64 edges");
        }
    }
    let weight_limit = I256::ONE << 64;
    for (i, node) in g.nodes.iter().enumerate() {
        let up = at(&at_index("nodes", i), "users");
        for (j, (_, w)) in node.users.iter().enumerate() {
            if *w < 1 || *w >= weight_limit {
                return rule(&at(&at_index(&up, j), "weight"), "weight outside [1, 2^64)");
            }
        }
        if node.users.iter().map(|(_, w)| *w).sum::<I256>() >= weight_limit {
            return rule(&up, "weight sum not below 2^64");
        }
    }
    if g.treasury < 0 || g.treasury >= limit() {
        return rule("treasury", "treasury outside [0, 2^127)");
    }
    if total(g, "chr") <= 0 {
        return rule("", "no CHR at all");
    }
    Ok(())
}

fn total(g: &Genesis, name: &str) -> I256 {
    g.nodes.iter().map(|n| n.balance(name)).sum()
}

fn check_supplies(g: &Genesis) -> Check<()> {
    // P3.6: the FLX supply at genesis is Σ flx + Σ stake + treasury.
    let flx_supply = total(g, "flx") + total(g, "stake") + g.treasury;
    let checks = [
        (total(g, "chr") <= I256::ONE << 89, "CHR supply above 2^89"),
        (
            flx_supply + total(g, "atr") <= I256::ONE << 90,
            "FLX supply + ATR above 2^90",
        ),
        (
            total(g, "psy") <= I256::ONE << 100,
            "PSY supply above 2^100",
        ),
        (
            total(g, "res") <= I256::ONE << 100,
            "RES supply above 2^100",
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        Some((_, message)) => fail("E_GENESIS_SUPPLY", "", *message),
        None => Ok(()),
    }
}

/// Check a parsed genesis document; its integer view, or the first failing check.
pub fn validate(doc: &Value) -> Check<Genesis> {
    let g = read(doc)?;
    check_bounds(&g.constants)?;
    check_rules(&g)?;
    check_supplies(&g)?;
    Ok(g)
}

fn digest(doc: &Value) -> [u8; 32] {
    hashing::digest(TAG, doc).expect("a valid genesis has a canonical form")
}

/// `G = H("qfs/v13/genesis", genesis)` of a valid genesis, lowercase hex.
pub fn genesis_hash(doc: &Value) -> Check<String> {
    validate(doc)?;
    Ok(hex::encode(digest(doc)))
}

/// Distinct founders whose signature over G verifies (as id strings, ascending) and whether they
/// reach the threshold. Duplicates, unknown signers and malformed entries do not count.
pub fn certification(doc: &Value, entries: &[Value]) -> Check<(Vec<String>, bool)> {
    let g = validate(doc)?;
    let g_digest = digest(doc);
    let keys: HashMap<u64, &String> = g.founders.iter().map(|(id, k)| (*id, k)).collect();
    let mut signers = BTreeSet::new();
    for entry in entries {
        let founder = entry
            .get("founder")
            .and_then(Value::as_str)
            .and_then(parse_int);
        let Some(fid) = founder
            .filter(|f| *f >= 0 && *f < I256::from(ID_LIMIT))
            .map(|f| f.as_u64())
        else {
            continue;
        };
        let Some(key_hex) = keys.get(&fid) else {
            continue;
        };
        if signers.contains(&fid) {
            continue; // already counted: a second signature adds nothing
        }
        let sig = entry
            .get("signature")
            .and_then(Value::as_str)
            .and_then(|s| signatures::from_hex(s, signatures::SIGNATURE_BYTES));
        let public_key = hex::decode(key_hex).expect("schema checked the key");
        if sig.is_some_and(|s| signatures::verify(&public_key, TAG, &g_digest, &s)) {
            signers.insert(fid);
        }
    }
    let count = I256::from(signers.len() as u64);
    Ok((
        signers.iter().map(u64::to_string).collect(),
        count >= g.threshold,
    ))
}
