//! Settings from the environment (and `.env`), with the contract's defaults. Secrets are wrapped so
//! they never reach a log line through `Debug`.

use anyhow::{Context, bail};
use ipnet::IpNet;
use secrecy::SecretString;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `None`: start the embedded Postgres under `data_dir/pg`.
    pub database_url: Option<SecretString>,
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

impl Settings {
    /// Reads `.env` when present, then the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(error) if error.not_found() => {}
            Err(error) => return Err(error).context("reading .env"),
        }
        Self::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        })
    }

    /// Builds settings from any variable source (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let bind_addr = get("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind_addr = bind_addr
            .parse()
            .with_context(|| format!("BIND_ADDR={bind_addr:?} is not host:port"))?;
        let public_base_url = get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| "http://localhost:8080".into())
            .trim_end_matches('/')
            .to_owned();
        if let Some(keys) = get("SIGNING_KEY")
            && split_keys(&keys).any(|key| key.len() < 32)
        {
            bail!(
                "SIGNING_KEY must be at least 32 bytes long (each key, when several are comma-separated)"
            );
        }
        let rate = get("PUBLIC_RATE_LIMIT").unwrap_or_else(|| "20/min".into());
        let read_rate = get("PUBLIC_READ_RATE_LIMIT").unwrap_or_else(|| "300/min".into());
        let reminders = get("REMINDER_OFFSETS").unwrap_or_else(|| "24h".into());
        let lead = get("BOOKING_MIN_LEAD").unwrap_or_else(|| "2h".into());
        let proxies = get("TRUSTED_PROXIES").unwrap_or_default();
        let max_open = get("MAX_OPEN_REQUESTS").unwrap_or_else(|| "3".into());
        Ok(Settings {
            database_url: get("DATABASE_URL").map(SecretString::from),
            bind_addr,
            public_base_url,
            smtp_url: get("SMTP_URL").map(SecretString::from),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "Clinic <no-reply@localhost>".into()),
            signing_key: get("SIGNING_KEY").map(SecretString::from),
            cors_origins: get("CORS_ORIGINS")
                .map(|list| {
                    list.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            public_rate_limit: parse_rate_limit(&rate)
                .with_context(|| format!("PUBLIC_RATE_LIMIT={rate:?}"))?,
            public_read_rate_limit: parse_rate_limit(&read_rate)
                .with_context(|| format!("PUBLIC_READ_RATE_LIMIT={read_rate:?}"))?,
            reminder_offsets: reminders
                .split(',')
                .map(|part| parse_duration(part.trim()))
                .collect::<anyhow::Result<_>>()
                .with_context(|| format!("REMINDER_OFFSETS={reminders:?}"))?,
            // A clinic may take bookings up to the last minute: `0s` is a valid lead.
            booking_min_lead: parse_duration_or_zero(&lead)
                .and_then(|lead| {
                    if lead > Duration::from_secs(365 * 86_400) {
                        bail!("at most a year");
                    }
                    Ok(lead)
                })
                .with_context(|| format!("BOOKING_MIN_LEAD={lead:?}"))?,
            trusted_proxies: TrustedProxies::parse(&proxies)
                .map_err(|error| anyhow::anyhow!("TRUSTED_PROXIES: {error}"))?,
            log_json: get("LOG_FORMAT").is_some_and(|format| format.eq_ignore_ascii_case("json")),
            data_dir: PathBuf::from(".consultdesk"),
            db_acquire_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(30),
            session_ttl: Duration::from_secs(12 * 3600),
            network_name: get("NETWORK_NAME").map(|name| name.trim().to_owned()),
            max_open_requests: max_open
                .trim()
                .parse()
                .ok()
                .filter(|count| *count >= 1)
                .with_context(|| {
                    format!("MAX_OPEN_REQUESTS={max_open:?} is not a whole number of at least 1")
                })?,
            metrics_token: get("METRICS_TOKEN").map(SecretString::from),
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

/// `20/min`, `5/s`, `100/hour`, `1000/day`; also `20/5m`.
pub fn parse_rate_limit(raw: &str) -> anyhow::Result<RateLimit> {
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

/// Like [`parse_duration`], but `0s` (or `0`) is allowed.
pub fn parse_duration_or_zero(raw: &str) -> anyhow::Result<Duration> {
    if raw.trim().trim_end_matches(['s', 'm', 'h', 'd']) == "0" {
        return Ok(Duration::ZERO);
    }
    parse_duration(raw)
}

/// `24h`, `90m`, `45s`, `1d`, or sums such as `1h30m`.
pub fn parse_duration(raw: &str) -> anyhow::Result<Duration> {
    let raw = raw.trim();
    if raw.is_empty() {
        bail!("empty duration");
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in raw.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => bail!("unknown unit {c:?} in {raw:?} (use s, m, h or d)"),
        };
        let amount: u64 = digits
            .parse()
            .with_context(|| format!("a number must precede {c:?} in {raw:?}"))?;
        total = amount
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .context("duration too large")?;
        digits.clear();
    }
    if !digits.is_empty() {
        bail!("{raw:?} lacks a unit (use s, m, h or d)");
    }
    if total == 0 {
        bail!("duration must be positive");
    }
    Ok(Duration::from_secs(total))
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
        assert_eq!(settings.max_open_requests, 3);
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
        assert!(parse_rate_limit("0/min").is_err());
        assert!(parse_rate_limit("twenty/min").is_err());
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("10x").is_err());
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(Settings::from_lookup(|n| (n == "SIGNING_KEY").then(|| "short".into())).is_err());
        assert!(Settings::from_lookup(|n| (n == "MAX_OPEN_REQUESTS").then(|| "0".into())).is_err());
        let zero_lead =
            Settings::from_lookup(|n| (n == "BOOKING_MIN_LEAD").then(|| "0s".into())).unwrap();
        assert_eq!(zero_lead.booking_min_lead, Duration::ZERO);
        assert!(parse_duration_or_zero("0x").is_err());
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
    fn trusted_proxies_name_what_they_cannot_read() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert_eq!(TrustedProxies::parse(" ::1 , fd00::/8").unwrap().len(), 2);
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.internal").unwrap_err();
        assert!(error.contains("proxy.internal"), "{error}");
    }
}
