//! The workflow fold: `fold(events) -> CaseView`.
//!
//! One pure, deterministic function that clients and the server share. It
//! walks the event list in document order (which every replica agrees on
//! once they have the same changes) and applies each event only if it is
//! valid at that point; an invalid one, such as the second of two
//! concurrent closes, is kept in [`CaseView::superseded`] with the reason,
//! never dropped.
//!
//! Validity is decided by one function, [`CaseView::check`], which both the
//! fold and the "what may I do next" question ([`CaseView::allowed_actions`])
//! use, so a client never offers an action the fold would then ignore.
//!
//! The fold reads the role and department an event claims. Whether the
//! author really holds that role is the server's check when the change
//! arrives (the permissions layer), not the fold's.

#[cfg(test)]
mod tests;

use crate::{
    CaseId, DeptCode, Event, EventData, EventId, EventKind, GridId, ReminderStage, Role,
    Satisfaction, UserId,
};
use serde::{Deserialize, Serialize};

/// Where a case is in its life (办理状态).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 待受理: reported, not yet looked at.
    Reported,
    /// 已立案: triaged, waiting to be dispatched.
    Triaged,
    /// 已派单: dispatched, not yet accepted by every department.
    Dispatched,
    /// 处置中: accepted and being worked on.
    InProgress,
    /// 已退单: a department returned it; back with the dispatcher.
    Returned,
    /// 挂账: on hold, the clock stopped.
    OnHold,
    /// 已办结: every department completed; waiting for verification.
    Completed,
    /// 已核查: verified on site; waiting to be closed.
    Verified,
    /// 已结案.
    Closed,
    /// 重复: merged into another open case.
    Merged,
    /// 已注销: not a case.
    Voided,
}

impl Status {
    /// Still needs somebody to act (not closed, merged or voided).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Merged | Status::Voided)
    }

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Triaged => "triaged",
            Status::Dispatched => "dispatched",
            Status::InProgress => "in_progress",
            Status::Returned => "returned",
            Status::OnHold => "on_hold",
            Status::Completed => "completed",
            Status::Verified => "verified",
            Status::Closed => "closed",
            Status::Merged => "merged",
            Status::Voided => "voided",
        }
    }

    /// Every status.
    pub const ALL: &'static [Status] = &[
        Status::Reported,
        Status::Triaged,
        Status::Dispatched,
        Status::InProgress,
        Status::Returned,
        Status::OnHold,
        Status::Completed,
        Status::Verified,
        Status::Closed,
        Status::Merged,
        Status::Voided,
    ];

    /// Parse the text form.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.iter().copied().find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one department's part of an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Dispatched, not yet accepted (待接单).
    Pending,
    /// Accepted, at work (已接单).
    Accepted,
    /// Returned to the dispatcher (已退单).
    Returned,
    /// Reported done (已办结).
    Completed,
}

/// One department's part of an order (a joint order has several).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The department.
    pub dept: DeptCode,
    /// Its state.
    pub state: AssignmentState,
    /// When it was dispatched (ms).
    pub dispatched_at: i64,
    /// Its deadline (ms); moved by a granted extension.
    pub deadline: i64,
    /// When it accepted (ms).
    pub accepted_at: Option<i64>,
    /// When it completed (ms).
    pub completed_at: Option<i64>,
    /// Fixed when it completed: was that on or before the deadline then?
    pub completed_on_time: Option<bool>,
    /// A pending extension request: the deadline asked for.
    pub extension_requested: Option<i64>,
    /// Why it was returned, if it was.
    pub returned_reason: Option<String>,
}

/// An event that was not applied, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superseded {
    /// Its position in the timeline.
    pub index: usize,
    /// Its id.
    pub id: EventId,
    /// Its kind.
    pub kind: EventKind,
    /// Why it was not applied.
    pub reason: String,
}

