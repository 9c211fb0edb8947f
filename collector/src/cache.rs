//! Per-app values kept in memory because boot and every batch need them (the live flows, the app
//! settings) while they change only through the admin API, which invalidates them on every write.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use engine::Flow;
use engine::settings::AppSettings;

use crate::storage::Store;

/// Bounds staleness when another collector process shares the database.
const MAX_AGE: Duration = Duration::from_secs(5);

/// One value per app, reloaded when older than [`MAX_AGE`] or invalidated.
pub struct AppCache<T> {
    inner: RwLock<Inner<T>>,
}

struct Inner<T> {
    /// Bumped on every invalidation, so a load that raced with a write is not cached.
    generation: u64,
    by_app: HashMap<String, (Arc<T>, Instant)>,
}

impl<T> Default for AppCache<T> {
    fn default() -> Self {
        Self {
            inner: RwLock::new(Inner {
                generation: 0,
                by_app: HashMap::new(),
            }),
        }
    }
}

impl<T> AppCache<T> {
    /// The cached value, or what `load` reads when there is none fresh enough.
    pub async fn get_or_load<F>(
        &self,
        app_id: &str,
        load: impl FnOnce() -> F,
    ) -> anyhow::Result<Arc<T>>
    where
        F: Future<Output = anyhow::Result<T>>,
    {
        let generation = {
            let inner = self
                .inner
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((value, loaded)) = inner.by_app.get(app_id)
                && loaded.elapsed() < MAX_AGE
            {
                return Ok(value.clone());
            }
            inner.generation
        };
        let value = Arc::new(load().await?);
        let mut inner = self
            .inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if inner.generation == generation {
            inner
                .by_app
                .insert(app_id.to_string(), (value.clone(), Instant::now()));
        }
        Ok(value)
    }

    pub fn invalidate(&self, app_id: &str) {
        let mut inner = self
            .inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.generation += 1;
        inner.by_app.remove(app_id);
    }
}

/// Each app's published flows.
pub type LiveFlows = AppCache<Vec<Flow>>;

impl LiveFlows {
    pub async fn get(&self, store: &dyn Store, app_id: &str) -> anyhow::Result<Arc<Vec<Flow>>> {
        self.get_or_load(app_id, || store.published_flows(app_id))
            .await
    }
}

/// Each app's settings, the defaults until some are saved.
pub type Settings = AppCache<AppSettings>;

impl Settings {
    pub async fn get(&self, store: &dyn Store, app_id: &str) -> anyhow::Result<Arc<AppSettings>> {
        self.get_or_load(app_id, || async {
            Ok(store.settings(app_id).await?.unwrap_or_default())
        })
        .await
    }
}
