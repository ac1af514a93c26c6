//! The ActivityPub protocol library: keys and HTTP signatures, the vocabulary, safe fetching,
//! and the delivery transport. It knows nothing of Rhizome's database or business rules.

pub mod http;
pub mod keys;
pub mod signatures;
pub mod vocab;
