//! When reminders (催办) and escalations (督办) fall due: a pure function of
//! a case's view, the time and the scheduler's settings.
//!
//! What was sent is read from the case itself (the reminder stages of the
//! current work period), not from the scheduler's memory, so a restart
//! neither repeats a reminder nor misses one: the first tick after it sends
//! whatever fell due while the server was down.

use crate::config::SchedulerSettings;
use paidan_core::{AssignmentState, CaseView, EventData, ReminderStage};

const HOUR: f64 = 3_600_000.0;

/// The times that matter for an order at work: the "before" reminder, the
/// deadline, the escalation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alarms {
    /// The "before" reminder (临期提醒).
    pub before: i64,
    /// The deadline (the "due" reminder).
    pub due: i64,
    /// Escalation (督办).
    pub escalate: i64,
}

/// The alarms of an order at work, or `None` when nothing is ticking
/// (not dispatched, on hold, completed, closed).
pub fn alarms(view: &CaseView, s: &SchedulerSettings) -> Option<Alarms> {
    let due = view.deadline()?;
    let start = view
        .assignments
        .iter()
        .filter(|a| {
            matches!(
                a.state,
                AssignmentState::Pending | AssignmentState::Accepted
            )
        })
        .map(|a| a.dispatched_at)
        .min()
        .unwrap_or(due);
    let span = (due - start).max(0) as f64;
    Some(Alarms {
        before: due - (span * s.remind_before_share) as i64,
        due,
        escalate: due + (s.escalate_after_hours * HOUR) as i64,
    })
}

/// The events due at `now`, in order. A "before" reminder is skipped once
/// the deadline has passed (the "due" one says more).
pub fn due(view: &CaseView, now: i64, s: &SchedulerSettings) -> Vec<EventData> {
    let Some(a) = alarms(view, s) else {
        return Vec::new();
    };
    let sent = |stage| view.reminder_stages.contains(&stage);
    let mut out = Vec::new();
    if now >= a.before && now < a.due && !sent(ReminderStage::Before) {
        out.push(EventData::Reminded {
            department: None,
            stage: ReminderStage::Before,
        });
    }
    if now >= a.due && !sent(ReminderStage::Due) {
        out.push(EventData::Reminded {
            department: None,
            stage: ReminderStage::Due,
        });
    }
    if now >= a.escalate && !sent(ReminderStage::Overdue) {
        out.push(EventData::Reminded {
            department: None,
            stage: ReminderStage::Overdue,
        });
        out.push(EventData::Escalated {
            department: None,
            note: format!(
                "超期{}小时未办结，提请督办 / overdue by {} hours",
                s.escalate_after_hours, s.escalate_after_hours
            ),
        });
    }
    out
}

/// When the scheduler must next look at this case (after the events of
/// [`due`] at `now` are written), or `None`.
pub fn next_alarm(view: &CaseView, s: &SchedulerSettings) -> Option<i64> {
    let a = alarms(view, s)?;
    let sent = |stage| view.reminder_stages.contains(&stage);
    if !sent(ReminderStage::Before) && !sent(ReminderStage::Due) {
        Some(a.before)
    } else if !sent(ReminderStage::Due) {
        Some(a.due)
    } else if !sent(ReminderStage::Overdue) {
        Some(a.escalate)
    } else {
        None
    }
}
