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
    /// story and the practice's category tables.
    pub fn fukang_demo() -> Catalog {
        use DeadlineUnit::{WorkingDays as D, WorkingHours as H};
        let dept = |code: &str, zh: &str, en: &str| Department {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
        };
        let departments = vec![
            dept("urban_mgmt", "城市管理局", "Urban Management Bureau"),
            dept(
                "housing",
                "住房和城乡建设局",
                "Housing and Construction Bureau",
            ),
            dept("market", "市场监督管理局", "Market Supervision Bureau"),
            dept(
                "environment",
                "生态环境局",
                "Ecology and Environment Bureau",
            ),
            dept("landscaping", "园林局", "Landscaping Bureau"),
            dept(
                "onsite",
                "综合执法中心现场组",
                "Enforcement Center On-site Team",
            ),
        ];
        #[allow(clippy::too_many_arguments)]
        fn cat(
            code: &str,
            zh: &str,
            en: &str,
            depts: &[&str],
            amount: u32,
            unit: DeadlineUnit,
            urgent: bool,
            on_site: bool,
            watch: u32,
        ) -> Category {
            Category {
                code: code.into(),
                name_zh: zh.into(),
                name_en: en.into(),
                departments: depts.iter().map(|d| DeptCode::from(*d)).collect(),
                limit: TimeLimit { amount, unit },
                urgent,
                on_site,
                duplicate_radius_m: 50.0,
                recurrence_watch_days: watch,
            }
        }
        let categories = vec![
            cat(
                "sanitation.garbage",
                "暴露垃圾",
                "Exposed garbage",
                &["urban_mgmt"],
                4,
                H,
                false,
                false,
                0,
            ),
            cat(
                "sanitation.wastewater",
                "乱泼污水",
                "Waste water thrown in the street",
                &["urban_mgmt", "environment"],
                1,
                D,
                false,
                false,
                30,
            ),
            cat(
                "structure.illegal",
                "违章建筑",
                "Illegal structure",
                &["urban_mgmt", "housing"],
                20,
                D,
                false,
                false,
                90,
            ),
            cat(
                "structure.pigeon_shed",
                "私搭鸽棚",
                "Pigeon shed built on a balcony",
                &["urban_mgmt"],
                5,
                D,
                false,
                false,
                180,
            ),
            cat(
                "street.stall",
                "流动摊点",
                "Unlicensed street stall",
                &["urban_mgmt", "market"],
                2,
                D,
                false,
                false,
                30,
            ),
            cat(
                "street.signboard",
                "不规范牌匾",
                "Irregular shop signboard",
                &["urban_mgmt"],
                10,
                D,
                false,
                false,
                0,
            ),
            cat(
                "street.vehicle_blocking",
                "车辆占道",
                "Vehicle blocking the way",
                &["urban_mgmt"],
                4,
                H,
                false,
                false,
                0,
            ),
            cat(
                "road.manhole",
                "窨井盖缺失",
                "Missing manhole cover",
                &["onsite"],
                2,
                H,
                true,
                true,
                0,
            ),
            cat(
                "power.exposed_wire",
                "电线裸露",
                "Exposed electric wire",
                &["onsite"],
                2,
                H,
                true,
                true,
                0,
            ),
            cat(
                "housing.heating",
                "暖气不热",
                "Heating not warm",
                &["housing"],
                2,
                D,
                true,
                false,
                0,
            ),
            cat(
                "food.restaurant",
                "餐饮店卫生",
                "Restaurant hygiene",
                &["market"],
                5,
                D,
                false,
                false,
                30,
            ),
            cat(
                "environment.noise",
                "噪声扰民",
                "Noise nuisance",
                &["environment"],
                3,
                D,
                false,
                false,
                0,
            ),
            cat(
                "greenery.watering",
                "树木缺水",
                "Trees not watered",
                &["landscaping"],
                1,
                D,
                false,
                false,
                0,
            ),
        ];
        Catalog {
            departments,
            categories,
        }
    }
}

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
