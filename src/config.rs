//! Settings from the command line and the environment (and `.env`), with the contract's defaults.
//! Secrets are wrapped so they never reach a log line through `Debug`.
//!
//! [`SettingsArgs`] is a clap argument group: each setting is a `--flag` that falls back to its
//! environment variable (clap's `env` feature), so the variable names, defaults and checks are
//! declared once, beside the field. Durations are read by `humantime` (`24h`, `90m`, `1h30m`).
//! An invalid value is refused with a message naming the variable (each flag's value name is its
//! variable). Secrets are checked after parsing, so a refused secret is never echoed.
//!
//! This module is a leaf: it imports nothing from the rest of the crate.

use anyhow::{Context, bail};
use clap::{Args, CommandFactory, FromArgMatches};
use ipnet::IpNet;
use secrecy::SecretString;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `None`: start the embedded Postgres under `data_dir/pg`.
    pub database_url: Option<SecretString>,
    /// A streaming replica of `database_url` that serves the public reads (`DATABASE_READ_URL`);
    /// `None`: every query goes to `database_url`.
    pub database_read_url: Option<SecretString>,
    /// Connections each pool opens, warms and keeps from the start (`DATABASE_MIN_CONNECTIONS`).
    pub database_min_connections: u32,
    pub bind_addr: SocketAddr,
    pub public_base_url: String,
    /// `None`: write emails as `.eml` files under `data_dir/mail`.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub signing_key: Option<SecretString>,
    pub cors_origins: Vec<String>,
    pub public_rate_limit: RateLimit,
    /// Public searches and reads per client network (`PUBLIC_READ_RATE_LIMIT`, default `300/min`).
    pub public_read_rate_limit: RateLimit,
    pub reminder_offsets: Vec<Duration>,
    pub booking_min_lead: Duration,
    /// Until how long before the start a patient may cancel or move a booking through its link
    /// (`PATIENT_CHANGE_CUTOFF`, default `12h`).
    pub patient_change_cutoff: Duration,
    pub log_json: bool,
    /// Where the embedded Postgres, the mail folder and the generated signing key live.
    pub data_dir: PathBuf,
    /// How long a request waits for a database connection before answering 503.
    pub db_acquire_timeout: Duration,
    /// Load balancers whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`; none by default).
    pub trusted_proxies: TrustedProxies,
    pub request_timeout: Duration,
    pub session_ttl: Duration,
    /// The operator running the site for its clinics (`NETWORK_NAME`), named in consent wording and
    /// in the emails it sends; `None`: forms name the clinic only.
    pub network_name: Option<String>,
    /// Open `requested` bookings allowed per email address and per client address (`MAX_OPEN_REQUESTS`).
    pub max_open_requests: u32,
    /// When set, `/metrics` answers only with `Authorization: Bearer <token>` (`METRICS_TOKEN`).
    pub metrics_token: Option<SecretString>,
}

/// "N per period", e.g. `20/min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

