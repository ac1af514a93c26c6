//! Web Push subscriptions: `/api/v1/push/subscription`, one per access token.
//!
//! Clients send the parameters as a form (`subscription[keys][p256dh]=…`,
//! `data[alerts][mention]=true`) or as nested JSON; both are read through [`field`].

use axum::Json;
use axum::extract::State;
use rhizome_core::Core;
use rhizome_core::push::NewPushSubscription;
use rhizome_model::{NotificationKind, PushAlerts, PushPolicy, Scope};
use serde_json::{Map, Value, json};

use crate::ApiError;
use crate::auth::{Auth, Bearer};
use crate::entities;
use crate::error::ApiResult;
use crate::params::Params;

type Fields = Map<String, Value>;

const PUSH: Scope = Scope("push");

/// The parameter at `path`, given flat (`a[b][c]`, as forms send it) or nested (JSON).
fn field<'a>(fields: &'a Fields, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let flat = rest
        .iter()
        .fold((*first).to_owned(), |key, part| format!("{key}[{part}]"));
    if let Some(value) = fields.get(&flat) {
        return Some(value);
    }
    let mut value = fields.get(*first)?;
    for part in rest {
        value = value.get(*part)?;
    }
    Some(value)
}

fn text(fields: &Fields, path: &[&str]) -> Option<String> {
    match field(fields, path)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn required(fields: &Fields, path: &[&str]) -> Result<String, ApiError> {
    text(fields, path)
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable(format!(
                "Validation failed: {} is missing",
                display_name(path)
            ))
        })
}

fn display_name(path: &[&str]) -> String {
    let (first, rest) = path.split_first().unwrap_or((&"", &[]));
    rest.iter()
        .fold((*first).to_owned(), |key, part| format!("{key}[{part}]"))
}

/// A boolean as clients send them (`true`, `"true"`, `"1"`, `"on"`…).
fn flag(fields: &Fields, path: &[&str]) -> Result<Option<bool>, ApiError> {
    let invalid = || {
        ApiError::unprocessable(format!(
            "Validation failed: {} is not a boolean",
            display_name(path)
        ))
    };
    match field(fields, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(on)) => Ok(Some(*on)),
        Some(Value::Number(n)) => Ok(Some(n.as_f64() != Some(0.0))),
        Some(Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" | "t" => Ok(Some(true)),
            "false" | "0" | "off" | "no" | "f" | "" => Ok(Some(false)),
            _ => Err(invalid()),
        },
        Some(_) => Err(invalid()),
    }
}

/// `data[alerts][…]`: `None` when no alert is named at all; named ones are on or off, the
/// others off (Mastodon replaces the whole set).
fn alerts(fields: &Fields) -> Result<Option<PushAlerts>, ApiError> {
    let mut alerts = PushAlerts::default();
    let mut named = false;
    for kind in NotificationKind::ALL {
        if let Some(on) = flag(fields, &["data", "alerts", kind.as_str()])? {
            named = true;
            alerts.set(kind, on);
        }
    }
    // `data[alerts]` sent empty (a JSON `{}`) still means "none of them".
    named |= field(fields, &["data", "alerts"]).is_some_and(Value::is_object);
    Ok(named.then_some(alerts))
}

/// `data[policy]` (or `policy`, as Mastodon's documentation of the update names it).
fn policy(fields: &Fields) -> Result<Option<PushPolicy>, ApiError> {
    let Some(text) = text(fields, &["data", "policy"]).or_else(|| text(fields, &["policy"])) else {
        return Ok(None);
    };
    text.parse().map(Some).map_err(|_| {
        ApiError::unprocessable(format!(
            "Validation failed: policy {text:?} is not one of all, followed, follower, none"
        ))
    })
}

pub async fn create(
    State(core): State<Core>,
    Auth(auth): Auth,
    Bearer(bearer): Bearer,
    Params(fields): Params<Fields>,
) -> ApiResult<Json<Value>> {
    auth.require(PUSH)?;
    let new = NewPushSubscription {
        endpoint: required(&fields, &["subscription", "endpoint"])?,
        p256dh: required(&fields, &["subscription", "keys", "p256dh"])?,
        auth: required(&fields, &["subscription", "keys", "auth"])?,
        standard: flag(&fields, &["subscription", "standard"])?.unwrap_or(false),
        alerts: alerts(&fields)?.unwrap_or_default(),
        policy: policy(&fields)?.unwrap_or_default(),
    };
    let subscription = core.subscribe_push(&auth, &bearer, new).await?;
    Ok(Json(entities::push_subscription(&core, &subscription)))
}

pub async fn show(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    auth.require(PUSH)?;
    let subscription = core.push_subscription(&auth).await?;
    Ok(Json(entities::push_subscription(&core, &subscription)))
}

pub async fn update(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(fields): Params<Fields>,
) -> ApiResult<Json<Value>> {
    auth.require(PUSH)?;
    let subscription = core
        .update_push_subscription(&auth, alerts(&fields)?, policy(&fields)?)
        .await?;
    Ok(Json(entities::push_subscription(&core, &subscription)))
}

pub async fn delete(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    auth.require(PUSH)?;
    core.unsubscribe_push(&auth).await?;
    Ok(Json(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(text: &str) -> Fields {
        serde_html_form::from_str(text).unwrap()
    }

    #[test]
    fn forms_and_json_read_alike() {
        let flat = form(
            "subscription[endpoint]=https%3A%2F%2Fpush.example%2F1&subscription[keys][auth]=a\
             &subscription[standard]=true&data[alerts][mention]=true&data[alerts][follow]=0\
             &data[alerts][admin.sign_up]=1&data[policy]=followed",
        );
        let nested: Fields = serde_json::from_value(json!({
            "subscription": { "endpoint": "https://push.example/1", "keys": { "auth": "a" }, "standard": true },
            "data": { "alerts": { "mention": true, "follow": false, "admin.sign_up": "1" }, "policy": "followed" },
        }))
        .unwrap();
        for fields in [flat, nested] {
            assert_eq!(
                text(&fields, &["subscription", "endpoint"]).as_deref(),
                Some("https://push.example/1")
            );
            assert_eq!(
                text(&fields, &["subscription", "keys", "auth"]).as_deref(),
                Some("a")
            );
            assert_eq!(
                flag(&fields, &["subscription", "standard"]).unwrap(),
                Some(true)
            );
            assert_eq!(
                alerts(&fields).unwrap(),
                Some(PushAlerts::new([
                    NotificationKind::Mention,
                    NotificationKind::AdminSignUp
                ]))
            );
            assert_eq!(policy(&fields).unwrap(), Some(PushPolicy::Followed));
        }
        let none = form("policy=none");
        assert_eq!(alerts(&none).unwrap(), None);
        assert_eq!(policy(&none).unwrap(), Some(PushPolicy::None));
        assert!(policy(&form("data[policy]=everyone")).is_err());
        assert!(alerts(&form("data[alerts][mention]=maybe")).is_err());
        assert!(required(&form(""), &["subscription", "endpoint"]).is_err());
    }
}
