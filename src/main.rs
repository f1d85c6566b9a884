//! `dancu`: verify citizens against Vietnam's National Population Database.
fn main() {}
