//! The same call the Kotlin test times, from Rust: `list_cases` of 50 on a
//! store of 60 cases, through the binding layer's conversions but no FFI.
//! `cargo bench -p paidan-mobile --bench list`.

use criterion::{Criterion, criterion_group, criterion_main};
use paidan_mobile::{FieldClient, NewReport, Role};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = FieldClient::open(
        dir.path().to_string_lossy().into(),
        "http://127.0.0.1:9".into(),
    )
    .expect("open");
    client
        .set_identity("pan".into(), Role::Resident, None)
        .expect("identity");
    for i in 0..61 {
        client
            .file_case(NewReport {
                category: "sanitation.garbage".into(),
                text: format!("巡查记录 {i}"),
                lat: 44.1601,
                lon: 87.9802,
                address: Some("阜新花园东门".into()),
                photos: vec![],
                contact_name: None,
                contact_phone: None,
            })
            .expect("file");
    }
    c.bench_function("list 50 cases (Rust, no FFI)", |b| {
        b.iter(|| client.list_cases(false, None, None, 50).expect("list"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
