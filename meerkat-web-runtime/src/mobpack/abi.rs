//! The pack reader's wasm surface: two raw exports, not `#[wasm_bindgen]`
//! items, so they add no glue to the core's JavaScript (on every app's
//! start path). They are the entries of the core's pack part (cut off by
//! `scripts/wasm-split.mjs` with all the code only they reach): in the
//! core every app loads they are stubs that trap until the host links that
//! part. `src/mobpack/reader.ts` links it, then calls them through the
//! core instance's exports.
//!
//! Arguments are byte ranges the host wrote into the core's memory with
//! `__wbindgen_malloc(len, 1)`; it frees them after the call. The reply is
//! one allocation of `4 + n` bytes: `n` (u32, little-endian), then the
//! reply's `n` bytes of UTF-8, which the host reads and frees with
//! `__wbindgen_free(ptr, 4 + n, 1)`.

/// The bytes at `ptr..ptr + len`.
///
/// # Safety
/// With `len > 0`, `ptr` points at `len` initialized bytes that nothing
/// changes while the returned slice lives.
unsafe fn borrowed<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the caller's contract, and `ptr` is non-null (it points at bytes).
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }
}

/// Text the host encoded (always UTF-8); anything else reads as `""`, which no reply accepts as JSON.
fn text(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or("")
}

/// `reply` handed over: its length, then its bytes, in a boxed slice the
/// host frees. The length goes in front of the reply in its own buffer
/// (which `read_reply` sizes with room for it), not into a copy: a pack's
/// reply can be tens of MiB, and the core's memory never shrinks.
fn handed(reply: String) -> *mut u8 {
    // A wasm32 reply is shorter than 4 GiB (the whole memory).
    let len = reply.len() as u32;
    let mut out = reply.into_bytes();
    let n = out.len();
    out.extend_from_slice(&[0; 4]);
    out.copy_within(..n, 4);
    if let Some(head) = out.get_mut(..4) {
        head.copy_from_slice(&len.to_le_bytes());
    }
    Box::into_raw(out.into_boxed_slice()).cast::<u8>()
}

/// `read_reply` of the `len` pack bytes at `ptr`.
///
/// # Safety
/// As [`borrowed`]: `ptr` and `len` are a range of the host's bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mobpack_read(ptr: *const u8, len: usize) -> *mut u8 {
    // SAFETY: this function's contract.
    handed(super::read_reply(unsafe { borrowed(ptr, len) }))
}

/// `trust::reply` of the texts at `trust_ptr` and `signature_ptr` (`valid`: 0 or 1).
///
/// # Safety
/// As [`borrowed`], for both ranges.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mobpack_trust(
    trust_ptr: *const u8,
    trust_len: usize,
    signature_ptr: *const u8,
    signature_len: usize,
    valid: u32,
) -> *mut u8 {
    // SAFETY: this function's contract.
    let (trust, signature) = unsafe { (borrowed(trust_ptr, trust_len), borrowed(signature_ptr, signature_len)) };
    handed(super::trust::reply(text(trust), text(signature), valid != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the host does: read the length and the reply, then free the allocation.
    fn taken(ptr: *mut u8) -> String {
        // SAFETY: `ptr` is what `handed` returned: 4 length bytes, then that many.
        let len = u32::from_le_bytes(unsafe { *ptr.cast::<[u8; 4]>() }) as usize;
        // SAFETY: the same allocation, 4 + len bytes, a boxed slice.
        let boxed = unsafe { Box::from_raw(core::ptr::slice_from_raw_parts_mut(ptr, 4 + len)) };
        String::from_utf8(boxed[4..].to_vec()).unwrap()
    }

    #[test]
    fn read_returns_read_reply_and_an_empty_range_is_a_refused_pack() {
        let bytes = b"not gzip".to_vec();
        // SAFETY: a live range of `bytes`.
        let reply = taken(unsafe { mobpack_read(bytes.as_ptr(), bytes.len()) });
        assert_eq!(reply, crate::mobpack::read_reply(&bytes));
        assert!(reply.starts_with(r#"{"error":{"code":"INVALID_MOBPACK""#), "{reply}");
        // SAFETY: an empty range is never read.
        let empty = taken(unsafe { mobpack_read(core::ptr::null(), 0) });
        assert_eq!(empty, crate::mobpack::read_reply(&[]));
    }

    #[test]
    fn trust_returns_trust_reply() {
        let (trust, sig) = (br#"{"policy":"permissive"}"#, b"null");
        // SAFETY: live ranges of `trust` and `sig`.
        let accepted = taken(unsafe { mobpack_trust(trust.as_ptr(), trust.len(), sig.as_ptr(), sig.len(), 0) });
        assert_eq!(accepted, "");
        let strict = b"{}";
        // SAFETY: live ranges of `strict` and `sig`.
        let refused = taken(unsafe { mobpack_trust(strict.as_ptr(), strict.len(), sig.as_ptr(), sig.len(), 0) });
        assert_eq!(refused, crate::mobpack::trust::reply("{}", "null", false));
        assert!(refused.contains("UNTRUSTED_MOBPACK"), "{refused}");
        let bad = [0xff_u8];
        // SAFETY: live ranges of `bad` and `sig`.
        let invalid = taken(unsafe { mobpack_trust(bad.as_ptr(), 1, sig.as_ptr(), sig.len(), 1) });
        assert!(invalid.contains("mobpackTrust is not valid JSON"), "{invalid}");
    }
}
