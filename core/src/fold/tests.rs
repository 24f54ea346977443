//! Table tests of the fold: each event kind where it is valid, each invalid
//! transition (superseded, not dropped), joint orders, concurrent close and
//! return.

use super::*;
use crate::{Channel, EventData as D};

const H: i64 = 3_600_000;

fn dept(code: &str) -> DeptCode {
    DeptCode::from(code)
}

struct T {
    events: Vec<Event>,
    clock: i64,
}

impl T {
    fn reported() -> T {
        let mut t = T {
            events: Vec::new(),
            clock: 1_700_000_000_000,
        };
        t.push(
            "pan",
            Role::Resident,
            None,
            D::Reported {
                channel: Channel::App,
            },
        );
        t
    }
    fn push(&mut self, by: &str, role: Role, d: Option<&str>, data: D) -> &mut T {
        self.clock += 60_000;
        self.events.push(Event {
            id: EventId::new(),
            at: self.clock,
            by: UserId::from(by),
            role,
            dept: d.map(dept),
            data,
        });
        self
    }
    fn center(&mut self, data: D) -> &mut T {
        self.push("ren", Role::Dispatcher, None, data)
    }
    fn dept(&mut self, d: &str, data: D) -> &mut T {
        self.push(&format!("{d}-staff"), Role::DeptLiaison, Some(d), data)
    }
    fn dispatch(&mut self, depts: &[&str]) -> &mut T {
        let deadline = self.clock + 4 * H;
        self.center(D::Dispatched {
            departments: depts.iter().map(|d| dept(d)).collect(),
            deadline,
        })
    }
    fn view(&self) -> CaseView {
        fold(&self.events)
    }
    fn done(note: &str) -> D {
        D::Completed {
            note: note.into(),
            photos: vec![],
        }
    }
}

fn assert_applied(t: &T) {
    let v = t.view();
    assert!(
        v.superseded.is_empty(),
        "unexpected superseded: {:?}",
        v.superseded
    );
}

fn assert_last_superseded(t: &T, why: &str) {
    let v = t.view();
    let last = t.events.len() - 1;
    let s = v
        .superseded
        .iter()
        .find(|s| s.index == last)
        .unwrap_or_else(|| panic!("last event was applied; superseded = {:?}", v.superseded));
    assert!(
        s.reason.contains(why),
        "reason {:?} lacks {why:?}",
        s.reason
    );
}

#[test]
fn a_new_report_waits_for_triage_and_has_its_reporter_as_follower() {
    let t = T::reported();
    let v = t.view();
    assert_eq!(v.status, Status::Reported);
    assert_eq!(v.reporter, Some(UserId::from("pan")));
    assert_eq!(v.followers, vec![UserId::from("pan")]);
    assert_eq!(v.deadline(), None);
}

#[test]
fn triage_then_dispatch_then_accept_then_complete_then_verify_close_callback() {
    let mut t = T::reported();
    t.center(D::Triaged {
        grid: Some(GridId::from("fuxin-garden")),
        departments: vec![dept("urban_mgmt")],
        urgent: false,
        category: None,
    });
    assert_eq!(t.view().status, Status::Triaged);
    t.dispatch(&["urban_mgmt"]);
    assert_eq!(t.view().status, Status::Dispatched);
    assert!(t.view().deadline().is_some());
    t.dept("urban_mgmt", D::Accepted);
    assert_eq!(t.view().status, Status::InProgress);
    t.dept(
        "urban_mgmt",
        D::Progress {
            note: "清运中".into(),
            photos: vec![],
        },
    );
    t.dept("urban_mgmt", T::done("已清运"));
    assert_eq!(t.view().status, Status::Completed);
    assert_eq!(t.view().assignments[0].completed_on_time, Some(true));
    t.center(D::Verified {
        note: String::new(),
    });
    assert_eq!(t.view().status, Status::Verified);
    t.center(D::Closed {
        note: String::new(),
    });
    assert_eq!(t.view().status, Status::Closed);
    t.push(
        "pan",
        Role::Resident,
        None,
        D::Callback {
            satisfaction: Satisfaction::Satisfied,
            comment: "满意".into(),
        },
    );
    let v = t.view();
    assert_applied(&t);
    assert_eq!(v.satisfaction, Some(Satisfaction::Satisfied));
    assert_eq!(v.grid, Some(GridId::from("fuxin-garden")));
}

