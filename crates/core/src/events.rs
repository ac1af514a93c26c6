//! Live events for the streaming API. Actions publish what happened, with the ids a
//! subscriber needs to decide whether it concerns them; each subscriber then loads what it
//! may see as its own viewer, so visibility rules stay in one place (the store).
//!
//! With SQLite (one process) events go straight to this process's subscribers. With
//! PostgreSQL they go through `NOTIFY`, and every process's listener hands them to its own
//! subscribers — so a client streaming from one process hears about a post made on another.

use rhizome_model::Id;
use rhizome_store::{DatabaseKind, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel events travel on.
const CHANNEL: &str = "rhizome_events";

/// Something streaming clients may want to hear about. Small on purpose: PostgreSQL limits a
/// notification to 8000 bytes, so subscribers look up the rest (is it in my home timeline?).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A new status (`update`) or an edit (`status.update`).
    Status {
        status_id: Id,
        edited: bool,
        /// Shown on the public timelines.
        public: bool,
        local: bool,
        direct: bool,
        /// Hashtags, lower-cased (at most a few dozen).
        tags: Vec<String>,
    },
    Notification {
        account_id: Id,
        notification_id: Id,
    },
    Delete {
        status_id: Id,
    },
    FiltersChanged {
        account_id: Id,
    },
    /// An announcement was published: every user hears of it.
    Announcement {
        announcement_id: Id,
    },
    /// The reactions to an announcement changed: `count` people now react with `name`.
    AnnouncementReaction {
        announcement_id: Id,
        name: String,
        count: i64,
    },
    AnnouncementDelete {
        announcement_id: Id,
    },
}

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
    /// Set on PostgreSQL: events are published through the database.
    shared: Option<Store>,
}

impl EventBus {
    pub fn new(store: &Store) -> EventBus {
        // A slow subscriber that falls this far behind misses events (it is told it lagged).
        let (sender, _) = broadcast::channel(4096);
        let shared = (store.kind() == DatabaseKind::Postgres).then(|| store.clone());
        EventBus { sender, shared }
    }

    pub fn publish(&self, event: Event) {
        match &self.shared {
            None => {
                // No subscribers is fine: nobody is streaming.
                let _ = self.sender.send(event);
            }
            Some(store) => {
                let store = store.clone();
                let Ok(payload) = serde_json::to_string(&event) else {
                    return;
                };
                tokio::spawn(async move {
                    if let Err(err) = store.notify(CHANNEL, &payload).await {
                        tracing::warn!(error = %err, "publishing a streaming event failed");
                    }
                });
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// On PostgreSQL, relays events from every process to this process's subscribers until
    /// the runtime stops. Call once per serving process.
    pub fn start_listener(&self) {
        let Some(store) = self.shared.clone() else {
            return;
        };
        let sender = self.sender.clone();
        tokio::spawn(async move {
            loop {
                match store.listen(CHANNEL).await {
                    Ok(Some(mut listener)) => loop {
                        match listener.recv().await {
                            Ok(payload) => match serde_json::from_str::<Event>(&payload) {
                                Ok(event) => {
                                    let _ = sender.send(event);
                                }
                                Err(err) => {
                                    tracing::warn!(error = %err, "unreadable streaming event")
                                }
                            },
                            Err(err) => {
                                tracing::warn!(error = %err, "streaming event listener lost its connection");
                                break;
                            }
                        }
                    },
                    Ok(None) => return,
                    Err(err) => tracing::warn!(error = %err, "cannot listen for streaming events"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }
}
