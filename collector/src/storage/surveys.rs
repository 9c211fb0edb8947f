//! Storage for survey answers, feedback entries and their analytics queries, on SQLite and PostgreSQL.

use async_trait::async_trait;

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;

/// The surveys part of [`super::Store`].
#[async_trait]
pub trait SurveyStore: Send + Sync {}

#[async_trait]
impl SurveyStore for SqliteStore {}

#[async_trait]
impl SurveyStore for PostgresStore {}
