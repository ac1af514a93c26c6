//! A built-in captcha for sign-ups (off unless the admin asks for it): five digits drawn into
//! a noisy PNG, Akkoma's "native" kind. Stateless to hand out — the expected answer travels
//! with the challenge as an HMAC, so any process can check it — and single use, by
//! remembering spent challenges until they expire.

use std::io::Cursor;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use image::{ImageFormat, Rgb, RgbImage};
use rand::Rng;

use crate::secrets::random_token;
use crate::{Core, CoreError};

/// How long a challenge may be answered.
pub const SECONDS_VALID: u64 = 300;
const DIGITS: usize = 5;
const WIDTH: u32 = 200;
const HEIGHT: u32 = 70;
/// Digits as 5×7 bitmaps, a row per byte (high bits left).
const FONT: [[u8; 7]; 10] = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
];

/// A challenge as Akkoma's `GET /api/pleroma/captcha` hands it out.
#[derive(Debug, Clone)]
pub struct CaptchaChallenge {
    pub token: String,
    /// The expected answer, sealed: `expires.mac`.
    pub answer_data: String,
    /// `data:image/png;base64,…`
    pub image_url: String,
    pub seconds_valid: u64,
}

/// What a sign-up sends back.
#[derive(Debug, Clone, Default)]
pub struct CaptchaSolution {
    pub token: String,
    pub answer_data: String,
    pub solution: String,
}

fn seal(key: &str, token: &str, expires_at: i64, answer: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    hmac::sign(
        &key,
        format!("captcha|{token}|{expires_at}|{answer}").as_bytes(),
    )
    .as_ref()
    .to_vec()
}

fn draw(answer: &str) -> Result<Vec<u8>, CoreError> {
    let mut rng = rand::rng();
    let mut image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([245, 245, 240]));
    // Speckles, then the digits at jittered places and sizes, then lines across them.
    for _ in 0..600 {
        let (x, y) = (rng.random_range(0..WIDTH), rng.random_range(0..HEIGHT));
        let shade = rng.random_range(150..230);
        image.put_pixel(x, y, Rgb([shade, shade, shade]));
    }
    for (index, digit) in answer.bytes().enumerate() {
        let glyph = FONT[usize::from(digit - b'0')];
        let scale = rng.random_range(5..=6);
        let left = 12 + index as u32 * 36 + rng.random_range(0..6);
        let top = rng.random_range(6..(HEIGHT - 7 * scale - 4).max(7));
        let ink = Rgb([
            rng.random_range(0..90),
            rng.random_range(0..90),
            rng.random_range(40..140),
        ]);
        for (row, bits) in glyph.iter().enumerate() {
            for column in 0..5u32 {
                if bits & (0x10 >> column) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let x = left + column * scale + dx;
                        let y = top + row as u32 * scale + dy;
                        if x < WIDTH && y < HEIGHT {
                            image.put_pixel(x, y, ink);
                        }
                    }
                }
            }
        }
    }
    for _ in 0..3 {
        let (y0, y1) = (
            rng.random_range(0..HEIGHT) as f32,
            rng.random_range(0..HEIGHT) as f32,
        );
        for x in 0..WIDTH {
            let y = y0 + (y1 - y0) * x as f32 / WIDTH as f32;
            image.put_pixel(x, (y as u32).min(HEIGHT - 1), Rgb([90, 90, 90]));
        }
    }
    let mut png = Cursor::new(Vec::new());
    image
        .write_to(&mut png, ImageFormat::Png)
        .map_err(|e| CoreError::Internal(format!("captcha image: {e}")))?;
    Ok(png.into_inner())
}

impl Core {
    /// Whether sign-ups must solve a captcha.
    pub fn captcha_required(&self) -> bool {
        self.config.captcha
    }

    /// A new challenge.
    pub fn new_captcha(&self) -> Result<CaptchaChallenge, CoreError> {
        let mut rng = rand::rng();
        let answer: String = (0..DIGITS)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        let token = random_token(16);
        let expires_at = self.clock.now().0 + SECONDS_VALID as i64 * 1000;
        let mac = seal(&self.secrets.csrf_key, &token, expires_at, &answer);
        Ok(CaptchaChallenge {
            answer_data: format!("{expires_at}.{}", URL_SAFE_NO_PAD.encode(mac)),
            image_url: format!("data:image/png;base64,{}", STANDARD.encode(draw(&answer)?)),
            token,
            seconds_valid: SECONDS_VALID,
        })
    }

    /// Checks a sign-up's answer, and spends the challenge (right or wrong: one try each).
    pub(crate) async fn check_captcha(
        &self,
        solution: Option<&CaptchaSolution>,
    ) -> Result<(), CoreError> {
        let invalid = || CoreError::invalid("captcha: Invalid CAPTCHA");
        let Some(solution) = solution else {
            return Err(CoreError::invalid("captcha: CAPTCHA is required"));
        };
        if solution.token.is_empty() || solution.token.len() > 64 {
            return Err(invalid());
        }
        let (expires, mac) = solution.answer_data.split_once('.').ok_or_else(invalid)?;
        let expires_at: i64 = expires.parse().map_err(|_| invalid())?;
        let mac = URL_SAFE_NO_PAD.decode(mac).map_err(|_| invalid())?;
        let now = self.clock.now();
        if expires_at <= now.0 {
            return Err(CoreError::invalid("captcha: CAPTCHA expired"));
        }
        let fresh = self
            .store
            .spend_captcha(&solution.token, rhizome_model::Timestamp(expires_at), now)
            .await?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.secrets.csrf_key.as_bytes());
        let answer = solution.solution.trim();
        let right = hmac::verify(
            &key,
            format!("captcha|{}|{expires_at}|{answer}", solution.token).as_bytes(),
            &mac,
        )
        .is_ok();
        if fresh && right {
            Ok(())
        } else {
            Err(invalid())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_is_a_png_of_the_right_size() {
        let png = draw("01234").unwrap();
        let image = image::load_from_memory(&png).unwrap();
        assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
        // Ink was laid: some pixels are dark.
        let dark = image
            .to_rgb8()
            .pixels()
            .filter(|p| u32::from(p.0[0]) + u32::from(p.0[1]) < 200)
            .count();
        assert!(dark > 200, "{dark}");
    }

    #[test]
    fn seals_depend_on_every_part() {
        let base = seal("k", "t", 1, "12345");
        assert_ne!(base, seal("k", "t", 1, "12346"));
        assert_ne!(base, seal("k", "u", 1, "12345"));
        assert_ne!(base, seal("k", "t", 2, "12345"));
        assert_ne!(base, seal("j", "t", 1, "12345"));
    }
}
