//! The wasm-bindgen boundary: the only file with `#[wasm_bindgen]` items.
//!
//! The `runtime` build has one class, `Core`, owning one [`Runtime`]: JSON
//! commands in, JSON replies out; response bodies as raw bytes; events
//! drained as one JSON batch per session. No callbacks into JS: everything
//! the core wants done is an effect. (The pack reader's two functions are
//! raw exports, without glue: `mobpack/abi.rs`.)

use wasm_bindgen::prelude::*;

#[cfg(feature = "runtime")]
use crate::runtime::Runtime;

#[cfg(feature = "runtime")]
#[wasm_bindgen]
pub struct Core {
    runtime: Runtime,
}

#[cfg(feature = "runtime")]
#[wasm_bindgen]
impl Core {
    /// `config_json` is the RuntimeConfig; `entropy` seeds ids and jitter.
    /// Throws `{code, message}` JSON text when the config is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str, entropy: &[u8]) -> Result<Core, JsError> {
        Runtime::new(config_json, entropy).map(|runtime| Core { runtime }).map_err(|e| JsError::new(&e.to_json()))
    }

    /// The crate version; `MeerkatRuntime.init` refuses a mismatch.
    pub fn version() -> String {
        crate::VERSION.to_string()
    }

    /// The capability table as JSON (the `capabilities` command's).
    // A static of its own: a Worker's `init` reports the capabilities, and a
    // first command would compile the whole command dispatch (browsers
    // compile wasm on first call) before the page hears back.
    pub fn capabilities() -> String {
        crate::capabilities::json()
    }

    pub fn command(&mut self, now_ms: f64, json: &str) -> String {
        self.runtime.command(now_ms, json)
    }

    /// Response body bytes of HTTP effect `id`; "" unless effects resulted.
    #[wasm_bindgen(js_name = pushBody)]
    pub fn push_body(&mut self, now_ms: f64, id: u32, bytes: &[u8]) -> String {
        self.runtime.push_body(now_ms, id, bytes)
    }

    /// Events of a session that `reader` has not read (0: the one
    /// `pollEvents` uses) as a JSON array; an error object if the session
    /// or reader does not exist.
    #[wasm_bindgen(js_name = drainEvents)]
    pub fn drain_events(&mut self, session: &str, reader: u32) -> String {
        or_error(self.runtime.drain_events(session, reader))
    }

    /// `drainEvents` as UTF-8 bytes, or with `mob` set the unread items of
    /// that mob's subscription `reader` (`mob_poll`, without a command's
    /// parse and reply): the Worker transfers them to the page as they are,
    /// never decoded into a string on its side.
    #[wasm_bindgen(js_name = drainEventBytes)]
    pub fn drain_event_bytes(&mut self, session_or_mob: &str, reader: u32, mob: bool) -> Vec<u8> {
        let drained = if mob {
            self.runtime.drain_mob(session_or_mob, reader)
        } else {
            self.runtime.drain_events(session_or_mob, reader)
        };
        or_error(drained).into_bytes()
    }
}

/// A JSON array, or `{"error":{code,message}}`.
#[cfg(feature = "runtime")]
fn or_error(drained: crate::error::CoreResult<String>) -> String {
    match drained {
        Ok(json) => json,
        Err(e) => format!(r#"{{"error":{}}}"#, e.to_json()),
    }
}

/// Talc instead of the default dlmalloc: smaller in the wasm and faster.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
