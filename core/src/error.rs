//! The core's error type. Messages are for people: they say what was wrong
//! and never carry personal data (phone numbers, addresses, file paths).

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input a user typed or a caller passed that is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which input was wrong (`category`, `lat`, ...).
        field: &'static str,
        /// Why, in words a person can act on.
        reason: String,
    },
    /// A case that is not in the store.
    #[error("no case with id {0}")]
    NoSuchCase(String),
    /// The bytes of a case document could not be read.
    #[error("case document is damaged: {0}")]
    Document(#[from] automerge::AutomergeError),
    /// A stored value did not have the shape the schema expects.
    #[error("case document has an unexpected shape: {0}")]
    Shape(String),
    /// The local database failed.
    #[error("local store: {0}")]
    Store(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// A photo could not be decoded or encoded.
    #[error("photo: {0}")]
    Photo(String),
    /// A sync message could not be encoded or decoded.
    #[error("sync message: {0}")]
    Protocol(String),
    /// The server could not be reached, or answered with an error.
    #[error("server: {0}")]
    Transport(String),
    /// The server refused the request because the device is not logged in.
    #[error("not logged in, or the login has expired")]
    Unauthorized,
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Shape(e.to_string())
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
