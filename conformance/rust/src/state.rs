//! §4 State: the chain's fixed description (from the genesis), the state at epoch 0, the state
//! document and its root `R = H("qfs/v13/state", state)`, hashed as it is written.

use crate::canonical::{self, write_object, Canonical, CanonicalError, Sink};
use crate::certified_math::{check_unsigned, MathViolation};
use crate::genesis::{self, Genesis, GenesisError};
use crate::json::{exact, read_id, read_in, read_unsigned};
use crate::{hashing, psi};
use ethnum::I256;
use serde_json::Value;
use std::collections::HashMap;

pub const TAG: &str = "qfs/v13/state";

// The state document (§4), written member by member: a 100k-node state is hashed without
// building its document (`write_object` sorts the members, so they are listed as §4 names them).

impl Canonical for NodeState {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("id", &self.id),
                ("chr", &self.chr),
                ("flx", &self.flx),
                ("stake", &self.stake),
                ("psy", &self.psy),
                ("atr", &self.atr),
                ("res", &self.res),
                ("dis", &self.dis),
                ("nonce", &self.nonce),
            ],
        )
    }
}

/// A user `(id, flx)`.
struct UserEntry<'a>(&'a (u64, i128));

impl Canonical for UserEntry<'_> {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(out, &mut [("id", &self.0 .0), ("flx", &self.0 .1)])
    }
}

/// A founder `(id, key)`.
struct FounderEntry<'a>(&'a (u64, String));

impl Canonical for FounderEntry<'_> {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(out, &mut [("id", &self.0 .0), ("key", &self.0 .1)])
    }
}

impl Canonical for ShardState {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("id", &self.id),
                ("halted_until", &self.halted_until),
                ("violations", &self.violations),
                ("blacklisted", &self.blacklisted),
            ],
        )
    }
}

impl Canonical for Unstake {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("node", &self.node),
                ("nonce", &self.nonce),
                ("amount", &self.amount),
                ("since", &self.since),
            ],
        )
    }
}

impl Canonical for State {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        let users: Vec<UserEntry> = self.users.iter().map(UserEntry).collect();
        let founders: Vec<FounderEntry> = self.founders.iter().map(FounderEntry).collect();
        write_object(
            out,
            &mut [
                ("genesis", &self.genesis),
                ("epoch", &self.epoch),
                ("mode", &self.mode.as_str()),
                ("nodes", &self.nodes),
                ("users", &users),
                ("treasury", &self.treasury),
                ("chr_pool", &self.chr_pool),
                ("shards", &self.shards),
                ("unstakes", &self.unstakes),
                ("coherence", &self.coherence),
                ("founders", &founders),
                ("last_oracle_epoch", &self.last_oracle_epoch),
            ],
        )
    }
}

/// The constants of §3, as plain integers (the bounds keep every one below `2^127`).
#[derive(Debug, Clone)]
pub struct Constants {
    pub a_max: i128,
    pub base: i128,
    pub delta_max: i128,
    pub epsilon_sync: i128,
    pub delta_curl: i128,
    pub kappa: i128,
    pub flow_rate: i128,
    pub penalty_rate: i128,
    pub align_tol: i128,
    pub res_rate: i128,
    pub res_cap_ratio: i128,
    pub psy_rate: i128,
    pub release_rate: i128,
    pub node_commission: i128,
    pub oracle_window: i128,
    pub halt_epochs: i128,
    pub blacklist_after: i128,
}

impl Constants {
    /// The constant of a lower-case name (`a_max`, …), for callers that override some.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut i128> {
        Some(match name {
            "a_max" => &mut self.a_max,
            "base" => &mut self.base,
            "delta_max" => &mut self.delta_max,
            "epsilon_sync" => &mut self.epsilon_sync,
            "delta_curl" => &mut self.delta_curl,
            "kappa" => &mut self.kappa,
            "flow_rate" => &mut self.flow_rate,
            "penalty_rate" => &mut self.penalty_rate,
            "align_tol" => &mut self.align_tol,
            "res_rate" => &mut self.res_rate,
            "res_cap_ratio" => &mut self.res_cap_ratio,
            "psy_rate" => &mut self.psy_rate,
            "release_rate" => &mut self.release_rate,
            "node_commission" => &mut self.node_commission,
            "oracle_window" => &mut self.oracle_window,
            "halt_epochs" => &mut self.halt_epochs,
            "blacklist_after" => &mut self.blacklist_after,
            _ => return None,
        })
    }
}

/// The supplies of §4 (exact: a sum of values below `2^127`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplies {
    /// `Σ chr + chr_pool`.
    pub chr: I256,
    /// `Σ flx + Σ stake + Σ users.flx + treasury`.
    pub flx: I256,
    pub psy: I256,
    pub atr: I256,
    pub res: I256,
}

