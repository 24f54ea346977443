//! Paidan mobile bindings.
