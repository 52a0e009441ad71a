// Test prerequisites (PostgreSQL, S3 server, ../shared, browser) as cfgs: see zhifa-testenv.
fn main() {
    zhifa_testenv::emit()
}
