//! Settings from the environment (and `.env`), read and checked once at
//! start-up. Every variable is listed, with a comment, in `.env.example`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;

/// A secret that never shows in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is {value:?}; expected {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// A required variable is unset; `hint` says where its value comes from.
    #[error("{name} is not set; {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    /// A variable whose value must not be echoed (a token pasted into the
    /// wrong variable would end up in logs), so only its shape is described.
    #[error("{name} is not valid: {problem}")]
    Malformed { name: &'static str, problem: String },
}

/// Reads a variable; empty counts as unset, so `FOO=` in `.env` is harmless.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn knowledge_dir() -> PathBuf {
    var("KNOWLEDGE_DIR").map_or_else(|| PathBuf::from("knowledge"), PathBuf::from)
}

pub fn discord_token() -> Option<Secret> {
    var("DISCORD_TOKEN").map(Secret::new)
}

pub fn log_format() -> Result<LogFormat, ConfigError> {
    match var("LOG_FORMAT")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(ConfigError::Invalid {
            name: "LOG_FORMAT",
            value: other.to_string(),
            expected: "text or json",
        }),
    }
}

/// Where `serve-http` listens when neither `--addr` nor `HTTP_ADDR` says.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

/// Settings of the HTTP interactions endpoint, checked once at start-up so
/// a bad value stops the server before it accepts anything.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub addr: SocketAddr,
    /// The application's public key; every request must be signed with its
    /// private half, which only Discord holds.
    pub public_key: VerifyingKey,
}

impl HttpConfig {
    /// Reads `DISCORD_PUBLIC_KEY`; `addr` comes from the command line (which
    /// already fell back to `HTTP_ADDR` and the default).
    pub fn from_env(addr: &str) -> Result<HttpConfig, ConfigError> {
        HttpConfig::parse(addr, var("DISCORD_PUBLIC_KEY").as_deref())
    }

    /// The checks behind [`HttpConfig::from_env`], without the environment.
    pub fn parse(addr: &str, public_key: Option<&str>) -> Result<HttpConfig, ConfigError> {
        let addr = addr.trim().parse().map_err(|_| ConfigError::Invalid {
            name: "HTTP_ADDR",
            value: addr.to_string(),
            expected: "an IP address and port, such as 127.0.0.1:8080 or 0.0.0.0:8080",
        })?;
        let public_key = public_key.ok_or(ConfigError::Missing {
            name: "DISCORD_PUBLIC_KEY",
            hint: "copy the application's public key from the General Information page of Discord's developer portal",
        })?;
        Ok(HttpConfig {
            addr,
            public_key: parse_public_key(public_key)?,
        })
    }
}

/// Parses an Ed25519 public key written as 64 hex digits, as the developer
/// portal shows it.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, ConfigError> {
    let malformed = |problem: String| ConfigError::Malformed {
        name: "DISCORD_PUBLIC_KEY",
        problem,
    };
    let text = text.trim();
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).map_err(|e| {
        malformed(match e {
            hex::FromHexError::InvalidHexCharacter { .. } => {
                "expected 64 hex digits, found a character that is not one".to_string()
            }
            _ => format!(
                "expected 64 hex digits, found {} characters",
                text.chars().count()
            ),
        })
    })?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| malformed("those 64 hex digits are not an Ed25519 public key".to_string()))?;
    // A small-order key would accept signatures anyone can make.
    if key.is_weak() {
        return Err(malformed(
            "that is a weak (small-order) key, which no real application has".to_string(),
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public key of RFC 8032's first test vector.
    const RFC_KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    #[test]
    fn http_config_accepts_an_address_and_a_hex_key() {
        let config = HttpConfig::parse("0.0.0.0:9000", Some(RFC_KEY));
        let config = config
            .as_ref()
            .map(|c| (c.addr.to_string(), hex::encode(c.public_key.as_bytes())));
        assert_eq!(
            config,
            Ok(("0.0.0.0:9000".to_string(), RFC_KEY.to_string()))
        );
        assert!(HttpConfig::parse("127.0.0.1:1", Some(&RFC_KEY.to_uppercase())).is_ok());
    }

    #[test]
    fn http_config_refuses_a_missing_or_malformed_key_without_echoing_it() {
        let missing = HttpConfig::parse("127.0.0.1:8080", None).err();
        assert!(matches!(
            missing,
            Some(ConfigError::Missing {
                name: "DISCORD_PUBLIC_KEY",
                ..
            })
        ));
        for bad in [
            "abc",
            "MTIzNDU2Nzg5MC5hYmNkZWYuZ2hpamts",
            &"zz".repeat(32),
            &"ab".repeat(33),
        ] {
            let err = HttpConfig::parse("127.0.0.1:8080", Some(bad)).err();
            let line = err.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(
                line.starts_with("DISCORD_PUBLIC_KEY is not valid"),
                "{line}"
            );
            assert!(!line.contains(bad) && !line.contains('\n'), "{line}");
        }
    }

    #[test]
    fn http_config_refuses_a_weak_key() {
        // The identity point: every signature with R = identity, s = 0 verifies.
        let identity = format!("01{}", "00".repeat(31));
        let err = HttpConfig::parse("127.0.0.1:8080", Some(&identity)).err();
        let line = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(line.contains("weak"), "{line}");
    }

    #[test]
    fn http_config_refuses_a_bad_address() {
        let err = HttpConfig::parse("localhost", Some(RFC_KEY)).err();
        assert!(matches!(
            err,
            Some(ConfigError::Invalid {
                name: "HTTP_ADDR",
                ..
            })
        ));
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("abc.def.ghi".into());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "abc.def.ghi");
    }
}
