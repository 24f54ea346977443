//! How `list` and `show` print: a plain table or JSON.

use paidan_core::labels;
use paidan_core::store::{CaseSummary, Identity};
use paidan_core::{Actor, Case, Catalog, PrivateContact};

pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| ms.to_string())
}

pub fn list(rows: &[CaseSummary], json: bool) -> anyhow::Result<()> {
    for r in rows {
        if json {
            println!("{}", serde_json::to_string(r)?);
        } else {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                r.id,
                r.status,
                r.category,
                time(r.updated_at),
                r.title
            );
        }
    }
    Ok(())
}

pub fn show(
    case: &Case,
    contact: Option<&PrivateContact>,
    me: &Identity,
    catalog: &Catalog,
    json: bool,
) -> anyhow::Result<()> {
    let view = case.view();
    let actor = Actor {
        user: &me.user,
        role: me.role,
        dept: me.dept.as_ref(),
    };
    let allowed = view.allowed_actions(&actor);
    if json {
        let v = serde_json::json!({
            "case": case,
            "view": view,
            "allowed": allowed,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let cat = catalog
        .category(case.category.as_str())
        .map(|c| format!("{} {}", c.name_zh, c.name_en))
        .unwrap_or_else(|_| case.category.to_string());
    println!("编号 id:        {}", case.id);
    println!("状态 status:    {}", labels::status(view.status));
    println!("类别 category:  {} ({})", cat, case.category);
    println!("描述 text:      {}", case.description);
    println!(
        "位置 place:     {:.5}, {:.5}{}",
        case.location.lat,
        case.location.lon,
        case.location
            .address
            .as_deref()
            .map(|a| format!(" {a}"))
            .unwrap_or_default()
    );
    println!(
        "上报 reported:  {} ({})",
        time(case.created.at),
        case.created.channel
    );
    if let Some(c) = contact {
        println!(
            "联系人 contact: {} {}",
            c.name.as_deref().unwrap_or("-"),
            c.phone.as_deref().unwrap_or("-")
        );
    }
    if let Some(d) = view.deadline() {
        let overdue = if view.is_overdue(chrono::Utc::now().timestamp_millis()) {
            " 已超期 OVERDUE"
        } else {
            ""
        };
        println!("期限 deadline:  {}{}", time(d), overdue);
    }
    for a in &view.assignments {
        println!("部门 dept:      {} {:?}", a.dept, a.state);
    }
    println!("照片 photos:    {}", case.photos.len());
    println!("时间线 timeline:");
    for (i, e) in case.events.iter().enumerate() {
        let superseded = view.superseded.iter().find(|s| s.index == i);
        println!(
            "  {}  {}  {} {}{}{}",
            time(e.at),
            labels::event(e.data.kind()),
            e.by,
            labels::role(e.role).zh,
            e.dept
                .as_ref()
                .map(|d| format!(" [{d}]"))
                .unwrap_or_default(),
            superseded
                .map(|s| format!("  (未生效 superseded: {})", s.reason))
                .unwrap_or_default()
        );
    }
    let names: Vec<_> = allowed.iter().map(|k| k.as_str()).collect();
    println!("可办理 next:    {}", names.join(", "));
    Ok(())
}
