//! A posted form (`crate::pages::Form`) as the JSON body it stands for: every
//! console form is turned into the body of the JSON endpoint doing the same thing, so the JSON
//! door's reader decides what is valid for both doors.

use serde_json::{Map, Value as Json};

pub use crate::pages::Form;

/// The console's reading of a form as the JSON body it stands for.
impl Form {
    /// The fields named in `names` as a JSON object of strings (absent ones left out), for the
    /// JSON door's field readers: one set of rules for both doors.
    pub fn to_object(&self, names: &[&str]) -> serde_json::Map<String, serde_json::Value> {
        names
            .iter()
            .filter_map(|name| {
                self.get(name)
                    .map(|value| ((*name).to_owned(), value.to_owned().into()))
            })
            .collect()
    }
}

impl Form {
    /// A text field as typed; absent when blank.
    pub fn text(&self, name: &str) -> Option<Json> {
        self.get(name)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(Json::from)
    }

    /// A number field: a JSON number when it reads as one (the reader checks its range), else the
    /// text as typed (the reader names it invalid); absent when blank.
    pub fn number(&self, name: &str) -> Option<Json> {
        let raw = self.get(name)?.trim();
        if raw.is_empty() {
            return None;
        }
        Some(
            raw.parse::<i64>()
                .map(Json::from)
                .or_else(|_| raw.parse::<f64>().map(Json::from))
                .unwrap_or_else(|_| Json::from(raw)),
        )
    }

    /// A list typed one item a line or separated by commas.
    pub fn list(&self, name: &str) -> Json {
        Json::from(
            self.get(name)
                .unwrap_or_default()
                .split(['\n', ','])
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(Json::from)
                .collect::<Vec<_>>(),
        )
    }

    /// Every value of a field given several times, as a JSON list (checkboxes of one name).
    pub fn every(&self, name: &str) -> Json {
        Json::from(self.all(name).map(Json::from).collect::<Vec<_>>())
    }

    /// The text fields `names` as a JSON body (blank ones left out).
    pub fn body_of(&self, names: &[&str]) -> Map<String, Json> {
        let mut body = Map::new();
        for name in names {
            put(&mut body, name, self.text(name));
        }
        body
    }
}

/// Sets `name` in `body` when there is a value.
pub fn put(body: &mut Map<String, Json>, name: &str, value: Option<Json>) {
    if let Some(value) = value {
        body.insert(name.to_owned(), value);
    }
}
