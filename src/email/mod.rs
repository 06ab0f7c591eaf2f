//! Email: the transactional outbox (enqueue inside the caller's transaction). Delivery comes later.

pub mod ics;
pub mod outbox;
