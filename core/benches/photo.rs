//! Photo preparation: a 12-megapixel camera JPEG (4000 x 3000) shrunk to
//! the long edge of 1600 px and re-encoded. `cargo bench -p paidan-core --bench photo`.

use criterion::{Criterion, criterion_group, criterion_main};
use paidan_core::PhotoStage;
use paidan_core::photo::prepare;

fn bench(c: &mut Criterion) {
    let original = paidan_core::testing::camera_jpeg(4000, 3000);
    let p = prepare(&original, PhotoStage::Report).expect("prepare");
    println!(
        "12 MP JPEG of {} KB -> {}x{} JPEG of {} KB",
        original.len() / 1024,
        p.reference.width,
        p.reference.height,
        p.jpeg.len() / 1024
    );
    c.bench_function("prepare a 12-megapixel JPEG", |b| {
        b.iter(|| prepare(&original, PhotoStage::Report).expect("prepare"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
