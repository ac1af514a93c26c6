//! Two-factor sign-in in tests: the codes an authenticator app would show for a secret.

use std::time::Duration;

use rhizome_core::Core;
use rhizome_core::security::{TOTP_PERIOD, TwoFactorSetup, base32, totp_code, totp_step};
use rhizome_model::Timestamp;

use super::api::PASSWORD;

fn now() -> Timestamp {
    Timestamp(chrono::Utc::now().timestamp_millis())
}

/// The current time step, after waiting out the end of a step if it is near: the codes of
/// this step and the next then stay valid for at least 38 seconds.
pub async fn fresh_step() -> i64 {
    let period = TOTP_PERIOD * 1000;
    let into = now().0.rem_euclid(period);
    if into > period - 8_000 {
        let wait = u64::try_from(period - into + 50).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
    totp_step(now())
}

/// The code of `secret` (base32, as the setup page shows it) for `step`.
pub fn code(secret: &str, step: i64) -> String {
    totp_code(&base32::decode(secret).expect("a base32 secret"), step)
}

/// Six digits that are none of the codes valid around `step`.
pub fn wrong_code(secret: &str, step: i64) -> String {
    let valid: Vec<String> = (step - 2..=step + 2).map(|s| code(secret, s)).collect();
    (0..10u32)
        .map(|n| format!("{n}{n}{n}{n}{n}{n}"))
        .find(|c| !valid.contains(c))
        .expect("a wrong code")
}

/// Turns two-factor on for `username` through core, with the code of `step`; answers the
/// secret and the recovery codes. Later codes must be of later steps.
pub async fn enable(core: &Core, username: &str, step: i64) -> (String, Vec<String>) {
    let user = core.local_user_named(username).await.expect("the user");
    let TwoFactorSetup { secret, .. } = core
        .begin_two_factor_setup(&user, PASSWORD)
        .await
        .expect("a setup");
    let codes = core
        .enable_two_factor(&user, &code(&secret, step))
        .await
        .expect("two-factor on");
    (secret, codes)
}
