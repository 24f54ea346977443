//! Identifiers. Case and event ids are made on the device (UUIDv7: time
//! ordered, so the newest sort last, and random enough that two phones
//! offline never collide). Codes from the configuration (departments,
//! categories, grids) are short strings.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| crate::Error::invalid("id", format!("{s:?} is not a case id")))
            }
        }
    };
}

uuid_id!(
    /// A case (one report, one work order: 工单).
    CaseId
);
uuid_id!(
    /// One event in a case's timeline.
    EventId
);

macro_rules! code_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

code_id!(
    /// A user account (resident or staff). Before a device logs in, it uses a
    /// local id of its own.
    UserId
);
code_id!(
    /// A department (部门), e.g. `urban_mgmt` for 城市管理局.
    DeptCode
);
code_id!(
    /// A category code from the catalogue (e.g. `sanitation.garbage`).
    CategoryCode
);
code_id!(
    /// A grid (网格) or community inside a street.
    GridId
);
