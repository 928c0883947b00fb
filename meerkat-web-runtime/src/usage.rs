//! Token usage in the SDK's shape.
//!
//! `inputTokens` counts uncached input only (Anthropic's meaning), so
//! `inputTokens + cacheReadTokens + cacheCreationTokens` is the whole prompt.

use crate::json::ObjectWriter;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_tokens: Option<u64>,
    pub cache_read_tokens: Option<u64>,
}

impl Usage {
    /// Sum of two usages (a run is the sum of its LLM turns).
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.cache_creation_tokens = add_opt(self.cache_creation_tokens, other.cache_creation_tokens);
        self.cache_read_tokens = add_opt(self.cache_read_tokens, other.cache_read_tokens);
    }

    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.u64("inputTokens", self.input_tokens).u64("outputTokens", self.output_tokens);
        if let Some(n) = self.cache_creation_tokens {
            o.u64("cacheCreationTokens", n);
        }
        if let Some(n) = self.cache_read_tokens {
            o.u64("cacheReadTokens", n);
        }
        o.end();
    }
}

fn add_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}
