//! An SMTP sink on loopback for the mail tests: it accepts one session and hands over the
//! message, as a real server would receive it.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Accepts one SMTP session and hands over the message's data (bounded in lines and time).
pub async fn smtp_sink() -> (u16, oneshot::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(async move {
        let session = async {
            let (stream, _) = listener.accept().await.ok()?;
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink ESMTP\r\n").await.ok()?;
            let mut data = String::new();
            let mut in_data = false;
            for _ in 0..1000 {
                let line = lines.next_line().await.ok()??;
                if in_data {
                    if line == "." {
                        in_data = false;
                        write.write_all(b"250 queued\r\n").await.ok()?;
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                    }
                    continue;
                }
                let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.ok()?;
                        return Some(data);
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.ok()?;
            }
            Some(data)
        };
        if let Ok(Some(data)) = tokio::time::timeout(Duration::from_secs(20), session).await {
            let _ = sender.send(data);
        }
    });
    (port, receiver)
}

/// The text of a quoted-printable body (long lines are encoded so): soft breaks joined,
/// `=XX` decoded.
pub fn quoted_printable_decoded(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let mut out = Vec::new();
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first link to `path_start` in a mail (decoded), as a path to request.
pub fn link_path(message: &str, path_start: &str) -> String {
    let message = quoted_printable_decoded(message);
    let start = message
        .find(path_start)
        .unwrap_or_else(|| panic!("a link to {path_start} in {message}"));
    message[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}
