//! `consultdesk seed-demo`: a handful of demo clinics and practitioners in Canadian cities, so a new
//! user sees a working search at once; and `--practitioners N`: N generated practitioners spread
//! over the real postal areas (FSA centroids) for load tests.
//!
//! Both are idempotent. Every row has a fixed id and is inserted with `ON CONFLICT (id) DO NOTHING`,
//! so a second run creates nothing, and rows someone edited since are left as they are.
//! Every value goes through the same domain rules the admin API applies, so seeded rows are rows the
//! API could have created.

use crate::directory::search::ClinicSummary;
use crate::domain::contact::PhoneE164;
use crate::domain::{Invalid, location, practice, text};
use crate::scheduling::schedule::{self, WeeklyRange};
use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use std::collections::{HashMap, HashSet};
use std::fmt;
use uuid::Uuid;

/// Generated clinics are named `Load Test Clinic <FSA> (<town>)`, so they are easy to spot and filter.
pub const LOAD_CLINIC_PREFIX: &str = "Load Test Clinic";
/// More than any load test needs; it also keeps generated ids inside their 32-bit range.
pub const MAX_LOAD_PRACTITIONERS: usize = 10_000_000;
/// Rows per `INSERT ... SELECT FROM unnest(...)`: big enough that 100,000 rows take a few statements,
/// small enough that one statement's arrays stay a few megabytes.
const BATCH_ROWS: usize = 10_000;

// Fixed ids, laid out as UUID v7 (version and variant bits set, timestamp frozen in mid-2024).
// The low bits number the row: demo rows by their position in data/demo/clinics.toml, generated
// practitioners by their index, generated clinics by their FSA's three ASCII bytes.
const DEMO_CLINIC_IDS: u128 = 0x0190_0000_0000_7000_8000_5eed_0001_0000;
const DEMO_PRACTITIONER_IDS: u128 = 0x0190_0000_0000_7000_8000_5eed_0002_0000;
const LOAD_PRACTITIONER_IDS: u128 = 0x0190_0000_0000_7000_8000_10ad_0000_0000;
const LOAD_CLINIC_IDS: u128 = 0x0190_0000_0000_7000_8001_10ad_0000_0000;

/// What `seed_demo` found or created, clinic by clinic.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub clinics: Vec<SeededClinic>,
}

#[derive(Debug, Clone)]
pub struct SeededClinic {
    pub id: Uuid,
    pub name: String,
    pub city: String,
    pub province: String,
    /// False when the clinic was already there (a previous run).
    pub created: bool,
    pub practitioners: Vec<SeededPractitioner>,
}

#[derive(Debug, Clone)]
pub struct SeededPractitioner {
    pub id: Uuid,
    pub name: String,
    pub discipline: String,
    pub created: bool,
}

impl SeedReport {
    pub fn clinics_created(&self) -> usize {
        self.clinics.iter().filter(|clinic| clinic.created).count()
    }

    pub fn practitioners(&self) -> usize {
        self.clinics.iter().map(|c| c.practitioners.len()).sum()
    }

    pub fn practitioners_created(&self) -> usize {
        self.clinics
            .iter()
            .flat_map(|clinic| &clinic.practitioners)
            .filter(|practitioner| practitioner.created)
            .count()
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "demo data: {} clinics, {} practitioners ({} clinics and {} practitioners created now, the rest were already there)",
            self.clinics.len(),
            self.practitioners(),
            self.clinics_created(),
            self.practitioners_created(),
        )?;
        let state = |created: bool| if created { "created" } else { "present" };
        for clinic in &self.clinics {
            writeln!(
                f,
                "  {} clinic {} ({}, {}) {}",
                state(clinic.created),
                clinic.name,
                clinic.city,
                clinic.province,
                clinic.id
            )?;
            for practitioner in &clinic.practitioners {
                writeln!(
                    f,
                    "    {} {} ({}) {}",
                    state(practitioner.created),
                    practitioner.name,
                    practitioner.discipline,
                    practitioner.id
                )?;
            }
        }
        Ok(())
    }
}

