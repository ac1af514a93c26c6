use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::UnknownVariant;

/// Who may see a post. `Local` is Akkoma's local-only visibility: public, never federated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Unlisted,
    Private,
    Direct,
    Local,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
            Visibility::Local => "local",
        }
    }
}

impl FromStr for Visibility {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Visibility::Public),
            "unlisted" => Ok(Visibility::Unlisted),
            "private" => Ok(Visibility::Private),
            "direct" => Ok(Visibility::Direct),
            "local" => Ok(Visibility::Local),
            other => Err(UnknownVariant {
                kind: "visibility",
                value: other.to_owned(),
            }),
        }
    }
}
