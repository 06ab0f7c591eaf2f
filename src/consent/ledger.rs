//! The append-only consent ledger: every grant and withdrawal is a row; the current state of a
//! category is its newest row (ids are UUIDv7, so id order is insertion order).

use crate::domain::consent::{ConsentCategory, ConsentFlags, ConsentSource};
use crate::http::extract::ClientInfo;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// Records the person's choice for every category, as given on a form.
pub async fn record_flags(
    conn: &mut PgConnection,
    patient_id: Uuid,
    flags: &ConsentFlags,
    source: ConsentSource,
    wording_version: &str,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    let changes: Vec<(ConsentCategory, bool)> = flags.each().collect();
    record_changes(conn, patient_id, &changes, source, wording_version, client).await
}

/// Appends one ledger row per (category, granted) pair, in the given order.
pub async fn record_changes(
    conn: &mut PgConnection,
    patient_id: Uuid,
    changes: &[(ConsentCategory, bool)],
    source: ConsentSource,
    wording_version: &str,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let (categories, granted): (Vec<&str>, Vec<bool>) = changes
        .iter()
        .map(|(category, granted)| (category.as_str(), *granted))
        .unzip();
    // One id per row, generated here so their order is the order of the changes.
    let ids: Vec<Uuid> = categories.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query(
        "INSERT INTO consent_events (id, patient_id, category, granted, source, wording_version, ip, user_agent)
         SELECT id, $2, category, granted, $5, $6, $7::inet, $8
           FROM unnest($1::uuid[], $3::text[], $4::bool[]) AS t(id, category, granted)",
    )
    .bind(&ids)
    .bind(patient_id)
    .bind(&categories)
    .bind(&granted)
    .bind(source.as_str())
    .bind(wording_version)
    .bind(client.ip.map(|ip| ip.to_string()))
    .bind(&client.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

/// One ledger row as staff see it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ConsentEventView {
    pub id: Uuid,
    #[schema(value_type = ConsentCategory)]
    pub category: String,
    pub granted: bool,
    /// `web_form`, `unsubscribe_link`, `one_click` or `staff`.
    pub source: String,
    pub wording_version: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ConsentEventView {
    /// The row without where it came from (IP, user agent), for staff who need only what was decided.
    pub fn without_client_details(self) -> Self {
        ConsentEventView {
            ip: None,
            user_agent: None,
            ..self
        }
    }
}

/// The state in force for one category; `granted` is false when the person never said yes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentState {
    #[schema(value_type = ConsentCategory)]
    pub category: String,
    pub granted: bool,
    /// When the state in force was recorded; null when the person was never asked.
    pub since: Option<DateTime<Utc>>,
    pub source: Option<String>,
}

const EVENT_COLUMNS: &str =
    "id, category, granted, source, wording_version, host(ip) AS ip, user_agent, created_at";

/// The whole history, newest first.
pub async fn history(
    conn: &mut PgConnection,
    patient_id: Uuid,
) -> Result<Vec<ConsentEventView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM consent_events WHERE patient_id = $1 ORDER BY id DESC"
    )))
    .bind(patient_id)
    .fetch_all(conn)
    .await
}

/// The state in force for every category, in a fixed order.
pub async fn current(
    conn: &mut PgConnection,
    patient_id: Uuid,
) -> Result<Vec<ConsentState>, sqlx::Error> {
    let latest: Vec<ConsentEventView> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT ON (category) {EVENT_COLUMNS} FROM consent_events
          WHERE patient_id = $1 ORDER BY category, id DESC"
    )))
    .bind(patient_id)
    .fetch_all(conn)
    .await?;
    Ok(ConsentCategory::ALL
        .into_iter()
        .map(|category| {
            let newest = latest
                .iter()
                .find(|event| event.category == category.as_str());
            ConsentState {
                category: category.as_str().to_owned(),
                granted: newest.is_some_and(|event| event.granted),
                since: newest.map(|event| event.created_at),
                source: newest.map(|event| event.source.clone()),
            }
        })
        .collect())
}

/// Whether `category` is granted now (no row means no).
pub async fn is_granted(
    conn: &mut PgConnection,
    patient_id: Uuid,
    category: ConsentCategory,
) -> Result<bool, sqlx::Error> {
    let granted: Option<bool> = sqlx::query_scalar(
        "SELECT granted FROM consent_events WHERE patient_id = $1 AND category = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(patient_id)
    .bind(category.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(granted.unwrap_or(false))
}
