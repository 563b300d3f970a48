//! Is this request really from Discord, and fresh?
//!
//! Discord signs every request to the interactions endpoint with the
//! application's Ed25519 key: the signature (`X-Signature-Ed25519`, hex)
//! covers the timestamp header (`X-Signature-Timestamp`, Unix seconds)
//! followed by the raw body. A valid signature proves who sent it, not
//! when: a captured request stays valid forever. So the timestamp, which
//! the signature protects, must also be recent; replay protection is ours,
//! because neither Discord nor serenity's verifier checks it.
//!
//! Everything here is pure (the clock is an argument), so it is tested
//! without a server or a real clock.

use ed25519_dalek::{Signature, Verifier as _, VerifyingKey, SIGNATURE_LENGTH};

/// How far a request's timestamp may be from our clock, either way.
pub const MAX_SKEW_SECS: u64 = 5 * 60;

/// Why a request was refused. Each is answered with 401; the reason goes
/// to logs and metrics only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the X-Signature-Ed25519 or X-Signature-Timestamp header is missing")]
    Missing,
    #[error("the signature is not 128 hex digits")]
    MalformedSignature,
    #[error("the timestamp is not a number of seconds")]
    MalformedTimestamp,
    #[error("the timestamp is more than five minutes from now")]
    Stale,
    #[error("the signature does not match the body and the application's key")]
    Invalid,
}

impl VerifyError {
    /// Every reason, for metrics that list them all from the start.
    pub const ALL: [VerifyError; 5] = [
        VerifyError::Missing,
        VerifyError::MalformedSignature,
        VerifyError::MalformedTimestamp,
        VerifyError::Stale,
        VerifyError::Invalid,
    ];

    /// A short label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyError::Missing => "missing",
            VerifyError::MalformedSignature => "malformed_signature",
            VerifyError::MalformedTimestamp => "malformed_timestamp",
            VerifyError::Stale => "stale",
            VerifyError::Invalid => "invalid",
        }
    }
}

/// Checks requests against one application's public key.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: VerifyingKey,
    max_skew_secs: u64,
}

impl Verifier {
    pub fn new(key: VerifyingKey) -> Verifier {
        Verifier {
            key,
            max_skew_secs: MAX_SKEW_SECS,
        }
    }

    /// Verifies a request from its two headers (as sent, `None` when
    /// absent), its raw body and the current Unix time.
    ///
    /// The cheap checks come first, so garbage costs no curve arithmetic.
    /// The signature is checked as RFC 8032 specifies (and as Discord's own
    /// libraries do), including that it is canonical. ed25519-dalek's
    /// stricter variant also refuses small-order points, which matters
    /// where signatures are compared or batched, not for authenticating
    /// one sender; it costs a point decompression, about a quarter of the
    /// verification. A small-order public key is refused once, at start-up
    /// (see [`crate::config::parse_public_key`]).
    pub fn verify(
        &self,
        signature: Option<&[u8]>,
        timestamp: Option<&[u8]>,
        body: &[u8],
        now_unix_secs: u64,
    ) -> Result<(), VerifyError> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(VerifyError::Missing);
        };
        let mut bytes = [0u8; SIGNATURE_LENGTH];
        hex::decode_to_slice(signature, &mut bytes).map_err(|_| VerifyError::MalformedSignature)?;
        let signature = Signature::from_bytes(&bytes);

        let sent = parse_secs(timestamp).ok_or(VerifyError::MalformedTimestamp)?;
        if sent.abs_diff(now_unix_secs) > self.max_skew_secs {
            return Err(VerifyError::Stale);
        }

        // The signed message is the timestamp exactly as sent, then the body.
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp);
        message.extend_from_slice(body);
        self.key
            .verify(&message, &signature)
            .map_err(|_| VerifyError::Invalid)
    }
}

