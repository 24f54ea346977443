//! Builders shared by the core's tests and the end-to-end tests: named
//! actors, a standard new case, events by role. Not for production use.

use crate::{
    CaseId, Channel, Created, DeptCode, Event, EventData, EventId, Location, NewCase, Role, UserId,
};

/// A new case near 阜新花园 (44.16 N, 87.98 E), offset by `n` metres-ish so
/// cases spread out.
pub fn new_case(by: &str, role: Role, category: &str, text: &str, n: u32) -> NewCase {
    let (row, col) = (n % 2000, (n / 2000) % 2000);
    let mut location = Location::new(44.16 + f64::from(row) * 1e-5, 87.98 + f64::from(col) * 1e-5)
        .expect("valid location");
    location.address = Some("阜新花园小区后门".into());
    NewCase {
        id: CaseId::new(),
        category: category.into(),
        title: text.chars().take(20).collect(),
        description: text.into(),
        location,
        created: Created {
            at: chrono::Utc::now().timestamp_millis(),
            by: UserId::from(by),
            role,
            channel: Channel::for_role(role),
        },
    }
}

/// An event now by `by` in `role` (with `dept` for department roles).
pub fn event(by: &str, role: Role, dept: Option<&str>, data: EventData) -> Event {
    Event {
        id: EventId::new(),
        at: chrono::Utc::now().timestamp_millis(),
        by: UserId::from(by),
        role,
        dept: dept.map(DeptCode::from),
        data,
    }
}
