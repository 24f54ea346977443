//! Photo preparation on the device: before a photo is referenced in a case
//! it is decoded, turned upright (EXIF orientation), shrunk so its long edge
//! is at most [`LONG_EDGE`] pixels, and re-encoded as JPEG (at the first
//! quality that keeps it under [`MAX_BYTES`]). Re-encoding
//! writes no EXIF at all, so GPS position and camera data never leave the
//! phone. The result is hashed (sha256) and named by its hash.

use crate::{Error, PhotoRef, PhotoStage, Result};
use fast_image_resize::{IntoImageView, Resizer, images::Image};
use image::{DynamicImage, ImageDecoder, ImageReader, codecs::jpeg::JpegEncoder};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::Path;

/// The long edge of a prepared photo, in pixels.
pub const LONG_EDGE: u32 = 1600;
/// JPEG qualities tried in turn until the photo fits [`MAX_BYTES`]: most
/// photos fit at the first.
pub const JPEG_QUALITIES: &[u8] = &[80, 70, 60, 50, 40];
/// The most a prepared photo should weigh (a phone on a slow network
/// uploads it in seconds).
pub const MAX_BYTES: usize = 400 * 1024;

/// A prepared photo: the JPEG bytes and their reference.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The JPEG to store and upload.
    pub jpeg: Vec<u8>,
    /// Its reference for the case document.
    pub reference: PhotoRef,
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Prepare a photo from its original bytes (JPEG or PNG).
pub fn prepare(original: &[u8], stage: PhotoStage) -> Result<Prepared> {
    let bad = |e: image::ImageError| Error::Photo(format!("not a readable photo ({e})"));
    let reader = ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .map_err(|e| Error::Photo(e.to_string()))?;
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().map_err(bad)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    img.apply_orientation(orientation);
    let img = DynamicImage::ImageRgb8(img.into_rgb8());
    let (w, h) = (img.width(), img.height());
    let scale = f64::from(LONG_EDGE) / f64::from(w.max(h));
    let (nw, nh, pixels) = if scale < 1.0 {
        let nw = ((f64::from(w) * scale).round() as u32).max(1);
        let nh = ((f64::from(h) * scale).round() as u32).max(1);
        let pixel_type = img
            .pixel_type()
            .ok_or_else(|| Error::Photo("unsupported pixel type".into()))?;
        let mut dst = Image::new(nw, nh, pixel_type);
        Resizer::new()
            .resize(&img, &mut dst, None)
            .map_err(|e| Error::Photo(e.to_string()))?;
        (nw, nh, dst.into_vec())
    } else {
        (w, h, img.into_bytes())
    };
    let mut jpeg = Vec::new();
    for &q in JPEG_QUALITIES {
        jpeg.clear();
        JpegEncoder::new_with_quality(&mut jpeg, q)
            .encode(&pixels, nw, nh, image::ExtendedColorType::Rgb8)
            .map_err(|e| Error::Photo(e.to_string()))?;
        if jpeg.len() <= MAX_BYTES {
            break;
        }
    }
    let reference = PhotoRef {
        sha256: sha256_hex(&jpeg),
        mime: "image/jpeg".into(),
        bytes: jpeg.len() as u64,
        width: nw,
        height: nh,
        taken_at: None,
        stage,
    };
    Ok(Prepared { jpeg, reference })
}

/// Prepare the photo at `path` and write it into `photo_dir` under its hash
/// (atomically: a temporary file renamed into place).
pub fn prepare_into(path: &Path, photo_dir: &Path, stage: PhotoStage) -> Result<PhotoRef> {
    let original = std::fs::read(path).map_err(|e| {
        Error::invalid("photo", format!("cannot read the photo file: {}", e.kind()))
    })?;
    let p = prepare(&original, stage)?;
    store_file(photo_dir, &p.reference.sha256, &p.jpeg)?;
    Ok(p.reference)
}

/// Write `bytes` as `dir/<sha>.jpg` atomically; an existing file is kept.
pub fn store_file(dir: &Path, sha: &str, bytes: &[u8]) -> Result<()> {
    let dest = dir.join(format!("{sha}.jpg"));
    if dest.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &dest)?;
    Ok(())
}
