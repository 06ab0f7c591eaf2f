//! The outcomes every door translates: the service layer answers with these, and each door (the JSON
//! API's problem answers, later the HTML screens) turns them into its own kind of response. Nothing
//! here knows about HTTP; `http::error` maps each variant to a status and a problem document.

use crate::domain::Invalid;
pub use crate::domain::message::Message;

/// One invalid field: which one, a stable machine code, and the words for people (rendered in the
/// asker's language by the door).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, invalid: Invalid) -> Self {
        Self {
            field: field.into(),
            code: invalid.code.to_owned(),
            message: invalid.message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(Message),
    #[error("malformed query parameters: {detail}")]
    BadQuery {
        detail: Message,
        errors: Vec<FieldError>,
    },
    #[error("authentication required")]
    Unauthorized(Message),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: Message },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// A 429 for a cap on what one client may hold at a time rather than on its request rate: the
    /// client needs its own code and a detail naming the cap, not "too many requests".
    #[error("limit reached: {detail}")]
    LimitReached {
        code: &'static str,
        detail: Message,
        retry_after_secs: u64,
    },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 naming one invalid field.
    pub fn validation(field: &str, invalid: Invalid) -> Self {
        ApiError::Validation(vec![FieldError::new(field, invalid)])
    }

    /// A 409 with its code and the words saying why.
    pub fn conflict(code: &'static str, detail: Message) -> Self {
        ApiError::Conflict { code, detail }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            ApiError::Unavailable(error.to_string())
        } else {
            ApiError::Internal(anyhow::Error::new(error))
        }
    }
}

/// Errors that mean "the database cannot be reached right now" rather than "the query is wrong".
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions.
            db.code()
                .is_some_and(|code| code.starts_with("57P") || code.starts_with("08"))
        }
        _ => false,
    }
}

/// The constraint name of a database error, so callers can map a violation to a precise answer.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}
