//! The photo store: content-addressed files under `DATA/blobs/`, with
//! resumable uploads. A photo is named by the sha256 of its bytes, kept
//! once, and only after its bytes match that hash.
//!
//! ```text
//! blobs/ab/abcdef….jpg   complete photos
//! blobs/partial/<sha>    uploads under way (their size is the offset)
//! blobs/thumbs/<sha>.jpg thumbnails, made on first request
//! ```
//! All methods block: call them from `spawn_blocking`.

use paidan_core::model::is_sha256_hex;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Largest photo accepted (prepared photos are a few hundred KB).
pub const MAX_PHOTO: u64 = 16 * 1024 * 1024;
/// Long edge of thumbnails.
pub const THUMB_EDGE: u32 = 320;

/// Where an upload stands.
#[derive(Debug, PartialEq, Eq)]
pub enum State {
    /// Nothing received.
    Unknown,
    /// This many bytes received.
    Partial(u64),
    /// The whole photo is here, this size.
    Complete(u64),
}

/// What appending a chunk did.
#[derive(Debug, PartialEq, Eq)]
pub enum Appended {
    /// More to come; this many bytes held.
    Partial(u64),
    /// The last byte arrived and the hash matched: kept.
    Complete,
}

/// Why a chunk was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not a sha256 hex digest (also stops path traversal).
    #[error("not a photo hash (64 lower-case hex digits)")]
    BadHash,
    /// Over [`MAX_PHOTO`].
    #[error("a photo may be at most {MAX_PHOTO} bytes")]
    TooLarge,
    /// The offset is not where the server stands.
    #[error("the upload is at offset {0}")]
    WrongOffset(u64),
    /// Bytes past the declared length.
    #[error("the chunk goes past the declared length")]
    PastEnd,
    /// The bytes do not hash to the name: deleted.
    #[error("the bytes do not match their hash; the upload was discarded")]
    HashMismatch,
    /// Disk trouble.
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

/// The photo store in a folder.
#[derive(Debug)]
pub struct BlobStore {
    root: PathBuf,
    // Uploads are rare next to syncs; one lock keeps appends to a partial
    // file and its final rename from interleaving.
    lock: Mutex<()>,
}

impl BlobStore {
    /// Open (create) the store under `root`.
    pub fn open(root: &Path) -> std::io::Result<BlobStore> {
        std::fs::create_dir_all(root.join("partial"))?;
        std::fs::create_dir_all(root.join("thumbs"))?;
        Ok(BlobStore {
            root: root.to_path_buf(),
            lock: Mutex::new(()),
        })
    }

    fn complete_path(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[..2]).join(format!("{sha}.jpg"))
    }

    fn partial_path(&self, sha: &str) -> PathBuf {
        self.root.join("partial").join(sha)
    }

    /// Where an upload stands.
    pub fn state(&self, sha: &str) -> Result<State, UploadError> {
        if !is_sha256_hex(sha) {
            return Err(UploadError::BadHash);
        }
        if let Ok(m) = std::fs::metadata(self.complete_path(sha)) {
            return Ok(State::Complete(m.len()));
        }
        match std::fs::metadata(self.partial_path(sha)) {
            Ok(m) => Ok(State::Partial(m.len())),
            Err(_) => Ok(State::Unknown),
        }
    }

    /// Append a chunk at `offset` of an upload of `length` bytes.
    pub fn append(
        &self,
        sha: &str,
        offset: u64,
        length: u64,
        chunk: &[u8],
    ) -> Result<Appended, UploadError> {
        if !is_sha256_hex(sha) {
            return Err(UploadError::BadHash);
        }
        if length > MAX_PHOTO {
            return Err(UploadError::TooLarge);
        }
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let held = match self.state(sha)? {
            State::Complete(_) => return Ok(Appended::Complete),
            State::Partial(n) => n,
            State::Unknown => 0,
        };
        if offset != held {
            return Err(UploadError::WrongOffset(held));
        }
        if offset + chunk.len() as u64 > length {
            return Err(UploadError::PastEnd);
        }
        let partial = self.partial_path(sha);
        {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&partial)?;
            f.write_all(chunk)?;
            f.sync_data()?;
        }
        let now = offset + chunk.len() as u64;
        if now < length {
            return Ok(Appended::Partial(now));
        }
        let bytes = std::fs::read(&partial)?;
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        if hex != sha {
            std::fs::remove_file(&partial)?;
            return Err(UploadError::HashMismatch);
        }
        let dest = self.complete_path(sha);
        std::fs::create_dir_all(dest.parent().expect("has a parent"))?;
        std::fs::rename(&partial, &dest)?;
        Ok(Appended::Complete)
    }

    /// A complete photo's bytes.
    pub fn read(&self, sha: &str) -> Result<Option<Vec<u8>>, UploadError> {
        if !is_sha256_hex(sha) {
            return Err(UploadError::BadHash);
        }
        match std::fs::read(self.complete_path(sha)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A thumbnail (made once, then kept).
    pub fn thumbnail(&self, sha: &str) -> Result<Option<Vec<u8>>, UploadError> {
        let Some(original) = self.read(sha)? else {
            return Ok(None);
        };
        let path = self.root.join("thumbs").join(format!("{sha}.jpg"));
        if let Ok(b) = std::fs::read(&path) {
            return Ok(Some(b));
        }
        let Ok(img) = image::load_from_memory(&original) else {
            return Ok(Some(original));
        };
        let thumb = img.thumbnail(THUMB_EDGE, THUMB_EDGE).into_rgb8();
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75);
        if thumb.write_with_encoder(enc).is_err() {
            return Ok(Some(original));
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &out)?;
        std::fs::rename(&tmp, &path)?;
        Ok(Some(out))
    }
}
