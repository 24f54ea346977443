//! The errors a UI shows, mapped from the core's in one place.

use paidan_core::Error as CoreError;

/// What went wrong, in a form a UI can act on.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum FieldError {
    /// The server could not be reached; nothing was lost, try again later.
    #[error("offline: {detail}")]
    Offline {
        /// Details for a log.
        detail: String,
    },
    /// Not logged in, or the login expired.
    #[error("not logged in")]
    Unauthorized,
    /// The server refused a change.
    #[error("refused: {reason}")]
    Refused {
        /// The server's reason.
        reason: String,
    },
    /// An input was not acceptable.
    #[error("{field}: {detail}")]
    InvalidInput {
        /// Which input (`category`, `lat`, `photo`, `action` ...).
        field: String,
        /// Why.
        detail: String,
    },
    /// No such case on this device.
    #[error("no case {id}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// The device's storage failed.
    #[error("storage: {detail}")]
    Storage {
        /// Details.
        detail: String,
    },
}

impl From<CoreError> for FieldError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid { field, reason } => FieldError::InvalidInput {
                field: field.to_owned(),
                detail: reason,
            },
            CoreError::Photo(m) => FieldError::InvalidInput {
                field: "photo".into(),
                detail: m,
            },
            CoreError::NoSuchCase(id) => FieldError::NotFound { id },
            CoreError::Transport(m) => FieldError::Offline { detail: m },
            CoreError::Unauthorized => FieldError::Unauthorized,
            other => FieldError::Storage {
                detail: other.to_string(),
            },
        }
    }
}
