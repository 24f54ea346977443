//! Paidan end-to-end test support.
