//! Black-box tests: each test starts the real app on a random port against its own fresh database
//! (cloned from a migrated template) and talks HTTP to it. One binary, so the database server and
//! the template are set up once per run.

mod admin;
mod binary;
mod booking_abuse;
mod booking_scoping;
mod bookings;
mod browser;
mod callbacks;
mod cli;
mod consent;
mod consent_migration;
mod desk;
mod desk_browser;
mod directory;
mod email;
mod embed;
mod embed_browser;
mod errors;
mod faults;
mod helpers;
mod invites;
mod languages;
mod manage;
mod manage_page;
mod mime;
mod ops;
mod outage;
mod plans;
mod pool;
mod rate_limit;
mod replica;
mod scoping;
mod search_paging;
mod secrets_in_logs;
mod seed;
mod sessions;
mod sign_in_throttle;
mod smtp;
mod standby;
mod unsubscribe;
