//! Checking incoming changes against the policy, before they are merged.
//!
//! For each case of a request the merge hands over the document as the
//! server holds it (`before`) and the changes that are new to it. The fast
//! path checks them together: every change written with the device's actor
//! id, and the step from the old heads to the new ones allowed. When that
//! fails, the changes are checked one by one in causal order, so the
//! honest ones still go through; a change that depends on a refused one is
//! refused too, with a reason naming the first.
//!
//! Nothing here reads Automerge's `author`-like metadata or trusts what an
//! event says about its writer: the writer is the [`Principal`] the token
//! belongs to.

use super::policy::{CASE_KEYS, Scope, rule};
use crate::auth::Principal;
use automerge::{AutoCommit, Change, ChangeHash, ObjType, PatchAction, Prop, ROOT, ReadDoc};
use paidan_core::{Case, CaseDoc, Event, EventData};
use std::collections::{HashMap, HashSet};

/// What may be merged of one case's changes.
#[derive(Debug)]
pub struct Checked {
    /// The document with the accepted changes.
    pub doc: AutoCommit,
    /// The case read from it (`None` when nothing was accepted of a new case).
    pub case: Option<Case>,
    /// The accepted changes, in the order given.
    pub accepted: Vec<Change>,
    /// Refused changes and why.
    pub refused: Vec<(ChangeHash, String)>,
}

/// Read a document as a case.
pub fn read(doc: &mut AutoCommit) -> Option<Case> {
    let wrapped = CaseDoc::from_automerge(std::mem::take(doc));
    let case = wrapped.read().ok();
    *doc = wrapped.into_automerge();
    case
}

/// Check `changes` (already applied to `after`, which also reads as
/// `after_case`) from `p` against the document `before` (empty for a
/// case the server has not seen).
pub fn check(
    before: &mut AutoCommit,
    mut after: AutoCommit,
    after_case: Case,
    changes: Vec<Change>,
    p: &Principal,
) -> Checked {
    let before_case = read(before);
    let fast = changes
        .iter()
        .try_for_each(|c| actor_is_the_device(c, p))
        .and_then(|()| step(before, before_case.as_ref(), &mut after, &after_case, p));
    if fast.is_ok() {
        return Checked {
            doc: after,
            case: Some(after_case),
            accepted: changes,
            refused: Vec::new(),
        };
    }
    one_by_one(before, before_case, changes, p)
}

fn one_by_one(
    before: &mut AutoCommit,
    before_case: Option<Case>,
    changes: Vec<Change>,
    p: &Principal,
) -> Checked {
    let mut doc = before.fork();
    let mut case = before_case;
    let mut accepted = Vec::new();
    let mut refused: Vec<(ChangeHash, String)> = Vec::new();
    // Refused change -> the first refused change it goes back to.
    let mut root_of: HashMap<ChangeHash, ChangeHash> = HashMap::new();
    for change in changes {
        let hash = change.hash();
        if let Some(first) = change.deps().iter().find_map(|d| root_of.get(d)).copied() {
            let why = refused
                .iter()
                .find(|(h, _)| *h == first)
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            refused.push((
                hash,
                format!(
                    "它基于被拒绝的修改 {} / it builds on refused change {}: {why}",
                    short(&first),
                    short(&first)
                ),
            ));
            root_of.insert(hash, first);
            continue;
        }
        let verdict = actor_is_the_device(&change, p).and_then(|()| {
            let mut trial = doc.fork();
            trial
                .apply_changes([change.clone()])
                .map_err(|e| format!("the change could not be applied ({e})"))?;
            let after = read(&mut trial).ok_or("the change does not leave a readable case")?;
            step(&mut doc, case.as_ref(), &mut trial, &after, p)?;
            Ok((trial, after))
        });
        match verdict {
            Ok((trial, after)) => {
                doc = trial;
                case = Some(after);
                accepted.push(change);
            }
            Err(why) => {
                root_of.insert(hash, hash);
                refused.push((hash, why));
            }
        }
    }
    Checked {
        doc,
        case,
        accepted,
        refused,
    }
}

fn short(h: &ChangeHash) -> String {
    h.to_string()[..12].to_owned()
}

/// A change must be written with the actor id bound to the sending device.
pub fn actor_is_the_device(change: &Change, p: &Principal) -> Result<(), String> {
    if change.actor_id().to_bytes() == p.actor.as_slice() {
        Ok(())
    } else {
        Err("修改不是由本设备写入的 / the change was written by another device's writer id (actor), not this device's".into())
    }
}

