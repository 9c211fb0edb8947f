//! Each app's published flows, kept in memory because boot and every batch need them and they
//! change only through the admin API, which invalidates this cache on every write.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use engine::Flow;

use crate::storage::Store;

/// Bounds staleness when another collector process shares the database.
const MAX_AGE: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct LiveFlows {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Bumped on every invalidation, so a load that raced with a write is not cached.
    generation: u64,
    by_app: HashMap<String, (Arc<Vec<Flow>>, Instant)>,
}

impl LiveFlows {
    pub async fn get(&self, store: &dyn Store, app_id: &str) -> anyhow::Result<Arc<Vec<Flow>>> {
        let generation = {
            let inner = self
                .inner
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((flows, loaded)) = inner.by_app.get(app_id)
                && loaded.elapsed() < MAX_AGE
            {
                return Ok(flows.clone());
            }
            inner.generation
        };
        let flows = Arc::new(store.published_flows(app_id).await?);
        let mut inner = self
            .inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if inner.generation == generation {
            inner
                .by_app
                .insert(app_id.to_string(), (flows.clone(), Instant::now()));
        }
        Ok(flows)
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
