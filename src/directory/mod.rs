//! Clinics (the tenancy root), practitioners and location search.
//!
//! Doors: `clinics`, `practitioners` (admin) and `public` (search) over JSON. Use cases:
//! `clinic_admin`, `practitioner_admin`, `finder` and `workplaces` (the console's pickers). SQL:
//! `clinic_store`, `practitioner_store`, `search` (the distance queries) and `places` (where a
//! search starts).

pub mod clinic_admin;
pub mod clinic_store;
pub mod clinics;
pub mod finder;
pub mod places;
pub mod practitioner_admin;
pub mod practitioner_store;
pub mod practitioners;
pub mod public;
pub mod search;
pub mod workplaces;
