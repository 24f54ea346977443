//! The domain's small value types: who acts (roles), how a report came in
//! (channels), where (locations) and the photos that go with it.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text form (used on disk, on the wire and in the CLI).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Error::invalid(
                        stringify!($name),
                        format!("{s:?} is not one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }
    };
}

text_enum!(
    /// What a person is allowed to do is decided by their role.
    Role {
        /// 居民: reports problems, follows them, signs the callback.
        Resident = "resident",
        /// 网格员: reports from their grid.
        GridWorker = "grid_worker",
        /// 巡查队员: daily rounds, handles small issues on site, re-inspects.
        PatrolOfficer = "patrol_officer",
        /// 综合执法中心调度员: triages, dispatches, reminds, verifies, closes.
        Dispatcher = "dispatcher",
        /// 接单员: a department's liaison at the center; accepts or returns.
        DeptLiaison = "dept_liaison",
        /// 部门工作人员: does the work, reports progress and completion.
        DeptStaff = "dept_staff",
        /// 群众代表、义务监督员: on-site evaluation of finished orders.
        Evaluator = "evaluator",
        /// 管理员: accounts and configuration.
        Admin = "admin",
        /// The server's own dispatch engine and scheduler.
        System = "system",
    }
);

impl Role {
    /// Department roles act for a department and must name it.
    pub fn is_department(self) -> bool {
        matches!(self, Role::DeptLiaison | Role::DeptStaff)
    }

    /// The center's own people (and the server acting for them).
    pub fn is_center(self) -> bool {
        matches!(self, Role::Dispatcher | Role::System | Role::Admin)
    }

    /// Field staff who walk the streets.
    pub fn is_field(self) -> bool {
        matches!(self, Role::PatrolOfficer | Role::GridWorker)
    }
}

text_enum!(
    /// How a report reached the center.
    Channel {
        /// The residents' phone app (APP提交).
        App = "app",
        /// A patrol officer's daily round (日常巡查).
        Patrol = "patrol",
        /// The hotline (专线电话), typed in by the center.
        Hotline = "hotline",
        /// A grid party branch (网格党支部).
        Grid = "grid",
        /// The community office or the work team stationed there (社区、访惠聚工作组).
        Community = "community",
        /// Typed in at the web console.
        Console = "console",
        /// Through the Open311 GeoReport v2 API.
        Open311 = "open311",
    }
);

impl Channel {
    /// The channel a report filed on a phone by this role comes through.
    pub fn for_role(role: Role) -> Channel {
        match role {
            Role::PatrolOfficer => Channel::Patrol,
            Role::GridWorker => Channel::Grid,
            Role::Dispatcher | Role::Admin | Role::System => Channel::Console,
            _ => Channel::App,
        }
    }
}

text_enum!(
    /// When in the case's life a photo was taken.
    PhotoStage {
        /// With the report.
        Report = "report",
        /// During the work.
        Process = "process",
        /// Showing the finished work.
        Done = "done",
    }
);

text_enum!(
    /// The reporter's answer at the callback (回访).
    Satisfaction {
        /// 满意.
        Satisfied = "satisfied",
        /// 基本满意.
        BasicallySatisfied = "basically_satisfied",
        /// 不满意: reopens the order.
        Unsatisfied = "unsatisfied",
    }
);

impl Satisfaction {
    /// Counted as satisfied in the satisfaction rate (满意率).
    pub fn counts_as_satisfied(self) -> bool {
        !matches!(self, Satisfaction::Unsatisfied)
    }
}

/// Where a problem is. Latitude and longitude in degrees (WGS 84).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Degrees north, -90 to 90.
    pub lat: f64,
    /// Degrees east, -180 to 180.
    pub lon: f64,
    /// A description of the place as people say it ("小区后门").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The grid it falls in, set by triage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<crate::GridId>,
}

impl Location {
    /// A checked location.
    pub fn new(lat: f64, lon: f64) -> crate::Result<Self> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Error::invalid("lat", "latitude must be between -90 and 90"));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(Error::invalid(
                "lon",
                "longitude must be between -180 and 180",
            ));
        }
        Ok(Location {
            lat,
            lon,
            address: None,
            grid: None,
        })
    }

    /// Great-circle distance in metres (haversine; plenty for a street).
    pub fn distance_m(&self, lat: f64, lon: f64) -> f64 {
        const R: f64 = 6_371_000.0;
        let (p1, p2) = (self.lat.to_radians(), lat.to_radians());
        let dp = p2 - p1;
        let dl = (lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }
}

/// A photo referenced from a case. The bytes travel separately, by hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// Lower-case hex sha256 of the (prepared) JPEG bytes.
    pub sha256: String,
    /// Media type, `image/jpeg` for prepared photos.
    pub mime: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// When it was taken (ms since the Unix epoch), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<i64>,
    /// Report, process or done.
    pub stage: PhotoStage,
}

/// True if `s` is a well-formed sha256 hex digest (64 lower-case hex digits).
/// Photo hashes name files, so anything else is refused before it is used.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The reporter's private contact. Never in the shared case document: it is
/// kept in a separate per-case record that only the reporter and staff see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateContact {
    /// Name as the reporter gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone number for the callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}