/// What the genesis fixes for ever: topology, constants, keys, users and their weights.
/// Nodes, shards, edges and users are addressed by their index in id order.
#[derive(Debug, Clone)]
pub struct Chain {
    pub genesis_hash: String,
    pub k: Constants,
    pub node_ids: Vec<u64>,
    pub node_index: HashMap<u64, usize>,
    /// Index of each node's shard in `shard_ids`.
    pub node_shard: Vec<usize>,
    /// Each node's users `(user id, weight)` in id order, and their weight sum.
    pub node_users: Vec<Vec<(u64, i128)>>,
    pub node_weight: Vec<i128>,
    /// Every user `(user id, node index)`, in user id order.
    pub users: Vec<(u64, usize)>,
    /// Edges as node indices `(a, b)`, `a < b`, in edge order.
    pub edges: Vec<(usize, usize)>,
    pub shard_ids: Vec<u64>,
    pub shard_index: HashMap<u64, usize>,
    pub shard_nodes: Vec<Vec<usize>>,
    pub shard_keys: Vec<Vec<u8>>,
    pub groups: Vec<Vec<u64>>,
    pub oracle_key: Vec<u8>,
    pub founders: Vec<(u64, String)>,
    /// The genesis Σ chr, which the CHR supply keeps for ever.
    pub chr_supply: i128,
}

impl Chain {
    /// The chain of a genesis document that passes every check of §3.
    pub fn new(doc: &Value) -> Result<Chain, GenesisError> {
        let g: Genesis = genesis::validate(doc)?;
        // `validate` passed: the hash needs no second check.
        let genesis_hash =
            hashing::h(genesis::TAG, doc).expect("a valid genesis has a canonical form");
        let c = |name: &str| g.constants[name].as_i128();
        let k = Constants {
            a_max: c("a_max"),
            base: c("base"),
            delta_max: c("delta_max"),
            epsilon_sync: c("epsilon_sync"),
            delta_curl: c("delta_curl"),
            kappa: c("kappa"),
            flow_rate: c("flow_rate"),
            penalty_rate: c("penalty_rate"),
            align_tol: c("align_tol"),
            res_rate: c("res_rate"),
            res_cap_ratio: c("res_cap_ratio"),
            psy_rate: c("psy_rate"),
            release_rate: c("release_rate"),
            node_commission: c("node_commission"),
            oracle_window: c("oracle_window"),
            halt_epochs: c("halt_epochs"),
            blacklist_after: c("blacklist_after"),
        };
        let shard_ids: Vec<u64> = g.shards.iter().map(|(id, _)| *id).collect();
        let shard_index: HashMap<u64, usize> =
            shard_ids.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let node_ids: Vec<u64> = g.nodes.iter().map(|n| n.id).collect();
        let node_index: HashMap<u64, usize> =
            node_ids.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let node_shard: Vec<usize> = g.nodes.iter().map(|n| shard_index[&n.shard]).collect();
        let mut shard_nodes = vec![Vec::new(); shard_ids.len()];
        for (i, s) in node_shard.iter().enumerate() {
            shard_nodes[*s].push(i);
        }
        let node_users: Vec<Vec<(u64, i128)>> = g
            .nodes
            .iter()
            .map(|n| n.users.iter().map(|(u, w)| (*u, w.as_i128())).collect())
            .collect();
        let node_weight = node_users
            .iter()
            .map(|us| us.iter().map(|(_, w)| *w).sum())
            .collect();
        let mut users: Vec<(u64, usize)> = node_users
            .iter()
            .enumerate()
            .flat_map(|(i, us)| us.iter().map(move |(u, _)| (*u, i)))
            .collect();
        users.sort_unstable();
        let edges = g
            .edges
            .iter()
            .map(|(a, b)| (node_index[a], node_index[b]))
            .collect();
        let chr_supply = g
            .nodes
            .iter()
            .map(|n| n.balance("chr"))
            .sum::<I256>()
            .as_i128();
        let key = |h: &String| hex::decode(h).expect("the schema checked every key");
        Ok(Chain {
            genesis_hash,
            k,
            node_ids,
            node_index,
            node_shard,
            node_users,
            node_weight,
            users,
            edges,
            shard_ids,
            shard_index,
            shard_nodes,
            shard_keys: g.shards.iter().map(|(_, k)| key(k)).collect(),
            groups: g.groups.clone(),
            oracle_key: key(&g.oracle_key),
            founders: g.founders.clone(),
            chr_supply,
        })
    }

