//! Consent: the ledger and its current state per sender, what forms may add, the double opt-in,
//! the tokens in emailed links, and the unsubscribe and confirmation pages.
//!
//! Doors (`confirmation`, `unsubscribe`: HTML pages; `wording`: JSON) call one service function
//! each (`confirming`, `unsubscribing`, `form_wording`), which own the rules and transactions over
//! the stores (`ledger`, `store`).

pub mod confirmation;
pub mod confirming;
pub mod form_wording;
pub mod forms;
pub mod ledger;
pub mod pages;
pub mod senders;
pub mod store;
pub mod tokens;
pub mod unsubscribe;
pub mod unsubscribing;
pub mod wording;
