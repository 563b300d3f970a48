//! The calls an interaction's own token allows, which need no bot token:
//! what the HTTP endpoint (which may have none) uses to finish what its
//! response began.

use std::time::Duration;

use crate::discord::direct_rest::RestError;

/// Discord's API, unless a REST proxy stands in for it.
pub const DISCORD_API: &str = "https://discord.com";

#[derive(Clone)]
pub struct InteractionWebhooks {
    client: reqwest::Client,
    base: String,
}

impl InteractionWebhooks {
    /// A client for the API at `base` (Discord's, or a proxy's), each
    /// call bounded by `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<InteractionWebhooks, RestError> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(InteractionWebhooks {
            client,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// Deletes the message a component was clicked on (the interaction's
    /// "original" message).
    pub async fn delete_original(&self, application: u64, token: &str) -> Result<(), RestError> {
        let url = format!(
            "{}/api/v10/webhooks/{application}/{token}/messages/@original",
            self.base
        );
        let response = self.client.delete(&url).send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let message = response.text().await.unwrap_or_default();
        Err(RestError::Status {
            status: status.as_u16(),
            message: crate::limits::clamp(&message, 200),
        })
    }
}
