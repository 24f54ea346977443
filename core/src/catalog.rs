//! The category catalogue and the departments orders go to.
//!
//! The catalogue is configuration: the server loads it from its TOML file
//! and devices receive it. Until a device has one from its server it uses
//! the built-in Fukang demo ([`Catalog::fukang_demo`]), taken from the
//! story (阜新街道, 阜康市) and the digital urban management category tables.

use crate::{CategoryCode, DeptCode, Error, Result};
use serde::{Deserialize, Serialize};

/// A department that takes orders (部门).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Short code used in events.
    pub code: DeptCode,
    /// Chinese name (城市管理局).
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// How a category's deadline is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    /// Working hours on the working calendar (e.g. exposed garbage: 4).
    WorkingHours,
    /// Working days on the working calendar (e.g. illegal structure: 20).
    WorkingDays,
}

/// A category's time limit (限期).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    /// How many units.
    pub amount: u32,
    /// Of what.
    pub unit: DeadlineUnit,
}

/// One entry of the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Code, first on each line of `paidan-field categories`.
    pub code: CategoryCode,
    /// Chinese name (暴露垃圾).
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The department(s) an order of this category goes to by default.
    pub departments: Vec<DeptCode>,
    /// The time limit for handling it.
    pub limit: TimeLimit,
    /// Urgent categories are flagged at triage and reminded sooner.
    #[serde(default)]
    pub urgent: bool,
    /// May be handled on site by the officer who finds it (窨井盖, 电线裸露).
    #[serde(default)]
    pub on_site: bool,
    /// A new case of this category within this many metres of an open one is
    /// linked to it as a duplicate.
    #[serde(default = "default_radius")]
    pub duplicate_radius_m: f64,
    /// Days after closing during which the place is re-inspected and a new
    /// report counts as a recurrence (鸽棚, 违建, 流动摊点). 0: not watched.
    #[serde(default)]
    pub recurrence_watch_days: u32,
    /// The server dispatches new cases of this category to its default
    /// department(s) at triage, without waiting for a dispatcher.
    #[serde(default)]
    pub auto_dispatch: bool,
}

fn default_radius() -> f64 {
    50.0
}

/// The departments and categories a street works with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Departments that take orders.
    pub departments: Vec<Department>,
    /// Categories, in the order they are shown.
    pub categories: Vec<Category>,
}

impl Catalog {
    /// Find a category by code, or say which codes exist.
    pub fn category(&self, code: &str) -> Result<&Category> {
        self.categories
            .iter()
            .find(|c| c.code.as_str() == code)
            .ok_or_else(|| {
                Error::invalid(
                    "category",
                    format!("{code:?} is not in the catalogue (see `categories`)"),
                )
            })
    }

    /// Find a department by code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code.as_str() == code)
    }

    /// Check the catalogue is coherent: unique codes, known departments.
    pub fn validate(&self) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.departments {
            if !seen.insert(d.code.as_str()) {
                return Err(Error::invalid(
                    "departments",
                    format!("{} appears twice", d.code),
                ));
            }
        }
        let mut cats = std::collections::BTreeSet::new();
        for c in &self.categories {
            if !cats.insert(c.code.as_str()) {
                return Err(Error::invalid(
                    "categories",
                    format!("{} appears twice", c.code),
                ));
            }
            if c.departments.is_empty() {
                return Err(Error::invalid(
                    "categories",
                    format!("{} has no department", c.code),
                ));
            }
            for d in &c.departments {
                if self.department(d.as_str()).is_none() {
                    return Err(Error::invalid(
                        "categories",
                        format!("{} names unknown department {d}", c.code),
                    ));
                }
            }
            if c.limit.amount == 0 {
                return Err(Error::invalid(
                    "categories",
                    format!("{} has a zero time limit", c.code),
                ));
            }
        }
        Ok(())
    }

    /// The Fukang demo: 阜新街道's departments and a catalogue drawn from the
    /// story and the practice's category tables. Read from the same file the
    /// server uses as its demo configuration ([`FUKANG_DEMO_TOML`]).
    pub fn fukang_demo() -> Catalog {
        Catalog::from_toml(FUKANG_DEMO_TOML).expect("the built-in demo configuration parses")
    }

    /// The `[[departments]]` and `[[categories]]` of a configuration file
    /// (other tables are the server's and are ignored here).
    pub fn from_toml(text: &str) -> Result<Catalog> {
        let catalog: Catalog =
            toml::from_str(text).map_err(|e| Error::invalid("configuration", e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }
}

/// The demo configuration (阜新街道): street, grids, calendar, scoring,
/// departments and categories.
pub const FUKANG_DEMO_TOML: &str = include_str!("../config/fukang-demo.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fukang_demo_is_coherent() {
        Catalog::fukang_demo().validate().unwrap();
    }

    #[test]
    fn an_unknown_category_names_the_command_that_lists_them() {
        let err = Catalog::fukang_demo().category("nope").unwrap_err();
        assert!(err.to_string().contains("categories"), "{err}");
    }
}
