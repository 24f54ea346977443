//! The figures as the offices report them: CSV and XLSX, one row per line
//! (street, departments, grids), Chinese headers with English beside them.

use super::{Figures, Line};

/// The columns, in order: Chinese and English heading.
pub const COLUMNS: &[(&str, &str)] = &[
    ("层级", "level"),
    ("代码", "code"),
    ("名称", "name"),
    ("Name", "name_en"),
    ("受理数", "received"),
    ("及时响应数", "responded"),
    ("应结案数", "due"),
    ("结案数", "closed"),
    ("按期结案数", "closed_on_time"),
    ("超期数", "overdue"),
    ("退单数", "returned"),
    ("重办数", "reopened"),
    ("挂账数", "held"),
    ("反复数", "recurrences"),
    ("回访数", "callbacks"),
    ("满意数", "satisfied"),
    ("响应率", "response_rate"),
    ("结案率", "resolution_rate"),
    ("按期结案率", "on_time_rate"),
    ("满意率", "satisfaction_rate"),
    ("考核得分(20)", "score"),
];

enum Cell {
    Text(String),
    Int(u64),
    Num(Option<f64>),
}

fn rows(f: &Figures) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    let mut push = |level: &str, l: &Line| {
        let c = &l.counts;
        out.push(vec![
            Cell::Text(level.to_owned()),
            Cell::Text(l.code.clone()),
            Cell::Text(l.name_zh.clone()),
            Cell::Text(l.name_en.clone()),
            Cell::Int(c.received),
            Cell::Int(c.responded),
            Cell::Int(c.due),
            Cell::Int(c.closed),
            Cell::Int(c.closed_on_time),
            Cell::Int(c.overdue),
            Cell::Int(c.returned),
            Cell::Int(c.reopened),
            Cell::Int(c.held),
            Cell::Int(c.recurrences),
            Cell::Int(c.callbacks),
            Cell::Int(c.satisfied),
            Cell::Num(l.rates.response),
            Cell::Num(l.rates.resolution),
            Cell::Num(l.rates.on_time),
            Cell::Num(l.rates.satisfaction),
            Cell::Num(l.score),
        ]);
    };
    push("street", &f.street);
    for d in &f.departments {
        push("department", d);
    }
    for g in &f.grids {
        push("grid", g);
    }
    out
}

/// CSV with a two-language header row.
pub fn csv(f: &Figures) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS.iter().map(|(zh, en)| format!("{zh} {en}")))?;
    for row in rows(f) {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(Some(x)) => format!("{x:.4}"),
            Cell::Num(None) => String::new(),
        }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// An XLSX workbook with one sheet.
pub fn xlsx(f: &Figures) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("考核 Figures")?;
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    for (i, (zh, en)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, format!("{zh}\n{en}"), &bold)?;
    }
    for (r, row) in rows(f).iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Num(Some(x)) if usize::from(c) + 1 < COLUMNS.len() => {
                    sheet.write_number_with_format(r, c, *x, &pct)?;
                }
                Cell::Num(Some(x)) => {
                    sheet.write_number(r, c, *x)?;
                }
                Cell::Num(None) => {}
            }
        }
    }
    Ok(book.save_to_buffer()?)
}
