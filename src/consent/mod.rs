//! The consent ledger and the current-state query.

pub mod ledger;
pub mod tokens;
