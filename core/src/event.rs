//! Events: the append-only timeline that is the source of truth of a case.
//!
//! Each event is `{id, kind, at, by, role, dept?, data}`. `kind` and `data`
//! together are [`EventData`]; its serde form (snake_case kind, data as a
//! map) is what is stored in the case document and on the wire, so a change
//! to these types is a change of format: the snapshot test in
//! `tests/event_format.rs` makes it a decision, not an accident.

use crate::{CaseId, DeptCode, EventId, GridId, Role, Satisfaction, UserId};
use serde::{Deserialize, Serialize};

/// One event in a case's timeline. Its serde form is [`Event::to_json`].
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Made by the device that wrote it.
    pub id: EventId,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub at: i64,
    /// Who (user id).
    pub by: UserId,
    /// In which role they acted.
    pub role: Role,
    /// For department roles: the department they act for.
    pub dept: Option<DeptCode>,
    /// What happened.
    pub data: EventData,
}

/// Stage of a reminder (催办).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderStage {
    /// Before the deadline (临期提醒).
    Before,
    /// At the deadline.
    Due,
    /// After it (超期催办).
    Overdue,
}

/// The kind of an event and its data. Unknown kinds, from a newer schema,
/// are read as [`EventData::Unknown`] and kept as they were.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum EventData {
    /// 上报: the report itself; always the first event.
    Reported {
        /// The channel it came through.
        channel: crate::Channel,
    },
    /// A remark anybody involved may add (留言).
    Comment {
        /// The remark.
        text: String,
    },
    /// 受理/立案: the center accepts the report as a case.
    Triaged {
        /// The grid the location falls in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grid: Option<GridId>,
        /// Suggested department(s).
        #[serde(default)]
        departments: Vec<DeptCode>,
        /// Flagged as urgent.
        #[serde(default)]
        urgent: bool,
        /// A corrected category, if the reporter picked the wrong one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<crate::CategoryCode>,
    },
    /// 派单 (or 改派, when it replaces an earlier dispatch): one or several
    /// departments (a joint order), each with the deadline.
    Dispatched {
        /// The department(s); more than one makes a joint order.
        departments: Vec<DeptCode>,
        /// The deadline (ms since the epoch).
        deadline: i64,
    },
    /// 接单: a department accepts its order.
    Accepted,
    /// 退单: a department returns its order to the dispatcher.
    Returned {
        /// Why (shown to the dispatcher).
        reason: String,
    },
    /// 处置进展: a progress note, with photos.
    Progress {
        /// What was done.
        note: String,
        /// Photo hashes (see the case's `photos`).
        #[serde(default)]
        photos: Vec<String>,
    },
    /// 延期申请: a department asks for more time.
    ExtensionRequested {
        /// The new deadline it asks for.
        until: i64,
        /// Why.
        reason: String,
    },
    /// 延期批准: the center grants it; the department's deadline moves.
    ExtensionGranted {
        /// Which department's request.
        department: DeptCode,
        /// The new deadline.
        until: i64,
    },
    /// 催办: a reminder to a department.
    Reminded {
        /// To whom; all open departments when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<DeptCode>,
        /// Before, at or after the deadline.
        stage: ReminderStage,
    },
    /// 督办: escalation of an overdue order.
    Escalated {
        /// The department concerned; all open ones when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<DeptCode>,
        /// A note for leadership.
        #[serde(default)]
        note: String,
    },
    /// 办结: a department reports its part done.
    Completed {
        /// What was done.
        note: String,
        /// Photo hashes of the finished work.
        #[serde(default)]
        photos: Vec<String>,
    },
    /// 现场处置: a small issue closed on the spot by the officer who found it.
    HandledOnSite {
        /// What was done.
        note: String,
        /// Photo hashes before.
        #[serde(default)]
        before: Vec<String>,
        /// Photo hashes after.
        #[serde(default)]
        after: Vec<String>,
    },
    /// 核查通过: verified on site.
    Verified {
        /// Remark.
        #[serde(default)]
        note: String,
    },
    /// 核查不通过: back to the department(s).
    VerificationFailed {
        /// What is still wrong.
        reason: String,
    },
    /// 结案.
    Closed {
        /// Remark.
        #[serde(default)]
        note: String,
    },
    /// 回访: the reporter's verdict.
    Callback {
        /// Satisfied, basically satisfied or unsatisfied.
        satisfaction: Satisfaction,
        /// In their words.
        #[serde(default)]
        comment: String,
    },
    /// 重办: a closed order goes back to the same department(s).
    Reopened {
        /// Why (an unsatisfied callback, an evaluation).
        reason: String,
        /// The new deadline, when the departments get one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<i64>,
    },
    /// 现场测评: an evaluator's score of a finished order.
    Evaluated {
        /// 0 to 100.
        score: u8,
        /// Remark.
        #[serde(default)]
        comment: String,
    },
    /// 反复: the same problem at the same place, after an earlier case closed.
    Recurrence {
        /// The earlier case.
        of: CaseId,
    },
    /// 重复: this report duplicates an open case ("someone was ahead of you").
    MergedInto {
        /// The open case it joins.
        target: CaseId,
    },
    /// A wrong merge undone by the dispatcher.
    Unmerged {
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// On the original case: a duplicate report was linked to it and its
    /// reporter now follows this case.
    DuplicateLinked {
        /// The duplicate case.
        case: CaseId,
        /// Its reporter, now a follower.
        reporter: UserId,
    },
    /// 注销: not a case (with a reason the reporter sees).
    Voided {
        /// Why.
        reason: String,
    },
    /// 挂账: on hold; the clock stops (frozen winter ground).
    Held {
        /// Why.
        reason: String,
    },
    /// Back from hold.
    Resumed {
        /// The new deadline of the departments still at work.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<i64>,
    },
    /// 复查: a patrol officer or grid worker re-inspects the place of a
    /// closed case in the recurrence watch (鸽棚, 违建).
    Reinspected {
        /// What they found.
        #[serde(default)]
        note: String,
        /// The problem is back (a new report then follows).
        #[serde(default)]
        recurred: bool,
    },
    /// A kind this version does not know (written by a newer schema). Kept
    /// as it was, never applied.
    #[serde(skip)]
    Unknown {
        /// The kind as written.
        kind: String,
        /// The data as written.
        data: serde_json::Value,
    },
}

