//! Building a response after the commit: the heads of acknowledged cases,
//! and the device's feed (every change after its cursor in its scope, its
//! own just-sent changes left out), paged by size.

use super::merge::Outcome;
use paidan_core::sync::protocol::{ByteBuf, CaseChanges, Heads, SyncResponse, WireCaseId};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

/// Most change bytes in one response; more waits for the next page.
pub const PAGE_BYTES: usize = 8 * 1024 * 1024;
/// Most changes in one response.
pub const PAGE_CHANGES: i64 = 50_000;

/// The response to a merged request.
pub fn respond(conn: &Connection, cursor: u64, outcome: Outcome) -> anyhow::Result<SyncResponse> {
    let mut by_case: BTreeMap<WireCaseId, Vec<ByteBuf>> = BTreeMap::new();
    let mut order: Vec<WireCaseId> = Vec::new();
    let mut bytes = 0usize;
    let mut last = cursor as i64;
    let mut more = false;
    {
        let mut stmt = conn.prepare_cached(
            "SELECT seq, case_id, hash, bytes FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![cursor as i64, PAGE_CHANGES + 1])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            n += 1;
            if n > PAGE_CHANGES || bytes >= PAGE_BYTES {
                more = true;
                break;
            }
            let seq: i64 = row.get(0)?;
            let case: Vec<u8> = row.get(1)?;
            let hash: Vec<u8> = row.get(2)?;
            last = seq;
            let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) else {
                continue;
            };
            if outcome.sent.contains(&hash) {
                continue;
            }
            let Ok(case) = <[u8; 16]>::try_from(case.as_slice()) else {
                continue;
            };
            let change: Vec<u8> = row.get(3)?;
            bytes += change.len();
            let list = by_case.entry(case).or_insert_with(|| {
                order.push(case);
                Vec::new()
            });
            list.push(ByteBuf::from(change));
        }
    }
    let mut heads_of = conn.prepare_cached("SELECT heads FROM cases WHERE case_id = ?1")?;
    let mut heads = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Heads only for the cases the device sent: for the others it holds
    // nothing the server lacks, and takes its own heads (see the client).
    for case in outcome.acked.iter() {
        if !seen.insert(*case) {
            continue;
        }
        let h: Option<Vec<u8>> = heads_of.query_row([&case[..]], |r| r.get(0)).optional()?;
        if let Some(h) = h {
            heads.push(Heads {
                case: *case,
                heads: h
                    .chunks_exact(32)
                    .map(|c| <[u8; 32]>::try_from(c).expect("32-byte chunk"))
                    .collect(),
            });
        }
    }
    let changes = order
        .into_iter()
        .map(|case| CaseChanges {
            case,
            changes: by_case.remove(&case).unwrap_or_default(),
        })
        .collect();
    Ok(SyncResponse {
        heads,
        refused: outcome.refused,
        changes,
        cursor: last.max(0) as u64,
        more,
    })
}
