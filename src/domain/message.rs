//! Words for a person, named rather than written: a catalogue id and its arguments. A rule says
//! *what* to tell someone ("must be at most 200 characters"); the door that answers picks the
//! language (`i18n::render`), so the same refusal reads in English or French without the rule
//! knowing about languages.

/// A named argument's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageArg {
    Text(String),
    Number(i64),
}

impl From<&str> for MessageArg {
    fn from(value: &str) -> Self {
        MessageArg::Text(value.to_owned())
    }
}

impl From<String> for MessageArg {
    fn from(value: String) -> Self {
        MessageArg::Text(value)
    }
}

impl From<&String> for MessageArg {
    fn from(value: &String) -> Self {
        MessageArg::Text(value.clone())
    }
}

macro_rules! number_arg {
    ($($type:ty),*) => {
        $(impl From<$type> for MessageArg {
            fn from(value: $type) -> Self {
                // Counts and limits: far below i64's range.
                MessageArg::Number(i64::try_from(value).unwrap_or(i64::MAX))
            }
        })*
    };
}
number_arg!(i16, i32, i64, u16, u32, u64, usize);

/// A catalogue message (`locales/*/problems.ftl` and friends) with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, MessageArg)>,
}

impl Message {
    pub const fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// Adds the argument `{ $name }` of the message.
    pub fn arg(mut self, name: &'static str, value: impl Into<MessageArg>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

impl std::fmt::Display for Message {
    /// The id and arguments, for logs (which are not for patients, and stay one language).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id)?;
        for (name, value) in &self.args {
            match value {
                MessageArg::Text(text) => write!(f, " {name}={text:?}")?,
                MessageArg::Number(number) => write!(f, " {name}={number}")?,
            }
        }
        Ok(())
    }
}