/// The state of a case, derived from its events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    /// Current status.
    pub status: Status,
    /// The reporter (the author of the `reported` event).
    pub reporter: Option<UserId>,
    /// Department parts, in dispatch order.
    pub assignments: Vec<Assignment>,
    /// Departments suggested at triage.
    pub suggested: Vec<DeptCode>,
    /// Grid set at triage.
    pub grid: Option<GridId>,
    /// Urgent flag from triage.
    pub urgent: bool,
    /// A corrected category from triage.
    pub category_override: Option<crate::CategoryCode>,
    /// Reminders (催办) sent.
    pub reminders: u32,
    /// Which reminder stages were sent in the current work period.
    pub reminder_stages: Vec<ReminderStage>,
    /// Escalations (督办).
    pub escalations: u32,
    /// Times returned (退单).
    pub returns: u32,
    /// The department of each return, in order (for its figures).
    pub returned_by: Vec<DeptCode>,
    /// Re-inspections (复查) of the place after closing.
    pub reinspections: u32,
    /// Times reopened (重办).
    pub reopens: u32,
    /// Times put on hold (挂账).
    pub holds: u32,
    /// On hold now.
    pub on_hold: bool,
    /// Since when (ms), while on hold: resuming moves the deadlines by
    /// the time spent on hold (the clock stopped).
    pub held_at: Option<i64>,
    /// The last callback's verdict (回访).
    pub satisfaction: Option<Satisfaction>,
    /// The last callback's comment.
    pub callback_comment: Option<String>,
    /// Callback given since the last close.
    pub callback_done: bool,
    /// Evaluators' scores.
    pub evaluations: Vec<u8>,
    /// Merged into this open case.
    pub merged_into: Option<CaseId>,
    /// A recurrence of this earlier case.
    pub recurrence_of: Option<CaseId>,
    /// Duplicates linked to this case.
    pub duplicates: Vec<CaseId>,
    /// People who follow this case (the reporter and duplicates' reporters).
    pub followers: Vec<UserId>,
    /// Closed on site (现场处置).
    pub handled_on_site: bool,
    /// When it was reported, dispatched first, closed last (ms).
    pub reported_at: Option<i64>,
    /// First dispatch.
    pub first_dispatched_at: Option<i64>,
    /// Last close.
    pub closed_at: Option<i64>,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// Events that were not applied.
    pub superseded: Vec<Superseded>,
    /// Time of the last applied event.
    pub updated_at: i64,
}

/// Phase of the life cycle; the status is derived from it and the
/// assignments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Intake,
    Work,
    Verified,
    Closed,
    Merged,
    Voided,
}

/// Fold a timeline into a view. Pure and deterministic.
pub fn fold(events: &[Event]) -> CaseView {
    let mut f = Folder::new();
    for (index, event) in events.iter().enumerate() {
        match f.check(event, index == 0) {
            Ok(()) => f.apply(event),
            Err(reason) => f.view.superseded.push(Superseded {
                index,
                id: event.id,
                kind: event.data.kind(),
                reason,
            }),
        }
    }
    f.view.status = f.status();
    f.view
}

struct Folder {
    phase: Phase,
    triaged: bool,
    view: CaseView,
}

/// Who is acting, for the "what may I do" question.
#[derive(Clone, Debug)]
pub struct Actor<'a> {
    /// User id.
    pub user: &'a UserId,
    /// Role.
    pub role: Role,
    /// Department, for department roles.
    pub dept: Option<&'a DeptCode>,
}

impl CaseView {
    /// Overdue at `now` (ms): at work, not on hold, and past a deadline of a
    /// department that has not completed.
    pub fn is_overdue(&self, now: i64) -> bool {
        self.deadline().is_some_and(|d| now > d)
    }

    /// The earliest deadline of the departments still at work, while the
    /// order is at work and not on hold.
    pub fn deadline(&self) -> Option<i64> {
        if !matches!(
            self.status,
            Status::Dispatched | Status::InProgress | Status::Returned
        ) {
            return None;
        }
        self.assignments
            .iter()
            .filter(|a| {
                matches!(
                    a.state,
                    AssignmentState::Pending | AssignmentState::Accepted
                )
            })
            .map(|a| a.deadline)
            .min()
    }

    /// The assignment of `dept`, if the order was dispatched to it.
    pub fn assignment(&self, dept: &DeptCode) -> Option<&Assignment> {
        self.assignments.iter().find(|a| &a.dept == dept)
    }

    /// The actions `actor` may take next, in the order of [`EventKind::WRITABLE`].
    pub fn allowed_actions(&self, actor: &Actor<'_>) -> Vec<EventKind> {
        let f = Folder::from_view(self.clone());
        EventKind::WRITABLE
            .iter()
            .copied()
            .filter(|k| {
                f.permits(*k, actor.role, actor.dept, actor.user, false)
                    .is_ok()
            })
            .collect()
    }
}