/// Creates the demo clinics and practitioners that are not there yet, in one transaction.
pub async fn seed_demo(pool: &PgPool) -> anyhow::Result<SeedReport> {
    let demo = demo_rows()?;
    let clinics: Vec<NewClinic> = demo.iter().map(|(clinic, _)| clinic.clone()).collect();
    let practitioners: Vec<(NewPractitioner, u32)> =
        demo.iter().flat_map(|(_, p)| p.iter().cloned()).collect();
    let rows: Vec<NewPractitioner> = practitioners.iter().map(|(p, _)| p.clone()).collect();
    let mut tx = crate::db::begin(pool).await?;
    let new_clinics: HashSet<Uuid> = insert_clinics(&mut tx, &clinics)
        .await
        .context("inserting the demo clinics")?
        .into_iter()
        .collect();
    let new_practitioners: HashSet<Uuid> = insert_practitioners(&mut tx, &rows)
        .await
        .context("inserting the demo practitioners")?
        .into_iter()
        .collect();
    // New demo practitioners get the demo week, so slots and next_available work at once.
    let week = demo_week()?;
    for (practitioner, slot_minutes) in &practitioners {
        if new_practitioners.contains(&practitioner.id) {
            crate::scheduling::store::replace_schedule(
                &mut tx,
                practitioner.id,
                *slot_minutes,
                &week,
            )
            .await
            .context("setting the demo practitioners' hours")?;
        }
    }
    tx.commit().await?;
    let clinics = demo
        .into_iter()
        .map(|(clinic, practitioners)| SeededClinic {
            id: clinic.id,
            created: new_clinics.contains(&clinic.id),
            practitioners: practitioners
                .into_iter()
                .map(|(p, _)| SeededPractitioner {
                    id: p.id,
                    created: new_practitioners.contains(&p.id),
                    name: p.name,
                    discipline: p.discipline.to_owned(),
                })
                .collect(),
            name: clinic.name,
            city: clinic.city,
            province: clinic.province,
        })
        .collect();
    Ok(SeedReport { clinics })
}

/// The demo week (`data/demo/week.toml`), checked by the rules `PUT .../schedule` applies.
fn demo_week() -> anyhow::Result<Vec<WeeklyRange>> {
    let file: DemoWeek = toml::from_str(DEMO_WEEK).context("reading data/demo/week.toml")?;
    let mut week = Vec::new();
    for hours in &file.hours {
        let start = checked("start", &hours.start, schedule::parse_time(&hours.start))?;
        let end = checked("end", &hours.end, schedule::parse_time(&hours.end))?;
        for weekday in &hours.weekdays {
            let weekday = checked("weekdays", weekday, schedule::parse_weekday(*weekday))?;
            week.push(WeeklyRange {
                weekday,
                start,
                end,
            });
        }
    }
    schedule::validate_week(week).map_err(|errors| {
        let errors: Vec<String> = errors
            .iter()
            .map(|(path, invalid)| format!("{path}: {}", invalid.message))
            .collect();
        anyhow!("data/demo/week.toml: {}", errors.join("; "))
    })
}

/// Makes sure generated practitioners number 0..`practitioners` exist, spread round-robin over one
/// generated clinic per postal area (FSA), placed at the area's centroid; returns how many it created.
/// Running it again with the same number creates nothing; with a larger number, only the difference.
/// The areas are taken in a fixed pseudo-random order, so even a small N covers the whole country.
pub async fn seed_load(pool: &PgPool, practitioners: usize) -> anyhow::Result<usize> {
    if practitioners == 0 {
        return Ok(0);
    }
    if practitioners > MAX_LOAD_PRACTITIONERS {
        bail!("at most {MAX_LOAD_PRACTITIONERS} generated practitioners, not {practitioners}");
    }
    let mut tx = crate::db::begin(pool).await?;
    if existing_load_practitioners(&mut tx, practitioners).await? == practitioners {
        return Ok(0);
    }
    let areas = postal_areas(&mut tx, practitioners).await?;
    if areas.is_empty() {
        bail!("the postal_areas reference table is empty: are the migrations applied?");
    }
    let towns = Towns::new(places(&mut tx).await?)?;
    let words = LoadWords::load()?;
    let clinics = areas
        .iter()
        .map(|area| load_clinic(area, &towns, &words))
        .collect::<anyhow::Result<Vec<_>>>()?;
    insert_clinics(&mut tx, &clinics)
        .await
        .context("inserting the generated clinics")?;
    let mut created = 0;
    for start in (0..practitioners).step_by(BATCH_ROWS) {
        let batch = (start..practitioners.min(start + BATCH_ROWS))
            .map(|index| load_practitioner(index, &clinics[index % clinics.len()], &words))
            .collect::<anyhow::Result<Vec<_>>>()?;
        created += insert_practitioners(&mut tx, &batch)
            .await
            .context("inserting generated practitioners")?
            .len();
    }
    tx.commit().await?;
    // Fresh statistics now, so the planner knows the tables grew before autovacuum notices.
    sqlx::query!("ANALYZE clinics, practitioners")
        .execute(pool)
        .await?;
    Ok(created)
}

// ---------------------------------------------------------------------------------------------
// Rows as the database takes them, validated by the API's rules.

/// A clinic row: the same fields the API shows.
type NewClinic = ClinicSummary;