#[test]
fn a_joint_order_is_complete_only_when_every_department_is() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt", "environment", "market"]);
    for d in ["urban_mgmt", "environment", "market"] {
        t.dept(d, D::Accepted);
    }
    t.dept("urban_mgmt", T::done("垃圾清运"));
    t.dept("environment", T::done("污水治理"));
    assert_eq!(t.view().status, Status::InProgress);
    t.dept("market", T::done("摊点整治"));
    assert_eq!(t.view().status, Status::Completed);
    assert_applied(&t);
}

#[test]
fn a_joint_order_with_two_departments_where_one_returns_goes_back_to_the_dispatcher() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt", "housing"]);
    t.dept("urban_mgmt", D::Accepted);
    t.dept(
        "housing",
        D::Returned {
            reason: "不属于本部门".into(),
        },
    );
    let v = t.view();
    assert_eq!(v.status, Status::Returned);
    assert_eq!(v.returns, 1);
    // The dispatcher re-dispatches (改派) to the right department.
    t.dispatch(&["urban_mgmt", "market"]);
    assert_eq!(t.view().status, Status::Dispatched);
    assert_applied(&t);
}

#[test]
fn a_department_cannot_accept_an_order_dispatched_to_another() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    t.dept("market", D::Accepted);
    assert_last_superseded(&t, "not dispatched to this department");
    assert_eq!(t.view().status, Status::Dispatched);
}

#[test]
fn a_resident_cannot_close_or_dispatch() {
    let mut t = T::reported();
    t.push(
        "pan",
        Role::Resident,
        None,
        D::Closed {
            note: String::new(),
        },
    );
    assert_last_superseded(&t, "only the center");
    t.push(
        "pan",
        Role::Resident,
        None,
        D::Dispatched {
            departments: vec![dept("urban_mgmt")],
            deadline: 1,
        },
    );
    assert_last_superseded(&t, "only the center");
    assert_eq!(t.view().status, Status::Reported);
    assert_eq!(t.view().superseded.len(), 2);
}

#[test]
fn every_invalid_transition_is_kept_as_superseded_with_its_index() {
    // (name, event that is invalid right after a plain report)
    let cases: Vec<(&str, Role, Option<&str>, D)> = vec![
        (
            "accept before dispatch",
            Role::DeptLiaison,
            Some("urban_mgmt"),
            D::Accepted,
        ),
        (
            "return before dispatch",
            Role::DeptLiaison,
            Some("urban_mgmt"),
            D::Returned { reason: "x".into() },
        ),
        (
            "progress before dispatch",
            Role::DeptStaff,
            Some("urban_mgmt"),
            D::Progress {
                note: "x".into(),
                photos: vec![],
            },
        ),
        (
            "complete before dispatch",
            Role::DeptStaff,
            Some("urban_mgmt"),
            T::done("x"),
        ),
        (
            "extension before dispatch",
            Role::DeptLiaison,
            Some("urban_mgmt"),
            D::ExtensionRequested {
                until: i64::MAX,
                reason: "x".into(),
            },
        ),
        (
            "grant with no request",
            Role::Dispatcher,
            None,
            D::ExtensionGranted {
                department: dept("urban_mgmt"),
                until: i64::MAX,
            },
        ),
        (
            "remind before dispatch",
            Role::Dispatcher,
            None,
            D::Reminded {
                department: None,
                stage: ReminderStage::Due,
            },
        ),
        (
            "escalate before dispatch",
            Role::Dispatcher,
            None,
            D::Escalated {
                department: None,
                note: String::new(),
            },
        ),
        (
            "verify before completion",
            Role::Dispatcher,
            None,
            D::Verified {
                note: String::new(),
            },
        ),
        (
            "fail verification before completion",
            Role::Dispatcher,
            None,
            D::VerificationFailed { reason: "x".into() },
        ),
        (
            "close before verification",
            Role::Dispatcher,
            None,
            D::Closed {
                note: String::new(),
            },
        ),
        (
            "callback before close",
            Role::Resident,
            None,
            D::Callback {
                satisfaction: Satisfaction::Satisfied,
                comment: String::new(),
            },
        ),
        (
            "reopen an open case",
            Role::Dispatcher,
            None,
            D::Reopened {
                reason: "x".into(),
                deadline: None,
            },
        ),
        (
            "evaluate an open case",
            Role::Evaluator,
            None,
            D::Evaluated {
                score: 90,
                comment: String::new(),
            },
        ),
        (
            "unmerge what is not merged",
            Role::Dispatcher,
            None,
            D::Unmerged {
                reason: String::new(),
            },
        ),
        (
            "hold before dispatch",
            Role::Dispatcher,
            None,
            D::Held {
                reason: "冬季冻土".into(),
            },
        ),
        (
            "resume what is not held",
            Role::Dispatcher,
            None,
            D::Resumed { deadline: None },
        ),
        (
            "a second report",
            Role::Resident,
            None,
            D::Reported {
                channel: Channel::App,
            },
        ),
        (
            "an unknown kind",
            Role::Dispatcher,
            None,
            D::Unknown {
                kind: "teleported".into(),
                data: serde_json::Value::Null,
            },
        ),
        (
            "void without a reason",
            Role::Dispatcher,
            None,
            D::Voided { reason: " ".into() },
        ),
        (
            "dispatch to nobody",
            Role::Dispatcher,
            None,
            D::Dispatched {
                departments: vec![],
                deadline: 5,
            },
        ),
        (
            "triage by a resident",
            Role::Resident,
            None,
            D::Triaged {
                grid: None,
                departments: vec![],
                urgent: true,
                category: None,
            },
        ),
        (
            "handle on site by a department",
            Role::DeptStaff,
            Some("market"),
            D::HandledOnSite {
                note: "x".into(),
                before: vec![],
                after: vec![],
            },
        ),
    ];
    for (name, role, d, data) in cases {
        let mut t = T::reported();
        t.push("someone", role, d, data);
        let v = t.view();
        assert_eq!(v.superseded.len(), 1, "{name}: {:?}", v.superseded);
        assert_eq!(v.superseded[0].index, 1, "{name}");
        assert_eq!(v.status, Status::Reported, "{name}");
    }
}