fn is_center(role: Role) -> bool {
    role.is_center()
}

impl Folder {
    fn new() -> Folder {
        Folder {
            phase: Phase::Intake,
            triaged: false,
            view: CaseView {
                status: Status::Reported,
                reporter: None,
                assignments: Vec::new(),
                suggested: Vec::new(),
                grid: None,
                urgent: false,
                category_override: None,
                reminders: 0,
                reminder_stages: Vec::new(),
                escalations: 0,
                returns: 0,
                returned_by: Vec::new(),
                reinspections: 0,
                reopens: 0,
                holds: 0,
                on_hold: false,
                held_at: None,
                satisfaction: None,
                callback_comment: None,
                callback_done: false,
                evaluations: Vec::new(),
                merged_into: None,
                recurrence_of: None,
                duplicates: Vec::new(),
                followers: Vec::new(),
                handled_on_site: false,
                reported_at: None,
                first_dispatched_at: None,
                closed_at: None,
                void_reason: None,
                superseded: Vec::new(),
                updated_at: 0,
            },
        }
    }

    /// Rebuild the internal phase from a finished view (for `allowed_actions`).
    fn from_view(view: CaseView) -> Folder {
        let phase = match view.status {
            Status::Reported | Status::Triaged => Phase::Intake,
            Status::Dispatched
            | Status::InProgress
            | Status::Returned
            | Status::OnHold
            | Status::Completed => Phase::Work,
            Status::Verified => Phase::Verified,
            Status::Closed => Phase::Closed,
            Status::Merged => Phase::Merged,
            Status::Voided => Phase::Voided,
        };
        Folder {
            phase,
            triaged: view.status != Status::Reported,
            view,
        }
    }

    fn status(&self) -> Status {
        match self.phase {
            Phase::Merged => Status::Merged,
            Phase::Voided => Status::Voided,
            Phase::Closed => Status::Closed,
            Phase::Verified => Status::Verified,
            Phase::Intake if self.triaged => Status::Triaged,
            Phase::Intake => Status::Reported,
            Phase::Work if self.view.on_hold => Status::OnHold,
            Phase::Work => {
                let a = &self.view.assignments;
                if a.iter().any(|x| x.state == AssignmentState::Returned) {
                    Status::Returned
                } else if !a.is_empty() && a.iter().all(|x| x.state == AssignmentState::Completed) {
                    Status::Completed
                } else if a.iter().any(|x| {
                    matches!(
                        x.state,
                        AssignmentState::Accepted | AssignmentState::Completed
                    )
                }) {
                    Status::InProgress
                } else {
                    Status::Dispatched
                }
            }
        }
    }

    fn assignment_state(&self, dept: Option<&DeptCode>) -> Option<AssignmentState> {
        let dept = dept?;
        self.view
            .assignments
            .iter()
            .find(|a| &a.dept == dept)
            .map(|a| a.state)
    }

