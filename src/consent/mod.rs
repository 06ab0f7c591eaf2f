//! Consent: the ledger and its current state per sender, what forms may add, the double opt-in,
//! the tokens in emailed links, and the unsubscribe and confirmation pages.

pub mod confirmation;
pub mod forms;
pub mod ledger;
pub mod pages;
pub mod senders;
pub mod tokens;
pub mod unsubscribe;
pub mod wording;
