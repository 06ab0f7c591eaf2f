//! The secret that signs unsubscribe links. `SIGNING_KEY` when set; otherwise a random key generated
//! once and kept in `<data_dir>/signing_key` (mode 0600), so links keep working across restarts.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::SecretString;
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

const FILE_NAME: &str = "signing_key";

/// The configured key, or the one kept under `data_dir` (created on first use, with a warning).
pub fn resolve(configured: Option<&SecretString>, data_dir: &Path) -> anyhow::Result<SecretString> {
    if let Some(key) = configured {
        return Ok(key.clone());
    }
    let path = data_dir.join(FILE_NAME);
    if let Ok(existing) = fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        tracing::warn!(path = %path.display(), "SIGNING_KEY is unset: using the generated key kept in this file");
        return Ok(SecretString::from(existing.trim().to_owned()));
    }
    fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = URL_SAFE_NO_PAD.encode(bytes);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(key.as_bytes())?;
    tracing::warn!(
        path = %path.display(),
        "SIGNING_KEY is unset: generated a random key and kept it in this file; set SIGNING_KEY in production"
    );
    Ok(SecretString::from(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_generated_key_is_kept_and_reused_and_a_configured_one_wins() {
        let dir =
            std::env::temp_dir().join(format!("consultdesk-key-{}", uuid::Uuid::new_v4().simple()));
        let first = resolve(None, &dir).unwrap();
        assert!(first.expose_secret().len() >= 32);
        let again = resolve(None, &dir).unwrap();
        assert_eq!(first.expose_secret(), again.expose_secret());
        let mode = fs::metadata(dir.join(FILE_NAME)).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let configured = SecretString::from("x".repeat(40));
        assert_eq!(
            resolve(Some(&configured), &dir).unwrap().expose_secret(),
            &"x".repeat(40)
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