/// `TRUSTED_PROXIES`: the load balancers whose `X-Forwarded-For` names the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Comma-separated addresses or CIDR blocks (`10.0.0.0/8, 192.0.2.7`); empty entries are skipped.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an IP address or CIDR block"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn nets(&self) -> &[IpNet] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The settings as given: a `--flag` each, else its environment variable, else the default.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Configuration (each option also read from the variable it names)")]
pub struct SettingsArgs {
    /// Postgres (with PostGIS); unset: a private cluster under `.consultdesk/pg`.
    #[arg(long, global = true, env, hide_env_values = true)]
    database_url: Option<String>,
    /// A streaming replica of DATABASE_URL for public reads (search, slots, clinic pages); unset: none.
    #[arg(long, global = true, env, hide_env_values = true)]
    database_read_url: Option<String>,
    /// Connections each database pool opens and warms before serving, and keeps open (at most 20,
    /// the pool's size: then a burst never opens a cold connection on a visitor's time).
    #[arg(long, global = true, env, default_value = "20", value_parser = parse_min_connections)]
    database_min_connections: u32,
    /// Listen address.
    #[arg(long, global = true, env, default_value = "127.0.0.1:8080", value_parser = parse_bind_addr)]
    bind_addr: SocketAddr,
    /// Base of links in emails.
    #[arg(long, global = true, env, default_value = "http://localhost:8080")]
    public_base_url: String,
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required`, `smtps://...`; unset: `.eml` files.
    #[arg(long, global = true, env, hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of the emails.
    #[arg(
        long,
        global = true,
        env,
        default_value = "Clinic <no-reply@localhost>"
    )]
    mail_from: String,
    /// Secret for unsubscribe links, at least 32 bytes; several comma-separated keys rotate.
    #[arg(long, global = true, env, hide_env_values = true)]
    signing_key: Option<String>,
    /// Website origins allowed to call the public API, comma-separated.
    #[arg(long, global = true, env, value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Public POSTs per client network (`20/min`, `5/s`, `100/hour`, `20/5m`).
    #[arg(long, global = true, env, default_value = "20/min")]
    public_rate_limit: RateLimit,
    /// Public searches and reads per client network.
    #[arg(long, global = true, env, default_value = "300/min")]
    public_read_rate_limit: RateLimit,
    /// Load balancers in front of the service (addresses or CIDR blocks, comma-separated).
    #[arg(long, global = true, env, value_parser = TrustedProxies::parse)]
    trusted_proxies: Option<TrustedProxies>,
    /// When reminders go out before a confirmed booking (`24h`, `90m`, `45s`, comma-separated).
    #[arg(long, global = true, env, value_delimiter = ',', default_value = "24h", value_parser = parse_duration)]
    reminder_offsets: Vec<Duration>,
    /// How far ahead a public booking must start (`0s`: any slot not yet started; at most a year).
    #[arg(long, global = true, env, default_value = "2h", value_parser = parse_booking_min_lead)]
    booking_min_lead: Duration,
    /// Until how long before the start a patient may cancel or move a booking through its link.
    #[arg(long, global = true, env, default_value = "12h", value_parser = parse_booking_min_lead)]
    patient_change_cutoff: Duration,
    /// Public bookings allowed in status `requested` per email address and per client address.
    #[arg(long, global = true, env, default_value = "3", value_parser = parse_max_open_requests)]
    max_open_requests: u32,
    /// The operator running the site for its clinics, named in consent wording and emails.
    #[arg(long, global = true, env)]
    network_name: Option<String>,
    /// When set, `/metrics` answers only to `Authorization: Bearer <METRICS_TOKEN>`.
    #[arg(long, global = true, env, hide_env_values = true)]
    metrics_token: Option<String>,
    /// `json` for JSON log lines.
    #[arg(long, global = true, env)]
    log_format: Option<String>,
}

/// Reads `.env` into the environment when present, before the command line is parsed.
pub fn load_dotenv() -> anyhow::Result<()> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(error) if error.not_found() => Ok(()),
        Err(error) => Err(error).context("reading .env"),
    }
}

/// Makes a blank variable count as unset, as it always has: clap would hand `BIND_ADDR=` to the
/// parser as an empty value. Call it on the command before getting its matches.
pub fn blank_env_is_unset(command: clap::Command) -> clap::Command {
    command.mut_args(|arg| {
        let blank = arg
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|value| value.to_string_lossy().trim().is_empty());
        if blank { arg.env(None) } else { arg }
    })
}

/// A command holding the settings alone, for [`Settings::from_lookup`].
#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct SettingsOnly {
    #[command(flatten)]
    settings: SettingsArgs,
}

