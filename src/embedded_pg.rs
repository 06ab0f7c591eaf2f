//! A private PostgreSQL cluster, used when DATABASE_URL is unset.
//!
//! `consultdesk serve` and the test-suite then run their own Postgres server from a data
//! directory (initialised on first use), so a new user needs the Postgres programs but no
//! configured server. The server listens only on 127.0.0.1 at a free port, has no unix
//! socket (no path-length or permission trouble) and trusts local TCP connections.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use anyhow::{Context, anyhow, bail};

/// The programs the embedded cluster needs, all from one installation.
const PROGRAMS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
/// Where Debian/Ubuntu install the server programs, one directory per major version.
const VERSIONED_ROOT: &str = "/usr/lib/postgresql";
const INSTALL_HINT: &str = "install PostgreSQL server programs, e.g. `apt-get install postgresql` \
     (Debian/Ubuntu), or set DATABASE_URL to an existing server";
/// The superuser initdb creates; the connection URL uses it.
const SUPERUSER: &str = "postgres";
/// Settings rewritten on every start (port, listen address, ...), included from postgresql.conf.
const SETTINGS_FILE: &str = "consultdesk.conf";
/// The server log, inside the data directory: the unprivileged server user may not be able to
/// write next to it (the parent usually belongs to whoever runs consultdesk).
const LOG_FILE: &str = "server.log";
/// Attempts at starting when the chosen port is taken between picking it and binding it.
const START_ATTEMPTS: usize = 3;
const LOG_TAIL_LINES: usize = 20;

/// How to run the embedded cluster.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmbeddedOptions {
    /// fsync=off, synchronous_commit=off, full_page_writes=off: much faster, but a crash can
    /// corrupt the cluster. For throw-away test clusters only, never for `serve`.
    pub fast_unsafe: bool,
}

/// A running Postgres server, owned by this process or attached to. An owned server is stopped
/// with [`EmbeddedPostgres::stop`] (dropping it without stopping does an immediate shutdown); an
/// attached one belongs to the process that started it and is left running.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    port: u16,
    runner: Runner,
    /// Set while this process owns a running server; cleared by a successful `stop`, so `Drop`
    /// knows whether a server is still to be stopped. Never set for an attached server.
    running: bool,
}

impl EmbeddedPostgres {
    /// Finds the Postgres programs, initialises `data_dir` when it holds no cluster yet, and
    /// starts a server listening only on 127.0.0.1 at a free port. Returns once it accepts
    /// connections. When another process (a running `consultdesk serve`) already runs the server
    /// of `data_dir`, attaches to it instead: so `seed-demo` or `staff add` work in a second
    /// terminal while `serve` runs, in the order the README gives them.
    pub async fn start(
        data_dir: &Path,
        options: EmbeddedOptions,
    ) -> anyhow::Result<EmbeddedPostgres> {
        let bin_dir = find_programs()?;
        let run_as = server_user()?;
        let (data_dir, fresh) = prepare_data_dir(data_dir, run_as.as_ref())?;
        let runner = Runner::new(bin_dir, run_as, &data_dir);
        runner.ensure_reachable(&data_dir).await?;

        if fresh {
            init_cluster(&runner, &data_dir, options).await?;
        } else if runner.server_running(&data_dir).await? {
            let port =
                postmaster_port(&data_dir).ok_or_else(|| anyhow!(already_running(&data_dir)))?;
            tracing::info!(
                "attaching to the embedded Postgres another process runs in {} on 127.0.0.1:{port}",
                data_dir.display()
            );
            return Ok(EmbeddedPostgres {
                data_dir,
                port,
                runner,
                running: false,
            });
        }
        // A stale postmaster.pid from a crashed run is left alone: the server removes it itself.
        let port = start_server(&runner, &data_dir, options).await?;
        Ok(EmbeddedPostgres {
            data_dir,
            port,
            runner,
            running: true,
        })
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub fn url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/postgres", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Fast shutdown (rolls back open transactions, then a clean checkpoint); waits for it. An
    /// attached server is left to the process that started it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if !self.running {
            return Ok(());
        }
        let mut cmd = self.runner.command("pg_ctl");
        cmd.args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&self.data_dir);
        let out = run(&mut cmd, "pg_ctl stop").await?;
        if !out.status.success() {
            // `running` stays set, so Drop still tries an immediate shutdown.
            bail!(
                "could not stop the embedded Postgres in {}: {}",
                self.data_dir.display(),
                program_output(&out)
            );
        }
        self.running = false;
        tracing::info!(
            "stopped the embedded Postgres in {}",
            self.data_dir.display()
        );
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    /// Best effort, for panics and early returns that skip `stop`: an orphaned server would keep
    /// the data directory locked and make the next start fail with "already running".
    fn drop(&mut self) {
        if !self.running {
            return;
        }
        let status = self
            .runner
            .std_command("pg_ctl")
            .args(["stop", "-w", "-t", "10", "-m", "immediate", "-D"])
            .arg(&self.data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => tracing::warn!(
                "stopped the embedded Postgres in {} (immediate shutdown: stop() was not called)",
                self.data_dir.display()
            ),
            other => tracing::error!(
                "could not stop the embedded Postgres in {}: {other:?}",
                self.data_dir.display()
            ),
        }
    }
}

