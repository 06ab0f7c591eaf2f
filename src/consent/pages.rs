//! The unsubscribe preferences and the double opt-in confirmation pages (the machinery they share
//! with the other pages is `crate::pages`): the category names and hints, the "unsubscribe from
//! this" button, and the "not valid" page of these links (a 400).

use crate::domain::consent::ConsentCategory;
use crate::error::ApiError;
use crate::i18n::{Locale, MissingText};
use crate::pages::{invalid_page, page};
use crate::t;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

pub use crate::pages::requested_locale;

/// One category as the pages show it.
#[derive(Debug, Serialize)]
pub struct CategoryChoice {
    pub key: &'static str,
    pub label: String,
    pub hint: String,
    pub granted: bool,
}

/// A category's name and the line that explains it, in `locale`.
pub fn label(locale: Locale, category: ConsentCategory) -> Result<(String, String), MissingText> {
    Ok(match category {
        ConsentCategory::AppointmentReminders => (
            t!(locale, "page-category-appointment-reminders")?,
            t!(locale, "page-category-appointment-reminders.hint")?,
        ),
        ConsentCategory::ExercisePlans => (
            t!(locale, "page-category-exercise-plans")?,
            t!(locale, "page-category-exercise-plans.hint")?,
        ),
        ConsentCategory::PlansOfCare => (
            t!(locale, "page-category-plans-of-care")?,
            t!(locale, "page-category-plans-of-care.hint")?,
        ),
        ConsentCategory::ServiceUpdates => (
            t!(locale, "page-category-service-updates")?,
            t!(locale, "page-category-service-updates.hint")?,
        ),
    })
}

/// Every category in `locale`, with whether it is granted.
pub fn choices(
    locale: Locale,
    granted: impl Fn(ConsentCategory) -> bool,
) -> Result<Vec<CategoryChoice>, MissingText> {
    ConsentCategory::ALL
        .into_iter()
        .map(|category| {
            let (label, hint) = label(locale, category)?;
            Ok(CategoryChoice {
                key: category.as_str(),
                label,
                hint,
                granted: granted(category),
            })
        })
        .collect()
}

/// The words of the button that withdraws what a link covers ("Unsubscribe from exercise plans",
/// or "… from all these emails"): a whole sentence per case, so each language words it its own way.
pub fn this_label(locale: Locale, categories: &[ConsentCategory]) -> Result<String, MissingText> {
    match categories {
        [ConsentCategory::AppointmentReminders] => {
            t!(locale, "page-preferences-unsubscribe-appointment-reminders")
        }
        [ConsentCategory::ExercisePlans] => {
            t!(locale, "page-preferences-unsubscribe-exercise-plans")
        }
        [ConsentCategory::PlansOfCare] => t!(locale, "page-preferences-unsubscribe-plans-of-care"),
        [ConsentCategory::ServiceUpdates] => {
            t!(locale, "page-preferences-unsubscribe-service-updates")
        }
        _ => t!(locale, "page-preferences-unsubscribe-these"),
    }
}

/// The preferences page of a link about `link_categories`, sent by `clinic_name`.
pub fn preferences(
    locale: Locale,
    clinic_name: &str,
    clinic_phone: Option<&str>,
    link_categories: &[ConsentCategory],
    granted: impl Fn(ConsentCategory) -> bool,
) -> Result<Response, MissingText> {
    let this = this_label(locale, link_categories)?;
    let categories = choices(locale, granted)?;
    Ok(page(
        StatusCode::OK,
        "preferences.html",
        locale,
        context! { clinic_name, clinic_phone, this_label => this, categories },
    ))
}

/// What is now in force at the link's sender; `everywhere`: the person left every sender.
pub fn saved(
    locale: Locale,
    clinic_name: &str,
    everywhere: bool,
    granted: impl Fn(ConsentCategory) -> bool,
) -> Result<Response, MissingText> {
    let categories = choices(locale, granted)?;
    Ok(page(
        StatusCode::OK,
        "saved.html",
        locale,
        context! { clinic_name, everywhere, categories },
    ))
}

