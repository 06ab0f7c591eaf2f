//! "Fill out this form and get a call back": the public form and the staff callback queue.

pub mod desk;
pub mod form;
pub mod handlers;
pub mod queue;
pub mod service;
pub mod store;