/// The directory holding initdb, pg_ctl and postgres: the first match on PATH, else the highest
/// version under /usr/lib/postgresql/*/bin.
pub fn find_programs() -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_programs_in(&path, Path::new(VERSIONED_ROOT))
}

fn find_programs_in(path: &OsStr, versioned_root: &Path) -> anyhow::Result<PathBuf> {
    find_on_path(path)
        .or_else(|| find_highest_version(versioned_root))
        .ok_or_else(|| {
            anyhow!(
                "no PostgreSQL server programs ({}) found on PATH or under {}/*/bin: {INSTALL_HINT}",
                PROGRAMS.join(", "),
                versioned_root.display()
            )
        })
}

fn find_on_path(path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path).find_map(|dir| {
        // Absolute, because the programs run from another working directory.
        let dir = fs::canonicalize(dir).ok()?;
        let pg_ctl = dir.join("pg_ctl");
        if !is_executable(&pg_ctl) {
            return None;
        }
        // PATH often holds symlinks (/usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl);
        // the real directory is where all programs of that installation sit together.
        let real_dir = fs::canonicalize(&pg_ctl).ok()?.parent()?.to_path_buf();
        [real_dir, dir].into_iter().find(|d| has_programs(d))
    })
}

fn find_highest_version(root: &Path) -> Option<PathBuf> {
    fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = parse_version(entry.file_name().to_str()?)?;
            let bin = entry.path().join("bin");
            has_programs(&bin).then_some((version, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// "9.6" -> [9, 6], "15" -> [15]: compared numerically, so 10 beats 9.6.
fn parse_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

fn has_programs(dir: &Path) -> bool {
    PROGRAMS.iter().all(|p| is_executable(&dir.join(p)))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// An operating-system account to run the Postgres programs as.
#[derive(Clone, Debug)]
struct OsUser {
    name: String,
    uid: u32,
    gid: u32,
    home: PathBuf,
}

/// Postgres refuses to run as root, so as root the programs run as `postgres` (or `nobody`);
/// otherwise as the current user (`None`).
fn server_user() -> anyhow::Result<Option<OsUser>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    ["postgres", "nobody"]
        .into_iter()
        .filter_map(lookup_user)
        .find(|user| user.uid != 0)
        .map(Some)
        .ok_or_else(|| {
            anyhow!(
                "running as root, and there is no `postgres` or `nobody` user to run the embedded \
                 Postgres as (Postgres refuses to run as root); create one, or set DATABASE_URL \
                 to an existing server"
            )
        })
}

fn lookup_user(name: &str) -> Option<OsUser> {
    // nix's lookup uses the re-entrant getpwnam_r (other threads may share getpwnam's buffer).
    let user = nix::unistd::User::from_name(name).ok()??;
    // `nobody` has a home like /nonexistent; give programs a HOME they can at least stat.
    let home = if user.dir.is_dir() {
        user.dir
    } else {
        PathBuf::from("/tmp")
    };
    Some(OsUser {
        name: name.to_owned(),
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
        home,
    })
}

/// Creates the data directory if needed and hands it to the server user. Returns its absolute
/// path (commands run from another directory) and whether it still needs initdb.
fn prepare_data_dir(data_dir: &Path, run_as: Option<&OsUser>) -> anyhow::Result<(PathBuf, bool)> {
    fs::create_dir_all(data_dir).with_context(|| {
        format!(
            "could not create the embedded Postgres data directory {}",
            data_dir.display()
        )
    })?;
    let data_dir = fs::canonicalize(data_dir).with_context(|| {
        format!(
            "could not resolve the data directory {}",
            data_dir.display()
        )
    })?;
    let fresh = !data_dir.join("PG_VERSION").exists();
    if fresh && !is_empty_dir(&data_dir)? {
        // Refuse before chown/initdb touch what may be someone's unrelated files.
        bail!(
            "{} is not empty but holds no Postgres cluster (no PG_VERSION file); use an empty or \
             new directory for the embedded Postgres, or set DATABASE_URL",
            data_dir.display()
        );
    }
    if let Some(user) = run_as {
        hand_over(&data_dir, user, fresh)?;
    }
    restrict_permissions(&data_dir)?;
    Ok((data_dir, fresh))
}

fn is_empty_dir(dir: &Path) -> anyhow::Result<bool> {
    let mut entries = fs::read_dir(dir)
        .with_context(|| format!("could not read the directory {}", dir.display()))?;
    Ok(entries.next().is_none())
}

/// Gives the data directory to the server user. A fresh one is empty; an existing cluster owned by
/// someone else (e.g. created by an earlier run without root) is chowned as a whole, because
/// Postgres insists on owning every file in it.
fn hand_over(data_dir: &Path, user: &OsUser, fresh: bool) -> anyhow::Result<()> {
    let owner = fs::metadata(data_dir)?.uid();
    if owner == user.uid && !fresh {
        return Ok(());
    }
    chown_tree(data_dir, user).with_context(|| {
        format!(
            "could not give the data directory {} to the user `{}`",
            data_dir.display(),
            user.name
        )
    })
}

fn chown_tree(path: &Path, user: &OsUser) -> io::Result<()> {
    // lchown: a symlink in the tree must not redirect the chown elsewhere.
    std::os::unix::fs::lchown(path, Some(user.uid), Some(user.gid))?;
    if fs::symlink_metadata(path)?.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), user)?;
        }
    }
    Ok(())
}

