//! Patients: matched by email across forms and bookings; the staff view of one patient.

pub mod consent_request;
pub mod consents;
pub mod file;
pub mod handlers;
pub mod store;
