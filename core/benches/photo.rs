//! Photo preparation: a 12-megapixel camera JPEG (4000 x 3000) shrunk to
//! the long edge of 1600 px and re-encoded. `cargo bench -p paidan-core --bench photo`.

use criterion::{Criterion, criterion_group, criterion_main};
use paidan_core::PhotoStage;
use paidan_core::photo::prepare;

fn camera_jpeg() -> Vec<u8> {
    let mut seed = 1u32;
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let n = (seed >> 28) as u8;
        let r = ((x as f32 / 40.0).sin() * 60.0 + 120.0) as u8;
        let g = ((y as f32 / 55.0).cos() * 50.0 + 110.0) as u8;
        image::Rgb([r.wrapping_add(n), g.wrapping_add(n), ((x + y) / 30) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .expect("encode");
    out
}

fn bench(c: &mut Criterion) {
    let original = camera_jpeg();
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