/// Postgres refuses a data directory that group members may write or others may enter.
fn restrict_permissions(data_dir: &Path) -> anyhow::Result<()> {
    let mode = fs::metadata(data_dir)?.permissions().mode();
    if mode & 0o027 != 0 {
        fs::set_permissions(data_dir, fs::Permissions::from_mode(0o700)).with_context(|| {
            format!(
                "could not restrict the permissions of {} to 0700",
                data_dir.display()
            )
        })?;
    }
    Ok(())
}

/// How the Postgres programs are spawned: which installation, as which user, from where.
#[derive(Clone, Debug)]
struct Runner {
    bin_dir: PathBuf,
    run_as: Option<OsUser>,
    /// The data directory's parent: the unprivileged user must be able to stat its working
    /// directory, and the caller's may be private (e.g. under /root).
    cwd: PathBuf,
}

impl Runner {
    fn new(bin_dir: PathBuf, run_as: Option<OsUser>, data_dir: &Path) -> Runner {
        let cwd = data_dir
            .parent()
            .map_or_else(|| PathBuf::from("/tmp"), Path::to_path_buf);
        Runner {
            bin_dir,
            run_as,
            cwd,
        }
    }

    fn std_command(&self, program: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(self.bin_dir.join(program));
        cmd.current_dir(&self.cwd).stdin(Stdio::null());
        if let Some(user) = &self.run_as {
            // std also drops root's supplementary groups when it switches uid.
            cmd.uid(user.uid)
                .gid(user.gid)
                .env("HOME", &user.home)
                .env("USER", &user.name)
                .env("LOGNAME", &user.name);
        }
        cmd
    }

    fn command(&self, program: &str) -> tokio::process::Command {
        self.std_command(program).into()
    }

