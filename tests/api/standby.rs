//! A real streaming replica for the read-replica tests: a private primary (the embedded Postgres,
//! whose pg_hba allows local replication), a migrated database on it, and a hot standby made with
//! `pg_basebackup -R -X stream`, on a port of its own. Independent of DATABASE_URL: the tests stop
//! and pause this pair, which must disturb no other test. Both servers stop when the pair is dropped,
//! also on a panic.

use crate::faults::TempDir;
use consultdesk::db;
use consultdesk::embedded_pg::{self, EmbeddedOptions, EmbeddedPostgres};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DATABASE: &str = "consultdesk_replicated";

pub struct StreamingPair {
    /// Stops the replica, then the primary (fields drop in order), then removes the files.
    replica: Standby,
    primary: Option<EmbeddedPostgres>,
    _dir: TempDir,
}

struct Standby {
    data_dir: PathBuf,
    port: u16,
    owner: Owner,
}

/// Who runs the servers: the embedded cluster's owner (the `postgres` user when the tests run as
/// root, since Postgres refuses to run as root); `None`: the current user.
#[derive(Clone, Copy)]
struct Owner(Option<(u32, u32)>);

impl StreamingPair {
    pub async fn start() -> StreamingPair {
        let dir = TempDir::new("replica");
        let primary_dir = dir.0.join("primary");
        let primary = EmbeddedPostgres::start(&primary_dir, EmbeddedOptions { fast_unsafe: true })
            .await
            .expect("starting the primary");
        let owner = Owner::of(&primary_dir);
        let mut admin = PgConnection::connect(&primary.url())
            .await
            .expect("connecting to the primary");
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DATABASE}")))
            .await
            .expect("creating the database");
        let pool = PgPool::connect(&database_url(primary.port()))
            .await
            .expect("connecting to the database");
        db::migrate(&pool).await.expect("migrating");
        pool.close().await;

        // The replica's directory belongs to the server user, private as Postgres insists.
        let replica_dir = dir.0.join("replica");
        std::fs::create_dir(&replica_dir).expect("the replica dir");
        owner.give(&replica_dir);
        std::fs::set_permissions(&replica_dir, std::fs::Permissions::from_mode(0o700))
            .expect("chmod the replica dir");
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let replica = Standby {
            data_dir: replica_dir,
            port,
            owner,
        };
        replica.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port().to_string(),
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                // Not a spread checkpoint: that waits minutes.
                "-c",
                "fast",
                "-D",
            ],
        );
        replica.start();
        StreamingPair {
            replica,
            primary: Some(primary),
            _dir: dir,
        }
    }

    /// The replicated database on the primary.
    pub fn primary_url(&self) -> String {
        database_url(self.primary.as_ref().expect("the primary").port())
    }

    /// The replicated database on the replica.
    pub fn replica_url(&self) -> String {
        database_url(self.replica.port)
    }

    pub async fn replica(&self) -> PgConnection {
        PgConnection::connect(&self.replica_url())
            .await
            .expect("connecting to the replica")
    }

    /// Stops applying WAL: the replica keeps answering, with what it had.
    pub async fn pause_replay(&self) {
        self.on_replica("SELECT pg_wal_replay_pause()").await;
    }

    pub async fn resume_replay(&self) {
        self.on_replica("SELECT pg_wal_replay_resume()").await;
    }

    /// `pg_ctl stop -m immediate`: the replica is gone at once, connections and all.
    pub fn kill_replica(&self) {
        self.replica
            .run("pg_ctl", &["stop", "-w", "-m", "immediate", "-D"]);
    }

    pub fn restart_replica(&self) {
        self.replica.start();
    }

    /// Waits until the replica has replayed everything the primary has written.
    pub async fn replica_caught_up(&self) {
        let mut primary = PgConnection::connect(&self.primary_url())
            .await
            .expect("connecting to the primary");
        // The insert position: commits not yet written out (synchronous_commit is off) count too.
        let written: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
            .fetch_one(&mut primary)
            .await
            .expect("the primary's position");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let behind: bool = match PgConnection::connect(&self.replica_url()).await {
                Ok(mut replica) => sqlx::query_scalar(
                    "SELECT coalesce(pg_last_wal_replay_lsn() < $1::pg_lsn, true)",
                )
                .bind(&written)
                .fetch_one(&mut replica)
                .await
                .unwrap_or(true),
                Err(_) => true,
            };
            if !behind {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the replica did not replay up to {written} within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn on_replica(&self, sql: &'static str) {
        let mut replica = self.replica().await;
        replica.execute(sql).await.expect(sql);
    }
}

impl Drop for StreamingPair {
    fn drop(&mut self) {
        // The replica first: stopping the primary would leave it retrying its stream.
        self.replica.stop_if_running();
        drop(self.primary.take());
    }
}

impl Standby {
    fn start(&self) {
        let log = self.data_dir.join("replica.log");
        let options = format!("-p {}", self.port);
        let log = log.to_str().expect("a UTF-8 path");
        self.run(
            "pg_ctl",
            &["start", "-w", "-t", "60", "-o", &options, "-l", log, "-D"],
        );
    }

    fn stop_if_running(&self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-w", "-t", "10", "-m", "immediate", "-D"])
            .arg(&self.data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Runs `program args… <data_dir>`, which must succeed.
    fn run(&self, program: &str, args: &[&str]) {
        let output = self
            .command(program)
            .args(args)
            .arg(&self.data_dir)
            .output()
            .unwrap_or_else(|error| panic!("running {program}: {error}"));
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn command(&self, program: &str) -> Command {
        let bin = embedded_pg::find_programs().expect("the Postgres programs");
        let mut command = Command::new(bin.join(program));
        command
            .current_dir(self.data_dir.parent().expect("a parent"))
            .stdin(Stdio::null());
        self.owner.apply(&mut command);
        command
    }
}

impl Owner {
    fn of(data_dir: &Path) -> Owner {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Owner(None);
        }
        let meta = std::fs::metadata(data_dir).expect("the primary's data dir");
        Owner(Some((meta.uid(), meta.gid())))
    }

    fn give(self, path: &Path) {
        if let Some((uid, gid)) = self.0 {
            std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
        }
    }

    fn apply(self, command: &mut Command) {
        if let Some((uid, gid)) = self.0 {
            command.uid(uid).gid(gid).env("HOME", "/tmp");
        }
    }
}

fn database_url(port: u16) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/{DATABASE}")
}
