//! A period given as local dates (`--from 2026-01-01 --to 2026-12-31`, the
//! end day included), turned into milliseconds on the street's calendar.

use crate::config::Config;
use chrono::NaiveDate;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON.
    Json,
    /// CSV, UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// `[from, to)` in ms: from the start of `from` to the end of `to`. Without
/// `from`, since the epoch; without `to`, until now.
pub fn period(
    config: &Config,
    from: Option<&str>,
    to: Option<&str>,
    now: i64,
) -> Result<(i64, i64), String> {
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| format!("{s:?} is not a date like 2026-10-31"))
    };
    let start = match from {
        Some(s) => config.calendar.midnight_ms(date(s)?),
        None => 0,
    };
    let end = match to {
        Some(s) => {
            let d = date(s)?;
            config
                .calendar
                .midnight_ms(d.succ_opt().ok_or("the end date is out of range")?)
        }
        None => now + 1,
    };
    if end <= start {
        return Err("the period ends before it starts".into());
    }
    Ok((start, end))
}

/// The figures in a format: bytes and content type.
pub fn render(f: &super::Figures, format: Format) -> anyhow::Result<(Vec<u8>, &'static str)> {
    Ok(match format {
        Format::Json => (serde_json::to_vec_pretty(f)?, "application/json"),
        Format::Csv => (super::export::csv(f)?, "text/csv; charset=utf-8"),
        Format::Xlsx => (
            super::export::xlsx(f)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    })
}