/// The double opt-in page: a button (a POST to the same URL) that confirms; showing it changes nothing.
pub fn confirm(locale: Locale, senders: &str) -> Response {
    page(StatusCode::OK, "confirm.html", locale, context! { senders })
}

/// After the confirmation (also when the link is used again).
pub fn confirmed(locale: Locale, senders: &str) -> Response {
    page(
        StatusCode::OK,
        "confirmed.html",
        locale,
        context! { senders },
    )
}

/// The one answer for every bad link: no hint which part was wrong. It knows no patient, so it
/// speaks the language asked for (`?lang=`), else the request's `Accept-Language`.
pub fn invalid(requested: Option<Locale>) -> Response {
    invalid_page(StatusCode::BAD_REQUEST, "invalid.html", requested)
}

/// A service's answer as a page: a link that names nothing valid (`ApiError::NotFound`) gets the
/// "not valid" page (in `requested`, else the request's language), other errors their usual answer.
pub fn render<T>(
    outcome: Result<T, ApiError>,
    requested: Option<Locale>,
    page: impl FnOnce(T) -> Result<Response, MissingText>,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(value) => page(value).map_err(|missing| ApiError::Internal(missing.into())),
        Err(ApiError::NotFound) => Ok(invalid(requested)),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::STYLE_HASH;
    use axum::http::header;

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Every page in `locale`, with and without its optional parts.
    fn every_page(locale: Locale) -> Vec<(&'static str, Response)> {
        let granted = |category| category == ConsentCategory::ExercisePlans;
        let one = [ConsentCategory::ExercisePlans];
        let mut pages = Vec::new();
        for categories in [&one[..], &ConsentCategory::ALL[..]] {
            pages.push((
                "preferences",
                preferences(
                    locale,
                    "Clinique Rivière",
                    Some("+1 514-555-0100"),
                    categories,
                    granted,
                )
                .unwrap(),
            ));
        }
        for category in ConsentCategory::ALL {
            pages.push((
                "preferences (one category)",
                preferences(locale, "Clinique Rivière", None, &[category], granted).unwrap(),
            ));
        }
        pages.push((
            "saved",
            saved(locale, "Clinique Rivière", false, granted).unwrap(),
        ));
        pages.push((
            "saved everywhere",
            saved(locale, "Clinique Rivière", true, granted).unwrap(),
        ));
        pages.push(("confirm", confirm(locale, "Clinique Rivière")));
        pages.push(("confirmed", confirmed(locale, "Clinique Rivière")));
        pages.push(("invalid", invalid(Some(locale))));
        pages
    }

    #[tokio::test]
    async fn pages_render_escaped_with_a_matching_style_hash() {
        let response = preferences(
            Locale::En,
            "<Clinic & Co>",
            None,
            &[ConsentCategory::ExercisePlans],
            |_| true,
        )
        .unwrap();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains(&format!("'sha256-{}'", *STYLE_HASH)));
        assert!(policy.starts_with("default-src 'none'"));
        let page = body(response).await;
        assert!(
            page.contains("<strong>&lt;Clinic &amp; Co&gt;</strong>"),
            "{page}"
        );
        assert!(!page.contains("<Clinic"), "{page}");
        assert_eq!(invalid(None).status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn every_page_renders_in_both_languages_and_says_which() {
        for (locale, tag, switch) in [
            (
                Locale::En,
                "en-CA",
                "<a href=\"?lang=fr\" hreflang=\"fr-CA\" lang=\"fr-CA\">Français</a>",
            ),
            (
                Locale::Fr,
                "fr-CA",
                "<a href=\"?lang=en\" hreflang=\"en-CA\" lang=\"en-CA\">English</a>",
            ),
        ] {
            for (name, response) in every_page(locale) {
                assert_eq!(
                    response.headers()[header::CONTENT_LANGUAGE],
                    tag,
                    "{name} ({locale})"
                );
                assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
                let page = body(response).await;
                assert!(
                    page.contains(&format!("<html lang=\"{tag}\">")),
                    "{name}: {page}"
                );
                assert!(page.contains(switch), "{name}: {page}");
                for form in page.match_indices("<form").map(|(at, _)| &page[at..]) {
                    let tag = &form[..form.find('>').unwrap()];
                    assert!(
                        tag.contains(&format!("action=\"?lang={locale}\"")),
                        "{name}: a form that keeps the language: {tag}"
                    );
                }
            }
        }
    }

    /// What a reader sees of a page: the text outside its tags, without the stylesheet.
    fn visible_text(page: &str) -> String {
        let page = match (page.find("<style>"), page.find("</style>")) {
            (Some(start), Some(end)) => format!("{}{}", &page[..start], &page[end..]),
            _ => page.to_owned(),
        };
        let mut text = String::new();
        let mut in_tag = false;
        for ch in page.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(ch),
                _ => {}
            }
        }
        text
    }

    #[tokio::test]
    async fn no_french_page_has_an_english_leftover() {
        const GIVE_AWAY: [&str; 14] = [
            "Email",
            "email",
            "Unsubscribe",
            "unsubscribe",
            "preferences",
            "Your ",
            "Save",
            "Send me",
            "Thank",
            "link",
            " yes",
            " no ",
            "Contact",
            "Choose",
        ];
        for (name, response) in every_page(Locale::Fr) {
            let page = body(response).await;
            // The switch link names English in English, as it should.
            let words = visible_text(&page.replace(">English</a>", ">"));
            for english in GIVE_AWAY {
                assert!(!words.contains(english), "{name} says {english:?}:\n{page}");
            }
            assert!(words.contains("courriel"), "{name}: {page}");
        }
    }

    #[tokio::test]
    async fn french_pages_read_as_quebec_writes_them() {
        let page = body(
            preferences(
                Locale::Fr,
                "Clinique Rivière",
                Some("+1 514-555-0100"),
                &[ConsentCategory::ExercisePlans],
                |_| false,
            )
            .unwrap(),
        )
        .await;
        for expected in [
            "<h1>Vos préférences de courriel</h1>",
            ">Se désabonner des programmes d&#x27;exercices</button>",
            ">Se désabonner de tous les courriels envoyés par Clinique Rivière</button>",
            "<legend>Envoyez-moi\u{a0}:</legend>",
            ">Enregistrer mes choix</button>",
            "Des questions\u{a0}? Communiquez avec Clinique Rivière au +1 514-555-0100.",
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
        let saved = body(
            saved(Locale::Fr, "Clinique Rivière", false, |category| {
                category == ConsentCategory::AppointmentReminders
            })
            .unwrap(),
        )
        .await;
        assert!(
            saved.contains("<li>Rappels de rendez-vous\u{a0}: <strong>oui</strong></li>"),
            "{saved}"
        );
        assert!(
            saved.contains("<li>Programmes d&#39;exercices\u{a0}: <strong>non</strong></li>"),
            "{saved}"
        );
    }

    #[test]
    fn the_query_string_asks_for_a_language_or_for_nothing() {
        assert_eq!(requested_locale(Some("lang=fr")), Some(Locale::Fr));
        assert_eq!(requested_locale(Some("x=1&lang=en-CA")), Some(Locale::En));
        assert_eq!(requested_locale(Some("lang=FR")), Some(Locale::Fr));
        assert_eq!(requested_locale(Some("lang=de")), None);
        assert_eq!(requested_locale(Some("lang=")), None);
        assert_eq!(requested_locale(Some("%zz")), None);
        assert_eq!(requested_locale(None), None);
    }
}