#[test]
fn a_concurrent_close_and_return_keeps_the_first_in_list_order_and_supersedes_the_other() {
    // Both written offline against the same completed-and-verified state;
    // after merge the list order puts one first. Try both orders.
    for close_first in [true, false] {
        let mut t = T::reported();
        t.dispatch(&["urban_mgmt"]);
        t.dept("urban_mgmt", D::Accepted);
        t.dept("urban_mgmt", T::done("done"));
        t.center(D::Verified {
            note: String::new(),
        });
        let close = |t: &mut T| {
            t.center(D::Closed {
                note: String::new(),
            });
        };
        let ret = |t: &mut T| {
            t.dept(
                "urban_mgmt",
                D::Returned {
                    reason: "再处理".into(),
                },
            );
        };
        if close_first {
            close(&mut t);
            ret(&mut t);
        } else {
            ret(&mut t);
            close(&mut t);
        }
        let v = t.view();
        assert_eq!(v.superseded.len(), 1, "{:?}", v.superseded);
        let kept = &v.superseded[0];
        if close_first {
            assert_eq!(v.status, Status::Closed);
            assert_eq!(kept.kind, EventKind::Returned);
        } else {
            // The return is itself invalid after verification, so whichever
            // comes first, the return cannot undo a verified order.
            assert_eq!(kept.kind, EventKind::Returned);
            assert_eq!(v.status, Status::Closed);
        }
    }
}

#[test]
fn a_concurrent_complete_and_return_by_two_staff_of_one_department_applies_the_first() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    t.dept("urban_mgmt", D::Accepted);
    t.dept("urban_mgmt", T::done("done"));
    t.dept(
        "urban_mgmt",
        D::Returned {
            reason: "not ours".into(),
        },
    );
    let v = t.view();
    assert_eq!(v.status, Status::Completed);
    assert_eq!(v.superseded.len(), 1);
    assert_eq!(v.superseded[0].kind, EventKind::Returned);
}

#[test]
fn two_officers_handling_the_same_case_on_site_keep_the_first_and_supersede_the_second() {
    let mut t = T::reported();
    let on_site = |note: &str| D::HandledOnSite {
        note: note.into(),
        before: vec![],
        after: vec![],
    };
    t.push("officer-a", Role::PatrolOfficer, None, on_site("盖上井盖"));
    t.push("officer-b", Role::PatrolOfficer, None, on_site("也盖上了"));
    let v = t.view();
    assert_eq!(v.status, Status::Closed);
    assert!(v.handled_on_site);
    assert_eq!(v.superseded.len(), 1);
    assert_eq!(v.superseded[0].index, 2);
}

#[test]
fn completion_after_the_deadline_is_fixed_as_late() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    t.dept("urban_mgmt", D::Accepted);
    t.clock += 10 * H;
    t.dept("urban_mgmt", T::done("late"));
    let v = t.view();
    assert_eq!(v.assignments[0].completed_on_time, Some(false));
}

