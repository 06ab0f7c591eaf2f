//! Reads a JSON object field by field, collecting every problem instead of stopping at the first,
//! so a 422 names all invalid fields at once. Types are checked here too (a number where a string
//! belongs is a field error, not a 400), which serde's derive cannot do for more than one field.

use super::Invalid;
use crate::error::{ApiError, FieldError};
use serde_json::{Map, Value};
use uuid::Uuid;

pub struct FieldReader<'a> {
    object: &'a Map<String, Value>,
    prefix: String,
    errors: Vec<FieldError>,
}

impl<'a> FieldReader<'a> {
    pub fn new(object: &'a Map<String, Value>) -> Self {
        Self {
            object,
            prefix: String::new(),
            errors: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Records an error on `name` (relative to this reader).
    pub fn error(&mut self, name: &str, invalid: Invalid) {
        let field = self.path(name);
        self.errors.push(FieldError::new(field, invalid));
    }

    /// The raw value, with JSON `null` treated as absent.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|value| !value.is_null())
    }

    pub fn is_present(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    fn missing(&mut self, name: &str) {
        self.error(name, Invalid::new("required", "field-required"));
    }

    /// `expected` selects the words in `field-invalid-type`: string, boolean, number, integer,
    /// strings (a list of them), objects (a list of them) or object.
    fn wrong_type(&mut self, name: &str, expected: &'static str) {
        self.error(
            name,
            Invalid::new("invalid_type", "field-invalid-type").arg("expected", expected),
        );
    }

    /// A string parsed with `parse`; `None` (with an error recorded) when missing or invalid.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match self.raw(name) {
            None => {
                self.missing(name);
                None
            }
            Some(value) => self.parse_string(name, value, parse),
        }
    }

