//! Weekly hours, time off, slot generation and bookings.
pub mod availability;
pub mod bookings;
pub mod desk;
pub mod expiry;
pub mod front_desk;
pub mod hours;
pub mod lifecycle;
pub mod notify;
pub mod open_requests;
pub mod public;
pub mod public_booking;
pub mod schedule;
pub mod slots;
pub mod store;
pub mod working_hours;