    pub fn n_nodes(&self) -> usize {
        self.node_ids.len()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeState {
    pub id: u64,
    pub chr: i128,
    pub flx: i128,
    pub stake: i128,
    pub psy: i128,
    pub atr: i128,
    pub res: i128,
    pub dis: i128,
    pub nonce: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardState {
    pub id: u64,
    pub halted_until: i128,
    pub violations: i128,
    pub blacklisted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unstake {
    pub node: u64,
    pub nonce: i128,
    pub amount: i128,
    pub since: i128,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Safe,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Safe => "safe",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub genesis: String,
    pub epoch: i128,
    pub mode: Mode,
    /// In node id order: index `i` is the chain's node `i`.
    pub nodes: Vec<NodeState>,
    /// `(user id, flx)` in user id order: index `j` is the chain's user `j`.
    pub users: Vec<(u64, i128)>,
    pub treasury: i128,
    pub chr_pool: i128,
    pub shards: Vec<ShardState>,
    /// Sorted by `(node, nonce)`.
    pub unstakes: Vec<Unstake>,
    pub coherence: i128,
    pub founders: Vec<(u64, String)>,
    pub last_oracle_epoch: i128,
}

impl State {
    /// The state at epoch 0 (§4): genesis balances, nonce 0, users at 0, `chr_pool = 0`, every
    /// shard clear, no unstakes, `coherence` = C of the genesis field.
    pub fn genesis(chain: &Chain, doc: &Value) -> Result<State, MathViolation> {
        let g = genesis::validate(doc).expect("the chain was built from this genesis");
        let nodes: Vec<NodeState> = g
            .nodes
            .iter()
            .map(|n| NodeState {
                id: n.id,
                chr: n.balance("chr").as_i128(),
                flx: n.balance("flx").as_i128(),
                stake: n.balance("stake").as_i128(),
                psy: n.balance("psy").as_i128(),
                atr: n.balance("atr").as_i128(),
                res: n.balance("res").as_i128(),
                dis: n.dis.as_i128(),
                nonce: 0,
            })
            .collect();
        let field = psi::Field::compute(chain, &nodes)?;
        Ok(State {
            genesis: chain.genesis_hash.clone(),
            epoch: 0,
            mode: Mode::Normal,
            nodes,
            users: chain.users.iter().map(|(u, _)| (*u, 0)).collect(),
            treasury: check_unsigned(g.treasury)?,
            chr_pool: 0,
            shards: chain
                .shard_ids
                .iter()
                .map(|id| ShardState {
                    id: *id,
                    halted_until: 0,
                    violations: 0,
                    blacklisted: false,
                })
                .collect(),
            unstakes: Vec::new(),
            coherence: field.c,
            founders: chain.founders.clone(),
            last_oracle_epoch: 0,
        })
    }

    /// The state document (§4), as the vectors carry it.
    pub fn to_value(&self) -> Value {
        canonical::to_value(self)
    }

    /// `R = H("qfs/v13/state", state)`, lowercase hex.
    pub fn root(&self) -> String {
        hashing::h(TAG, self).expect("a state always has a canonical form")
    }

    /// A state document of this chain (as the vectors carry it), read strictly: every key, canonical
    /// integers in range, the chain's node, user and shard ids in order, unstakes sorted.
    pub fn from_value(chain: &Chain, v: &Value) -> Result<State, String> {
        const KEYS: [&str; 12] = [
            "genesis",
            "epoch",
            "mode",
            "nodes",
            "users",
            "treasury",
            "chr_pool",
            "shards",
            "unstakes",
            "coherence",
            "founders",
            "last_oracle_epoch",
        ];
        let m = exact(v, &KEYS).ok_or("state: key set")?;
        let bad = |what: &str| format!("state: {what}");
        let amount = |v: &Value, what: &str| read_unsigned(v).ok_or_else(|| bad(what));
        let epoch_of =
            |v: &Value, what: &str| read_id(v).map(|x| x as i128).ok_or_else(|| bad(what));
        let genesis = m["genesis"]
            .as_str()
            .ok_or_else(|| bad("genesis"))?
            .to_string();
        let mode = match m["mode"].as_str() {
            Some("normal") => Mode::Normal,
            Some("safe") => Mode::Safe,
            _ => return Err(bad("mode")),
        };
        let list = |k: &str| m[k].as_array().ok_or_else(|| bad(k));
        let mut nodes = Vec::new();
        for (i, n) in list("nodes")?.iter().enumerate() {
            let keys = [
                "id", "chr", "flx", "stake", "psy", "atr", "res", "dis", "nonce",
            ];
            let nm = exact(n, &keys).ok_or_else(|| bad("node key set"))?;
            let id = read_id(&nm["id"]).ok_or_else(|| bad("node id"))?;
            if chain.node_ids.get(i) != Some(&id) {
                return Err(bad("node ids differ from the genesis"));
            }
            let dis = read_in(
                &nm["dis"],
                I256::ZERO,
                I256::new(crate::certified_math::SCALE) + 1,
            )
            .ok_or_else(|| bad("dis"))?
            .as_i128();
            nodes.push(NodeState {
                id,
                chr: amount(&nm["chr"], "chr")?,
                flx: amount(&nm["flx"], "flx")?,
                stake: amount(&nm["stake"], "stake")?,
                psy: amount(&nm["psy"], "psy")?,
                atr: amount(&nm["atr"], "atr")?,
                res: amount(&nm["res"], "res")?,
                dis,
                nonce: amount(&nm["nonce"], "nonce")?,
            });
        }
        if nodes.len() != chain.n_nodes() {
            return Err(bad("node count"));
        }
        let mut users = Vec::new();
        for (j, u) in list("users")?.iter().enumerate() {
            let um = exact(u, &["id", "flx"]).ok_or_else(|| bad("user key set"))?;
            let id = read_id(&um["id"]).ok_or_else(|| bad("user id"))?;
            if chain.users.get(j).map(|(u, _)| *u) != Some(id) {
                return Err(bad("user ids differ from the genesis"));
            }
            users.push((id, amount(&um["flx"], "user flx")?));
        }
        if users.len() != chain.users.len() {
            return Err(bad("user count"));
        }
        let mut shards = Vec::new();
        for (i, s) in list("shards")?.iter().enumerate() {
            let keys = ["id", "halted_until", "violations", "blacklisted"];
            let sm = exact(s, &keys).ok_or_else(|| bad("shard key set"))?;
            let id = read_id(&sm["id"]).ok_or_else(|| bad("shard id"))?;
            if chain.shard_ids.get(i) != Some(&id) {
                return Err(bad("shard ids differ from the genesis"));
            }
            shards.push(ShardState {
                id,
                halted_until: epoch_of(&sm["halted_until"], "halted_until")?,
                violations: amount(&sm["violations"], "violations")?,
                blacklisted: sm["blacklisted"]
                    .as_bool()
                    .ok_or_else(|| bad("blacklisted"))?,
            });
        }
        if shards.len() != chain.shard_ids.len() {
            return Err(bad("shard count"));
        }
        let mut unstakes: Vec<Unstake> = Vec::new();
        for u in list("unstakes")? {
            let keys = ["node", "nonce", "amount", "since"];
            let um = exact(u, &keys).ok_or_else(|| bad("unstake key set"))?;
            let node = read_id(&um["node"]).ok_or_else(|| bad("unstake node"))?;
            if !chain.node_index.contains_key(&node) {
                return Err(bad("unstake of an unknown node"));
            }
            let entry = Unstake {
                node,
                nonce: amount(&um["nonce"], "unstake nonce")?,
                amount: amount(&um["amount"], "unstake amount")?,
                since: epoch_of(&um["since"], "unstake since")?,
            };
            if let Some(last) = unstakes.last() {
                if (last.node, last.nonce) >= (entry.node, entry.nonce) {
                    return Err(bad("unstakes out of order"));
                }
            }
            unstakes.push(entry);
        }
        let mut founders = Vec::new();
        for f in list("founders")? {
            let fm = exact(f, &["id", "key"]).ok_or_else(|| bad("founder key set"))?;
            let id = read_id(&fm["id"]).ok_or_else(|| bad("founder id"))?;
            let key = fm["key"].as_str().ok_or_else(|| bad("founder key"))?;
            founders.push((id, key.to_string()));
        }
        Ok(State {
            genesis,
            epoch: epoch_of(&m["epoch"], "epoch")?,
            mode,
            nodes,
            users,
            treasury: amount(&m["treasury"], "treasury")?,
            chr_pool: amount(&m["chr_pool"], "chr_pool")?,
            shards,
            unstakes,
            coherence: amount(&m["coherence"], "coherence")?,
            founders,
            last_oracle_epoch: epoch_of(&m["last_oracle_epoch"], "last_oracle_epoch")?,
        })
    }

    pub fn supplies(&self) -> Supplies {
        let total = |f: fn(&NodeState) -> i128| -> I256 {
            self.nodes.iter().map(|n| I256::new(f(n))).sum()
        };
        let users: I256 = self.users.iter().map(|(_, x)| I256::new(*x)).sum();
        Supplies {
            chr: total(|n| n.chr) + I256::new(self.chr_pool),
            flx: total(|n| n.flx) + total(|n| n.stake) + users + I256::new(self.treasury),
            psy: total(|n| n.psy),
            atr: total(|n| n.atr),
            res: total(|n| n.res),
        }
    }

    /// Shards active in epoch `t` (§4): normal mode, not blacklisted, `halted_until < t`.
    pub fn active(&self, t: i128) -> Vec<u64> {
        if self.mode != Mode::Normal {
            return Vec::new();
        }
        self.shards
            .iter()
            .filter(|s| !s.blacklisted && s.halted_until < t)
            .map(|s| s.id)
            .collect()
    }
}
