// Migrations are embedded with sqlx::migrate!; rebuild when one is added or changed.
// The query! macros read .sqlx/ (offline query data) without telling cargo, so a change there
// (scripts/sqlx-prepare.sh) must trigger the rebuild itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=.sqlx");
    println!("cargo:rerun-if-env-changed=SQLX_OFFLINE");
}