/// A clinic as written down, before the domain rules have looked at it.
#[derive(Debug, Clone, Copy)]
struct ClinicInput<'a> {
    name: &'a str,
    address: &'a str,
    city: &'a str,
    province: &'a str,
    postal_code: &'a str,
    phone: &'a str,
    latitude: f64,
    longitude: f64,
    time_zone: &'a str,
}

/// Names the offending field and value, so a bad table entry is easy to find.
fn checked<T>(field: &str, raw: impl fmt::Debug, result: Result<T, Invalid>) -> anyhow::Result<T> {
    result.map_err(|invalid| anyhow!("{field} {raw:?} {}", invalid.message))
}

impl ClinicInput<'_> {
    /// The checks `POST /v1/admin/clinics` makes, field for field.
    fn validate(&self, id: Uuid) -> anyhow::Result<NewClinic> {
        let clinic = NewClinic {
            id,
            name: checked("name", self.name, text::name(self.name))?,
            address: checked(
                "address",
                self.address,
                text::bounded_text(self.address, 1, 300, false),
            )?,
            city: checked(
                "city",
                self.city,
                text::bounded_text(self.city, 1, 100, false),
            )?,
            province: checked("province", self.province, location::province(self.province))?,
            postal_code: checked(
                "postal_code",
                self.postal_code,
                location::postal_code(self.postal_code),
            )?,
            phone: checked(
                "phone",
                self.phone,
                PhoneE164::parse(self.phone).map(|p| p.as_str().to_owned()),
            )?,
            latitude: checked("latitude", self.latitude, location::latitude(self.latitude))?,
            longitude: checked(
                "longitude",
                self.longitude,
                location::longitude(self.longitude),
            )?,
            time_zone: checked(
                "time_zone",
                self.time_zone,
                location::time_zone(self.time_zone),
            )?,
        };
        Ok(clinic)
    }
}

#[derive(Debug, Clone)]
struct NewPractitioner {
    id: Uuid,
    clinic_id: Uuid,
    name: String,
    discipline: &'static str,
    services: Vec<String>,
    languages: Vec<String>,
    consult_modes: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy)]
struct PractitionerInput<'a> {
    name: &'a str,
    discipline: &'a str,
    services: &'a [&'a str],
    languages: &'a [&'a str],
    consult_modes: &'a [&'a str],
}

impl PractitionerInput<'_> {
    /// The checks `POST /v1/admin/practitioners` makes (the clinic exists: the foreign key checks it).
    fn validate(&self, id: Uuid, clinic_id: Uuid) -> anyhow::Result<NewPractitioner> {
        let each = |field: &str, raws: &[&str], parse: fn(&str) -> Result<String, Invalid>| {
            raws.iter()
                .map(|raw| checked(field, raw, parse(raw)))
                .collect::<anyhow::Result<Vec<_>>>()
        };
        let consult_modes = self
            .consult_modes
            .iter()
            .map(|raw| checked("consult_modes", raw, practice::consult_mode(raw)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if consult_modes.is_empty() {
            bail!(
                "practitioner {:?} needs at least one consult mode",
                self.name
            );
        }
        Ok(NewPractitioner {
            id,
            clinic_id,
            name: checked("name", self.name, text::name(self.name))?,
            discipline: checked(
                "discipline",
                self.discipline,
                practice::discipline(self.discipline),
            )?,
            services: each("services", self.services, practice::service)?,
            languages: each("languages", self.languages, practice::language)?,
            consult_modes,
        })
    }
}

/// Inserts the clinics not there yet; returns the ids it inserted.
async fn insert_clinics(conn: &mut PgConnection, clinics: &[NewClinic]) -> sqlx::Result<Vec<Uuid>> {
    let column = |get: fn(&NewClinic) -> &str| -> Vec<&str> { clinics.iter().map(get).collect() };
    // `as &[&str]`: the macro expects `&[String]` for a text[]; borrowed strings encode the same.
    sqlx::query_scalar!(
        // Québec clinics write to their patients in French (the Charter of the French Language).
        "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone,
                              default_locale)
         SELECT c.*, CASE WHEN c.province = 'QC' THEN 'fr' ELSE 'en' END
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::float8[], $9::float8[], $10::text[])
                AS c (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
         ON CONFLICT (id) DO NOTHING
         RETURNING id",
        &clinics.iter().map(|c| c.id).collect::<Vec<_>>(),
        &column(|c| &c.name) as &[&str],
        &column(|c| &c.address) as &[&str],
        &column(|c| &c.city) as &[&str],
        &column(|c| &c.province) as &[&str],
        &column(|c| &c.postal_code) as &[&str],
        &column(|c| &c.phone) as &[&str],
        &clinics.iter().map(|c| c.latitude).collect::<Vec<_>>(),
        &clinics.iter().map(|c| c.longitude).collect::<Vec<_>>(),
        &column(|c| &c.time_zone) as &[&str],
    )
    .fetch_all(conn)
    .await
}

