//! Storage for accounts (customer onboarding): register cards, specialists, onboarding plans, notes, tags and recurring problems, on SQLite and PostgreSQL.

use async_trait::async_trait;

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;

/// The accounts part of [`super::Store`].
#[async_trait]
pub trait AccountStore: Send + Sync {}

#[async_trait]
impl AccountStore for SqliteStore {}

#[async_trait]
impl AccountStore for PostgresStore {}
