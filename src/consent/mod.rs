//! The consent ledger and the current-state query.

pub mod ledger;
pub mod pages;
pub mod tokens;
pub mod unsubscribe;