#[test]
fn overdue_counts_only_open_work_and_not_on_hold() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    let deadline = t.view().deadline().unwrap();
    assert!(!t.view().is_overdue(deadline));
    assert!(t.view().is_overdue(deadline + 1));
    t.center(D::Held {
        reason: "冬季冻土".into(),
    });
    assert_eq!(t.view().status, Status::OnHold);
    assert!(!t.view().is_overdue(deadline + 1));
    t.center(D::Resumed {
        deadline: Some(deadline + 100 * H),
    });
    assert!(!t.view().is_overdue(deadline + 1));
    assert!(t.view().is_overdue(deadline + 101 * H));
    assert_applied(&t);
}

#[test]
fn an_extension_moves_the_deadline_only_when_granted() {
    let mut t = T::reported();
    t.dispatch(&["housing"]);
    t.dept("housing", D::Accepted);
    let before = t.view().deadline().unwrap();
    let until = before + 48 * H;
    t.dept(
        "housing",
        D::ExtensionRequested {
            until,
            reason: "材料未到".into(),
        },
    );
    assert_eq!(t.view().deadline(), Some(before));
    t.center(D::ExtensionGranted {
        department: dept("housing"),
        until,
    });
    assert_eq!(t.view().deadline(), Some(until));
    assert_applied(&t);
}

#[test]
fn reminders_and_escalations_are_counted() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    t.center(D::Reminded {
        department: None,
        stage: ReminderStage::Before,
    });
    t.center(D::Reminded {
        department: None,
        stage: ReminderStage::Overdue,
    });
    t.center(D::Escalated {
        department: None,
        note: "超期".into(),
    });
    let v = t.view();
    assert_eq!(v.reminders, 2);
    assert_eq!(v.escalations, 1);
    assert_eq!(
        v.reminder_stages,
        vec![ReminderStage::Before, ReminderStage::Overdue]
    );
}

#[test]
fn failed_verification_sends_it_back_to_the_department() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    t.dept("urban_mgmt", D::Accepted);
    t.dept("urban_mgmt", T::done("done"));
    t.push(
        "patrol-1",
        Role::PatrolOfficer,
        None,
        D::VerificationFailed {
            reason: "垃圾仍在".into(),
        },
    );
    assert_eq!(t.view().status, Status::InProgress);
    t.dept("urban_mgmt", T::done("done again"));
    assert_eq!(t.view().status, Status::Completed);
    assert_applied(&t);
}

#[test]
fn an_unsatisfied_callback_then_reopen_sends_it_to_the_same_departments() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt", "market"]);
    for d in ["urban_mgmt", "market"] {
        t.dept(d, D::Accepted);
        t.dept(d, T::done("done"));
    }
    t.center(D::Verified {
        note: String::new(),
    });
    t.center(D::Closed {
        note: String::new(),
    });
    t.push(
        "pan",
        Role::Resident,
        None,
        D::Callback {
            satisfaction: Satisfaction::Unsatisfied,
            comment: "又脏了".into(),
        },
    );
    // A second callback is refused.
    t.push(
        "pan",
        Role::Resident,
        None,
        D::Callback {
            satisfaction: Satisfaction::Satisfied,
            comment: String::new(),
        },
    );
    assert_last_superseded(&t, "already");
    t.center(D::Reopened {
        reason: "回访不满意".into(),
        deadline: Some(t.clock + 24 * H),
    });
    let v = t.view();
    assert_eq!(v.status, Status::Dispatched);
    assert_eq!(v.reopens, 1);
    let depts: Vec<_> = v.assignments.iter().map(|a| a.dept.as_str()).collect();
    assert_eq!(depts, ["urban_mgmt", "market"]);
}

#[test]
fn only_the_reporter_or_a_follower_gives_the_callback() {
    let mut t = T::reported();
    t.push(
        "officer",
        Role::PatrolOfficer,
        None,
        D::HandledOnSite {
            note: "x".into(),
            before: vec![],
            after: vec![],
        },
    );
    t.push(
        "stranger",
        Role::Resident,
        None,
        D::Callback {
            satisfaction: Satisfaction::Unsatisfied,
            comment: String::new(),
        },
    );
    assert_last_superseded(&t, "reporter");
}

