//! Decorators that wrap any registry: deadline, retry, rate and concurrency limits.