    /// Fails with a clear message when the server user cannot reach `data_dir` (a parent that
    /// is not traversable for it, such as /root with mode 0700).
    async fn ensure_reachable(&self, data_dir: &Path) -> anyhow::Result<()> {
        let Some(user) = &self.run_as else {
            return Ok(());
        };
        if self.can_enter(data_dir).await {
            return Ok(());
        }
        // Name the first directory on the way down that blocks the user: that is the one to fix.
        let mut blocked = data_dir.to_path_buf();
        for dir in data_dir.ancestors().collect::<Vec<_>>().into_iter().rev() {
            if !self.can_enter(dir).await {
                blocked = dir.to_path_buf();
                break;
            }
        }
        bail!(
            "the embedded Postgres runs as the user `{}` (Postgres refuses to run as root), which \
             cannot reach {} because it cannot traverse {}; set DATABASE_URL to an existing \
             server, or make the directory traversable: `chmod o+x {}`",
            user.name,
            data_dir.display(),
            blocked.display(),
            blocked.display()
        )
    }

    /// Asks the kernel rather than reading mode bits: spawning as the user with `dir` as the
    /// working directory fails exactly when the user cannot get there (ACLs included).
    async fn can_enter(&self, dir: &Path) -> bool {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("--version")
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.status().await.is_ok_and(|s| s.success())
    }

    /// Whether a server is running from `data_dir`, per its postmaster.pid (`pg_ctl status`
    /// exits 0 when running, 3 when not, including for a stale pid file).
    async fn server_running(&self, data_dir: &Path) -> anyhow::Result<bool> {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("status").arg("-D").arg(data_dir);
        let out = run(&mut cmd, "pg_ctl status").await?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(3) => Ok(false),
            _ => bail!(
                "could not check whether the embedded Postgres in {} is running: {}",
                data_dir.display(),
                program_output(&out)
            ),
        }
    }
}

/// Runs a command to completion, capturing its output; fails only when it cannot be spawned.
async fn run(cmd: &mut tokio::process::Command, what: &str) -> anyhow::Result<Output> {
    cmd.output()
        .await
        .with_context(|| format!("could not run {what}"))
}

fn program_output(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    format!("{} ({})", text.trim(), out.status)
}

fn already_running(data_dir: &Path) -> String {
    let pid = postmaster_pid(data_dir).map_or_else(|| "unknown".to_owned(), |pid| pid.to_string());
    format!(
        "another process is already running the embedded Postgres in {} (pid {pid}); stop it or \
         set DATABASE_URL",
        data_dir.display()
    )
}

/// The fourth line of postmaster.pid is the port the server listens on.
fn postmaster_port(data_dir: &Path) -> Option<u16> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    text.lines().nth(3)?.trim().parse().ok()
}

/// The first line of postmaster.pid is the server's pid.
fn postmaster_pid(data_dir: &Path) -> Option<u32> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

async fn init_cluster(
    runner: &Runner,
    data_dir: &Path,
    options: EmbeddedOptions,
) -> anyhow::Result<()> {
    let mut failure = String::new();
    // C.UTF-8 sorts and classifies non-ASCII text properly; some systems lack it, so fall back to
    // C. A failed initdb empties the directory again, so the retry starts clean.
    for locale in ["C.UTF-8", "C"] {
        let mut cmd = runner.command("initdb");
        cmd.arg("-D")
            .arg(data_dir)
            .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8"])
            .arg(format!("--locale={locale}"));
        if options.fast_unsafe {
            cmd.arg("--no-sync");
        }
        let out = run(&mut cmd, "initdb").await?;
        if out.status.success() {
            write_hba(data_dir, runner.run_as.as_ref())?;
            tracing::info!("initialised a new cluster in {}", data_dir.display());
            return Ok(());
        }
        failure = program_output(&out);
        tracing::debug!("initdb with --locale={locale} failed: {failure}");
    }
    bail!("initdb failed in {}: {failure}", data_dir.display())
}

/// Only TCP from 127.0.0.1, trusted: the server has no unix socket and listens nowhere else.
fn write_hba(data_dir: &Path, run_as: Option<&OsUser>) -> anyhow::Result<()> {
    let hba = "# Written by consultdesk: the embedded cluster accepts only local TCP connections.\n\
               host all all 127.0.0.1/32 trust\n\
               host replication all 127.0.0.1/32 trust\n";
    write_owned(&data_dir.join("pg_hba.conf"), hba, run_as)
}

