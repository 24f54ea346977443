//! The Kotlin and Swift binding generator, at the uniffi version this crate
//! is built with:
//! `cargo run -p paidan-mobile --bin uniffi-bindgen -- generate --library <cdylib> --language kotlin --out-dir DIR`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