    /// May `role` (of `dept`, as `user`) write an event of `kind` now? The
    /// data-independent half of validity; `first` is true for the first
    /// event of the timeline.
    fn permits(
        &self,
        kind: EventKind,
        role: Role,
        dept: Option<&DeptCode>,
        user: &UserId,
        first: bool,
    ) -> Result<(), String> {
        use EventKind as K;
        let status = self.status();
        let center = is_center(role);
        let field = role.is_field();
        let deny = |why: &str| Err(why.to_owned());
        if first != (kind == K::Reported) {
            return deny(if first {
                "a case must begin with its report"
            } else {
                "a case is reported only once"
            });
        }
        let in_dept = || {
            if !role.is_department() {
                return Err("only a department may do this".to_owned());
            }
            self.assignment_state(dept)
                .ok_or_else(|| "the order is not dispatched to this department".to_owned())
        };
        let center_only = || {
            if center {
                Ok(())
            } else {
                Err("only the center may do this".to_owned())
            }
        };
        let work_open = self.phase == Phase::Work && !self.view.on_hold;
        match kind {
            K::Reported => Ok(()),
            K::Comment => Ok(()),
            K::Triaged => {
                center_only()?;
                if self.phase != Phase::Intake {
                    return deny("only a new report can be triaged");
                }
                Ok(())
            }
            K::Dispatched => {
                center_only()?;
                match status {
                    Status::Reported
                    | Status::Triaged
                    | Status::Dispatched
                    | Status::InProgress
                    | Status::Returned => Ok(()),
                    _ => deny("the order cannot be dispatched in its current state"),
                }
            }
            K::Accepted => match in_dept()? {
                AssignmentState::Pending if work_open => Ok(()),
                _ => deny("there is no pending order for this department to accept"),
            },
            K::Returned => match in_dept()? {
                AssignmentState::Pending | AssignmentState::Accepted if work_open => Ok(()),
                _ => deny("this department has no open order to return"),
            },
            K::Progress | K::ExtensionRequested | K::Completed => match in_dept()? {
                AssignmentState::Accepted if work_open => Ok(()),
                _ => deny("the department must accept the order first"),
            },
            K::ExtensionGranted => {
                center_only()?;
                if work_open
                    && self
                        .view
                        .assignments
                        .iter()
                        .any(|a| a.extension_requested.is_some())
                {
                    Ok(())
                } else {
                    deny("no extension was requested")
                }
            }
            K::Reminded | K::Escalated => {
                center_only()?;
                match status {
                    Status::Dispatched | Status::InProgress | Status::Returned => Ok(()),
                    _ => deny("only an order at work can be reminded or escalated"),
                }
            }
            K::HandledOnSite => {
                if !(field || center || dept.is_some_and(|d| d.as_str() == "onsite")) {
                    return deny("only field staff or the center may handle on site");
                }
                match status {
                    Status::Reported | Status::Triaged | Status::Dispatched => Ok(()),
                    _ => deny("the case is no longer waiting to be handled"),
                }
            }
            K::Verified | K::VerificationFailed => {
                if !(center || role == Role::PatrolOfficer) {
                    return deny("only the center or a patrol officer may verify");
                }
                if status == Status::Completed {
                    Ok(())
                } else {
                    deny("only a completed order can be verified")
                }
            }
            K::Closed => {
                center_only()?;
                if status == Status::Verified {
                    Ok(())
                } else {
                    deny("only a verified order can be closed")
                }
            }
            K::Callback => {
                let reporter =
                    self.view.reporter.as_ref() == Some(user) || self.view.followers.contains(user);
                if !(center || (role == Role::Resident && reporter)) {
                    return deny("only the reporter or the center may give the callback");
                }
                if self.phase != Phase::Closed {
                    return deny("a callback comes after the case is closed");
                }
                if self.view.callback_done {
                    return deny("the callback was already given");
                }
                Ok(())
            }
            K::Reopened => {
                center_only()?;
                if self.phase == Phase::Closed {
                    Ok(())
                } else {
                    deny("only a closed case can be reopened")
                }
            }
            K::Evaluated => {
                if !(role == Role::Evaluator || center) {
                    return deny("only an evaluator may evaluate");
                }
                if self.phase == Phase::Closed {
                    Ok(())
                } else {
                    deny("only a closed case can be evaluated")
                }
            }
            K::Recurrence => center_only(),
            K::MergedInto => {
                center_only()?;
                match status {
                    Status::Reported | Status::Triaged => Ok(()),
                    _ => deny("only a new report can be merged into another case"),
                }
            }
            K::Unmerged => {
                center_only()?;
                if self.phase == Phase::Merged {
                    Ok(())
                } else {
                    deny("the case is not merged")
                }
            }
            K::DuplicateLinked => {
                center_only()?;
                if status.is_open() {
                    Ok(())
                } else {
                    deny("duplicates are linked to open cases only")
                }
            }
            K::Voided => {
                center_only()?;
                match status {
                    Status::Reported | Status::Triaged | Status::Returned => Ok(()),
                    _ => deny("only a report not yet at work can be voided"),
                }
            }
            K::Held => {
                center_only()?;
                if work_open && status != Status::Completed {
                    Ok(())
                } else {
                    deny("only an order at work can be put on hold")
                }
            }
            K::Resumed => {
                center_only()?;
                if self.phase == Phase::Work && self.view.on_hold {
                    Ok(())
                } else {
                    deny("the order is not on hold")
                }
            }
            K::Reinspected => {
                if !(field || center) {
                    return deny("only field staff or the center may re-inspect");
                }
                if self.phase == Phase::Closed {
                    Ok(())
                } else {
                    deny("only a closed case is re-inspected")
                }
            }
            K::Unknown => deny("an event kind this version does not know"),
        }
    }

