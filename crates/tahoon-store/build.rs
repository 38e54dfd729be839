// `sqlx::migrate!` embeds the migrations at compile time but does not track new files: rebuild
// when the migrations change.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
