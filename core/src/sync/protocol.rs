//! The batched sync protocol's messages and their encoding.
//!
//! ## Wire format (version 1)
//!
//! Every message is `b"PDSY"`, one version byte (`1`), one message type
//! byte (`1` request, `2` response), then the message body in
//! [postcard](https://postcard.jamesmunns.com/wire-format) encoding
//! (varint lengths and integers, raw bytes for `u8` sequences). Change
//! bytes are Automerge's own compressed change chunks, carried as they are,
//! so the bytes on the wire are the bytes of the changes plus a few bytes of
//! framing per change and per case.
//!
//! Content type: `application/vnd.paidan.sync`. A message with another
//! magic, version or type is refused before its body is read.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
pub use serde_bytes::ByteBuf;

/// The HTTP content type of sync messages.
pub const CONTENT_TYPE: &str = "application/vnd.paidan.sync";
const MAGIC: &[u8; 4] = b"PDSY";
/// The protocol version this build speaks.
pub const VERSION: u8 = 1;
const REQUEST: u8 = 1;
const RESPONSE: u8 = 2;

/// A case id on the wire (16 bytes of its UUID).
pub type WireCaseId = [u8; 16];
/// A change hash on the wire.
pub type WireHash = [u8; 32];

/// Changes of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChanges {
    /// The case.
    pub case: WireCaseId,
    /// Automerge change chunks, in an order where each change's deps come
    /// before it (as `get_changes` gives them). `ByteBuf` only makes serde
    /// copy them whole; on the wire they are length-prefixed bytes.
    pub changes: Vec<ByteBuf>,
}

/// One request: every local change the server has not acknowledged, and
/// where the device's feed stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// The last server sequence number this device has seen.
    pub cursor: u64,
    /// Local changes, grouped by case.
    pub cases: Vec<CaseChanges>,
}

/// The server's heads of a case after the request, for every case the
/// request carried changes of: the device may treat every change they reach
/// as held by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heads {
    /// The case.
    pub case: WireCaseId,
    /// Its heads on the server.
    pub heads: Vec<WireHash>,
}

/// A change the server did not merge, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The case.
    pub case: WireCaseId,
    /// The change.
    pub change: WireHash,
    /// Why, in words for the user.
    pub reason: String,
}

/// One response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Server heads of every case the request carried.
    pub heads: Vec<Heads>,
    /// Changes refused.
    pub refused: Vec<Refusal>,
    /// Changes after the device's cursor in its scope, grouped by case.
    pub changes: Vec<CaseChanges>,
    /// The device's new cursor.
    pub cursor: u64,
    /// More changes are waiting: ask again (with no local changes) at once.
    pub more: bool,
}

fn encode<T: Serialize>(kind: u8, msg: &T) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(kind);
    postcard::to_io(msg, &mut out).map_err(|e| Error::Protocol(e.to_string()))?;
    Ok(out)
}

fn decode<'a, T: Deserialize<'a>>(kind: u8, bytes: &'a [u8]) -> Result<T> {
    if bytes.len() < 6 || &bytes[..4] != MAGIC {
        return Err(Error::Protocol("not a Paidan sync message".into()));
    }
    if bytes[4] != VERSION {
        return Err(Error::Protocol(format!(
            "sync protocol version {} is not supported (this side speaks {VERSION})",
            bytes[4]
        )));
    }
    if bytes[5] != kind {
        return Err(Error::Protocol("unexpected sync message type".into()));
    }
    let (msg, rest) = postcard::take_from_bytes(&bytes[6..])
        .map_err(|e| Error::Protocol(format!("damaged or truncated message ({e})")))?;
    if !rest.is_empty() {
        return Err(Error::Protocol("trailing bytes after the message".into()));
    }
    Ok(msg)
}

impl SyncRequest {
    /// Encode for the wire.
    pub fn encode(&self) -> Result<Vec<u8>> {
        encode(REQUEST, self)
    }
    /// Decode from the wire; untrusted bytes give an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<SyncRequest> {
        decode(REQUEST, bytes)
    }
    /// Total bytes of the change chunks carried.
    pub fn change_bytes(&self) -> usize {
        self.cases
            .iter()
            .flat_map(|c| &c.changes)
            .map(|b| b.len())
            .sum()
    }
}

impl SyncResponse {
    /// Encode for the wire.
    pub fn encode(&self) -> Result<Vec<u8>> {
        encode(RESPONSE, self)
    }
    /// Decode from the wire.
    pub fn decode(bytes: &[u8]) -> Result<SyncResponse> {
        decode(RESPONSE, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_and_its_framing_is_small() {
        let req = SyncRequest {
            cursor: 42,
            cases: vec![CaseChanges {
                case: [7; 16],
                changes: vec![ByteBuf::from(vec![1; 300]), ByteBuf::from(vec![2; 200])],
            }],
        };
        let bytes = req.encode().unwrap();
        assert_eq!(SyncRequest::decode(&bytes).unwrap(), req);
        assert!(
            bytes.len() <= 500 + 6 + 1 + 1 + 16 + 1 + 2 + 2,
            "{}",
            bytes.len()
        );
        assert_eq!(&bytes[..6], b"PDSY\x01\x01");
    }

    #[test]
    fn damaged_messages_are_errors() {
        let req = SyncRequest {
            cursor: 1,
            cases: vec![],
        }
        .encode()
        .unwrap();
        assert!(SyncRequest::decode(&req[..5]).is_err());
        assert!(SyncResponse::decode(&req).is_err(), "wrong type");
        let mut v2 = req.clone();
        v2[4] = 2;
        assert!(
            SyncRequest::decode(&v2)
                .unwrap_err()
                .to_string()
                .contains("version")
        );
        let mut trailing = req.clone();
        trailing.push(0);
        assert!(SyncRequest::decode(&trailing).is_err());
        assert!(SyncRequest::decode(b"PDSY\x01\x01\xff\xff\xff\xff\xff\xff").is_err());
    }
}
