//! Convergence: three replicas of the same case take random edits and
//! events offline and merge in random orders; every replica ends with the
//! same heads and an identical CaseView. 256 generated programs a run (set
//! PROPTEST_CASES to change it; a failing seed is printed and saved).

use automerge::ActorId;
use paidan_core::testing::{event, new_case};
use paidan_core::{CaseDoc, EventData as D, ReminderStage, Role, Satisfaction};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    /// Replica `r` writes an event of kind `k`.
    Event { r: usize, k: u8 },
    /// Replica `r` rewrites the description.
    Describe { r: usize, text: String },
    /// Replica `to` receives everything `from` has.
    Merge { from: usize, to: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..3usize, 0u8..16).prop_map(|(r, k)| Step::Event { r, k }),
        1 => (0..3usize, "[a-z 后门垃圾]{0,10}").prop_map(|(r, text)| Step::Describe { r, text }),
        2 => (0..3usize, 0..3usize).prop_map(|(from, to)| Step::Merge { from, to }),
    ]
}

fn event_of(k: u8) -> paidan_core::Event {
    let um = Some("urban_mgmt");
    let env = Some("environment");
    match k {
        0 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Dispatched {
                departments: vec!["urban_mgmt".into(), "environment".into()],
                deadline: 1 << 50,
            },
        ),
        1 => event("a", Role::DeptLiaison, um, D::Accepted),
        2 => event("b", Role::DeptLiaison, env, D::Accepted),
        3 => event(
            "a",
            Role::DeptStaff,
            um,
            D::Completed {
                note: "ok".into(),
                photos: vec![],
            },
        ),
        4 => event(
            "b",
            Role::DeptStaff,
            env,
            D::Completed {
                note: "ok".into(),
                photos: vec![],
            },
        ),
        5 => event(
            "a",
            Role::DeptLiaison,
            um,
            D::Returned {
                reason: "不属于".into(),
            },
        ),
        6 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Verified {
                note: String::new(),
            },
        ),
        7 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Closed {
                note: String::new(),
            },
        ),
        8 => event(
            "pan",
            Role::Resident,
            None,
            D::Callback {
                satisfaction: Satisfaction::Unsatisfied,
                comment: "no".into(),
            },
        ),
        9 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Reopened {
                reason: "回访不满意".into(),
                deadline: Some(1 << 51),
            },
        ),
        10 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Reminded {
                department: None,
                stage: ReminderStage::Overdue,
            },
        ),
        11 => event(
            "p1",
            Role::PatrolOfficer,
            None,
            D::HandledOnSite {
                note: "x".into(),
                before: vec![],
                after: vec![],
            },
        ),
        12 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Held {
                reason: "冻土".into(),
            },
        ),
        13 => event("ren", Role::Dispatcher, None, D::Resumed { deadline: None }),
        14 => event(
            "p1",
            Role::PatrolOfficer,
            None,
            D::VerificationFailed {
                reason: "未清".into(),
            },
        ),
        _ => event(
            "pan",
            Role::Resident,
            None,
            D::Comment {
                text: "催一下".into(),
            },
        ),
    }
}

fn merge(docs: &mut [CaseDoc], from: usize, to: usize) {
    if from == to {
        return;
    }
    let have = docs[to].heads();
    let missing = docs[from].changes_since(&have);
    docs[to].apply_changes(missing).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn three_replicas_converge_to_the_same_heads_and_view(
        steps in proptest::collection::vec(step(), 0..40),
        order in Just([0usize, 1, 2]).prop_shuffle(),
    ) {
        let new = new_case("pan", Role::Resident, "sanitation.wastewater", "后门污水", 0);
        let mut origin = CaseDoc::create(&new, &ActorId::random()).unwrap();
        let saved = origin.save();
        let mut docs: Vec<CaseDoc> = (0..3)
            .map(|_| CaseDoc::load(&saved, &ActorId::random()).unwrap())
            .collect();
        for s in &steps {
            match s {
                Step::Event { r, k } => docs[*r].append_event(&event_of(*k)).unwrap(),
                Step::Describe { r, text } => docs[*r].edit_description(text).unwrap(),
                Step::Merge { from, to } => merge(&mut docs, *from, *to),
            }
        }
        // Deliver everything in a random order: each replica pulls from the
        // others in turn, then once more so the last writer's news spreads.
        for _ in 0..2 {
            for &to in &order {
                for &from in &order {
                    merge(&mut docs, from, to);
                }
            }
        }
        let mut heads: Vec<_> = docs.iter_mut().map(|d| { let mut h = d.heads(); h.sort(); h }).collect();
        let views: Vec<_> = docs.iter().map(|d| d.view().unwrap()).collect();
        let cases: Vec<_> = docs.iter().map(|d| d.read().unwrap()).collect();
        prop_assert_eq!(&heads[0], &heads[1]);
        prop_assert_eq!(&heads[1], &heads[2]);
        prop_assert_eq!(&views[0], &views[1]);
        prop_assert_eq!(&views[1], &views[2]);
        prop_assert_eq!(&cases[0], &cases[2]);
        // Nothing anybody wrote was dropped: every event is in the timeline,
        // applied or superseded.
        let written = steps.iter().filter(|s| matches!(s, Step::Event { .. })).count();
        prop_assert_eq!(cases[0].events.len(), written + 1);
        heads.clear();
    }
}
