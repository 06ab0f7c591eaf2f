//! The languages people are served in. Canada's clinics work in English and French (Québec requires
//! French for consumer communications), so every text a person reads exists in both.

use super::Invalid;
use super::status::text_enum;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum! {
    /// A language of the catalogue: `en` (English) or `fr` (Canadian French).
    pub enum Locale {
        En,
        Fr,
    }
}

impl Default for Locale {
    /// English, the contract's default for a clinic that names none.
    fn default() -> Self {
        Locale::En
    }
}

impl Locale {
    /// A form's `locale` field: `en` or `fr`, any case; region tags such as `fr-CA` are accepted as
    /// their language.
    pub fn parse_field(raw: &str) -> Result<Self, Invalid> {
        Self::from_tag(raw)
            .ok_or_else(|| Invalid::new("unsupported_locale", "field-unsupported-locale"))
    }

    /// The language of a BCP 47 tag (`fr`, `fr-CA`, `EN_us`), if the catalogue has it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let language = tag.trim().split(['-', '_']).next()?;
        Self::all()
            .iter()
            .copied()
            .find(|locale| language.eq_ignore_ascii_case(locale.as_str()))
    }

    /// The best catalogue language for an `Accept-Language` header (RFC 9110 §12.5.4): the highest
    /// quality range that names one of ours; English when none does.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut best: Option<(f32, usize, Locale)> = None;
        for (position, range) in accept_language.split(',').enumerate() {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .filter_map(|value| value.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            let Some(locale) = Self::from_tag(tag) else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; between equals, the one listed first.
            let better = match best {
                None => true,
                Some((best_quality, _, _)) => quality > best_quality,
            };
            if better {
                best = Some((quality, position, locale));
            }
        }
        best.map(|(_, _, locale)| locale).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn fields_take_the_language_of_a_tag() {
        assert_eq!(Locale::parse_field("fr").unwrap(), Locale::Fr);
        assert_eq!(Locale::parse_field(" FR-ca ").unwrap(), Locale::Fr);
        assert_eq!(Locale::parse_field("en_US").unwrap(), Locale::En);
        assert_eq!(
            Locale::parse_field("de").unwrap_err().code,
            "unsupported_locale"
        );
        assert!(Locale::parse_field("").is_err());
    }

    #[test]
    fn accept_language_picks_the_preferred_language_we_have() {
        assert_eq!(Locale::negotiate("fr-CA"), Locale::Fr);
        assert_eq!(Locale::negotiate("fr-CA,fr;q=0.9,en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("en;q=0.5, fr;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("de-DE, fr;q=0.3, en;q=0.2"), Locale::Fr);
        assert_eq!(Locale::negotiate("fr;q=0, en"), Locale::En);
        assert_eq!(Locale::negotiate("de, es"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("*"), Locale::En);
        assert_eq!(Locale::negotiate("en, fr"), Locale::En);
    }
}
