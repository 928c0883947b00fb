//! Where a provider is reached and with what credential, and the
//! provider-level request knobs a session may set.

/// A credential: never printed, never serialized back out.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Takes every copy of this secret out of `text` (a provider or a proxy
    /// in front of it may echo the key it refused in its error body).
    /// Shorter strings are placeholders such as the demo's `proxy`, not
    /// credentials: blanking them would garble ordinary words.
    pub fn redact(&self, text: &mut String) {
        if self.0.len() >= MIN_REDACTED && crate::text::contains(text, &self.0) {
            *text = crate::text::replace(text, &self.0, "[redacted]");
        }
    }

    /// [`Secret::redact`] on an error body (bytes, maybe not text), before
    /// anything cuts it: a cut key would no longer match.
    pub fn redact_bytes(&self, bytes: &mut Vec<u8>) {
        let key = self.0.as_bytes();
        if key.len() < MIN_REDACTED {
            return;
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            if bytes.get(at..at + key.len()) == Some(key) {
                out.extend_from_slice(b"[redacted]");
                at += key.len();
            } else {
                out.push(byte);
                at += 1;
            }
        }
        *bytes = out;
    }
}

/// Secrets this long or longer are redacted from error text.
const MIN_REDACTED: usize = 8;

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Resolved credentials and endpoint of one provider.
#[derive(Clone, Debug, Default)]
pub struct Endpoint {
    pub api_key: Option<Secret>,
    pub base_url: Option<String>,
    /// Send the key as `authorization: Bearer` (an OAuth token) instead of
    /// in the provider's own key header.
    pub bearer: bool,
}

impl Endpoint {
    /// The credential header: the key in `native` (the provider's own
    /// header; `authorization` means a Bearer token), or as a Bearer token
    /// when the endpoint says so. None without a key (a proxy adds it).
    pub fn key_header(&self, native: &str) -> Option<(String, String)> {
        let key = self.api_key.as_ref()?.expose();
        let mut value = String::with_capacity(key.len() + 7);
        let mut name = native;
        if self.bearer || native == "authorization" {
            name = "authorization";
            value.push_str("Bearer ");
        }
        value.push_str(key);
        Some((name.to_string(), value))
    }
}

/// Extended-thinking settings of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThinkingConfig {
    pub budget_tokens: u32,
}