/// Is the step from `before` (the server's document, `None` if new) to
/// `after` allowed for `p`?
fn step(
    before: &mut AutoCommit,
    before_case: Option<&Case>,
    after: &mut AutoCommit,
    after_case: &Case,
    p: &Principal,
) -> Result<(), String> {
    let rule = rule(p.role);
    let Some(before_case) = before_case else {
        return creation(after, after_case, p);
    };
    // What the changes touch, path by path.
    let old_heads = before.get_heads();
    let new_heads = after.get_heads();
    let old_items = |doc: &AutoCommit, key: &str| -> HashSet<automerge::ObjId> {
        match doc.get(ROOT, key) {
            Ok(Some((automerge::Value::Object(ObjType::List), list))) => {
                doc.list_range(&list, ..).map(|i| i.id()).collect()
            }
            _ => HashSet::new(),
        }
    };
    let old_events = old_items(before, "events");
    let old_photos = old_items(before, "photos");
    for patch in after.diff(&old_heads, &new_heads) {
        let key = match patch.path.first() {
            Some((_, Prop::Map(k))) => k.clone(),
            Some((_, Prop::Seq(_))) => return Err("the case document's root is not a map".into()),
            None => match &patch.action {
                PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => key.clone(),
                other => return Err(format!("unexpected change at the root ({other})")),
            },
        };
        match key.as_str() {
            "events" | "photos" => {
                let old = if key == "events" {
                    &old_events
                } else {
                    &old_photos
                };
                match patch.path.len() {
                    0 => return Err(format!("{key} cannot be replaced")),
                    1 => {
                        if !matches!(patch.action, PatchAction::Insert { .. }) {
                            return Err(format!(
                                "{key} are append-only: nothing may be removed or rewritten"
                            ));
                        }
                    }
                    n => {
                        let item = if n >= 3 { &patch.path[2].0 } else { &patch.obj };
                        if old.contains(item) {
                            return Err(format!(
                                "an entry of {key} cannot be changed once written"
                            ));
                        }
                    }
                }
                if key == "photos" && !rule.fields.contains(&"photos") {
                    return Err(format!("a {} may not add photos", p.role));
                }
            }
            field => {
                if !rule.fields.contains(&field) {
                    return Err(if CASE_KEYS.contains(&field) {
                        format!("a {} may not change the case's {field}", p.role)
                    } else {
                        format!("{field:?} is not a field of a case")
                    });
                }
            }
        }
    }
    let old_ids: HashSet<_> = before_case.events.iter().map(|e| e.id).collect();
    let new_events: Vec<&Event> = after_case
        .events
        .iter()
        .filter(|e| !old_ids.contains(&e.id))
        .collect();
    // Any edit needs the case in scope, events or not.
    if !in_scope(rule.scope, p, before_case) {
        return Err(out_of_scope(rule.scope));
    }
    for e in new_events {
        event(e, p, false)?;
    }
    Ok(())
}

/// A new case: the standard fields only, filed by the sender in its role.
fn creation(after: &mut AutoCommit, case: &Case, p: &Principal) -> Result<(), String> {
    let rule = rule(p.role);
    if !rule.creates {
        return Err(format!("a {} may not file cases", p.role));
    }
    if let Some(k) = after.keys(ROOT).find(|k| !CASE_KEYS.contains(&k.as_str())) {
        return Err(format!("{k:?} is not a field of a case"));
    }
    if case.created.by != p.user || case.created.role != p.role {
        return Err(claims(&case.created.by, case.created.role, p));
    }
    let code = case.category.as_str();
    if code.is_empty()
        || code.len() > 64
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(format!("{code:?} is not a category code"));
    }
    if case.location.grid.is_some() {
        return Err("the grid is set by triage, not by the reporter".into());
    }
    for (i, e) in case.events.iter().enumerate() {
        event(e, p, i == 0)?;
    }
    Ok(())
}

/// One new event: by the sender, in its role and department, of a kind its
/// row allows (the first event of a new case is its report).
fn event(e: &Event, p: &Principal, first: bool) -> Result<(), String> {
    if e.by != p.user || e.role != p.role || e.dept != p.dept {
        return Err(claims(&e.by, e.role, p));
    }
    let kind = e.data.kind();
    let allowed = if first {
        matches!(e.data, EventData::Reported { .. })
    } else {
        rule(p.role).kinds.contains(&kind)
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "{} 无权写入“{}” / a {} may not write {}",
            p.role,
            kind.as_str(),
            p.role,
            kind.as_str()
        ))
    }
}

fn claims(by: &paidan_core::UserId, role: paidan_core::Role, p: &Principal) -> String {
    format!(
        "the change claims to be by {by} as {role}, but this device is logged in as {} ({})",
        p.user, p.role
    )
}

/// Is `case` within `scope` for `p`?
pub fn in_scope(scope: Scope, p: &Principal, case: &Case) -> bool {
    let own = || {
        case.created.by == p.user || {
            let view = case.view();
            view.reporter.as_ref() == Some(&p.user) || view.followers.contains(&p.user)
        }
    };
    match scope {
        Scope::Nothing => false,
        Scope::Street => true,
        Scope::Own => own(),
        Scope::Grid => {
            p.grids.is_empty() || own() || {
                let view = case.view();
                let grid = view.grid.as_ref().or(case.location.grid.as_ref());
                grid.is_some_and(|g| p.grids.contains(g))
            }
        }
        Scope::Department => p.dept.as_ref().is_some_and(|d| dispatched_to(case, d)),
    }
}

/// Was `case` ever dispatched to `dept` (改派 does not take a department's
/// past orders away from it)?
pub fn dispatched_to(case: &Case, dept: &paidan_core::DeptCode) -> bool {
    case.events.iter().any(|e| match &e.data {
        EventData::Dispatched { departments, .. } => departments.contains(dept),
        _ => false,
    })
}

fn out_of_scope(scope: Scope) -> String {
    match scope {
        Scope::Own => "这不是您的案件 / this is not your case".into(),
        Scope::Grid => "案件不在您的网格 / the case is not in your grid".into(),
        Scope::Department => {
            "此工单未派给您的部门 / the order is not dispatched to your department".into()
        }
        Scope::Street | Scope::Nothing => "您无权处理案件 / this account may not work cases".into(),
    }
}
