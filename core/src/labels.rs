//! User-facing names of statuses, event kinds and roles: Chinese first,
//! English beside it. Devices and the CLI show `zh en`; the web console
//! (Fluent) carries the same words in its message files.

use crate::{EventKind, ReminderStage, Role, Satisfaction, Status};

/// A name in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label {
    /// 中文.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.zh, self.en)
    }
}

const fn l(zh: &'static str, en: &'static str) -> Label {
    Label { zh, en }
}

/// The name of a status.
pub fn status(s: Status) -> Label {
    match s {
        Status::Reported => l("待受理", "Reported"),
        Status::Triaged => l("已立案", "Triaged"),
        Status::Dispatched => l("已派单", "Dispatched"),
        Status::InProgress => l("处置中", "In progress"),
        Status::Returned => l("已退单", "Returned"),
        Status::OnHold => l("挂账", "On hold"),
        Status::Completed => l("已办结", "Completed"),
        Status::Verified => l("已核查", "Verified"),
        Status::Closed => l("已结案", "Closed"),
        Status::Merged => l("重复件", "Merged"),
        Status::Voided => l("已注销", "Voided"),
    }
}

/// The name of an event kind.
pub fn event(k: EventKind) -> Label {
    use EventKind as K;
    match k {
        K::Reported => l("上报", "Reported"),
        K::Comment => l("留言", "Comment"),
        K::Triaged => l("受理", "Triaged"),
        K::Dispatched => l("派单", "Dispatched"),
        K::Accepted => l("接单", "Accepted"),
        K::Returned => l("退单", "Returned"),
        K::Progress => l("处置进展", "Progress"),
        K::ExtensionRequested => l("申请延期", "Extension requested"),
        K::ExtensionGranted => l("批准延期", "Extension granted"),
        K::Reminded => l("催办", "Reminder"),
        K::Escalated => l("督办", "Escalated"),
        K::Completed => l("办结", "Completed"),
        K::HandledOnSite => l("现场处置", "Handled on site"),
        K::Verified => l("核查通过", "Verified"),
        K::VerificationFailed => l("核查不通过", "Verification failed"),
        K::Closed => l("结案", "Closed"),
        K::Callback => l("回访", "Callback"),
        K::Reopened => l("重办", "Reopened"),
        K::Evaluated => l("现场测评", "Evaluated"),
        K::Recurrence => l("问题反复", "Recurrence"),
        K::MergedInto => l("合并为重复件", "Merged as duplicate"),
        K::Unmerged => l("撤销合并", "Unmerged"),
        K::DuplicateLinked => l("关联重复件", "Duplicate linked"),
        K::Voided => l("注销", "Voided"),
        K::Held => l("挂账", "Put on hold"),
        K::Resumed => l("恢复办理", "Resumed"),
        K::Reinspected => l("复查", "Re-inspected"),
        K::Unknown => l("未知事件", "Unknown event"),
    }
}

/// The name of a role.
pub fn role(r: Role) -> Label {
    match r {
        Role::Resident => l("居民", "Resident"),
        Role::GridWorker => l("网格员", "Grid worker"),
        Role::PatrolOfficer => l("巡查队员", "Patrol officer"),
        Role::Dispatcher => l("调度员", "Dispatcher"),
        Role::DeptLiaison => l("接单员", "Department liaison"),
        Role::DeptStaff => l("部门工作人员", "Department staff"),
        Role::Evaluator => l("监督员", "Evaluator"),
        Role::Admin => l("管理员", "Administrator"),
        Role::System => l("系统", "System"),
    }
}

/// The name of a callback answer (回访结果).
pub fn satisfaction(s: Satisfaction) -> Label {
    match s {
        Satisfaction::Satisfied => l("满意", "Satisfied"),
        Satisfaction::BasicallySatisfied => l("基本满意", "Basically satisfied"),
        Satisfaction::Unsatisfied => l("不满意", "Unsatisfied"),
    }
}

/// The name of a reminder's stage (临期提醒, 到期, 超期催办).
pub fn reminder_stage(s: ReminderStage) -> Label {
    match s {
        ReminderStage::Before => l("临期提醒", "Due soon"),
        ReminderStage::Due => l("今日到期", "Due now"),
        ReminderStage::Overdue => l("超期催办", "Overdue"),
    }
}
