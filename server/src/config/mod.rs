//! The server's configuration: one TOML file (`--config FILE`) with the
//! street, its communities and grids, the working calendar, the scheduler,
//! the scoring weights, the departments and the category catalogue. Without
//! a file the server uses the built-in Fukang demo
//! ([`paidan_core::catalog::FUKANG_DEMO_TOML`]).
//!
//! A bad file stops the server at start with the file, the line and the
//! reason: a typo in a key, a grid of an unknown community, a category of
//! an unknown department, weights that do not add up to 20.

pub mod area;
pub mod calendar;

use area::{Area, Community, Grid, Street};
use calendar::WorkingCalendar;
use paidan_core::catalog::{Catalog, Category, Department};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use toml::Spanned;

/// A configuration error: where and why.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ConfigError {
    /// The file (as given).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// The scheduler's settings (`[scheduler]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    /// How often it looks at the deadlines, in seconds.
    pub tick_seconds: u64,
    /// The "before" reminder goes out when this share of the time allowed
    /// is left (0.25: a quarter).
    pub remind_before_share: f64,
    /// 督办 this many hours after the deadline.
    pub escalate_after_hours: f64,
    /// Re-inspection every N days within a category's recurrence watch.
    pub reinspect_every_days: u32,
}

/// The 20-point department score (`[scoring]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Accepted within this many working hours counts as responded.
    pub response_working_hours: u32,
    /// Weight of the response rate (响应率).
    pub response: f64,
    /// Weight of the resolution rate (结案率).
    pub resolution: f64,
    /// Weight of the on-time rate (按期结案率).
    pub on_time: f64,
    /// Weight of the satisfaction rate (满意率).
    pub satisfaction: f64,
}

/// The console's map: optional tiles under the grid outlines.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// A tile URL template with `{z}`, `{x}` and `{y}` (Web Mercator, 256 px
    /// tiles, `https://` or a path on this server). None: outlines only.
    #[serde(default)]
    pub tiles: Option<String>,
    /// The attribution the tile provider asks for, shown under the map.
    #[serde(default)]
    pub attribution: String,
}

impl MapSettings {
    /// The origin the console's pages must allow images from, if tiles come
    /// from another server.
    pub fn tile_origin(&self) -> Option<&str> {
        let t = self.tiles.as_deref()?;
        let rest = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"))?;
        let host_end = rest.find('/').unwrap_or(rest.len());
        Some(&t[..t.len() - rest.len() + host_end])
    }

