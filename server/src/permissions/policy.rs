//! The policy table (权限表): one row per role. Read it as "a ROLE may
//! file cases (or not), write these KINDS, on cases in SCOPE, and edit
//! these FIELDS of an existing case". Anything not in its row is refused.
//! `docs/permissions.md` prints the same table; the tests below go through
//! it row by row.

use paidan_core::{EventKind as K, Role};

/// On which cases a role may write (and, for reading, see [`super::scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Cases it reported or follows (居民: 自己的).
    Own,
    /// Cases in its grids, and its own; the whole street when it has no grids.
    Grid,
    /// Every case of its street (the center).
    Street,
    /// Orders dispatched to its department (now or earlier).
    Department,
    /// No case.
    Nothing,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The role.
    pub role: Role,
    /// May file new cases.
    pub creates: bool,
    /// Event kinds it may add to an existing case (and to its own new one).
    pub kinds: &'static [K],
    /// On which cases.
    pub scope: Scope,
    /// Root fields of an existing case it may edit (`events` is always
    /// append-only and needs a kind above; `photos` is append-only).
    pub fields: &'static [&'static str],
}

/// What the center's dispatchers may write: the whole workflow.
const CENTER: &[K] = &[
    K::Comment,
    K::Triaged,
    K::Dispatched,
    K::ExtensionGranted,
    K::Reminded,
    K::Escalated,
    K::HandledOnSite,
    K::Verified,
    K::VerificationFailed,
    K::Closed,
    K::Callback,
    K::Reopened,
    K::Recurrence,
    K::MergedInto,
    K::Unmerged,
    K::DuplicateLinked,
    K::Voided,
    K::Held,
    K::Resumed,
    K::Reinspected,
];

/// The table.
pub const POLICY: &[Rule] = &[
    Rule {
        role: Role::Resident,
        creates: true,
        kinds: &[K::Comment, K::Callback],
        scope: Scope::Own,
        fields: &["description", "photos"],
    },
    Rule {
        role: Role::GridWorker,
        creates: true,
        kinds: &[K::Comment, K::Reinspected],
        scope: Scope::Grid,
        fields: &["photos"],
    },
    Rule {
        role: Role::PatrolOfficer,
        creates: true,
        kinds: &[
            K::Comment,
            K::HandledOnSite,
            K::Verified,
            K::VerificationFailed,
            K::Reinspected,
        ],
        scope: Scope::Grid,
        fields: &["photos"],
    },
    Rule {
        role: Role::Dispatcher,
        creates: true,
        kinds: CENTER,
        scope: Scope::Street,
        fields: &["description", "photos", "title"],
    },
    Rule {
        role: Role::DeptLiaison,
        creates: false,
        kinds: &[
            K::Comment,
            K::Accepted,
            K::Returned,
            K::Progress,
            K::ExtensionRequested,
            K::Completed,
        ],
        scope: Scope::Department,
        fields: &["photos"],
    },
    Rule {
        role: Role::DeptStaff,
        creates: false,
        kinds: &[K::Comment, K::Progress, K::ExtensionRequested, K::Completed],
        scope: Scope::Department,
        fields: &["photos"],
    },
    Rule {
        role: Role::Evaluator,
        creates: false,
        kinds: &[K::Comment, K::Evaluated],
        scope: Scope::Street,
        fields: &[],
    },
    // Admins manage accounts and configuration; they do not work cases.
    Rule {
        role: Role::Admin,
        creates: false,
        kinds: &[],
        scope: Scope::Nothing,
        fields: &[],
    },
    // The server's own engine writes with its own actor; no device may.
    Rule {
        role: Role::System,
        creates: false,
        kinds: &[],
        scope: Scope::Nothing,
        fields: &[],
    },
];

/// The row of `role`.
pub fn rule(role: Role) -> &'static Rule {
    POLICY
        .iter()
        .find(|r| r.role == role)
        .expect("every role has a row in the policy table")
}

/// The root keys a new case document may have.
pub const CASE_KEYS: &[&str] = &[
    "id",
    "schema",
    "created",
    "category",
    "title",
    "description",
    "location",
    "photos",
    "events",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_exactly_one_row() {
        for role in Role::ALL {
            assert_eq!(
                POLICY.iter().filter(|r| r.role == *role).count(),
                1,
                "{role}"
            );
        }
    }

    #[test]
    fn the_table_row_by_row() {
        let may = |role: Role, kind: K| rule(role).kinds.contains(&kind);
        // 居民: files, comments, signs the callback; nothing of the workflow.
        assert!(rule(Role::Resident).creates);
        assert!(may(Role::Resident, K::Callback) && may(Role::Resident, K::Comment));
        for k in [
            K::Closed,
            K::Dispatched,
            K::Accepted,
            K::Completed,
            K::Triaged,
        ] {
            assert!(!may(Role::Resident, k), "{k:?}");
        }
        assert_eq!(rule(Role::Resident).scope, Scope::Own);
        // 网格员 and 巡查队员: file from their grid; officers handle on site and verify.
        assert!(rule(Role::GridWorker).creates && rule(Role::PatrolOfficer).creates);
        assert!(
            may(Role::PatrolOfficer, K::HandledOnSite) && may(Role::PatrolOfficer, K::Verified)
        );
        assert!(!may(Role::GridWorker, K::Verified) && !may(Role::PatrolOfficer, K::Closed));
        assert_eq!(rule(Role::PatrolOfficer).scope, Scope::Grid);
        // 调度员: the workflow of its street, but not a department's part.
        assert_eq!(rule(Role::Dispatcher).scope, Scope::Street);
        for k in [
            K::Triaged,
            K::Dispatched,
            K::Reminded,
            K::Closed,
            K::MergedInto,
            K::Held,
        ] {
            assert!(may(Role::Dispatcher, k), "{k:?}");
        }
        for k in [K::Accepted, K::Completed, K::Evaluated] {
            assert!(!may(Role::Dispatcher, k), "{k:?}");
        }
        // 接单员 accepts and returns; 部门工作人员 only works accepted orders.
        assert!(may(Role::DeptLiaison, K::Accepted) && may(Role::DeptLiaison, K::Returned));
        assert!(!may(Role::DeptStaff, K::Accepted) && may(Role::DeptStaff, K::Completed));
        assert!(!rule(Role::DeptLiaison).creates && !rule(Role::DeptStaff).creates);
        assert_eq!(rule(Role::DeptStaff).scope, Scope::Department);
        // 测评员 evaluates; admins and the server's role write nothing from a device.
        assert_eq!(rule(Role::Evaluator).kinds, &[K::Comment, K::Evaluated]);
        assert!(rule(Role::Admin).kinds.is_empty() && rule(Role::System).kinds.is_empty());
        // Nobody but the creator's first change writes a report.
        assert!(POLICY.iter().all(|r| !r.kinds.contains(&K::Reported)));
    }
}
