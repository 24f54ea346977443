//! Building a response after the commit: the heads of acknowledged cases,
//! and the device's feed (every change after its cursor in its read scope,
//! its own just-sent changes left out), paged by size.
//!
//! Scope (see [`crate::permissions::scope`]): the center's roles follow the
//! whole log. Others follow the changes of the cases granted to them; a
//! case granted after the device's cursor comes whole (its earlier changes
//! too), and its changes wait until the page that reaches the grant, so a
//! device never holds a change without the ones it depends on.

use super::merge::Outcome;
use crate::auth::Principal;
use crate::permissions::scope;
use paidan_core::sync::protocol::{ByteBuf, CaseChanges, Heads, SyncResponse, WireCaseId};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};

/// Most change bytes in one response; more waits for the next page.
pub const PAGE_BYTES: usize = 8 * 1024 * 1024;
/// Most changes in one response.
pub const PAGE_CHANGES: i64 = 50_000;

/// One logged change, as read for a feed.
struct Row {
    seq: i64,
    case: WireCaseId,
    hash: [u8; 32],
    bytes: Vec<u8>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Row>> {
    let case: Vec<u8> = r.get(1)?;
    let hash: Vec<u8> = r.get(2)?;
    let (Ok(case), Ok(hash)) = (<[u8; 16]>::try_from(case), <[u8; 32]>::try_from(hash)) else {
        return Ok(None);
    };
    Ok(Some(Row {
        seq: r.get(0)?,
        case,
        hash,
        bytes: r.get(3)?,
    }))
}

/// The response to a merged request from `p`.
pub fn respond(
    conn: &Connection,
    p: &Principal,
    cursor: u64,
    outcome: Outcome,
) -> anyhow::Result<SyncResponse> {
    let cursor = cursor as i64;
    let principals = scope::principals(p);
    // The page: changes after the cursor (in scope), up to the limits.
    let mut page: Vec<Row> = Vec::new();
    let mut bytes = 0usize;
    let mut more = false;
    {
        let sql = match &principals {
            None => {
                "SELECT seq, case_id, hash, bytes FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                    .to_owned()
            }
            Some(names) => format!(
                "SELECT seq, case_id, hash, bytes FROM changes WHERE seq > ?1 AND case_id IN
                   (SELECT case_id FROM case_access WHERE principal IN ({}))
                 ORDER BY seq LIMIT ?2",
                placeholders(names.len(), 3)
            ),
        };
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut args: Vec<rusqlite::types::Value> = vec![cursor.into(), (PAGE_CHANGES + 1).into()];
        args.extend(principals.iter().flatten().map(|n| n.clone().into()));
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            if page.len() as i64 >= PAGE_CHANGES || bytes >= PAGE_BYTES {
                more = true;
                break;
            }
            if let Some(r) = row(r)? {
                bytes += r.bytes.len();
                page.push(r);
            }
        }
    }
    let mut last = page.last().map(|r| r.seq).unwrap_or(cursor);
    // Cases granted since the cursor: their history up to the cursor, once
    // the page reaches the grant; until then none of their changes.
    if let Some(names) = &principals {
        let granted = granted_since(conn, names, cursor)?;
        let reach = if more { last } else { i64::MAX };
        let mut history = Vec::new();
        for (case, g) in &granted {
            if *g <= reach {
                let mut stmt = conn.prepare_cached(
                    "SELECT seq, case_id, hash, bytes FROM changes WHERE case_id = ?1 AND seq <= ?2 ORDER BY seq",
                )?;
                let mut rows = stmt.query(params![&case[..], cursor])?;
                while let Some(r) = rows.next()? {
                    if let Some(r) = row(r)? {
                        history.push(r);
                    }
                }
                if !more {
                    last = last.max(*g);
                }
            }
        }
        page.retain(|r| granted.get(&r.case).is_none_or(|g| *g <= reach));
        history.append(&mut page);
        page = history;
    }
    let mut by_case: BTreeMap<WireCaseId, Vec<ByteBuf>> = BTreeMap::new();
    let mut order: Vec<WireCaseId> = Vec::new();
    for r in page {
        if outcome.sent.contains(&r.hash) {
            continue;
        }
        by_case
            .entry(r.case)
            .or_insert_with(|| {
                order.push(r.case);
                Vec::new()
            })
            .push(ByteBuf::from(r.bytes));
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
    // New cases refused whole: the server holds nothing of them.
    for case in outcome.unknown {
        if seen.insert(case) {
            heads.push(Heads {
                case,
                heads: Vec::new(),
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

/// `?n, ?n+1, ...` for an `IN` list.
fn placeholders(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Cases granted to any of `names` after `cursor`, with the earliest grant.
fn granted_since(
    conn: &Connection,
    names: &[String],
    cursor: i64,
) -> anyhow::Result<HashMap<WireCaseId, i64>> {
    let sql = format!(
        "SELECT case_id, MIN(granted_seq) FROM case_access WHERE principal IN ({}) GROUP BY case_id
         HAVING MIN(granted_seq) > ?1",
        placeholders(names.len(), 2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut args: Vec<rusqlite::types::Value> = vec![cursor.into()];
    args.extend(names.iter().map(|n| n.clone().into()));
    let mut out = HashMap::new();
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        let case: Vec<u8> = r.get(0)?;
        if let Ok(case) = <[u8; 16]>::try_from(case) {
            out.insert(case, r.get(1)?);
        }
    }
    Ok(out)
}