/// The kind of an event without its data: what a role may do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum EventKind {
    Reported,
    Comment,
    Triaged,
    Dispatched,
    Accepted,
    Returned,
    Progress,
    ExtensionRequested,
    ExtensionGranted,
    Reminded,
    Escalated,
    Completed,
    HandledOnSite,
    Verified,
    VerificationFailed,
    Closed,
    Callback,
    Reopened,
    Evaluated,
    Recurrence,
    MergedInto,
    Unmerged,
    DuplicateLinked,
    Voided,
    Held,
    Resumed,
    Reinspected,
    Unknown,
}

impl EventKind {
    /// Every kind a user or the server can write (not `Unknown`).
    pub const WRITABLE: &'static [EventKind] = &[
        EventKind::Reported,
        EventKind::Comment,
        EventKind::Triaged,
        EventKind::Dispatched,
        EventKind::Accepted,
        EventKind::Returned,
        EventKind::Progress,
        EventKind::ExtensionRequested,
        EventKind::ExtensionGranted,
        EventKind::Reminded,
        EventKind::Escalated,
        EventKind::Completed,
        EventKind::HandledOnSite,
        EventKind::Verified,
        EventKind::VerificationFailed,
        EventKind::Closed,
        EventKind::Callback,
        EventKind::Reopened,
        EventKind::Evaluated,
        EventKind::Recurrence,
        EventKind::MergedInto,
        EventKind::Unmerged,
        EventKind::DuplicateLinked,
        EventKind::Voided,
        EventKind::Held,
        EventKind::Resumed,
        EventKind::Reinspected,
    ];

    /// The snake_case name used on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        KIND_NAMES
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, n)| *n)
            .unwrap_or("unknown")
    }

    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<EventKind> {
        KIND_NAMES.iter().find(|(_, n)| *n == s).map(|(k, _)| *k)
    }
}

