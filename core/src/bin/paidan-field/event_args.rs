//! `paidan-field event ID KIND ...`: turn the command line into an event,
//! check it against the fold before writing, and write it.

use anyhow::Context;
use clap::Args;
use paidan_core::{
    CaseId, CaseView, DeptCode, Event, EventData as D, EventKind, PhotoStage, ReminderStage,
    Satisfaction, Store,
};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct EventArgs {
    /// The case id.
    id: String,
    /// The kind: accepted, returned, progress, completed, handled_on_site,
    /// comment, callback, dispatched, verified, closed, ... (snake_case).
    kind: String,
    /// A note, comment or remark.
    #[arg(long)]
    text: Option<String>,
    /// A reason (returned, voided, held, verification_failed, reopened).
    #[arg(long)]
    reason: Option<String>,
    /// Department(s) (dispatched, triaged, extension_granted, reminded).
    #[arg(long)]
    dept: Vec<String>,
    /// A deadline as RFC 3339 (2026-12-05T18:00:00+08:00).
    #[arg(long)]
    due: Option<String>,
    /// A deadline this many hours from now.
    #[arg(long)]
    hours: Option<f64>,
    /// satisfied, basically_satisfied or unsatisfied (callback).
    #[arg(long)]
    satisfaction: Option<String>,
    /// 0 to 100 (evaluated).
    #[arg(long)]
    score: Option<u8>,
    /// Another case (merged_into, recurrence, duplicate_linked).
    #[arg(long)]
    target: Option<String>,
    /// The grid (triaged).
    #[arg(long)]
    grid: Option<String>,
    /// Flag as urgent (triaged).
    #[arg(long)]
    urgent: bool,
    /// For reinspected: the problem is back.
    #[arg(long)]
    recurred: bool,
    /// Photos of the work (progress, completed; "after" for handled_on_site).
    #[arg(long)]
    photo: Vec<PathBuf>,
    /// Photos before the work (handled_on_site).
    #[arg(long)]
    before_photo: Vec<PathBuf>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> anyhow::Error {
    paidan_core::Error::invalid(field, reason).into()
}

impl EventArgs {
    fn text(&self) -> String {
        self.text.clone().unwrap_or_default()
    }
    fn reason(&self) -> anyhow::Result<String> {
        match self.reason.clone().or_else(|| self.text.clone()) {
            Some(r) if !r.trim().is_empty() => Ok(r),
            _ => Err(invalid("reason", "give --reason")),
        }
    }
    fn deadline(&self) -> anyhow::Result<Option<i64>> {
        if let Some(d) = &self.due {
            let t = chrono::DateTime::parse_from_rfc3339(d)
                .map_err(|_| invalid("due", "use RFC 3339, e.g. 2026-12-05T18:00:00+08:00"))?;
            return Ok(Some(t.timestamp_millis()));
        }
        if let Some(h) = self.hours {
            if !(h.is_finite() && h > 0.0 && h < 24.0 * 3650.0) {
                return Err(invalid("hours", "must be a positive number of hours"));
            }
            return Ok(Some(
                chrono::Utc::now().timestamp_millis() + (h * 3_600_000.0) as i64,
            ));
        }
        Ok(None)
    }
    fn depts(&self) -> Vec<DeptCode> {
        self.dept
            .iter()
            .map(|d| DeptCode::from(d.as_str()))
            .collect()
    }
    fn target(&self) -> anyhow::Result<CaseId> {
        Ok(self
            .target
            .as_deref()
            .ok_or_else(|| invalid("target", "give --target CASE_ID"))?
            .parse()?)
    }
}

/// Photos are prepared and stored first; their references go in the same
/// transaction as the event.
fn prepare(
    store: &Store,
    files: &[PathBuf],
    stage: PhotoStage,
) -> anyhow::Result<Vec<paidan_core::PhotoRef>> {
    files
        .iter()
        .map(|p| {
            if !p.is_file() {
                return Err(invalid("photo", "cannot read the photo file"));
            }
            paidan_core::photo::prepare_into(p, &store.dir().join("photos"), stage).context("photo")
        })
        .collect()
}

pub fn apply(store: &mut Store, a: EventArgs) -> anyhow::Result<CaseView> {
    let id: CaseId = a.id.parse()?;
    let kind = EventKind::parse(&a.kind)
        .filter(|k| EventKind::WRITABLE.contains(k) && *k != EventKind::Reported)
        .ok_or_else(|| {
            let names: Vec<_> = EventKind::WRITABLE[1..]
                .iter()
                .map(|k| k.as_str())
                .collect();
            invalid(
                "kind",
                format!("{:?} is not one of: {}", a.kind, names.join(", ")),
            )
        })?;
    let catalog = paidan_core::Catalog::fukang_demo();
    for d in &a.dept {
        if catalog.department(d).is_none() {
            return Err(invalid("dept", format!("{d:?} is not a department")));
        }
    }
    let me = store.identity().clone();
    let (photo_stage, photos_after) = match kind {
        EventKind::Progress => (PhotoStage::Process, &a.photo),
        _ => (PhotoStage::Done, &a.photo),
    };
    let before = prepare(store, &a.before_photo, PhotoStage::Report)?;
    let after = prepare(store, photos_after, photo_stage)?;
    let hashes =
        |v: &[paidan_core::PhotoRef]| v.iter().map(|p| p.sha256.clone()).collect::<Vec<_>>();
    let data = match kind {
        EventKind::Comment => D::Comment { text: a.text() },
        EventKind::Triaged => D::Triaged {
            grid: a.grid.clone().map(paidan_core::GridId),
            departments: a.depts(),
            urgent: a.urgent,
            category: None,
        },
        EventKind::Dispatched => D::Dispatched {
            departments: a.depts(),
            deadline: a
                .deadline()?
                .ok_or_else(|| invalid("due", "give --due or --hours"))?,
        },
        EventKind::Accepted => D::Accepted,
        EventKind::Returned => D::Returned {
            reason: a.reason()?,
        },
        EventKind::Progress => D::Progress {
            note: a.text(),
            photos: hashes(&after),
        },
        EventKind::ExtensionRequested => D::ExtensionRequested {
            until: a
                .deadline()?
                .ok_or_else(|| invalid("due", "give --due or --hours"))?,
            reason: a.reason()?,
        },
        EventKind::ExtensionGranted => D::ExtensionGranted {
            department: a
                .depts()
                .into_iter()
                .next()
                .ok_or_else(|| invalid("dept", "give --dept"))?,
            until: a
                .deadline()?
                .ok_or_else(|| invalid("due", "give --due or --hours"))?,
        },
        EventKind::Reminded => D::Reminded {
            department: a.depts().into_iter().next(),
            stage: ReminderStage::Overdue,
        },
        EventKind::Escalated => D::Escalated {
            department: a.depts().into_iter().next(),
            note: a.text(),
        },
        EventKind::Completed => D::Completed {
            note: a.text(),
            photos: hashes(&after),
        },
        EventKind::HandledOnSite => D::HandledOnSite {
            note: a.text(),
            before: hashes(&before),
            after: hashes(&after),
        },
        EventKind::Verified => D::Verified { note: a.text() },
        EventKind::VerificationFailed => D::VerificationFailed {
            reason: a.reason()?,
        },
        EventKind::Closed => D::Closed { note: a.text() },
        EventKind::Callback => D::Callback {
            satisfaction: a
                .satisfaction
                .as_deref()
                .ok_or_else(|| invalid("satisfaction", "give --satisfaction"))?
                .parse::<Satisfaction>()?,
            comment: a.text(),
        },
        EventKind::Reopened => D::Reopened {
            reason: a.reason()?,
            deadline: a.deadline()?,
        },
        EventKind::Evaluated => D::Evaluated {
            score: a
                .score
                .ok_or_else(|| invalid("score", "give --score 0..100"))?,
            comment: a.text(),
        },
        EventKind::Recurrence => D::Recurrence { of: a.target()? },
        EventKind::MergedInto => D::MergedInto {
            target: a.target()?,
        },
        EventKind::Unmerged => D::Unmerged { reason: a.text() },
        EventKind::DuplicateLinked => D::DuplicateLinked {
            case: a.target()?,
            reporter: me.user.clone(),
        },
        EventKind::Voided => D::Voided {
            reason: a.reason()?,
        },
        EventKind::Held => D::Held {
            reason: a.reason()?,
        },
        EventKind::Resumed => D::Resumed {
            deadline: a.deadline()?,
        },
        EventKind::Reinspected => D::Reinspected {
            note: a.text(),
            recurred: a.recurred,
        },
        EventKind::Reported | EventKind::Unknown => unreachable!("filtered above"),
    };
    let event = Event::new(me.user.clone(), me.role, me.dept.clone(), data);
    let photos: Vec<_> = before.iter().chain(after.iter()).cloned().collect();
    Ok(paidan_core::device::act_checked(
        store, &id, &event, &photos,
    )?)
}
