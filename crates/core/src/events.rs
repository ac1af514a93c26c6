//! Live events for the streaming API. Actions publish what happened, with the ids a
//! subscriber needs to decide whether it concerns them; each subscriber then loads what it
//! may see as its own viewer, so visibility rules stay in one place (the store).
//!
//! The bus here is in-process. Several processes sharing one PostgreSQL need a bus that
//! crosses processes (LISTEN/NOTIFY); it plugs in behind the same `publish`/`subscribe`.

use rhizome_model::Id;
use tokio::sync::broadcast;

/// Something streaming clients may want to hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A new status (`update`) or an edit (`status.update`).
    Status {
        status_id: Id,
        edited: bool,
        /// Local accounts whose home timeline received it.
        home_of: Vec<Id>,
        /// Direct messages: the local accounts it is addressed to.
        direct_to: Vec<Id>,
        /// Shown on the public timelines.
        public: bool,
        local: bool,
        /// Hashtags, lower-cased.
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
}

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        // A slow subscriber that falls this far behind misses events (it is told it lagged).
        let (sender, _) = broadcast::channel(4096);
        EventBus { sender }
    }
}

impl EventBus {
    pub fn publish(&self, event: Event) {
        // No subscribers is fine: nobody is streaming.
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
