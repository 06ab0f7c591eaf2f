//! Email: the transactional outbox (enqueued inside the caller's transaction), the templates and
//! message building, the transports, and the worker that delivers.

pub mod history;
pub mod ics;
pub mod message;
pub mod outbox;
pub mod outbox_stats;
pub mod payloads;
pub mod templates;
pub mod transport;
pub mod worker;
pub mod worker_store;
