//! Signs an interaction body the way Discord does, for load tests and
//! manual checks of `serve-http`.
//!
//! ```text
//! cargo run --example sign -- BODY_FILE
//! ```
//!
//! Prints shell assignments: the key pair (`SIGNING_KEY`, the private seed;
//! `DISCORD_PUBLIC_KEY`, for the server) and the two headers for BODY_FILE
//! signed now (`SIGNATURE_TIMESTAMP`, `SIGNATURE`). Set `SIGNING_KEY` to
//! sign with an existing key; otherwise a new one is generated. The
//! signature stays valid for the server's five-minute replay window.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: sign BODY_FILE (prints shell assignments)")?;
    let body = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let key = match std::env::var("SIGNING_KEY") {
        Ok(seed) if !seed.trim().is_empty() => {
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(seed.trim(), &mut bytes)
                .map_err(|_| "SIGNING_KEY must be 64 hex digits".to_string())?;
            SigningKey::from_bytes(&bytes)
        }
        _ => SigningKey::generate(&mut rand::rngs::OsRng),
    };
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| format!("the clock is before 1970: {e}"))?
        .as_secs()
        .to_string();
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(&body);
    let signature = key.sign(&message);
    println!("SIGNING_KEY={}", hex::encode(key.to_bytes()));
    println!(
        "DISCORD_PUBLIC_KEY={}",
        hex::encode(key.verifying_key().as_bytes())
    );
    println!("SIGNATURE_TIMESTAMP={timestamp}");
    println!("SIGNATURE={}", hex::encode(signature.to_bytes()));
    Ok(())
}
