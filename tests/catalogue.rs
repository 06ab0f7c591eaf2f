//! The message catalogue is complete: English and French hold the same messages, every id the code
//! (`t!`) and the templates (`t("…")`) use exists, and the French is typeset as Québec writes it.

use consultdesk::i18n::{self, Locale};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::Path;

fn ids(locale: Locale) -> BTreeSet<String> {
    i18n::message_ids(locale).into_iter().collect()
}

#[test]
fn english_and_french_hold_the_same_messages() {
    let english = ids(Locale::En);
    let french = ids(Locale::Fr);
    let only_english: Vec<_> = english.difference(&french).collect();
    let only_french: Vec<_> = french.difference(&english).collect();
    assert!(
        only_english.is_empty() && only_french.is_empty(),
        "missing in French: {only_english:?}; missing in English: {only_french:?}"
    );
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every (file, id) the templates and the code name.
fn used_ids() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Any quoted text in the id's place, so that words written where an id belongs are caught.
    let in_templates = Regex::new(r#"\bt\(\s*["']([^"']+)["']"#).unwrap();
    // `t!(locale, "id")`, `Message::new("id")` and `Invalid::new("code", "id")`.
    let in_code =
        Regex::new(r#"(?:\bt!\(\s*[^,]+,|Message::new\(|Invalid::new\(\s*"[a-z_]+",)\s*"([^"]+)""#)
            .unwrap();
    let mut used = Vec::new();
    for (dir, pattern) in [
        ("templates", &in_templates),
        ("src", &in_code),
        ("static", &in_templates),
    ] {
        let mut files = Vec::new();
        if root.join(dir).is_dir() {
            files_under(&root.join(dir), &mut files);
        }
        for file in files {
            let Ok(source) = std::fs::read_to_string(&file) else {
                continue;
            };
            for capture in pattern.captures_iter(&source) {
                used.push((
                    file.strip_prefix(root).unwrap().display().to_string(),
                    capture[1].to_owned(),
                ));
            }
        }
    }
    used
}

#[test]
fn every_id_the_code_and_templates_use_exists() {
    let known = ids(Locale::En);
    let used = used_ids();
    assert!(!used.is_empty(), "found no use of the catalogue at all");
    let unknown: Vec<_> = used.iter().filter(|(_, id)| !known.contains(id)).collect();
    assert!(unknown.is_empty(), "ids not in the catalogue: {unknown:?}");
}

#[test]
fn an_unknown_id_or_argument_is_an_error_not_a_blank() {
    assert!(i18n::text(Locale::Fr, "no-such-message").is_err());
    assert!(
        i18n::text(Locale::En, "format-date-time-long").is_err(),
        "its arguments are missing"
    );
}

/// The values of the French files, line by line (comments and ids left out).
fn french_lines() -> Vec<(String, String)> {
    let placeable = Regex::new(r"\{[^}]*\}").unwrap();
    let entry_start = Regex::new(r"^\s*[-.]?[A-Za-z][\w-]*\s*=\s?(.*)$").unwrap();
    let variant = Regex::new(r"^\s*\*?\[[^\]]*\]\s*(.*)$").unwrap();
    let mut lines = Vec::new();
    for (file, source) in i18n::resources(Locale::Fr) {
        for (number, line) in source.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            // The text after "id =" or ".attribute =", or a continuation line.
            // The text after "id =" or ".attribute =", after a variant's "[key]", or a
            // continuation line; the ids and keys themselves are not prose.
            let value = match (entry_start.captures(line), variant.captures(line)) {
                (Some(entry), _) => entry.get(1).map_or("", |value| value.as_str()),
                (None, Some(variant)) => variant.get(1).map_or("", |value| value.as_str()),
                (None, None) => line,
            };
            // Placeables ({ $name }, { -term }) are code, not prose.
            let prose = placeable.replace_all(value, "{}");
            lines.push((
                format!("locales/fr/{file}.ftl:{}", number + 1),
                prose.into_owned(),
            ));
        }
    }
    lines
}

#[test]
fn french_is_typeset_as_quebec_writes_it() {
    let space_before = Regex::new(r"[^\s\u{a0}\u{202f}{][:;?!»]|[ ][:;?!»]").unwrap();
    // URLs, code in backticks, strftime fields and clock times are not prose.
    let not_prose = Regex::new(r"https?://\S+|`[^`]*`|%[-A-Za-z]|\d:\d|HH:MM").unwrap();
    let open_quote = Regex::new(r"«[^\u{a0}\u{202f}]").unwrap();
    let english_email = Regex::new(r"(?i)\be-?mail\b").unwrap();
    let mut wrong = Vec::new();
    for (place, prose) in french_lines() {
        if space_before.is_match(&not_prose.replace_all(&prose, "")) {
            wrong.push(format!(
                "{place}: needs a non-breaking space before : ; ? ! or »"
            ));
        }
        if open_quote.is_match(&prose) {
            wrong.push(format!("{place}: needs a non-breaking space after «"));
        }
        if prose.contains('"') || prose.contains('“') {
            wrong.push(format!("{place}: French quotes are « guillemets »"));
        }
        if english_email.is_match(&prose) {
            wrong.push(format!("{place}: Québec writes « courriel »"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_website_script_gets_every_widget_text_with_its_arguments_as_placeholders() {
    for locale in [Locale::En, Locale::Fr] {
        let texts = i18n::texts_for_script(locale, "widgets").expect("the widgets' texts");
        assert!(texts.len() > 50, "{locale}: {} texts", texts.len());
        let text = |id: &str| {
            texts
                .iter()
                .find(|(found, _)| found == id)
                .map(|(_, text)| text.clone())
                .unwrap_or_else(|| panic!("{locale}: no {id}"))
        };
        // The script fills {name}; Fluent's own syntax never reaches it.
        assert!(text("widget-rate-limited").contains("{time}"));
        assert!(text("widget-booking-sent").contains("{when}"));
        assert!(texts.iter().all(|(_, text)| !text.contains("{ $")));
    }
    assert!(i18n::texts_for_script(Locale::En, "no-such-file").is_err());
}
