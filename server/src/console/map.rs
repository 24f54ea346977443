//! The map of open cases by grid (网格地图): the grid polygons from the
//! configuration drawn as SVG, cases as points coloured by status, in Web
//! Mercator. Tiles are optional (`[map] tiles`): a deployment may have no
//! map service, and then the outlines are the map.

use super::data::Row;
use super::i18n::Lang;
use crate::config::Config;
use std::f64::consts::PI;
use std::fmt::Write;

const W: f64 = 640.0;
const H: f64 = 420.0;
const PAD: f64 = 10.0;
/// Pixels of a tile.
const TILE: f64 = 256.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Web Mercator, as the share of the world's width and height (0 to 1,
/// from the west and the north), as tile servers cut it.
fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-85.05, 85.05).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
    (x, y)
}

/// Where the street's grids fall on the picture.
struct View {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    scale: f64,
}

impl View {
    fn of(config: &Config) -> Option<View> {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for [lon, lat] in config.area.grids.iter().flat_map(|g| g.ring.iter()) {
            let (x, y) = mercator(*lon, *lat);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        let scale = ((W - 2.0 * PAD) / (x1 - x0)).min((H - 2.0 * PAD) / (y1 - y0));
        Some(View {
            x0,
            y0,
            x1,
            y1,
            scale,
        })
    }

    fn px(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            PAD + (x - self.x0) * self.scale,
            PAD + (y - self.y0) * self.scale,
        )
    }

    fn contains(&self, (x, y): (f64, f64)) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }

    /// The tiles under the picture: the zoom at which a tile is drawn at
    /// its own size or larger, and each tile's `(z, x, y)`.
    fn tiles(&self) -> Vec<(u32, u32, u32)> {
        // A tile at zoom z covers 1/2^z of the world: drawn at
        // scale/2^z pixels; choose the first z that draws it at >= 256.
        let z = ((self.scale / TILE).log2().floor() as i64).clamp(0, 19) as u32;
        let n = f64::from(1u32 << z);
        // Cover the whole picture, margins included.
        let (wx0, wy0) = (self.x0 - PAD / self.scale, self.y0 - PAD / self.scale);
        let (wx1, wy1) = (wx0 + W / self.scale, wy0 + H / self.scale);
        let range = |a: f64, b: f64| {
            (a * n).floor().max(0.0) as u32..=((b * n).floor().min(n - 1.0)) as u32
        };
        let mut out = Vec::new();
        for ty in range(wy0, wy1) {
            for tx in range(wx0, wx1) {
                out.push((z, tx, ty));
            }
        }
        out
    }
}

/// The SVG of the street's grids with `cases` on them.
pub fn svg(config: &Config, lang: Lang, cases: &[Row]) -> String {
    let Some(view) = View::of(config) else {
        return String::new();
    };
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="map" role="img" aria-label="{}">"#,
        escape(&lang.t("map-title"))
    );
    if let Some(template) = &config.map.tiles {
        for (z, x, y) in view.tiles() {
            let n = f64::from(1u32 << z);
            let (left, top) = view.px((f64::from(x) / n, f64::from(y) / n));
            let size = view.scale / n;
            let href = template
                .replace("{z}", &z.to_string())
                .replace("{x}", &x.to_string())
                .replace("{y}", &y.to_string());
            let _ = write!(
                s,
                r#"<image class="tile" href="{}" x="{left:.1}" y="{top:.1}" width="{size:.1}" height="{size:.1}"/>"#,
                escape(&href)
            );
        }
    }
    for g in &config.area.grids {
        let pts: Vec<(f64, f64)> = g
            .ring
            .iter()
            .map(|[lon, lat]| view.px(mercator(*lon, *lat)))
            .collect();
        let n = pts.len() as f64;
        let (cx, cy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        let points: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            s,
            r#"<g class="grid" data-grid="{code}"><polygon points="{}"/><text x="{:.1}" y="{:.1}">{}</text></g>"#,
            points.join(" "),
            cx / n,
            cy / n,
            escape(lang.name(&g.name_zh, &g.name_en)),
            code = escape(g.code.as_str()),
        );
    }
    for c in cases {
        let at = mercator(c.lon, c.lat);
        if !view.contains(at) {
            continue;
        }
        let (x, y) = view.px(at);
        let _ = write!(
            s,
            r#"<a href="/console/cases/{id}"><circle class="case s-{st}{od}" cx="{x:.1}" cy="{y:.1}" r="5"><title>{} {} {}</title></circle></a>"#,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outlines_are_the_map_when_no_tiles_are_configured() {
        let config = Config::demo();
        let svg = svg(&config, Lang::Zh, &[]);
        assert_eq!(svg.matches("<polygon").count(), config.area.grids.len());
        assert!(!svg.contains("<image"));
    }

    #[test]
    fn configured_tiles_cover_the_picture_at_one_zoom() {
        let mut config = Config::demo();
        config.map.tiles = Some("https://tiles.example.org/{z}/{x}/{y}.png".into());
        let view = View::of(&config).unwrap();
        let tiles = view.tiles();
        assert!(!tiles.is_empty() && tiles.len() <= 16, "{tiles:?}");
        let z = tiles[0].0;
        assert!(tiles.iter().all(|t| t.0 == z));
        // Each tile is drawn at least at its own size, at most twice it.
        let size = view.scale / f64::from(1u32 << z);
        assert!((TILE..2.0 * TILE).contains(&size), "{size}");
        // The tile under 阜新花园 (44.16 N, 87.98 E) is one of them.
        let n = f64::from(1u32 << z);
        let (x, y) = mercator(87.98, 44.16);
        assert!(tiles.contains(&(z, (x * n) as u32, (y * n) as u32)));
        let svg = svg(&config, Lang::Zh, &[]);
        assert_eq!(svg.matches("<image").count(), tiles.len());
        assert!(svg.contains(&format!(r#"href="https://tiles.example.org/{z}/"#)));
        // Tiles first, outlines over them.
        assert!(svg.find("<image").unwrap() < svg.find("<polygon").unwrap());
    }
}