    /// The data-dependent half of validity.
    fn check(&self, e: &Event, first: bool) -> Result<(), String> {
        self.permits(e.data.kind(), e.role, e.dept.as_ref(), &e.by, first)?;
        let deny = |why: &str| Err(why.to_owned());
        match &e.data {
            EventData::Dispatched {
                departments,
                deadline,
            } => {
                if departments.is_empty() {
                    return deny("a dispatch names at least one department");
                }
                if *deadline <= 0 {
                    return deny("a dispatch needs a deadline");
                }
                Ok(())
            }
            EventData::Returned { reason }
            | EventData::Voided { reason }
            | EventData::Held { reason }
                if reason.trim().is_empty() =>
            {
                deny("a reason is required")
            }
            EventData::VerificationFailed { reason } if reason.trim().is_empty() => {
                deny("a reason is required")
            }
            EventData::ExtensionRequested { until, .. } => {
                let current = e
                    .dept
                    .as_ref()
                    .and_then(|d| self.view.assignment(d))
                    .map(|a| a.deadline)
                    .unwrap_or(0);
                if *until <= current {
                    deny("an extension must move the deadline later")
                } else {
                    Ok(())
                }
            }
            EventData::ExtensionGranted { department, until } => {
                match self.view.assignment(department) {
                    Some(a) if a.extension_requested.is_some() && *until > a.deadline => Ok(()),
                    Some(_) => deny("that department has no pending extension request"),
                    None => deny("the order is not dispatched to that department"),
                }
            }
            EventData::Evaluated { score, .. } if *score > 100 => deny("a score is 0 to 100"),
            _ => Ok(()),
        }
    }

