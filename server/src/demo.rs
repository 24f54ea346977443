pub fn run(
    _d: &std::path::Path,
    _c: std::sync::Arc<crate::config::Config>,
    _n: u32,
    _days: u32,
    _s: u64,
) -> anyhow::Result<String> {
    anyhow::bail!("not yet")
}