const KIND_NAMES: &[(EventKind, &str)] = &[
    (EventKind::Reported, "reported"),
    (EventKind::Comment, "comment"),
    (EventKind::Triaged, "triaged"),
    (EventKind::Dispatched, "dispatched"),
    (EventKind::Accepted, "accepted"),
    (EventKind::Returned, "returned"),
    (EventKind::Progress, "progress"),
    (EventKind::ExtensionRequested, "extension_requested"),
    (EventKind::ExtensionGranted, "extension_granted"),
    (EventKind::Reminded, "reminded"),
    (EventKind::Escalated, "escalated"),
    (EventKind::Completed, "completed"),
    (EventKind::HandledOnSite, "handled_on_site"),
    (EventKind::Verified, "verified"),
    (EventKind::VerificationFailed, "verification_failed"),
    (EventKind::Closed, "closed"),
    (EventKind::Callback, "callback"),
    (EventKind::Reopened, "reopened"),
    (EventKind::Evaluated, "evaluated"),
    (EventKind::Recurrence, "recurrence"),
    (EventKind::MergedInto, "merged_into"),
    (EventKind::Unmerged, "unmerged"),
    (EventKind::DuplicateLinked, "duplicate_linked"),
    (EventKind::Voided, "voided"),
    (EventKind::Held, "held"),
    (EventKind::Resumed, "resumed"),
    (EventKind::Reinspected, "reinspected"),
    (EventKind::Unknown, "unknown"),
];

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl EventData {
    /// The kind, without the data.
    pub fn kind(&self) -> EventKind {
        use EventData as D;
        use EventKind as K;
        match self {
            D::Reported { .. } => K::Reported,
            D::Comment { .. } => K::Comment,
            D::Triaged { .. } => K::Triaged,
            D::Dispatched { .. } => K::Dispatched,
            D::Accepted => K::Accepted,
            D::Returned { .. } => K::Returned,
            D::Progress { .. } => K::Progress,
            D::ExtensionRequested { .. } => K::ExtensionRequested,
            D::ExtensionGranted { .. } => K::ExtensionGranted,
            D::Reminded { .. } => K::Reminded,
            D::Escalated { .. } => K::Escalated,
            D::Completed { .. } => K::Completed,
            D::HandledOnSite { .. } => K::HandledOnSite,
            D::Verified { .. } => K::Verified,
            D::VerificationFailed { .. } => K::VerificationFailed,
            D::Closed { .. } => K::Closed,
            D::Callback { .. } => K::Callback,
            D::Reopened { .. } => K::Reopened,
            D::Evaluated { .. } => K::Evaluated,
            D::Recurrence { .. } => K::Recurrence,
            D::MergedInto { .. } => K::MergedInto,
            D::Unmerged { .. } => K::Unmerged,
            D::DuplicateLinked { .. } => K::DuplicateLinked,
            D::Voided { .. } => K::Voided,
            D::Held { .. } => K::Held,
            D::Resumed { .. } => K::Resumed,
            D::Reinspected { .. } => K::Reinspected,
            D::Unknown { .. } => K::Unknown,
        }
    }

    /// Photo hashes this event refers to.
    pub fn photos(&self) -> Vec<&str> {
        match self {
            EventData::Progress { photos, .. } | EventData::Completed { photos, .. } => {
                photos.iter().map(String::as_str).collect()
            }
            EventData::HandledOnSite { before, after, .. } => {
                before.iter().chain(after).map(String::as_str).collect()
            }
            _ => Vec::new(),
        }
    }
}

impl Event {
    /// A new event now, by `by` acting as `role`.
    pub fn new(by: UserId, role: Role, dept: Option<DeptCode>, data: EventData) -> Event {
        Event {
            id: EventId::new(),
            at: chrono::Utc::now().timestamp_millis(),
            by,
            role,
            dept,
            data,
        }
    }

    /// The event as a JSON object (`{id, kind, at, by, role, dept?, data?}`).
    /// Unknown events give back exactly what was read.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = match &self.data {
            EventData::Unknown { kind, data } => {
                serde_json::json!({ "kind": kind, "data": data })
            }
            known => serde_json::to_value(known).unwrap_or(serde_json::Value::Null),
        };
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("id".into(), self.id.to_string().into());
            m.insert("at".into(), self.at.into());
            m.insert("by".into(), self.by.0.clone().into());
            m.insert("role".into(), self.role.as_str().into());
            if let Some(d) = &self.dept {
                m.insert("dept".into(), d.0.clone().into());
            }
        }
        v
    }

    /// Read an event from its JSON object. A kind this version does not know
    /// becomes [`EventData::Unknown`]; a known kind whose data does not parse
    /// does too, so that nothing is dropped. Only a missing envelope (id, at,
    /// by, role) is an error.
    pub fn from_json(v: &serde_json::Value) -> crate::Result<Event> {
        #[derive(Deserialize)]
        struct Envelope {
            id: EventId,
            at: i64,
            by: UserId,
            role: Role,
            #[serde(default)]
            dept: Option<DeptCode>,
            kind: String,
            #[serde(default)]
            data: serde_json::Value,
        }
        let env: Envelope = serde_json::from_value(v.clone())?;
        let data = match EventKind::parse(&env.kind) {
            Some(k) if k != EventKind::Unknown => {
                let mut tagged = serde_json::Map::new();
                tagged.insert("kind".into(), env.kind.clone().into());
                if !env.data.is_null() {
                    tagged.insert("data".into(), env.data.clone());
                }
                serde_json::from_value(serde_json::Value::Object(tagged)).unwrap_or(
                    EventData::Unknown {
                        kind: env.kind,
                        data: env.data,
                    },
                )
            }
            _ => EventData::Unknown {
                kind: env.kind,
                data: env.data,
            },
        };
        Ok(Event {
            id: env.id,
            at: env.at,
            by: env.by,
            role: env.role,
            dept: env.dept,
            data,
        })
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Event::from_json(&v).map_err(serde::de::Error::custom)
    }
}
