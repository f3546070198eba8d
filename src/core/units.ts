/**
 * Named integer types, as consensus-specs names `Slot`, `Epoch` and `Gwei`: every one is a bigint,
 * and two different names do not mix — passing a `NodeId` where an `Epoch` is expected is a
 * compile error. The brand is optional, so a plain bigint (a literal, or the result of
 * arithmetic: `S.epoch + 1n`) is accepted wherever a named one is expected; what it catches is
 * one named quantity used as another, which is the mistake worth catching in this code.
 */
declare const unit: unique symbol;
type Named<Name extends string> = bigint & { readonly [unit]?: Name };

/** An epoch number t (SPEC §4, §6). */
export type Epoch = Named<'Epoch'>;
/** A node id (SPEC §3). */
export type NodeId = Named<'NodeId'>;
/** A shard id (SPEC §3). */
export type ShardId = Named<'ShardId'>;
/** A user id (SPEC §3). */
export type UserId = Named<'UserId'>;
/** A founder id (SPEC §3). */
export type FounderId = Named<'FounderId'>;
/** A node's action nonce (SPEC §6). */
export type Nonce = Named<'Nonce'>;
/** An amount of a token in base units (10^18 per token, SPEC §1). */
export type Amount = Named<'Amount'>;
/** A fixed-point ratio scaled by SCALE (ψ, C, dissonance, multipliers; SPEC §1). */
export type Scaled = Named<'Scaled'>;
