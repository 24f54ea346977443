//! The map of open cases by grid (网格地图): the grid polygons from the
//! configuration drawn as SVG, cases as points coloured by status. No map
//! tiles: a deployment may have no map service.

use super::data::Row;
use super::i18n::Lang;
use crate::config::Config;
use std::fmt::Write;

const W: f64 = 640.0;
const H: f64 = 420.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG of the street's grids with `cases` on them.
pub fn svg(config: &Config, lang: Lang, cases: &[Row]) -> String {
    let points = config.area.grids.iter().flat_map(|g| g.ring.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for [lon, lat] in points {
        x0 = x0.min(*lon);
        x1 = x1.max(*lon);
        y0 = y0.min(*lat);
        y1 = y1.max(*lat);
    }
    if x0 > x1 {
        return String::new();
    }
    // Keep the aspect of the ground (a degree of longitude is shorter).
    let k = (y0.to_radians().cos()).max(0.1);
    let scale = ((W - 20.0) / ((x1 - x0) * k)).min((H - 20.0) / (y1 - y0));
    let px = |lon: f64| 10.0 + (lon - x0) * k * scale;
    let py = |lat: f64| H - 10.0 - (lat - y0) * scale;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="map" role="img" aria-label="{}">"#,
        escape(&lang.t("map-title"))
    );
    for g in &config.area.grids {
        let pts: Vec<String> = g
            .ring
            .iter()
            .map(|[lon, lat]| format!("{:.1},{:.1}", px(*lon), py(*lat)))
            .collect();
        let (cx, cy) = g.ring.iter().fold((0.0, 0.0), |(a, b), [lon, lat]| {
            (a + px(*lon), b + py(*lat))
        });
        let n = g.ring.len() as f64;
        let _ = write!(
            s,
            r#"<g class="grid" data-grid="{code}"><polygon points="{}"/><text x="{:.1}" y="{:.1}">{}</text></g>"#,
            pts.join(" "),
            cx / n,
            cy / n,
            escape(lang.name(&g.name_zh, &g.name_en)),
            code = escape(g.code.as_str()),
        );
    }
    for c in cases {
        if !(x0..=x1).contains(&c.lon) || !(y0..=y1).contains(&c.lat) {
            continue;
        }
        let _ = write!(
            s,
            r#"<a href="/console/cases/{id}"><circle class="case s-{st}{od}" cx="{:.1}" cy="{:.1}" r="5"><title>{} {} {}</title></circle></a>"#,
            px(c.lon),
            py(c.lat),
            escape(&c.number),
            escape(&c.category),
            escape(&c.status),
            id = c.id,
            st = c.status_code,
            od = if c.overdue { " overdue" } else { "" },
        );
    }
    s.push_str("</svg>");
    s
}
