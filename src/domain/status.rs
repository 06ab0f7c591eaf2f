//! The states and kinds that rows carry as text: one enum each, so a comparison cannot be misspelt
//! and a new state is a compile error wherever it must be handled. Each one is stored as its
//! snake_case name (the text column's CHECK lists the same names), serialised the same way in JSON,
//! and listed in the API document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Derives shared by every text-backed enum here: the database, JSON and the document agree on the
/// snake_case names, and `strum` gives `as_str`-style conversions, parsing and the list of values.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type,
            strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::Display,
        )]
        #[serde(rename_all = "snake_case")]
        #[sqlx(type_name = "text", rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            pub fn parse(raw: &str) -> Option<Self> {
                raw.parse().ok()
            }

            /// Every value, in declaration order.
            pub fn all() -> &'static [Self] {
                <Self as strum::VariantArray>::VARIANTS
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// A booking's status: `expired` is a request nobody confirmed by its start time.
    pub enum BookingStatus {
        Requested,
        Confirmed,
        Cancelled,
        Completed,
        NoShow,
        Expired,
    }
}

text_enum! {
    /// Where an email stands in the outbox: `suppressed` when the consent its category needs was not
    /// granted, `withdrawn` when the booking it was about was cancelled or moved before it left.
    pub enum EmailStatus {
        Queued,
        Sending,
        Sent,
        Failed,
        Suppressed,
        Withdrawn,
    }
}

text_enum! {
    /// What a staff account may do: admins everything, the front desk their clinics' work.
    pub enum Role {
        Admin,
        FrontDesk,
        Practitioner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for status in BookingStatus::all() {
            assert_eq!(BookingStatus::parse(status.as_str()), Some(*status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::String(status.as_str().to_owned())
            );
        }
        assert_eq!(BookingStatus::NoShow.as_str(), "no_show");
        assert_eq!(Role::FrontDesk.as_str(), "front_desk");
        assert_eq!(EmailStatus::parse("bogus"), None);
    }
}