impl Settings {
    /// Builds settings from any variable source (tests pass a map) instead of the process
    /// environment, with the same names, defaults and checks: each variable `get` knows is handed
    /// to its flag. Blank values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        // The process environment is not consulted: only `get` is.
        let command = SettingsOnly::command().mut_args(|arg| arg.env(None));
        let argv: Vec<String> = SettingsOnly::command()
            .get_arguments()
            .filter_map(|arg| {
                let name = arg.get_env()?.to_str()?;
                let value = get(name).filter(|value| !value.trim().is_empty())?;
                Some(format!("--{}={value}", arg.get_long()?))
            })
            .collect();
        let matches = command
            .try_get_matches_from(argv)
            .map_err(|error| anyhow::anyhow!("{}", error.render()))?;
        let args = SettingsOnly::from_arg_matches(&matches)?.settings;
        Settings::try_from(args)
    }
}

impl TryFrom<SettingsArgs> for Settings {
    type Error = anyhow::Error;

    /// The checks clap cannot make without echoing a secret, and the values no variable sets.
    fn try_from(args: SettingsArgs) -> anyhow::Result<Self> {
        let blank_is_unset = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let signing_key = blank_is_unset(args.signing_key);
        if let Some(keys) = &signing_key
            && split_keys(keys).any(|key| key.len() < 32)
        {
            bail!(
                "SIGNING_KEY must be at least 32 bytes long (each key, when several are comma-separated)"
            );
        }
        Ok(Settings {
            database_url: blank_is_unset(args.database_url).map(SecretString::from),
            database_read_url: blank_is_unset(args.database_read_url).map(SecretString::from),
            database_min_connections: args.database_min_connections,
            bind_addr: args.bind_addr,
            public_base_url: args.public_base_url.trim_end_matches('/').to_owned(),
            smtp_url: blank_is_unset(args.smtp_url).map(SecretString::from),
            mail_from: args.mail_from,
            signing_key: signing_key.map(SecretString::from),
            cors_origins: args
                .cors_origins
                .iter()
                .map(|origin| origin.trim().trim_end_matches('/').to_owned())
                .filter(|origin| !origin.is_empty())
                .collect(),
            public_rate_limit: args.public_rate_limit,
            public_read_rate_limit: args.public_read_rate_limit,
            reminder_offsets: args.reminder_offsets,
            booking_min_lead: args.booking_min_lead,
            patient_change_cutoff: args.patient_change_cutoff,
            trusted_proxies: args.trusted_proxies.unwrap_or_default(),
            log_json: args
                .log_format
                .is_some_and(|format| format.trim().eq_ignore_ascii_case("json")),
            data_dir: PathBuf::from(".consultdesk"),
            db_acquire_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(30),
            session_ttl: Duration::from_secs(12 * 3600),
            network_name: blank_is_unset(args.network_name).map(|name| name.trim().to_owned()),
            max_open_requests: args.max_open_requests,
            metrics_token: blank_is_unset(args.metrics_token).map(SecretString::from),
        })
    }
}
impl Settings {
    /// The unsubscribe signing keys: `SIGNING_KEY` may list several, comma-separated; the first signs
    /// and all verify, so a rotated-out key keeps recent links working.
    pub fn signing_keys(&self) -> Vec<Vec<u8>> {
        use secrecy::ExposeSecret;
        self.signing_key
            .as_ref()
            .map(|keys| {
                split_keys(keys.expose_secret())
                    .map(|key| key.as_bytes().to_vec())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn split_keys(keys: &str) -> impl Iterator<Item = &str> {
    keys.split(',').map(str::trim).filter(|key| !key.is_empty())
}

fn parse_bind_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not host:port"))
}

/// The most connections a pool opens (`db::MAX_CONNECTIONS`; this module imports nothing, so the
/// bound is repeated here and checked equal by a test in `db`).
pub const MAX_POOL_CONNECTIONS: u32 = 20;

fn parse_min_connections(raw: &str) -> Result<u32, String> {
    raw.trim()
        .parse()
        .ok()
        .filter(|count| *count <= MAX_POOL_CONNECTIONS)
        .ok_or_else(|| format!("{raw:?} is not a whole number from 0 to {MAX_POOL_CONNECTIONS}"))
}

fn parse_max_open_requests(raw: &str) -> Result<u32, String> {
    raw.trim()
        .parse()
        .ok()
        .filter(|count| *count >= 1)
        .ok_or_else(|| format!("{raw:?} is not a whole number of at least 1"))
}

/// A positive duration: `24h`, `90m`, `45s`, `1d`, `1h30m` (humantime's syntax).
pub fn parse_duration(raw: &str) -> anyhow::Result<Duration> {
    let duration = humantime::parse_duration(raw.trim())
        .with_context(|| format!("{raw:?} is not a duration such as 24h, 90m or 1h30m"))?;
    if duration.is_zero() {
        bail!("duration must be positive");
    }
    Ok(duration)
}

/// `BOOKING_MIN_LEAD`: a clinic may take bookings up to the last minute, so `0s` (or `0`) is a
/// valid lead; more than a year is refused, which keeps its conversions to dates infallible.
fn parse_booking_min_lead(raw: &str) -> anyhow::Result<Duration> {
    let lead = match raw.trim() {
        "0" => Duration::ZERO,
        other => humantime::parse_duration(other)
            .with_context(|| format!("{raw:?} is not a duration such as 2h, 30m or 0s"))?,
    };
    if lead > Duration::from_secs(365 * 86_400) {
        bail!("at most a year");
    }
    Ok(lead)
}

/// `20/min`, `5/s`, `100/hour`, `1000/day`; also `20/5m`.
impl FromStr for RateLimit {
    type Err = anyhow::Error;

    fn from_str(raw: &str) -> anyhow::Result<Self> {
        let (count, period) = raw
            .trim()
            .split_once('/')
            .context("expected N/period, e.g. 20/min")?;
        let requests: u32 = count
            .trim()
            .parse()
            .context("the count must be a positive whole number")?;
        if requests == 0 {
            bail!("the count must be at least 1");
        }
        let per = match period.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            "d" | "day" => Duration::from_secs(86_400),
            other => parse_duration(other)?,
        };
        Ok(RateLimit { requests, per })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_match_the_contract() {
        let settings = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(settings.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.public_base_url, "http://localhost:8080");
        assert_eq!(settings.mail_from, "Clinic <no-reply@localhost>");
        assert_eq!(
            settings.public_rate_limit,
            RateLimit {
                requests: 20,
                per: Duration::from_secs(60)
            }
        );
        assert_eq!(settings.reminder_offsets, vec![Duration::from_secs(86_400)]);
        assert_eq!(settings.booking_min_lead, Duration::from_secs(7200));
        assert_eq!(
            settings.patient_change_cutoff,
            Duration::from_secs(12 * 3600)
        );
        assert_eq!(settings.max_open_requests, 3);
        assert_eq!(settings.database_min_connections, 20);
        assert!(settings.database_read_url.is_none());
        assert!(settings.network_name.is_none() && settings.metrics_token.is_none());
        assert!(
            settings.database_url.is_none()
                && settings.smtp_url.is_none()
                && settings.cors_origins.is_empty()
        );
    }

    #[test]
    fn values_are_parsed() {
        let env: HashMap<&str, &str> = HashMap::from([
            ("CORS_ORIGINS", "https://a.example, https://b.example/"),
            ("PUBLIC_RATE_LIMIT", "5/s"),
            ("REMINDER_OFFSETS", "24h, 90m,45s"),
            ("DATABASE_URL", "postgres://u:secret@h/db"),
            ("DATABASE_READ_URL", "postgres://u:secret@replica/db"),
        ]);
        let settings = Settings::from_lookup(|name| env.get(name).map(|v| v.to_string())).unwrap();
        assert_eq!(
            settings.cors_origins,
            vec!["https://a.example", "https://b.example"]
        );
        assert_eq!(settings.public_rate_limit.per, Duration::from_secs(1));
        assert_eq!(settings.reminder_offsets.len(), 3);
        assert!(
            !format!("{settings:?}").contains("secret"),
            "secrets never print"
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!("0/min".parse::<RateLimit>().is_err());
        assert!("twenty/min".parse::<RateLimit>().is_err());
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("10x").is_err());
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(Settings::from_lookup(|n| (n == "SIGNING_KEY").then(|| "short".into())).is_err());
        assert!(Settings::from_lookup(|n| (n == "MAX_OPEN_REQUESTS").then(|| "0".into())).is_err());
        let zero_lead =
            Settings::from_lookup(|n| (n == "BOOKING_MIN_LEAD").then(|| "0s".into())).unwrap();
        assert_eq!(zero_lead.booking_min_lead, Duration::ZERO);
        assert!(parse_booking_min_lead("0x").is_err());
        assert!(
            Settings::from_lookup(|n| (n == "BOOKING_MIN_LEAD").then(|| "400d".into())).is_err()
        );
        let proxies = |value: &'static str| {
            Settings::from_lookup(move |n| (n == "TRUSTED_PROXIES").then(|| value.into()))
        };
        let refused = proxies("10.0.0.0/8, lb.internal").unwrap_err().to_string();
        assert!(
            refused.contains("TRUSTED_PROXIES") && refused.contains("lb.internal"),
            "{refused}"
        );
        assert_eq!(
            proxies("10.0.0.0/8, 192.0.2.7")
                .unwrap()
                .trusted_proxies
                .len(),
            2
        );
    }

    #[test]
    fn refusals_name_the_variable_and_blanks_are_unset() {
        let one = |name: &'static str, value: &'static str| {
            Settings::from_lookup(move |n| (n == name).then(|| value.into()))
        };
        for (name, value) in [
            ("BIND_ADDR", "nope"),
            ("PUBLIC_RATE_LIMIT", "0/min"),
            ("PUBLIC_READ_RATE_LIMIT", "many/min"),
            ("REMINDER_OFFSETS", "24h, 10"),
            ("BOOKING_MIN_LEAD", "soon"),
            ("MAX_OPEN_REQUESTS", "-1"),
            ("DATABASE_MIN_CONNECTIONS", "21"),
        ] {
            let refused = one(name, value).unwrap_err().to_string();
            assert!(refused.contains(name), "{name}: {refused}");
        }
        let secret = "not long enough, secret";
        let refused = one("SIGNING_KEY", secret).unwrap_err().to_string();
        assert!(
            refused.contains("SIGNING_KEY") && !refused.contains(secret),
            "{refused}"
        );
        let blank = one("BIND_ADDR", "  ").unwrap();
        assert_eq!(blank.bind_addr.to_string(), "127.0.0.1:8080");
        let offsets = one("REMINDER_OFFSETS", "1h30m,2d")
            .unwrap()
            .reminder_offsets;
        assert_eq!(
            offsets,
            vec![Duration::from_secs(5400), Duration::from_secs(2 * 86_400)]
        );
        assert_eq!(
            one("BOOKING_MIN_LEAD", "0").unwrap().booking_min_lead,
            Duration::ZERO
        );
        assert_eq!(
            one("PUBLIC_RATE_LIMIT", "20/5m")
                .unwrap()
                .public_rate_limit
                .per,
            Duration::from_secs(300)
        );
        assert!(one("LOG_FORMAT", "JSON").unwrap().log_json);
    }

    #[test]
    fn trusted_proxies_name_what_they_cannot_read() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert_eq!(TrustedProxies::parse(" ::1 , fd00::/8").unwrap().len(), 2);
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.internal").unwrap_err();
        assert!(error.contains("proxy.internal"), "{error}");
    }
}