    /// An optional string: absent, null and blank all mean "not given" (`Some(None)`);
    /// `None` means it was given but invalid (the error is recorded).
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        match self.raw(name) {
            None => Some(None),
            Some(Value::String(text)) if text.trim().is_empty() => Some(None),
            Some(value) => self.parse_string(name, value, parse).map(Some),
        }
    }

    fn parse_string<T>(
        &mut self,
        name: &str,
        value: &Value,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let Value::String(text) = value else {
            self.wrong_type(name, "string");
            return None;
        };
        match parse(text) {
            Ok(parsed) => Some(parsed),
            Err(invalid) => {
                self.error(name, invalid);
                None
            }
        }
    }

    /// A raw string with no checks beyond its type (for honeypots and passwords, which must not be trimmed).
    pub fn optional_raw_string(&mut self, name: &str) -> Option<&'a str> {
        match self.raw(name) {
            None => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                self.wrong_type(name, "string");
                None
            }
        }
    }

    pub fn required_bool(&mut self, name: &str) -> Option<bool> {
        match self.raw(name) {
            None => {
                self.missing(name);
                None
            }
            Some(Value::Bool(flag)) => Some(*flag),
            Some(_) => {
                self.wrong_type(name, "boolean");
                None
            }
        }
    }

    /// A finite JSON number checked by `check`.
    pub fn required_f64(
        &mut self,
        name: &str,
        check: impl FnOnce(f64) -> Result<f64, Invalid>,
    ) -> Option<f64> {
        self.required_number(name, "number", serde_json::Number::as_f64, check)
    }

    pub fn required_uuid(&mut self, name: &str) -> Option<Uuid> {
        self.required(name, parse_uuid)
    }

    pub fn optional_uuid(&mut self, name: &str) -> Option<Option<Uuid>> {
        self.optional(name, parse_uuid)
    }

    /// An array of strings, each parsed with `parse`; errors name the element (`clinic_ids[2]`).
    pub fn string_array<T>(
        &mut self,
        name: &str,
        max_items: usize,
        mut parse: impl FnMut(&str) -> Result<T, Invalid>,
    ) -> Option<Vec<T>> {
        let Some(value) = self.raw(name) else {
            return Some(Vec::new());
        };
        let Value::Array(items) = value else {
            self.wrong_type(name, "strings");
            return None;
        };
        if items.len() > max_items {
            self.error(
                name,
                Invalid::new("too_many", "field-too-many").arg("max", max_items),
            );
            return None;
        }
        let mut parsed = Vec::with_capacity(items.len());
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let element = format!("{name}[{index}]");
            match self.parse_string(&element, item, &mut parse) {
                Some(value) => parsed.push(value),
                None => ok = false,
            }
        }
        ok.then_some(parsed)
    }

    /// A whole JSON number (no fraction), checked by `check`.
    pub fn required_i64<T>(
        &mut self,
        name: &str,
        check: impl FnOnce(i64) -> Result<T, Invalid>,
    ) -> Option<T> {
        self.required_number(name, "integer", serde_json::Number::as_i64, check)
    }

    /// A JSON number that `read` takes (else it is the wrong type, `kind`), checked by `check`.
    fn required_number<N, T>(
        &mut self,
        name: &str,
        kind: &'static str,
        read: impl FnOnce(&serde_json::Number) -> Option<N>,
        check: impl FnOnce(N) -> Result<T, Invalid>,
    ) -> Option<T> {
        let number = match self.raw(name) {
            None => {
                self.missing(name);
                return None;
            }
            Some(Value::Number(number)) => read(number),
            Some(_) => None,
        };
        match number.map(check) {
            Some(Ok(value)) => Some(value),
            Some(Err(invalid)) => {
                self.error(name, invalid);
                None
            }
            None => {
                self.wrong_type(name, kind);
                None
            }
        }
    }

    /// An array of objects, each read by `read` with errors named `name[i].field`.
    pub fn object_array<T>(
        &mut self,
        name: &str,
        max_items: usize,
        mut read: impl FnMut(&mut FieldReader<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Some(value) = self.raw(name) else {
            self.missing(name);
            return None;
        };
        let Value::Array(items) = value else {
            self.wrong_type(name, "objects");
            return None;
        };
        if items.len() > max_items {
            self.error(
                name,
                Invalid::new("too_many", "field-too-many").arg("max", max_items),
            );
            return None;
        }
        let mut parsed = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let element = format!("{name}[{index}]");
            let Value::Object(inner) = item else {
                self.wrong_type(&element, "object");
                continue;
            };
            let mut nested = FieldReader {
                object: inner,
                prefix: self.path(&format!("{element}.")),
                errors: vec![],
            };
            let result = read(&mut nested);
            let failed = !nested.errors.is_empty();
            self.errors.append(&mut nested.errors);
            if let (false, Some(value)) = (failed, result) {
                parsed.push(value);
            }
        }
        (parsed.len() == items.len()).then_some(parsed)
    }

    /// Reads a nested object with its own reader; its errors are named `name.field`.
    pub fn object<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut FieldReader<'a>) -> Option<T>,
    ) -> Option<T> {
        match self.raw(name) {
            None => {
                self.missing(name);
                None
            }
            Some(Value::Object(inner)) => {
                let mut nested = FieldReader {
                    object: inner,
                    prefix: self.path(&format!("{name}.")),
                    errors: vec![],
                };
                let result = read(&mut nested);
                let failed = !nested.errors.is_empty();
                self.errors.append(&mut nested.errors);
                if failed { None } else { result }
            }
            Some(_) => {
                self.wrong_type(name, "object");
                None
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Ends reading: `Ok` when nothing was wrong, else a 422 listing every error.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

pub fn parse_uuid(raw: &str) -> Result<Uuid, Invalid> {
    Uuid::parse_str(raw.trim()).map_err(|_| Invalid::new("invalid_uuid", "field-invalid-uuid"))
}

/// After `finish` returned `Ok`, every value a reader produced is present: this rebinds each named
/// `Option` to its value (an absent one would be a bug in the caller, answered as a 500).
#[macro_export]
macro_rules! all_valid {
    ($($name:ident),+ $(,)?) => {
        let ($($name,)+) = match ($($name,)+) {
            ($(Some($name),)+) => ($($name,)+),
            #[allow(unreachable_patterns)]
            _ => {
                return Err($crate::error::ApiError::Internal(anyhow::anyhow!(
                    "field reader finished clean but a value is missing"
                )))
            }
        };
    };
}

/// [`all_valid!`], then the form built from the same names: for a form whose fields are exactly
/// the values read.
#[macro_export]
macro_rules! valid_form {
    ($form:ident { $($name:ident),+ $(,)? }) => {{
        $crate::all_valid!($($name),+);
        $form { $($name),+ }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_error_with_nested_names() {
        let body = json!({"name": 5, "consents": {"exercise_plans": "yes"}, "ids": ["x", 3]});
        let mut reader = FieldReader::new(body.as_object().unwrap());
        reader.required("name", |s| Ok(s.to_owned()));
        reader.required("phone", |s| Ok(s.to_owned()));
        reader.object("consents", |c| {
            c.required_bool("appointment_reminders");
            c.required_bool("exercise_plans")
        });
        reader.string_array("ids", 10, parse_uuid);
        let Err(ApiError::Validation(errors)) = reader.finish() else {
            panic!("expected validation errors")
        };
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("name", "invalid_type"),
                ("phone", "required"),
                ("consents.appointment_reminders", "required"),
                ("consents.exercise_plans", "invalid_type"),
                ("ids[0]", "invalid_uuid"),
                ("ids[1]", "invalid_type"),
            ]
        );
    }

    #[test]
    fn null_and_blank_optionals_are_absent() {
        let body = json!({"a": null, "b": "  "});
        let mut reader = FieldReader::new(body.as_object().unwrap());
        assert_eq!(reader.optional("a", |s| Ok(s.to_owned())), Some(None));
        assert_eq!(reader.optional("b", |s| Ok(s.to_owned())), Some(None));
        assert!(reader.finish().is_ok());
    }
}