    fn check(&self) -> Result<(), String> {
        let Some(t) = &self.tiles else {
            return Ok(());
        };
        let placeholders = ["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p));
        let scheme = t.starts_with("https://") || t.starts_with("http://") || t.starts_with('/');
        let plain = !t.contains(['"', '\'', '<', '>', ' ', ';']);
        if placeholders && scheme && plain {
            Ok(())
        } else {
            Err(format!(
                "map: tiles {t:?} must be an http(s) URL or a path with {{z}}, {{x}} and {{y}}"
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStreet {
    code: String,
    name_zh: String,
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommunity {
    code: String,
    name_zh: String,
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrid {
    code: String,
    community: String,
    name_zh: String,
    name_en: String,
    polygon: Vec<[f64; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    utc_offset_hours: i32,
    work_periods: Vec<[String; 2]>,
    #[serde(default)]
    weekend: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    street: Spanned<RawStreet>,
    #[serde(default)]
    communities: Vec<Spanned<RawCommunity>>,
    #[serde(default)]
    grids: Vec<Spanned<RawGrid>>,
    calendar: Spanned<RawCalendar>,
    scheduler: Spanned<SchedulerSettings>,
    scoring: Spanned<Scoring>,
    departments: Vec<Spanned<Department>>,
    categories: Vec<Spanned<Category>>,
    #[serde(default)]
    map: Option<Spanned<MapSettings>>,
}

/// The loaded, checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The street.
    pub street: Street,
    /// Its communities.
    pub communities: Vec<Community>,
    /// Its grids.
    pub area: Area,
    /// The working calendar.
    pub calendar: WorkingCalendar,
    /// The scheduler.
    pub scheduler: SchedulerSettings,
    /// The score.
    pub scoring: Scoring,
    /// Departments and categories.
    pub catalog: Catalog,
    /// The console's map.
    pub map: MapSettings,
}

impl Config {
    /// The built-in Fukang demo.
    pub fn demo() -> Config {
        Config::parse(paidan_core::catalog::FUKANG_DEMO_TOML, "<built-in demo>")
            .expect("the built-in demo configuration is valid")
    }

    /// Load and check a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: name.clone(),
            line: 0,
            reason: format!("cannot read it: {e}"),
        })?;
        Config::parse(&text, &name)
    }

    /// Parse and check the text of a file called `file`.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let at = |span: std::ops::Range<usize>, reason: String| ConfigError {
            file: file.to_owned(),
            line: text[..span.start.min(text.len())].matches('\n').count() + 1,
            reason,
        };
        let raw: Raw = toml::from_str(text)
            .map_err(|e| at(e.span().unwrap_or(0..0), e.message().to_owned()))?;

        let street = {
            let s = raw.street.get_ref();
            Street {
                code: s.code.clone(),
                name_zh: s.name_zh.clone(),
                name_en: s.name_en.clone(),
            }
        };
        let mut communities = Vec::new();
        let mut seen = BTreeSet::new();
        for c in &raw.communities {
            let r = c.get_ref();
            if !seen.insert(r.code.clone()) {
                return Err(at(c.span(), format!("community {} appears twice", r.code)));
            }
            communities.push(Community {
                code: r.code.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
            });
        }
        let mut area = Area::default();
        for g in &raw.grids {
            let r = g.get_ref();
            if !seen.contains(&r.community) {
                return Err(at(
                    g.span(),
                    format!("grid {} names unknown community {}", r.code, r.community),
                ));
            }
            if area.grid(&r.code).is_some() {
                return Err(at(g.span(), format!("grid {} appears twice", r.code)));
            }
            let grid = Grid::new(
                r.code.as_str().into(),
                r.community.clone(),
                r.name_zh.clone(),
                r.name_en.clone(),
                r.polygon.clone(),
            )
            .map_err(|e| at(g.span(), format!("grid {}: {e}", r.code)))?;
            area.grids.push(grid);
        }

        let calendar = {
            let c = raw.calendar.get_ref();
            let bad = |reason: String| at(raw.calendar.span(), format!("calendar: {reason}"));
            let minutes = |t: &str| -> Result<u32, ConfigError> {
                let parsed = chrono::NaiveTime::parse_from_str(t, "%H:%M")
                    .map_err(|_| bad(format!("{t:?} is not a time like \"09:30\"")))?;
                use chrono::Timelike;
                Ok(parsed.hour() * 60 + parsed.minute())
            };
            let mut periods = Vec::new();
            for [s, e] in &c.work_periods {
                periods.push((minutes(s)?, minutes(e)?));
            }
            let mut weekend = Vec::new();
            for d in &c.weekend {
                weekend.push(
                    d.parse::<chrono::Weekday>()
                        .map_err(|_| bad(format!("{d:?} is not a day of the week")))?,
                );
            }
            let dates = |list: &[String]| -> Result<BTreeSet<chrono::NaiveDate>, ConfigError> {
                list.iter()
                    .map(|d| {
                        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                            .map_err(|_| bad(format!("{d:?} is not a date like \"2026-10-01\"")))
                    })
                    .collect()
            };
            WorkingCalendar::new(
                c.utc_offset_hours,
                periods,
                weekend,
                dates(&c.holidays)?,
                dates(&c.workdays)?,
            )
            .map_err(bad)?
        };

        let scheduler = raw.scheduler.get_ref().clone();
        if !(0.0..1.0).contains(&scheduler.remind_before_share)
            || scheduler.tick_seconds == 0
            || !(scheduler.escalate_after_hours >= 0.0
                && scheduler.escalate_after_hours.is_finite())
        {
            return Err(at(
                raw.scheduler.span(),
                "scheduler: tick_seconds > 0, remind_before_share in [0, 1), escalate_after_hours >= 0".into(),
            ));
        }
        let scoring = raw.scoring.get_ref().clone();
        let total = scoring.response + scoring.resolution + scoring.on_time + scoring.satisfaction;
        if (total - 20.0).abs() > 1e-9
            || [
                scoring.response,
                scoring.resolution,
                scoring.on_time,
                scoring.satisfaction,
            ]
            .iter()
            .any(|w| *w < 0.0)
        {
            return Err(at(
                raw.scoring.span(),
                format!(
                    "scoring: the weights must be non-negative and add up to 20 (they add up to {total})"
                ),
            ));
        }

        let catalog = Catalog {
            departments: raw
                .departments
                .iter()
                .map(|d| d.get_ref().clone())
                .collect(),
            categories: raw.categories.iter().map(|c| c.get_ref().clone()).collect(),
        };
        if let Err(e) = catalog.validate() {
            // Point at the entry the message names.
            let msg = e.to_string();
            let span = raw
                .categories
                .iter()
                .map(|c| (c.get_ref().code.as_str().to_owned(), c.span()))
                .chain(
                    raw.departments
                        .iter()
                        .map(|d| (d.get_ref().code.as_str().to_owned(), d.span())),
                )
                .filter(|(code, _)| msg.contains(&format!("{code} ")))
                .map(|(_, s)| s)
                .next_back()
                .unwrap_or(0..0);
            return Err(at(span, msg));
        }
        let map = match &raw.map {
            Some(m) => {
                m.get_ref().check().map_err(|e| at(m.span(), e))?;
                m.get_ref().clone()
            }
            None => MapSettings::default(),
        };
        Ok(Config {
            street,
            communities,
            area,
            calendar,
            scheduler,
            scoring,
            catalog,
            map,
        })
    }

    /// The category of `code`, if configured.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.catalog.category(code).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paidan_core::catalog::FUKANG_DEMO_TOML;

    #[test]
    fn the_demo_has_the_story_s_street_and_grids() {
        let c = Config::demo();
        assert_eq!(c.street.name_zh, "阜新街道");
        let g = c.area.locate(44.16, 87.98).expect("阜新花园 is in a grid");
        assert_eq!(g.community, "fxhy");
        assert!(c.catalog.department("environment").is_some());
    }

    fn error_of(text: &str) -> ConfigError {
        Config::parse(text, "street.toml").unwrap_err()
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn a_misspelt_key_names_the_file_and_line() {
        let text = FUKANG_DEMO_TOML.replace("tick_seconds = 60", "tick_second = 60");
        let e = error_of(&text);
        assert_eq!(e.file, "street.toml");
        assert_eq!(e.line, line_of(&text, "tick_second ="));
        assert!(e.reason.contains("tick_second"), "{e}");
    }

    #[test]
    fn a_category_of_an_unknown_department_points_at_the_category() {
        let text = FUKANG_DEMO_TOML.replace(
            "departments = [\"landscaping\"]",
            "departments = [\"parks\"]",
        );
        let e = error_of(&text);
        assert!(e.reason.contains("parks"), "{e}");
        let line = line_of(&text, "code = \"greenery.watering\"");
        assert!(e.line + 2 >= line && e.line <= line, "{e} vs line {line}");
    }

    #[test]
    fn weights_that_do_not_add_up_to_20_are_refused() {
        let text = FUKANG_DEMO_TOML.replace("on_time = 6 ", "on_time = 7 ");
        let e = error_of(&text);
        assert!(e.reason.contains("add up to 20"), "{e}");
        assert_eq!(e.line, line_of(&text, "[scoring]"));
    }

    #[test]
    fn a_nan_escalation_delay_is_refused() {
        let text =
            FUKANG_DEMO_TOML.replace("escalate_after_hours = 8", "escalate_after_hours = nan");
        assert!(error_of(&text).reason.contains("escalate_after_hours"));
    }

    #[test]
    fn map_tiles_need_a_url_with_z_x_and_y() {
        let with = |map: &str| Config::parse(&format!("{FUKANG_DEMO_TOML}\n{map}"), "street.toml");
        let bad = with("[map]\ntiles = \"https://t.example.org/{z}/{x}.png\"").unwrap_err();
        assert!(bad.reason.contains("{z}, {x} and {y}"), "{bad}");
        assert!(bad.line > 1);
        assert!(with("[map]\ntiles = \"javascript:{z}{x}{y}\"").is_err());
        let ok = with("[map]\ntiles = \"https://t.example.org:8443/{z}/{x}/{y}.png\"").unwrap();
        assert_eq!(ok.map.tile_origin(), Some("https://t.example.org:8443"));
        let local = with("[map]\ntiles = \"/tiles/{z}/{x}/{y}.png\"").unwrap();
        assert_eq!(
            local.map.tile_origin(),
            None,
            "same origin: 'self' covers it"
        );
        assert!(Config::demo().map.tiles.is_none());
    }

    #[test]
    fn a_grid_of_an_unknown_community_and_a_bad_date_are_refused() {
        let text = FUKANG_DEMO_TOML.replace("community = \"gwc\"", "community = \"nowhere\"");
        assert!(error_of(&text).reason.contains("nowhere"));
        let text = FUKANG_DEMO_TOML.replace("\"2026-10-01\"", "\"2026-13-01\"");
        assert!(error_of(&text).reason.contains("2026-13-01"));
    }
}
