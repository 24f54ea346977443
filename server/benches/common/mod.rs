//! What the benches share.

use paidan_core::Role;
use paidan_server::auth::Principal;

/// A patrol officer's phone back online (its actor, and the principal the
/// server makes of its token), as `patrol-1` of the demo street.
pub fn officer() -> (automerge::ActorId, Principal) {
    let actor = automerge::ActorId::random();
    let principal = Principal {
        device: "bench".into(),
        user: "patrol-1".into(),
        role: Role::PatrolOfficer,
        street: "fuxin".into(),
        dept: None,
        grids: vec![],
        actor: actor.to_bytes().to_vec(),
    };
    (actor, principal)
}
