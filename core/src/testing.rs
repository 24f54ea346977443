//! Builders shared by the core's tests and the end-to-end tests: named
//! actors, a standard new case, events by role. Not for production use.

use crate::{
    CaseId, Channel, Created, DeptCode, Event, EventData, EventId, Location, NewCase, Role, UserId,
};

/// A new case near 阜新花园 (44.16 N, 87.98 E), offset by `n` metres-ish so
/// cases spread out.
pub fn new_case(by: &str, role: Role, category: &str, text: &str, n: u32) -> NewCase {
    let (row, col) = (n % 2000, (n / 2000) % 2000);
    let mut location = Location::new(44.16 + f64::from(row) * 1e-5, 87.98 + f64::from(col) * 1e-5)
        .expect("valid location");
    location.address = Some("阜新花园小区后门".into());
    NewCase {
        id: CaseId::new(),
        category: category.into(),
        title: text.chars().take(20).collect(),
        description: text.into(),
        location,
        created: Created {
            at: chrono::Utc::now().timestamp_millis(),
            by: UserId::from(by),
            role,
            channel: Channel::for_role(role),
        },
    }
}

/// An event now by `by` in `role` (with `dept` for department roles).
pub fn event(by: &str, role: Role, dept: Option<&str>, data: EventData) -> Event {
    Event {
        id: EventId::new(),
        at: chrono::Utc::now().timestamp_millis(),
        by: UserId::from(by),
        role,
        dept: dept.map(DeptCode::from),
        data,
    }
}

/// A photo-like JPEG of `w` x `h`: smooth shapes with sensor noise on top,
/// as a camera gives (pure noise would not compress like a photo).
pub fn camera_jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 12345u32;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
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
        .expect("encode a JPEG in memory");
    out
}