/// Joins list items with the ASCII unit separator: `unnest` flattens two-dimensional arrays, so each
/// list travels as one string and is split again in SQL. The domain rules forbid control
/// characters in services, languages and modes, so the separator cannot occur inside an item.
const LIST_SEPARATOR: char = '\u{1f}';

fn joined<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(&LIST_SEPARATOR.to_string())
}

/// Inserts the practitioners not there yet (their location comes from the clinic, by trigger);
/// returns the ids it inserted.
async fn insert_practitioners(
    conn: &mut PgConnection,
    practitioners: &[NewPractitioner],
) -> sqlx::Result<Vec<Uuid>> {
    let lists = |get: fn(&NewPractitioner) -> String| -> Vec<String> {
        practitioners.iter().map(get).collect()
    };
    // `as &[&str]` as in `insert_clinics`.
    sqlx::query_scalar!(
        "INSERT INTO practitioners (id, clinic_id, name, discipline, services, languages, consult_modes)
         SELECT id, clinic_id, name, discipline, string_to_array(services, chr(31)),
                string_to_array(languages, chr(31)), string_to_array(consult_modes, chr(31))
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                AS t(id, clinic_id, name, discipline, services, languages, consult_modes)
         ON CONFLICT (id) DO NOTHING
         RETURNING id",
        &practitioners.iter().map(|p| p.id).collect::<Vec<_>>(),
        &practitioners.iter().map(|p| p.clinic_id).collect::<Vec<_>>(),
        &practitioners.iter().map(|p| p.name.as_str()).collect::<Vec<_>>() as &[&str],
        &practitioners.iter().map(|p| p.discipline).collect::<Vec<_>>() as &[&str],
        &lists(|p| joined(&p.services)),
        &lists(|p| joined(&p.languages)),
        &lists(|p| joined(&p.consult_modes)),
    )
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// The demo data, from the files under `data/demo/` (compiled in, so the binary stays self-contained).

const DEMO_CLINICS: &str = include_str!("../data/demo/clinics.toml");
const DEMO_WEEK: &str = include_str!("../data/demo/week.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoClinics {
    clinic: Vec<DemoClinic>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoClinic {
    name: String,
    address: String,
    city: String,
    province: String,
    postal_code: String,
    phone: String,
    latitude: f64,
    longitude: f64,
    time_zone: String,
    practitioner: Vec<DemoPractitioner>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPractitioner {
    name: String,
    discipline: String,
    services: Vec<String>,
    languages: Vec<String>,
    consult_modes: Vec<String>,
    slot_minutes: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoWeek {
    hours: Vec<DemoHours>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoHours {
    weekdays: Vec<i64>,
    start: String,
    end: String,
}

impl DemoClinic {
    fn input(&self) -> ClinicInput<'_> {
        ClinicInput {
            name: &self.name,
            address: &self.address,
            city: &self.city,
            province: &self.province,
            postal_code: &self.postal_code,
            phone: &self.phone,
            latitude: self.latitude,
            longitude: self.longitude,
            time_zone: &self.time_zone,
        }
    }
}

/// A demo practitioner's row and the length of its slots, in minutes.
type DemoRow = (NewPractitioner, u32);

fn strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

/// The demo clinics and their practitioners (each with its slot length), validated, with their
/// fixed ids: clinics and practitioners are numbered from 1 in file order.
fn demo_rows() -> anyhow::Result<Vec<(NewClinic, Vec<DemoRow>)>> {
    let file: DemoClinics =
        toml::from_str(DEMO_CLINICS).context("reading data/demo/clinics.toml")?;
    let mut practitioner_number: u128 = 0;
    file.clinic
        .iter()
        .zip(1u128..)
        .map(|(demo, number)| {
            let clinic = demo
                .input()
                .validate(Uuid::from_u128(DEMO_CLINIC_IDS | number))
                .with_context(|| format!("demo clinic {:?}", demo.name))?;
            if demo.practitioner.is_empty() {
                bail!("demo clinic {:?} has no practitioner", demo.name);
            }
            let practitioners = demo
                .practitioner
                .iter()
                .map(|person| {
                    practitioner_number += 1;
                    let id = Uuid::from_u128(DEMO_PRACTITIONER_IDS | practitioner_number);
                    let (services, languages, consult_modes) = (
                        strs(&person.services),
                        strs(&person.languages),
                        strs(&person.consult_modes),
                    );
                    let row = PractitionerInput {
                        name: &person.name,
                        discipline: &person.discipline,
                        services: &services,
                        languages: &languages,
                        consult_modes: &consult_modes,
                    }
                    .validate(id, clinic.id);
                    let slot_minutes = checked(
                        "slot_minutes",
                        person.slot_minutes,
                        schedule::check_slot_minutes(person.slot_minutes),
                    );
                    row.and_then(|row| Ok((row, slot_minutes?)))
                        .with_context(|| format!("demo practitioner {:?}", person.name))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok((clinic, practitioners))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Generated load-test data.

/// A postal area's centroid, from the reference table.
#[derive(Debug)]
struct PostalArea {
    fsa: String,
    province: String,
    latitude: f64,
    longitude: f64,
}

/// A place (town, city, borough) from the reference table.
#[derive(Debug)]
struct Place {
    name: String,
    province: String,
    latitude: f64,
    longitude: f64,
    postal_codes: i32,
}

/// How many of generated practitioners 0..`wanted` already exist: their ids form one range.
async fn existing_load_practitioners(
    conn: &mut PgConnection,
    wanted: usize,
) -> anyhow::Result<usize> {
    let first = Uuid::from_u128(LOAD_PRACTITIONER_IDS);
    let end = Uuid::from_u128(LOAD_PRACTITIONER_IDS + wanted as u128);
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM practitioners WHERE id >= $1 AND id < $2"#,
        first,
        end,
    )
    .fetch_one(conn)
    .await?;
    Ok(usize::try_from(count)?)
}

/// Up to `limit` postal areas in a fixed order that looks random (by a hash of the FSA), so the first
/// few hundred already cover every province rather than Newfoundland alone.
async fn postal_areas(conn: &mut PgConnection, limit: usize) -> anyhow::Result<Vec<PostalArea>> {
    let limit = i64::try_from(limit).context("too many postal areas asked for")?;
    sqlx::query_as!(
        PostalArea,
        r#"SELECT fsa, province, ST_Y(location::geometry) AS "latitude!", ST_X(location::geometry) AS "longitude!"
           FROM postal_areas ORDER BY md5(fsa), fsa LIMIT $1"#,
        limit,
    )
    .fetch_all(conn)
    .await
    .context("reading the postal areas")
}

async fn places(conn: &mut PgConnection) -> sqlx::Result<Vec<Place>> {
    sqlx::query_as!(
        Place,
        r#"SELECT name, province, ST_Y(location::geometry) AS "latitude!", ST_X(location::geometry) AS "longitude!",
                postal_codes
           FROM places"#,
    )
    .fetch_all(conn)
    .await
}

/// The reference data spell the territories' provinces out ("Northwest Territory"); clinics take codes.
fn province_code(raw: &str) -> anyhow::Result<String> {
    location::province(raw).or_else(|_| {
        let code = match raw.trim().to_ascii_lowercase().as_str() {
            "northwest territory" | "northwest territories" => "NT",
            "nunavut" | "nunavut territory" => "NU",
            "yukon" | "yukon territory" => "YT",
            _ => bail!("unknown province {raw:?} in the reference data"),
        };
        Ok(code.to_owned())
    })
}

/// Places with at least this many postal codes count as towns: a clinic's city should be a name
/// people search for, not a hamlet that happens to lie nearer the centroid.
const MIN_TOWN_POSTAL_CODES: i32 = 20;

/// The places of each province, to name a generated clinic's city.
struct Towns {
    by_province: HashMap<String, Vec<Place>>,
}

impl Towns {
    /// Refuses a place whose province the reference data misspell, rather than filing it apart.
    fn new(places: Vec<Place>) -> anyhow::Result<Self> {
        let mut by_province: HashMap<String, Vec<Place>> = HashMap::new();
        for place in places {
            let province = province_code(&place.province)
                .with_context(|| format!("the place {:?}", place.name))?;
            by_province.entry(province).or_default().push(place);
        }
        Ok(Towns { by_province })
    }

    /// The nearest town in the province, else the nearest place in it at all.
    fn nearest(&self, province: &str, latitude: f64, longitude: f64) -> Option<&str> {
        let places = self.by_province.get(province)?;
        // Equirectangular distance: plenty to rank places a few tens of kilometres apart.
        let squared = |place: &Place| {
            let dx = (place.longitude - longitude) * latitude.to_radians().cos();
            let dy = place.latitude - latitude;
            dx * dx + dy * dy
        };
        let closest = |towns_only: bool| {
            places
                .iter()
                .filter(|p| !towns_only || p.postal_codes >= MIN_TOWN_POSTAL_CODES)
                .min_by(|a, b| squared(a).total_cmp(&squared(b)))
        };
        closest(true)
            .or_else(|| closest(false))
            .map(|place| place.name.as_str())
    }
}

/// A fixed pseudo-random number per input (SplitMix64), so generated data are the same every run.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `salt`-th independent choice among `items` for the number `seed`.
fn pick<T>(items: &[T], seed: u64, salt: u64) -> &T {
    let index = mix(seed ^ salt.wrapping_mul(0x2545_f491_4f6c_dd1d)) % items.len() as u64;
    &items[index as usize]
}

const LOAD_WORDS: &str = include_str!("../data/demo/load_words.toml");

/// The word lists generated rows are drawn from (`data/demo/load_words.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadWords {
    english_streets: Vec<String>,
    french_streets: Vec<String>,
    first_names: Vec<String>,
    last_names: Vec<String>,
    physio_services: Vec<Vec<String>>,
    chiro_services: Vec<Vec<String>>,
    consult_mode_sets: Vec<Vec<String>>,
    second_languages: Vec<Vec<String>>,
}

impl LoadWords {
    /// Reads the lists; an empty one is an error (nothing to pick from).
    fn load() -> anyhow::Result<Self> {
        let words: LoadWords =
            toml::from_str(LOAD_WORDS).context("reading data/demo/load_words.toml")?;
        let sizes = [
            ("english_streets", words.english_streets.len()),
            ("french_streets", words.french_streets.len()),
            ("first_names", words.first_names.len()),
            ("last_names", words.last_names.len()),
            ("physio_services", words.physio_services.len()),
            ("chiro_services", words.chiro_services.len()),
            ("consult_mode_sets", words.consult_mode_sets.len()),
            ("second_languages", words.second_languages.len()),
        ];
        if let Some((list, _)) = sizes.iter().find(|(_, size)| *size == 0) {
            bail!("data/demo/load_words.toml: {list} is empty");
        }
        Ok(words)
    }
}

fn fsa_seed(fsa: &str) -> u64 {
    fsa.bytes().fold(0u64, |acc, b| (acc << 8) | u64::from(b))
}

/// The clinic generated for a postal area: at its centroid, named after the nearest town.
fn load_clinic(area: &PostalArea, towns: &Towns, words: &LoadWords) -> anyhow::Result<NewClinic> {
    let province = province_code(&area.province)?;
    let seed = fsa_seed(&area.fsa);
    // A clinic named after its postal code would hide a gap in the reference data: refuse instead.
    let city = towns
        .nearest(&province, area.latitude, area.longitude)
        .with_context(|| format!("no place in {province} to name the clinic of {}", area.fsa))?
        .to_owned();
    let streets = if province == "QC" {
        &words.french_streets
    } else {
        &words.english_streets
    };
    let address = format!("{} {}", 10 + mix(seed) % 2990, pick(streets, seed, 1));
    // The local delivery unit alternates digit, letter, digit; letters D, F, I, O, Q, U never occur.
    let postal_code = format!(
        "{} {}{}{}",
        area.fsa,
        mix(seed ^ 2) % 10,
        *pick(&LDU_LETTERS, seed, 3),
        mix(seed ^ 4) % 10
    );
    let phone = format!(
        "+1{}5550{}",
        area_code(&area.fsa)?,
        100 + mix(seed ^ 5) % 100
    );
    let name = format!("{LOAD_CLINIC_PREFIX} {} ({city})", area.fsa);
    let time_zone = time_zone_for(&province, area.latitude, area.longitude)
        .with_context(|| format!("no time zone known for province {province:?}"))?;
    ClinicInput {
        name: &name,
        address: &address,
        city: &city,
        province: &province,
        postal_code: &postal_code,
        phone: &phone,
        latitude: area.latitude,
        longitude: area.longitude,
        time_zone,
    }
    .validate(Uuid::from_u128(LOAD_CLINIC_IDS | u128::from(seed)))
    .with_context(|| format!("generated clinic for postal area {}", area.fsa))
}

/// Generated practitioner number `index`, at `clinic`.
fn load_practitioner(
    index: usize,
    clinic: &NewClinic,
    words: &LoadWords,
) -> anyhow::Result<NewPractitioner> {
    let seed = index as u64;
    let name = format!(
        "{} {}",
        pick(&words.first_names, seed, 1),
        pick(&words.last_names, seed, 2)
    );
    // Roughly seven physiotherapists for every three chiropractors.
    let (discipline, service_sets) = if mix(seed ^ 3) % 10 < 7 {
        ("physiotherapy", &words.physio_services)
    } else {
        ("chiropractic", &words.chiro_services)
    };
    PractitionerInput {
        name: &name,
        discipline,
        services: &strs(pick::<Vec<String>>(service_sets, seed, 4)),
        languages: &languages_for(&clinic.province, seed, words),
        consult_modes: &strs(pick::<Vec<String>>(&words.consult_mode_sets, seed, 6)),
    }
    .validate(
        Uuid::from_u128(LOAD_PRACTITIONER_IDS + index as u128),
        clinic.id,
    )
}

/// Languages as they are spread in each province: French first in Québec, often offered in New
/// Brunswick and Ontario, and a second language among the common immigrant languages elsewhere.
fn languages_for<'w>(province: &str, seed: u64, words: &'w LoadWords) -> Vec<&'w str> {
    let roll = mix(seed ^ 5) % 100;
    let fixed: &[&'static str] = match province {
        "QC" if roll < 60 => &["fr", "en"],
        "QC" if roll < 95 => &["fr"],
        "QC" => &["fr", "en", "es"],
        "NB" if roll < 40 => &["en", "fr"],
        "ON" if roll < 15 => &["en", "fr"],
        _ if roll < 70 => &["en"],
        _ if roll < 78 => &["en", "fr"],
        _ => return strs(pick::<Vec<String>>(&words.second_languages, seed, 7)),
    };
    fixed.to_vec()
}

/// The IANA zone local clocks follow. Province by province, with the best-known exceptions by
/// position (approximate borders are fine for generated data; every answer is a valid zone).
fn time_zone_for(province: &str, latitude: f64, longitude: f64) -> Option<&'static str> {
    let zone = match province {
        // The Peace River region keeps Mountain Standard Time all year.
        "BC" if latitude > 55.0 && longitude > -122.5 => "America/Dawson_Creek",
        "BC" => "America/Vancouver",
        "AB" | "NT" => "America/Edmonton",
        "SK" => "America/Regina",
        "MB" => "America/Winnipeg",
        // North-western Ontario (Kenora, Rainy River) keeps Central time.
        "ON" if longitude < -90.0 => "America/Winnipeg",
        "ON" | "QC" => "America/Toronto",
        "NB" | "NS" | "PE" => "America/Halifax",
        // Most of Labrador keeps Atlantic time; the island, Newfoundland time.
        "NL" if longitude < -60.0 => "America/Goose_Bay",
        "NL" => "America/St_Johns",
        "NU" if longitude < -102.0 => "America/Cambridge_Bay",
        "NU" if longitude < -85.0 => "America/Rankin_Inlet",
        "NU" => "America/Iqaluit",
        "YT" => "America/Whitehorse",
        _ => return None,
    };
    Some(zone)
}

/// A real area code of the FSA's region; an FSA of no known region is an error, not Toronto's code.
fn area_code(fsa: &str) -> anyhow::Result<&'static str> {
    let region = fsa
        .get(..2)
        .with_context(|| format!("the postal area {fsa:?} is too short"))?;
    let code = match region {
        "T5" | "T6" | "T7" | "T8" | "T9" => "780",
        "V3" | "V5" | "V6" | "V7" => "604",
        "J1" | "J8" | "J9" => "819",
        _ => match region.chars().next() {
            Some('A') => "709",
            Some('B' | 'C') => "902",
            Some('E') => "506",
            Some('G') => "418",
            Some('H') => "514",
            Some('J') => "450",
            Some('K') => "613",
            Some('L') => "905",
            Some('M') => "416",
            Some('N') => "519",
            Some('P') => "705",
            Some('R') => "204",
            Some('S') => "306",
            Some('T') => "403",
            Some('V') => "250",
            Some('X' | 'Y') => "867",
            _ => bail!("the postal area {fsa:?} is in no known region"),
        },
    };
    Ok(code)
}

const LDU_LETTERS: [char; 18] = [
    'A', 'B', 'C', 'E', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'V', 'X', 'Y',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_table_passes_the_api_rules() {
        let rows = demo_rows().expect("valid demo data");
        assert_eq!(rows.len(), 8);
        assert_eq!(rows.iter().map(|r| r.1.len()).sum::<usize>(), 22);
        let ids: HashSet<Uuid> = rows
            .iter()
            .flat_map(|(c, ps)| std::iter::once(c.id).chain(ps.iter().map(|(p, _)| p.id)))
            .collect();
        assert_eq!(
            ids.len(),
            rows.len() + rows.iter().map(|r| r.1.len()).sum::<usize>()
        );
        for (clinic, practitioners) in &rows {
            assert!((2..=4).contains(&practitioners.len()), "{}", clinic.name);
            let phone_digits = &clinic.phone[5..];
            assert!(phone_digits.starts_with("55501"), "{}", clinic.phone);
            assert_ne!(clinic.time_zone, "America/Montreal");
        }
    }

    #[test]
    fn generated_rows_pass_the_api_rules_everywhere() {
        let words = LoadWords::load().expect("valid word lists");
        // One town per province, spelt as the reference data spell them.
        let towns = Towns::new(
            [
                "ON",
                "QC",
                "AB",
                "BC",
                "NL",
                "Nunavut Territory",
                "Northwest Territory",
                "YT",
            ]
            .into_iter()
            .map(|province| Place {
                name: format!("Town of {province}"),
                province: province.into(),
                latitude: 50.0,
                longitude: -100.0,
                postal_codes: 100,
            })
            .collect(),
        )
        .unwrap();
        for (fsa, province, latitude, longitude) in [
            ("M5V", "ON", 43.64, -79.39),
            ("H2J", "QC", 45.52, -73.58),
            ("T5J", "AB", 53.54, -113.49),
            ("V0C", "BC", 56.2, -120.8),
            ("P9N", "ON", 49.76, -94.48),
            ("A0P", "NL", 54.95, -61.6),
            ("X0B", "Nunavut Territory", 70.9, -106.96),
            ("X1A", "Northwest Territory", 62.45, -114.35),
            ("Y1A", "YT", 60.72, -135.05),
        ] {
            let area = PostalArea {
                fsa: fsa.into(),
                province: province.into(),
                latitude,
                longitude,
            };
            let clinic = load_clinic(&area, &towns, &words).expect(fsa);
            assert!(clinic.name.starts_with(LOAD_CLINIC_PREFIX));
            assert!(clinic.postal_code.starts_with(fsa));
            for index in 0..200 {
                load_practitioner(index, &clinic, &words).expect("valid practitioner");
            }
        }
    }

    #[test]
    fn generated_ids_do_not_collide() {
        assert_ne!(
            LOAD_CLINIC_IDS | u128::from(fsa_seed("ZZZ")),
            LOAD_PRACTITIONER_IDS + u128::from(u32::MAX)
        );
        assert!((MAX_LOAD_PRACTITIONERS as u128) < (1 << 32));
        let uuid = Uuid::from_u128(LOAD_PRACTITIONER_IDS + 7);
        assert_eq!(uuid.get_version_num(), 7);
    }

    #[test]
    fn territories_are_named_by_their_codes() {
        assert_eq!(province_code("Northwest Territory").unwrap(), "NT");
        assert_eq!(province_code("Nunavut Territory").unwrap(), "NU");
        assert_eq!(province_code("on").unwrap(), "ON");
        assert!(province_code("Atlantis").is_err());
    }

    #[test]
    fn the_nearest_town_wins_over_a_nearer_hamlet() {
        let place = |name: &str, latitude, longitude, postal_codes| Place {
            name: name.into(),
            province: "ON".into(),
            latitude,
            longitude,
            postal_codes,
        };
        let towns = Towns::new(vec![
            place("Hamlet", 43.65, -79.39, 1),
            place("Toronto", 43.666, -79.394, 14798),
            place("Ottawa", 45.39, -75.69, 10908),
        ])
        .unwrap();
        assert_eq!(towns.nearest("ON", 43.65, -79.39), Some("Toronto"));
        assert_eq!(towns.nearest("QC", 43.65, -79.39), None);
    }

    #[test]
    fn gaps_in_the_reference_data_are_errors_not_defaults() {
        let area = PostalArea {
            fsa: "M5V".into(),
            province: "ON".into(),
            latitude: 43.64,
            longitude: -79.39,
        };
        let no_towns = Towns::new(vec![]).unwrap();
        let refused = load_clinic(&area, &no_towns, &LoadWords::load().unwrap()).unwrap_err();
        assert!(
            format!("{refused:#}").contains("no place in ON"),
            "{refused:#}"
        );
        let misspelt = Place {
            name: "Somewhere".into(),
            province: "Ontarioo".into(),
            latitude: 43.0,
            longitude: -79.0,
            postal_codes: 50,
        };
        assert!(Towns::new(vec![misspelt]).is_err());
        assert!(area_code("Z9Z").is_err() && area_code("M").is_err());
        assert_eq!(area_code("M5V").unwrap(), "416");
        assert!(time_zone_for("ZZ", 43.0, -79.0).is_none());
    }

    #[test]
    fn the_demo_week_is_a_clinic_week() {
        let week = demo_week().unwrap();
        assert_eq!(week.len(), 11);
        assert!(week.iter().all(|range| (1..=6).contains(&range.weekday)));
        let slot_minutes: HashSet<u32> = demo_rows()
            .unwrap()
            .iter()
            .flat_map(|(_, ps)| ps.iter().map(|(_, minutes)| *minutes))
            .collect();
        assert_eq!(slot_minutes, HashSet::from([15, 30]));
    }
}