/// Unix seconds as ASCII digits; anything else (signs, spaces, fractions,
/// absurd lengths) is refused.
fn parse_secs(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    const NOW: u64 = 1_750_000_000;
    const BODY: &[u8] = br#"{"type":1}"#;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    /// Signs like Discord: timestamp then body, signature in hex.
    fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex::encode(key.sign(&message).to_bytes())
    }

    fn check(signature: &str, timestamp: &str, body: &[u8]) -> Result<(), VerifyError> {
        Verifier::new(key(7).verifying_key()).verify(
            Some(signature.as_bytes()),
            Some(timestamp.as_bytes()),
            body,
            NOW,
        )
    }

    #[test]
    fn a_fresh_request_signed_with_the_key_passes() {
        let ts = NOW.to_string();
        assert_eq!(check(&sign(&key(7), &ts, BODY), &ts, BODY), Ok(()));
        // Hex digits may come in either case.
        assert_eq!(
            check(&sign(&key(7), &ts, BODY).to_uppercase(), &ts, BODY),
            Ok(())
        );
    }

    #[test]
    fn the_known_keypair_signs_as_expected() {
        // Pins the signing scheme: a change of message layout would break it.
        // Ed25519 signatures are deterministic, so this one is fixed.
        let sig = sign(&key(7), "1750000000", BODY);
        assert_eq!(
            sig,
            "a930ed29087c33fe01bb85147650b95fb8d6ae1216935202c9368e423c5d2833\
             50c005a8a08948458363c733fa7b3b335faf28270436b119b5c3550d2e027506"
        );
        assert_eq!(
            hex::encode(key(7).verifying_key().as_bytes()),
            "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
        );
    }

    #[test]
    fn another_key_fails() {
        let ts = NOW.to_string();
        assert_eq!(
            check(&sign(&key(8), &ts, BODY), &ts, BODY),
            Err(VerifyError::Invalid)
        );
    }

    #[test]
    fn a_tampered_body_or_timestamp_fails() {
        let ts = NOW.to_string();
        let sig = sign(&key(7), &ts, BODY);
        assert_eq!(
            check(&sig, &ts, br#"{"type":2}"#),
            Err(VerifyError::Invalid)
        );
        assert_eq!(check(&sig, &ts, b""), Err(VerifyError::Invalid));
        let other = (NOW + 1).to_string();
        assert_eq!(check(&sig, &other, BODY), Err(VerifyError::Invalid));
        // Moving bytes between timestamp and body changes nothing signed,
        // but the timestamp no longer parses.
        assert_eq!(
            check(&sig, "", &[ts.as_bytes(), BODY].concat()),
            Err(VerifyError::MalformedTimestamp)
        );
    }

    #[test]
    fn a_malleated_signature_fails() {
        // s + L is the same scalar mod L, so a lax verifier would accept it.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let ts = NOW.to_string();
        let mut sig = [0u8; 64];
        hex::decode_to_slice(sign(&key(7), &ts, BODY), &mut sig).unwrap_or_default();
        let mut carry = 0u16;
        for (byte, l) in sig[32..].iter_mut().zip(L) {
            let sum = u16::from(*byte) + u16::from(l) + carry;
            *byte = (sum & 0xff) as u8;
            carry = sum >> 8;
        }
        assert_eq!(
            check(&hex::encode(sig), &ts, BODY),
            Err(VerifyError::Invalid)
        );
    }

    #[test]
    fn stale_and_future_timestamps_fail_even_when_signed() {
        for ts in [NOW - MAX_SKEW_SECS - 1, NOW + MAX_SKEW_SECS + 1, 0] {
            let ts = ts.to_string();
            assert_eq!(
                check(&sign(&key(7), &ts, BODY), &ts, BODY),
                Err(VerifyError::Stale),
                "{ts}"
            );
        }
        for ts in [NOW - MAX_SKEW_SECS, NOW + MAX_SKEW_SECS] {
            let ts = ts.to_string();
            assert_eq!(check(&sign(&key(7), &ts, BODY), &ts, BODY), Ok(()), "{ts}");
        }
    }

    #[test]
    fn malformed_timestamps_fail() {
        for ts in [
            "",
            "-1",
            "+1750000000",
            " 1750000000",
            "1750000000.5",
            "17500000000000000000000",
            "now",
        ] {
            assert_eq!(
                check(&sign(&key(7), ts, BODY), ts, BODY),
                Err(VerifyError::MalformedTimestamp),
                "{ts:?}"
            );
        }
    }

    #[test]
    fn non_hex_or_wrong_length_signatures_fail() {
        let ts = NOW.to_string();
        let good = sign(&key(7), &ts, BODY);
        let not_hex = format!("zz{}", &good[2..]);
        for sig in [
            not_hex.as_str(),
            &good[..126],
            &format!("{good}00"),
            "",
            &good[..64],
        ] {
            assert_eq!(
                check(sig, &ts, BODY),
                Err(VerifyError::MalformedSignature),
                "{sig:?}"
            );
        }
    }

    #[test]
    fn missing_headers_fail() {
        let v = Verifier::new(key(7).verifying_key());
        let ts = NOW.to_string();
        let sig = sign(&key(7), &ts, BODY);
        assert_eq!(
            v.verify(None, Some(ts.as_bytes()), BODY, NOW),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            v.verify(Some(sig.as_bytes()), None, BODY, NOW),
            Err(VerifyError::Missing)
        );
        assert_eq!(v.verify(None, None, BODY, NOW), Err(VerifyError::Missing));
    }
}
