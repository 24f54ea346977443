//! Records and enums that cross the boundary, and their conversions.

use paidan_core::{self as core, labels};

/// A role (居民, 巡查队员, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
#[allow(missing_docs)]
pub enum Role {
    Resident,
    GridWorker,
    PatrolOfficer,
    Dispatcher,
    DeptLiaison,
    DeptStaff,
    Evaluator,
    Admin,
}

impl From<Role> for core::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Resident => core::Role::Resident,
            Role::GridWorker => core::Role::GridWorker,
            Role::PatrolOfficer => core::Role::PatrolOfficer,
            Role::Dispatcher => core::Role::Dispatcher,
            Role::DeptLiaison => core::Role::DeptLiaison,
            Role::DeptStaff => core::Role::DeptStaff,
            Role::Evaluator => core::Role::Evaluator,
            Role::Admin => core::Role::Admin,
        }
    }
}

impl Role {
    /// The bindings' role of a core role (`system` is never an account's).
    pub fn from_core(r: core::Role) -> Option<Role> {
        Some(match r {
            core::Role::Resident => Role::Resident,
            core::Role::GridWorker => Role::GridWorker,
            core::Role::PatrolOfficer => Role::PatrolOfficer,
            core::Role::Dispatcher => Role::Dispatcher,
            core::Role::DeptLiaison => Role::DeptLiaison,
            core::Role::DeptStaff => Role::DeptStaff,
            core::Role::Evaluator => Role::Evaluator,
            core::Role::Admin => Role::Admin,
            core::Role::System => return None,
        })
    }
}

/// The account a device logged in to.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AccountInfo {
    /// The id events are written with.
    pub user_id: String,
    /// Role.
    pub role: Role,
    /// Department (department roles).
    pub dept: Option<String>,
    /// Street.
    pub street: String,
    /// The name to show.
    pub display_name: String,
}

/// A case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
#[allow(missing_docs)]
pub enum CaseStatus {
    Reported,
    Triaged,
    Dispatched,
    InProgress,
    Returned,
    OnHold,
    Completed,
    Verified,
    Closed,
    Merged,
    Voided,
}

impl From<core::Status> for CaseStatus {
    fn from(s: core::Status) -> Self {
        use core::Status as S;
        match s {
            S::Reported => CaseStatus::Reported,
            S::Triaged => CaseStatus::Triaged,
            S::Dispatched => CaseStatus::Dispatched,
            S::InProgress => CaseStatus::InProgress,
            S::Returned => CaseStatus::Returned,
            S::OnHold => CaseStatus::OnHold,
            S::Completed => CaseStatus::Completed,
            S::Verified => CaseStatus::Verified,
            S::Closed => CaseStatus::Closed,
            S::Merged => CaseStatus::Merged,
            S::Voided => CaseStatus::Voided,
        }
    }
}

/// The callback's answer (回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
#[allow(missing_docs)]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

impl From<Satisfaction> for core::Satisfaction {
    fn from(s: Satisfaction) -> Self {
        match s {
            Satisfaction::Satisfied => core::Satisfaction::Satisfied,
            Satisfaction::BasicallySatisfied => core::Satisfaction::BasicallySatisfied,
            Satisfaction::Unsatisfied => core::Satisfaction::Unsatisfied,
        }
    }
}

impl From<core::Satisfaction> for Satisfaction {
    fn from(s: core::Satisfaction) -> Self {
        match s {
            core::Satisfaction::Satisfied => Satisfaction::Satisfied,
            core::Satisfaction::BasicallySatisfied => Satisfaction::BasicallySatisfied,
            core::Satisfaction::Unsatisfied => Satisfaction::Unsatisfied,
        }
    }
}

/// A photo to attach: a file the camera wrote, or bytes.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Photo {
    /// A path in the app's storage.
    File {
        /// The path.
        path: String,
    },
    /// JPEG or PNG bytes.
    Bytes {
        /// The bytes.
        bytes: Vec<u8>,
    },
}

impl From<Photo> for core::device::PhotoSource {
    fn from(p: Photo) -> Self {
        match p {
            Photo::File { path } => core::device::PhotoSource::File(path.into()),
            Photo::Bytes { bytes } => core::device::PhotoSource::Bytes(bytes),
        }
    }
}

/// A report as the user filled it in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewReport {
    /// Catalogue code.
    pub category: String,
    /// What the problem is.
    pub text: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// The place in words.
    pub address: Option<String>,
    /// Photos.
    pub photos: Vec<Photo>,
    /// Reporter's name (private).
    pub contact_name: Option<String>,
    /// Reporter's phone (private).
    pub contact_phone: Option<String>,
}

/// What a resident or officer does on a case.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Action {
    /// 留言.
    Comment {
        /// The remark.
        text: String,
    },
    /// 回访.
    Callback {
        /// The verdict.
        satisfaction: Satisfaction,
        /// In the reporter's words.
        comment: String,
    },
    /// 现场处置, with before and after photos.
    HandledOnSite {
        /// What was done.
        note: String,
        /// Before.
        before: Vec<Photo>,
        /// After.
        after: Vec<Photo>,
    },
    /// 核查通过.
    Verify {
        /// Remark.
        note: String,
    },
    /// 核查不通过.
    VerificationFailed {
        /// What is still wrong.
        reason: String,
    },
    /// 处置进展 (department staff).
    Progress {
        /// What was done.
        note: String,
        /// Photos.
        photos: Vec<Photo>,
    },
}

