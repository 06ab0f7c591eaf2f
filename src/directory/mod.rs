//! Clinics (the tenancy root), practitioners and location search.

pub mod clinics;
pub mod places;
pub mod practitioners;
pub mod public;
pub mod search;
