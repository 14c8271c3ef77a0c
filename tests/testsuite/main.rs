//! The integration tests: one binary, one module per feature, fixtures in
//! `tests/fixtures/<case>/`, whole-output snapshots in `tests/snapshots/`
//! (refresh them with `ALTITUDE_BLESS=1 cargo test`).

mod browser;
mod build;
#[path = "../../benches/support/corpus.rs"]
mod corpus;
mod deploy;
mod diagnostics;
mod incremental;
mod layers;
mod playbook;
mod restyle;
mod scale;
mod serve;
#[path = "../../benches/support/served.rs"]
mod served;
mod support;