#[test]
fn merge_and_unmerge_and_duplicates_and_recurrence_links() {
    let target = CaseId::new();
    let mut t = T::reported();
    t.center(D::MergedInto { target });
    assert_eq!(t.view().status, Status::Merged);
    assert_eq!(t.view().merged_into, Some(target));
    t.center(D::Unmerged {
        reason: "不是同一处".into(),
    });
    assert_eq!(t.view().status, Status::Reported);
    assert_eq!(t.view().merged_into, None);
    let dup = CaseId::new();
    t.center(D::DuplicateLinked {
        case: dup,
        reporter: UserId::from("neighbour"),
    });
    let earlier = CaseId::new();
    t.center(D::Recurrence { of: earlier });
    let v = t.view();
    assert_eq!(v.duplicates, vec![dup]);
    assert!(v.followers.contains(&UserId::from("neighbour")));
    assert_eq!(v.recurrence_of, Some(earlier));
    assert_applied(&t);
}

#[test]
fn voiding_is_for_reports_not_yet_at_work() {
    let mut t = T::reported();
    t.center(D::Voided {
        reason: "非本辖区".into(),
    });
    assert_eq!(t.view().status, Status::Voided);
    assert_eq!(t.view().void_reason.as_deref(), Some("非本辖区"));
    t.dispatch(&["urban_mgmt"]);
    assert_last_superseded(&t, "cannot be dispatched");
}

#[test]
fn evaluation_after_close_is_recorded() {
    let mut t = T::reported();
    t.center(D::HandledOnSite {
        note: "x".into(),
        before: vec![],
        after: vec![],
    });
    t.push(
        "eval-1",
        Role::Evaluator,
        None,
        D::Evaluated {
            score: 95,
            comment: "好".into(),
        },
    );
    assert_eq!(t.view().evaluations, vec![95]);
    assert_applied(&t);
}

#[test]
fn allowed_actions_follow_the_same_rules_as_the_fold() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    let v = t.view();
    let staff = UserId::from("u");
    let um = dept("urban_mgmt");
    let liaison = Actor {
        user: &staff,
        role: Role::DeptLiaison,
        dept: Some(&um),
    };
    let actions = v.allowed_actions(&liaison);
    assert!(actions.contains(&EventKind::Accepted));
    assert!(actions.contains(&EventKind::Returned));
    assert!(!actions.contains(&EventKind::Completed));
    let other = dept("market");
    let stranger = Actor {
        user: &staff,
        role: Role::DeptLiaison,
        dept: Some(&other),
    };
    assert!(!v.allowed_actions(&stranger).contains(&EventKind::Accepted));
    let pan = UserId::from("pan");
    let resident = Actor {
        user: &pan,
        role: Role::Resident,
        dept: None,
    };
    assert_eq!(v.allowed_actions(&resident), vec![EventKind::Comment]);
}

#[test]
fn resuming_without_a_deadline_moves_it_by_the_time_on_hold() {
    let mut t = T::reported();
    t.dispatch(&["housing"]);
    let deadline = t.view().deadline().unwrap();
    t.center(D::Held {
        reason: "冬季冻土，开春施工".into(),
    });
    let held_at = t.clock;
    t.clock += 30 * 24 * H;
    t.center(D::Resumed { deadline: None });
    let paused = t.clock - held_at;
    assert_eq!(t.view().deadline(), Some(deadline + paused));
    assert_eq!(t.view().holds, 1);
    assert_applied(&t);
}

#[test]
fn a_closed_case_is_reinspected_by_field_staff_only() {
    let mut t = T::reported();
    t.dispatch(&["urban_mgmt"]);
    t.dept("urban_mgmt", D::Accepted);
    t.dept(
        "urban_mgmt",
        D::Completed {
            note: "鸽棚已拆除".into(),
            photos: vec![],
        },
    );
    t.center(D::Verified {
        note: String::new(),
    });
    t.center(D::Closed {
        note: String::new(),
    });
    t.push(
        "pan",
        Role::Resident,
        None,
        D::Reinspected {
            note: String::new(),
            recurred: false,
        },
    );
    assert_eq!(t.view().superseded.len(), 1);
    t.push(
        "li",
        Role::PatrolOfficer,
        None,
        D::Reinspected {
            note: "未见反弹".into(),
            recurred: false,
        },
    );
    assert_eq!(t.view().reinspections, 1);
    assert_eq!(t.view().superseded.len(), 1);
}

#[test]
fn each_return_is_recorded_with_its_department() {
    let mut t = T::reported();
    t.dispatch(&["market"]);
    t.dept(
        "market",
        D::Returned {
            reason: "不属于本部门职责".into(),
        },
    );
    t.dispatch(&["urban_mgmt"]);
    assert_eq!(t.view().returned_by, vec![dept("market")]);
    assert_eq!(t.view().status, Status::Dispatched);
}
