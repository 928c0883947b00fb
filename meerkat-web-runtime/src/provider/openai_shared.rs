//! What OpenAI's Chat Completions and Responses APIs share: not written yet.
