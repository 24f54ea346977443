//! The street's geography: communities (社区) and grids (网格) as polygons.
//! A case's grid is the first grid whose polygon holds its location
//! (boundary included), so two grids sharing an edge never both claim it.

use geo::{Intersects, LineString, Point, Polygon};
use paidan_core::GridId;
use serde::Serialize;

/// The street (街道) the server serves.
#[derive(Clone, Debug, Serialize)]
pub struct Street {
    /// Code.
    pub code: String,
    /// 阜新街道.
    pub name_zh: String,
    /// Fuxin Subdistrict.
    pub name_en: String,
}

/// A community (社区) of the street.
#[derive(Clone, Debug, Serialize)]
pub struct Community {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// A grid (网格): the smallest area a grid worker or patrol officer covers.
#[derive(Clone, Debug)]
pub struct Grid {
    /// Code, written into cases at triage.
    pub code: GridId,
    /// The community it belongs to.
    pub community: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The ring as configured, `[lon, lat]` (for drawing the map).
    pub ring: Vec<[f64; 2]>,
    polygon: Polygon<f64>,
}

impl Grid {
    /// A grid from its ring of `[lon, lat]` points (closed automatically).
    pub fn new(
        code: GridId,
        community: String,
        name_zh: String,
        name_en: String,
        ring: Vec<[f64; 2]>,
    ) -> Result<Grid, String> {
        if ring.len() < 3 {
            return Err("a polygon needs at least 3 points".into());
        }
        for [lon, lat] in &ring {
            if !(-180.0..=180.0).contains(lon) || !(-90.0..=90.0).contains(lat) {
                return Err(format!("point [{lon}, {lat}] is not [longitude, latitude]"));
            }
        }
        let line: LineString<f64> = ring.iter().map(|[x, y]| (*x, *y)).collect();
        Ok(Grid {
            code,
            community,
            name_zh,
            name_en,
            ring,
            polygon: Polygon::new(line, vec![]),
        })
    }

    /// Does the grid hold this point (boundary included)?
    pub fn holds(&self, lat: f64, lon: f64) -> bool {
        self.polygon.intersects(&Point::new(lon, lat))
    }
}

/// The grids of a street, in configuration order.
#[derive(Clone, Debug, Default)]
pub struct Area {
    /// Grids.
    pub grids: Vec<Grid>,
}

impl Area {
    /// The grid a location falls in, if any.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<&Grid> {
        self.grids.iter().find(|g| g.holds(lat, lon))
    }

    /// A grid by code.
    pub fn grid(&self, code: &str) -> Option<&Grid> {
        self.grids.iter().find(|g| g.code.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, lon: f64, lat: f64) -> Grid {
        Grid::new(
            code.into(),
            "fxhy".into(),
            code.into(),
            code.into(),
            vec![
                [lon, lat],
                [lon + 0.01, lat],
                [lon + 0.01, lat + 0.01],
                [lon, lat + 0.01],
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_point_falls_in_its_grid_and_a_shared_edge_goes_to_the_first() {
        let area = Area {
            grids: vec![square("a", 87.97, 44.15), square("b", 87.97, 44.16)],
        };
        assert_eq!(area.locate(44.155, 87.975).unwrap().code.as_str(), "a");
        assert_eq!(area.locate(44.165, 87.975).unwrap().code.as_str(), "b");
        assert_eq!(area.locate(44.16, 87.975).unwrap().code.as_str(), "a");
        assert!(area.locate(44.20, 87.975).is_none());
    }

    #[test]
    fn latitude_and_longitude_swapped_are_refused() {
        let err = Grid::new(
            "x".into(),
            "c".into(),
            "x".into(),
            "x".into(),
            vec![[44.1, 187.9], [44.2, 87.9], [44.2, 88.0]],
        )
        .unwrap_err();
        assert!(err.contains("longitude"), "{err}");
    }
}
