//! Clinics (the tenancy root), practitioners and location search.

pub mod clinics;
