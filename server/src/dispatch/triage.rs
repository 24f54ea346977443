//! Triage (受理/立案) of a new report: a pure decision from the case, the
//! configuration, the time, and what the database found around it.
//!
//! - a duplicate (same category, an open case within the radius, reported
//!   earlier): triaged for its grid, then merged into the open case;
//! - a recurrence (same category, closed within the watch period, within
//!   the radius): linked to the earlier case, then triaged as usual;
//! - otherwise: its grid from its location, its department(s) from its
//!   category, the urgent flag; and dispatched at once, with a deadline on
//!   the working calendar, when the category is auto-dispatched.

use crate::config::Config;
use paidan_core::{Case, CaseId, CaseView, EventData, Status};

/// What the database found near a new case.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// An open case it duplicates.
    pub duplicate_of: Option<CaseId>,
    /// A closed case it repeats.
    pub recurrence_of: Option<CaseId>,
}

/// Does this case wait for triage? A report nobody has looked at yet.
pub fn needs_triage(view: &CaseView) -> bool {
    view.status == Status::Reported
}

/// The events the engine writes for a new report.
pub fn triage(config: &Config, case: &Case, now: i64, found: &Found) -> Vec<EventData> {
    let category = config.category(case.category.as_str());
    let grid = config
        .area
        .locate(case.location.lat, case.location.lon)
        .map(|g| g.code.clone())
        .or_else(|| case.location.grid.clone());
    let departments = category.map(|c| c.departments.clone()).unwrap_or_default();
    let urgent = category.is_some_and(|c| c.urgent);
    let mut out = Vec::new();
    if let Some(target) = found.duplicate_of {
        out.push(EventData::Triaged {
            grid,
            departments,
            urgent,
            category: None,
        });
        out.push(EventData::MergedInto { target });
        return out;
    }
    if let Some(of) = found.recurrence_of {
        out.push(EventData::Recurrence { of });
    }
    out.push(EventData::Triaged {
        grid,
        departments: departments.clone(),
        urgent,
        category: None,
    });
    if let Some(c) = category.filter(|c| c.auto_dispatch && !departments.is_empty()) {
        out.push(EventData::Dispatched {
            departments,
            deadline: config.calendar.deadline(now, c.limit),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use paidan_core::testing::new_case;
    use paidan_core::{CaseDoc, Role};

    fn case(category: &str) -> Case {
        let new = new_case("pan", Role::Resident, category, "小区后门垃圾成堆", 0);
        CaseDoc::create(&new, &automerge::ActorId::random())
            .unwrap()
            .read()
            .unwrap()
    }

    #[test]
    fn exposed_garbage_is_gridded_and_dispatched_to_urban_management() {
        let c = Config::demo();
        let now = 1_796_000_000_000;
        let out = triage(&c, &case("sanitation.garbage"), now, &Found::default());
        match &out[..] {
            [
                EventData::Triaged {
                    grid: Some(g),
                    departments,
                    ..
                },
                EventData::Dispatched {
                    departments: d2,
                    deadline,
                },
            ] => {
                assert_eq!(g.as_str(), "fxhy-01");
                assert_eq!(departments, d2);
                assert_eq!(d2[0].as_str(), "urban_mgmt");
                assert!(*deadline > now);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_illegal_structure_waits_for_the_dispatcher() {
        let out = triage(
            &Config::demo(),
            &case("structure.illegal"),
            0,
            &Found::default(),
        );
        assert!(
            matches!(&out[..], [EventData::Triaged { departments, .. }] if departments.len() == 2)
        );
    }

    #[test]
    fn a_duplicate_is_merged_and_a_recurrence_linked() {
        let c = Config::demo();
        let other = CaseId::new();
        let dup = triage(
            &c,
            &case("sanitation.garbage"),
            0,
            &Found {
                duplicate_of: Some(other),
                recurrence_of: None,
            },
        );
        assert!(matches!(dup.last(), Some(EventData::MergedInto { target }) if *target == other));
        let rec = triage(
            &c,
            &case("structure.pigeon_shed"),
            0,
            &Found {
                duplicate_of: None,
                recurrence_of: Some(other),
            },
        );
        assert!(matches!(rec.first(), Some(EventData::Recurrence { of }) if *of == other));
    }
}