/// A category of the catalogue.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CategoryInfo {
    /// Code.
    pub code: String,
    /// 中文名.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// May be handled on site.
    pub on_site: bool,
    /// Urgent.
    pub urgent: bool,
}

/// One line of a case list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaseSummary {
    /// Id.
    pub id: String,
    /// Status.
    pub status: CaseStatus,
    /// 状态 in Chinese and English ("处置中 In progress").
    pub status_label: String,
    /// Category code.
    pub category: String,
    /// Title.
    pub title: String,
    /// Filed (ms since the epoch).
    pub created_at_ms: i64,
    /// Last event (ms).
    pub updated_at_ms: i64,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Deadline (ms), while at work.
    pub deadline_ms: Option<i64>,
}

impl From<core::store::CaseSummary> for CaseSummary {
    fn from(s: core::store::CaseSummary) -> Self {
        CaseSummary {
            id: s.id.to_string(),
            status: s.status.into(),
            status_label: labels::status(s.status).to_string(),
            category: s.category,
            title: s.title,
            created_at_ms: s.created_at,
            updated_at_ms: s.updated_at,
            lat: s.lat,
            lon: s.lon,
            deadline_ms: s.deadline,
        }
    }
}

/// One event of the timeline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TimelineEntry {
    /// Kind (snake_case).
    pub kind: String,
    /// Its name ("接单 Accepted").
    pub label: String,
    /// When (ms).
    pub at_ms: i64,
    /// Who.
    pub by: String,
    /// Department, if any.
    pub dept: Option<String>,
    /// Why it did not apply, if it did not.
    pub superseded: Option<String>,
}

/// One department's part of an order.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DepartmentPart {
    /// Department code.
    pub dept: String,
    /// pending, accepted, returned, completed.
    pub state: String,
    /// Deadline (ms).
    pub deadline_ms: i64,
}

/// A case with its state.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaseDetail {
    /// The list line.
    pub summary: CaseSummary,
    /// The reporter's words.
    pub description: String,
    /// The place in words.
    pub address: Option<String>,
    /// Photo hashes.
    pub photos: Vec<String>,
    /// Department parts.
    pub departments: Vec<DepartmentPart>,
    /// Overdue now.
    pub overdue: bool,
    /// Reminders sent.
    pub reminders: u32,
    /// The callback's verdict.
    pub satisfaction: Option<Satisfaction>,
    /// What this device's user may do next (snake_case kinds).
    pub allowed_actions: Vec<String>,
    /// The timeline.
    pub timeline: Vec<TimelineEntry>,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncReport {
    /// Local changes sent.
    pub sent: u64,
    /// Of them, acknowledged.
    pub acknowledged: u64,
    /// Changes received.
    pub received: u64,
    /// Cases that changed here.
    pub changed_cases: Vec<String>,
    /// Refusals: (case, reason).
    pub refused: Vec<RefusedChange>,
    /// Photos still waiting for upload.
    pub photos_pending: u32,
    /// Round trips made.
    pub round_trips: u32,
}

/// A change the server refused.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RefusedChange {
    /// The case.
    pub case_id: String,
    /// The server's reason.
    pub reason: String,
    /// When it was refused (ms).
    pub at_ms: i64,
}

/// Turn a core case and view into the record.
pub fn detail(
    case: &core::Case,
    view: &core::CaseView,
    me: &core::store::Identity,
    summary: core::store::CaseSummary,
) -> CaseDetail {
    let actor = core::Actor {
        user: &me.user,
        role: me.role,
        dept: me.dept.as_ref(),
    };
    let now = core::now_ms();
    CaseDetail {
        summary: summary.into(),
        description: case.description.clone(),
        address: case.location.address.clone(),
        photos: case.photos.iter().map(|p| p.sha256.clone()).collect(),
        departments: view
            .assignments
            .iter()
            .map(|a| DepartmentPart {
                dept: a.dept.to_string(),
                state: format!("{:?}", a.state).to_lowercase(),
                deadline_ms: a.deadline,
            })
            .collect(),
        overdue: view.is_overdue(now),
        reminders: view.reminders,
        satisfaction: view.satisfaction.map(Into::into),
        allowed_actions: view
            .allowed_actions(&actor)
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
        timeline: case
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| TimelineEntry {
                kind: e.data.kind().as_str().to_owned(),
                label: labels::event(e.data.kind()).to_string(),
                at_ms: e.at,
                by: e.by.to_string(),
                dept: e.dept.as_ref().map(|d| d.to_string()),
                superseded: view
                    .superseded
                    .iter()
                    .find(|s| s.index == i)
                    .map(|s| s.reason.clone()),
            })
            .collect(),
    }
}
