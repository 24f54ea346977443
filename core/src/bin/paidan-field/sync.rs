//! `paidan-field sync`: photos up (with a progress bar), then one batched
//! round trip for the changes; prints what was sent, received and refused.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use paidan_core::Store;
use paidan_core::sync::http::{HttpClient, sync};

pub fn run(store: &mut Store, server: Option<&str>) -> anyhow::Result<()> {
    let url = match server {
        Some(u) => {
            store.set_meta("server", u)?;
            u.to_owned()
        }
        None => store
            .meta("server")?
            .ok_or_else(|| paidan_core::Error::invalid("server", "give --server URL once"))?,
    };
    let token = store.meta("token")?;
    let client = HttpClient::new(&url, token)?;
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("照片 photos {msg} [{bar:30}] {bytes}/{total_bytes}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut shown = false;
    let mut progress = |i: usize, n: usize, sent: u64, total: u64| {
        if !shown {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            shown = true;
        }
        bar.set_message(format!("{}/{n}", i + 1));
        bar.set_length(total);
        bar.set_position(sent);
    };
    let (summary, pending) =
        sync(store, &client, &mut progress).context("sync failed; nothing was lost, try again")?;
    bar.finish_and_clear();
    println!(
        "已发送 sent: {} changes ({} bytes); 已确认 acknowledged: {}; 已接收 received: {} changes in {} cases; 已拒绝 refused: {}; 待上传照片 photos pending: {}; round trips: {}",
        summary.sent_changes,
        summary.sent_change_bytes,
        summary.acked_changes,
        summary.received_changes,
        summary.changed_cases.len(),
        summary.refused.len(),
        pending,
        summary.round_trips,
    );
    for (case, reason) in &summary.refused {
        println!("  refused {case}: {reason}");
    }
    Ok(())
}
