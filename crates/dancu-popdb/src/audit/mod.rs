//! The audit trail: a decorator that records every lookup before it is made,
//! and the SQLite store behind it.
