//! Paidan server.
