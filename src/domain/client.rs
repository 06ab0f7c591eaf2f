//! Who sent a request, as recorded with consents, sessions and submissions. Each door fills it from
//! its own transport (the HTTP doors through `http::extract`).

use std::net::IpAddr;

#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}