/// Picks a port per attempt and starts the server; retries when the port was taken meanwhile.
async fn start_server(
    runner: &Runner,
    data_dir: &Path,
    options: EmbeddedOptions,
) -> anyhow::Result<u16> {
    let log = data_dir.join(LOG_FILE);
    let mut last_failure = String::new();
    for _ in 0..START_ATTEMPTS {
        let port = free_port()?;
        write_settings(data_dir, port, options, runner.run_as.as_ref())?;
        tracing::info!(
            "starting the embedded Postgres ({}) in {} on 127.0.0.1:{port}",
            runner.bin_dir.display(),
            data_dir.display()
        );
        let log_start = fs::metadata(&log).map_or(0, |m| m.len());
        let mut cmd = runner.command("pg_ctl");
        cmd.args(["start", "-w", "-t", "60", "-D"])
            .arg(data_dir)
            .arg("-l")
            .arg(&log);
        let out = run(&mut cmd, "pg_ctl start").await?;
        if out.status.success() {
            return Ok(port);
        }

        let tail = log_tail(&log, log_start);
        if tail.contains("lock file") && tail.contains("already exists") {
            // Another process started a server from this directory after our status check.
            bail!(already_running(data_dir));
        }
        last_failure = format!(
            "the embedded Postgres in {} did not start: {}\nserver log {}, last lines:\n{tail}",
            data_dir.display(),
            program_output(&out),
            log.display()
        );
        if !tail.contains("Address already in use") {
            // A server that is up but missed the deadline is ours: don't leave it behind.
            if runner.server_running(data_dir).await.unwrap_or(false) {
                let mut stop = runner.command("pg_ctl");
                stop.args(["stop", "-w", "-m", "immediate", "-D"])
                    .arg(data_dir);
                let _ = run(&mut stop, "pg_ctl stop").await;
            }
            bail!(last_failure);
        }
        tracing::info!(
            "port {port} was taken before the embedded Postgres could bind it; retrying"
        );
    }
    bail!("{last_failure}\n(gave up after {START_ATTEMPTS} attempts: the ports kept being taken)")
}

/// A port that was free a moment ago: bind port 0, read what the kernel chose, release it.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .context("could not find a free TCP port on 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}

/// Rewritten on every start: the port changes each time, and `fast_unsafe` must not outlive the
/// run that asked for it. postgresql.conf includes this file.
fn write_settings(
    data_dir: &Path,
    port: u16,
    options: EmbeddedOptions,
    run_as: Option<&OsUser>,
) -> anyhow::Result<()> {
    let mut settings = format!(
        "# Written by consultdesk on every start of the embedded Postgres; edits are lost.\n\
         listen_addresses = '127.0.0.1'\n\
         port = {port}\n\
         unix_socket_directories = ''\n\
         max_connections = 200\n\
         # PostGIS queries otherwise pay JIT compilation costs for no gain.\n\
         jit = off\n\
         # English messages, which start_server reads in the log.\n\
         lc_messages = 'C'\n"
    );
    if options.fast_unsafe {
        settings.push_str(
            "# fast_unsafe (tests): a crash can corrupt this cluster.\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n",
        );
    }
    write_owned(&data_dir.join(SETTINGS_FILE), &settings, run_as)?;
    include_settings(&data_dir.join("postgresql.conf"))
}

/// Appends the include line to postgresql.conf once. A plain `include` (not `include_if_exists`)
/// so a missing settings file fails loudly instead of starting on the default port and socket.
fn include_settings(conf: &Path) -> anyhow::Result<()> {
    let line = format!("include '{SETTINGS_FILE}'");
    let text =
        fs::read_to_string(conf).with_context(|| format!("could not read {}", conf.display()))?;
    if text.lines().any(|l| l.trim() == line) {
        return Ok(());
    }
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(conf)
        .with_context(|| format!("could not open {}", conf.display()))?;
    io::Write::write_all(&mut file, format!("\n{line}\n").as_bytes())
        .with_context(|| format!("could not write {}", conf.display()))
}

/// Writes a file in the data directory, private and owned by the server user like the rest.
fn write_owned(path: &Path, contents: &str, run_as: Option<&OsUser>) -> anyhow::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    io::Write::write_all(&mut file, contents.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).with_context(|| {
            format!(
                "could not give {} to the user `{}`",
                path.display(),
                user.name
            )
        })?;
    }
    Ok(())
}