    fn apply(&mut self, e: &Event) {
        let v = &mut self.view;
        v.updated_at = v.updated_at.max(e.at);
        let dept_of = |v: &mut CaseView| -> Option<usize> {
            let d = e.dept.as_ref()?;
            v.assignments.iter().position(|a| &a.dept == d)
        };
        match &e.data {
            EventData::Reported { .. } => {
                v.reporter = Some(e.by.clone());
                v.reported_at = Some(e.at);
                v.followers.push(e.by.clone());
            }
            EventData::Comment { .. } | EventData::Unknown { .. } => {}
            EventData::Reinspected { .. } => v.reinspections += 1,
            EventData::Triaged {
                grid,
                departments,
                urgent,
                category,
            } => {
                self.triaged = true;
                v.grid = grid.clone().or(v.grid.take());
                v.suggested = departments.clone();
                v.urgent = *urgent;
                if category.is_some() {
                    v.category_override = category.clone();
                }
            }
            EventData::Dispatched {
                departments,
                deadline,
            } => {
                self.triaged = true;
                self.phase = Phase::Work;
                v.first_dispatched_at.get_or_insert(e.at);
                v.reminder_stages.clear();
                let mut seen = Vec::new();
                v.assignments = departments
                    .iter()
                    .filter(|d| {
                        let new = !seen.contains(d);
                        seen.push(d);
                        new
                    })
                    .map(|d| Assignment {
                        dept: d.clone(),
                        state: AssignmentState::Pending,
                        dispatched_at: e.at,
                        deadline: *deadline,
                        accepted_at: None,
                        completed_at: None,
                        completed_on_time: None,
                        extension_requested: None,
                        returned_reason: None,
                    })
                    .collect();
            }
            EventData::Accepted => {
                if let Some(i) = dept_of(v) {
                    let a = &mut v.assignments[i];
                    a.state = AssignmentState::Accepted;
                    a.accepted_at = Some(e.at);
                }
            }
            EventData::Returned { reason } => {
                v.returns += 1;
                if let Some(d) = &e.dept {
                    v.returned_by.push(d.clone());
                }
                if let Some(i) = dept_of(v) {
                    let a = &mut v.assignments[i];
                    a.state = AssignmentState::Returned;
                    a.returned_reason = Some(reason.clone());
                }
            }
            EventData::Progress { .. } => {}
            EventData::ExtensionRequested { until, .. } => {
                if let Some(i) = dept_of(v) {
                    v.assignments[i].extension_requested = Some(*until);
                }
            }
            EventData::ExtensionGranted { department, until } => {
                if let Some(a) = v.assignments.iter_mut().find(|a| &a.dept == department) {
                    a.deadline = *until;
                    a.extension_requested = None;
                }
                v.reminder_stages.clear();
            }
            EventData::Reminded { stage, .. } => {
                v.reminders += 1;
                if !v.reminder_stages.contains(stage) {
                    v.reminder_stages.push(*stage);
                }
            }
            EventData::Escalated { .. } => v.escalations += 1,
            EventData::Completed { .. } => {
                if let Some(i) = dept_of(v) {
                    let a = &mut v.assignments[i];
                    a.state = AssignmentState::Completed;
                    a.completed_at = Some(e.at);
                    // Fixed now: a later change of deadline rules does not
                    // rewrite whether this part was on time.
                    a.completed_on_time = Some(e.at <= a.deadline);
                }
            }
            EventData::HandledOnSite { .. } => {
                self.phase = Phase::Closed;
                v.handled_on_site = true;
                v.closed_at = Some(e.at);
                v.callback_done = false;
            }
            EventData::Verified { .. } => self.phase = Phase::Verified,
            EventData::VerificationFailed { .. } => {
                for a in &mut v.assignments {
                    if a.state == AssignmentState::Completed {
                        a.state = AssignmentState::Accepted;
                        a.completed_at = None;
                        a.completed_on_time = None;
                    }
                }
            }
            EventData::Closed { .. } => {
                self.phase = Phase::Closed;
                v.closed_at = Some(e.at);
                v.callback_done = false;
            }
            EventData::Callback {
                satisfaction,
                comment,
            } => {
                v.satisfaction = Some(*satisfaction);
                v.callback_comment = Some(comment.clone());
                v.callback_done = true;
            }
            EventData::Reopened { deadline, .. } => {
                v.reopens += 1;
                v.reminder_stages.clear();
                if v.assignments.is_empty() {
                    // Closed on site: back to the center's queue.
                    self.phase = Phase::Intake;
                    v.handled_on_site = false;
                } else {
                    self.phase = Phase::Work;
                    for a in &mut v.assignments {
                        a.state = AssignmentState::Pending;
                        a.dispatched_at = e.at;
                        a.accepted_at = None;
                        a.completed_at = None;
                        a.completed_on_time = None;
                        a.extension_requested = None;
                        if let Some(d) = deadline {
                            a.deadline = *d;
                        }
                    }
                }
            }
            EventData::Evaluated { score, .. } => v.evaluations.push(*score),
            EventData::Recurrence { of } => v.recurrence_of = Some(*of),
            EventData::MergedInto { target } => {
                self.phase = Phase::Merged;
                v.merged_into = Some(*target);
            }
            EventData::Unmerged { .. } => {
                self.phase = Phase::Intake;
                v.merged_into = None;
            }
            EventData::DuplicateLinked { case, reporter } => {
                if !v.duplicates.contains(case) {
                    v.duplicates.push(*case);
                }
                if !v.followers.contains(reporter) {
                    v.followers.push(reporter.clone());
                }
            }
            EventData::Voided { reason } => {
                self.phase = Phase::Voided;
                v.void_reason = Some(reason.clone());
            }
            EventData::Held { .. } => {
                v.on_hold = true;
                v.holds += 1;
                v.held_at = Some(e.at);
            }
            EventData::Resumed { deadline } => {
                v.on_hold = false;
                // Without a new deadline, the clock simply stopped while
                // on hold: the deadlines move by the time spent.
                let paused = v.held_at.take().map(|h| (e.at - h).max(0)).unwrap_or(0);
                for a in &mut v.assignments {
                    if matches!(
                        a.state,
                        AssignmentState::Pending | AssignmentState::Accepted
                    ) {
                        a.deadline = deadline.unwrap_or(a.deadline + paused);
                    }
                }
                v.reminder_stages.clear();
            }
        }
        // A returned part leaves the order once the center re-dispatches;
        // until then the status is Returned (see `status`).
        self.view.status = self.status();
    }
}
