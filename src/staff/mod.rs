//! Staff accounts, sessions, roles and clinic scoping, and the audit log of what staff did.

pub mod account_store;
pub mod accounts;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod password;
pub mod session_store;
pub mod sessions;
pub mod signing;
pub mod throttle;
pub mod throttle_store;
pub mod token;