/// The last lines the server logged since `start` (the log accumulates across runs).
fn log_tail(log: &Path, start: u64) -> String {
    let read = || -> io::Result<String> {
        let mut file = fs::File::open(log)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(if start <= len { start } else { 0 }))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
        }
        Err(e) => format!("(could not read the log: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// A directory under the system temp dir, traversable (0755) so the server user can reach
    /// it when the tests run as root, and removed at the end even when a test fails.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!(
                "consultdesk-embedded-pg-{tag}-{:016x}",
                rand::random::<u64>()
            ));
            fs::create_dir_all(&dir).expect("create temp dir");
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn programs_present() -> bool {
        match find_programs() {
            Ok(_) => true,
            Err(e) => {
                eprintln!("skipping: {e}");
                false
            }
        }
    }

    fn fake_installation(dir: &Path) {
        fs::create_dir_all(dir).expect("create fake bin dir");
        for program in PROGRAMS {
            let path = dir.join(program);
            fs::write(&path, "#!/bin/sh\n").expect("write fake program");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .expect("chmod fake program");
        }
    }

    async fn setting(conn: &mut sqlx::PgConnection, name: &str) -> String {
        sqlx::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(conn)
            .await
            .expect("read setting")
    }

    async fn connect(pg: &EmbeddedPostgres) -> sqlx::PgConnection {
        let mut conn = sqlx::PgConnection::connect(&pg.url())
            .await
            .expect("connect");
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut conn)
            .await
            .expect("SELECT 1");
        assert_eq!(one, 1);
        conn
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(parse_version("10") > parse_version("9.6"));
        assert!(parse_version("16") > parse_version("15"));
        assert_eq!(parse_version("main"), None);
    }

    #[test]
    fn picks_the_highest_installed_version() {
        let tmp = TempDir::new("versions");
        for version in ["9.6", "16", "10"] {
            fake_installation(&tmp.0.join(version).join("bin"));
        }
        // An incomplete installation (no initdb) does not count.
        fs::create_dir_all(tmp.0.join("17/bin")).expect("mkdir");
        let found = find_programs_in(OsStr::new(""), &tmp.0).expect("found");
        assert_eq!(found, tmp.0.join("16/bin"));
    }

    #[test]
    fn path_symlinks_resolve_to_the_real_installation() {
        let tmp = TempDir::new("path");
        let real = tmp.0.join("lib/15/bin");
        fake_installation(&real);
        let on_path = tmp.0.join("local-bin");
        fs::create_dir_all(&on_path).expect("mkdir");
        for program in PROGRAMS {
            std::os::unix::fs::symlink(real.join(program), on_path.join(program)).expect("symlink");
        }
        let path = std::env::join_paths([tmp.0.join("empty"), on_path]).expect("PATH");
        let found = find_programs_in(&path, &tmp.0.join("none")).expect("found");
        assert_eq!(found, fs::canonicalize(real).expect("canonical"));
    }

    #[test]
    fn missing_programs_say_what_to_install() {
        let tmp = TempDir::new("missing");
        let err = find_programs_in(OsStr::new(""), &tmp.0).expect_err("nothing installed");
        let msg = err.to_string();
        assert!(msg.contains("apt-get install postgresql"), "{msg}");
        assert!(msg.contains("set DATABASE_URL"), "{msg}");
    }

    #[test]
    fn find_programs_returns_a_complete_installation() {
        if let Ok(dir) = find_programs() {
            assert!(has_programs(&dir), "{}", dir.display());
        } else {
            eprintln!("skipping: no Postgres programs installed");
        }
    }

    #[tokio::test]
    async fn starts_reuses_attaches_a_second_process_and_survives_a_stale_pid_file() {
        if !programs_present() {
            return;
        }
        let tmp = TempDir::new("lifecycle");
        let data = tmp.0.join("pgdata");
        let fast = EmbeddedOptions { fast_unsafe: true };

        // Fresh directory: initdb, then start with the test-only settings.
        let pg = EmbeddedPostgres::start(&data, fast)
            .await
            .expect("first start");
        assert!(
            pg.url()
                .ends_with(&format!("@127.0.0.1:{}/postgres", pg.port()))
        );
        let mut conn = connect(&pg).await;
        assert_eq!(setting(&mut conn, "fsync").await, "off");
        assert_eq!(setting(&mut conn, "jit").await, "off");
        assert_eq!(setting(&mut conn, "max_connections").await, "200");
        assert_eq!(setting(&mut conn, "unix_socket_directories").await, "");
        assert_eq!(setting(&mut conn, "listen_addresses").await, "127.0.0.1");
        conn.close().await.expect("close");

        // The same directory is in use: a second process attaches to the running server, and
        // stopping it leaves the server to its owner.
        let attached = EmbeddedPostgres::start(&data, fast)
            .await
            .expect("second start attaches");
        assert_eq!(attached.port(), pg.port());
        connect(&attached).await.close().await.expect("close");
        attached.stop().await.expect("an attached stop");
        connect(&pg).await.close().await.expect("close");
        let pid_file = fs::read_to_string(data.join("postmaster.pid")).expect("pid file");
        pg.stop().await.expect("stop");
        assert!(!data.join("postmaster.pid").exists());

        // A crashed run leaves postmaster.pid behind with a pid that no longer exists.
        let mut dead = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let dead_pid = dead.id();
        dead.wait().expect("wait true");
        let stale = pid_file.replacen(
            pid_file.lines().next().unwrap_or(""),
            &dead_pid.to_string(),
            1,
        );
        let run_as = server_user().expect("server user");
        write_owned(&data.join("postmaster.pid"), &stale, run_as.as_ref()).expect("stale pid file");

        // Reuse of the initialised cluster, with durable defaults this time.
        let pg = EmbeddedPostgres::start(&data, EmbeddedOptions::default())
            .await
            .expect("restart");
        let mut conn = connect(&pg).await;
        assert_eq!(setting(&mut conn, "fsync").await, "on");
        assert_eq!(setting(&mut conn, "full_page_writes").await, "on");
        conn.close().await.expect("close");

        // Dropping without stop() still shuts the server down.
        drop(pg);
        let runner = Runner::new(find_programs().expect("programs"), run_as, &data);
        assert!(!runner.server_running(&data).await.expect("status"));

        // A server that cannot start reports where its log is and what it said.
        let auto_conf = data.join("postgresql.auto.conf");
        let mut conf = fs::read_to_string(&auto_conf).expect("read auto.conf");
        conf.push_str("shared_buffers = 'plenty'\n");
        write_owned(&auto_conf, &conf, runner.run_as.as_ref()).expect("write auto.conf");
        let err = EmbeddedPostgres::start(&data, fast)
            .await
            .expect_err("bad setting");
        let msg = err.to_string();
        assert!(
            msg.contains(&data.join(LOG_FILE).display().to_string()),
            "{msg}"
        );
        assert!(msg.contains("\"plenty\""), "{msg}");
        assert!(!runner.server_running(&data).await.expect("status"));
    }

    #[tokio::test]
    async fn refuses_a_non_empty_directory_without_a_cluster() {
        if !programs_present() {
            return;
        }
        let tmp = TempDir::new("nonempty");
        fs::write(tmp.0.join("notes.txt"), "mine").expect("write");
        let err = EmbeddedPostgres::start(&tmp.0, EmbeddedOptions::default())
            .await
            .expect_err("not a cluster");
        assert!(err.to_string().contains("no PG_VERSION"), "{err:#}");
        assert_eq!(fs::metadata(&tmp.0).expect("meta").uid(), unsafe {
            libc::geteuid()
        });
    }

    #[tokio::test]
    async fn as_root_names_the_directory_the_server_user_cannot_reach() {
        // SAFETY: geteuid has no preconditions.
        if !programs_present() || unsafe { libc::geteuid() } != 0 {
            eprintln!("skipping: only meaningful as root");
            return;
        }
        let tmp = TempDir::new("private");
        let private = tmp.0.join("private");
        fs::create_dir(&private).expect("mkdir");
        fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).expect("chmod");
        let err = EmbeddedPostgres::start(&private.join("pgdata"), EmbeddedOptions::default())
            .await
            .expect_err("unreachable");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("chmod o+x {}", private.display())),
            "{msg}"
        );
        assert!(msg.contains("DATABASE_URL"), "{msg}");
    }
}
