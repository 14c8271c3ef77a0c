//! Altitude: a static-site generator for leadership playbooks.
//!
//! The pipeline runs in one direction, one module per stage:
//! [`content`] (load) → [`links`] (resolve) → [`render`] → [`output`] (write),
//! orchestrated by [`pipeline`]. Sources are read through [`source::Source`],
//! so a site can be built from disk, from the binary's embedded playbook, or
//! from memory in tests.

pub mod cli;
pub mod config;
pub mod content;
pub mod coverage;
pub mod diag;
pub mod embedded;
mod escape;
pub mod index;
pub mod key;
pub mod links;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod source;
mod sync;
#[cfg(test)]
mod testing;
