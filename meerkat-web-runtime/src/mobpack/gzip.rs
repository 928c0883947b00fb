//! Gzip (RFC 1952): the header and trailer are read here, the deflate body
//! is inflated by `miniz_oxide`'s core (flate2's pure-Rust backend,
//! without flate2's `io` wrappers or miniz's stream layer) one bounded
//! step at a time, so that a gzip bomb
//! is stopped while it inflates, long before it could fill memory.

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF as NON_WRAPPING;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

/// More unpacked bytes than this are refused.
pub const MAX_UNPACKED: usize = 32 * 1024 * 1024;
/// Unpacked bytes per byte of the whole gzip input above which inflating
/// stops, from the first step: no floor. Real packs are far below it
/// (measured): the example pack as `rkat-web-pack build` writes it unpacks
/// at 6x, as `tar -czf` writes it (zero-padded to GNU tar's 10 KiB record)
/// at 9x, and a two-file pack from `tar -czf` at 48x; a skill of one line
/// repeated 300 times is at 105x.
pub const MAX_RATIO: u64 = 200;
/// Inflated per step: the limits are checked after each.
const STEP: usize = 64 * 1024;

/// Why gunzipping stopped, and how much had been unpacked by then.
#[derive(Debug, PartialEq, Eq)]
pub struct Stopped {
    pub why: String,
    pub unpacked: usize,
}

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// The single member of a gzip file, inflated within the limits above.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, Stopped> {
    let stop = |why: &str, unpacked: usize| Stopped { why: why.to_string(), unpacked };
    let body = header_len(bytes).map_err(|why| stop(why, 0))?;
    let mut state = Box::<DecompressorOxide>::default();
    let mut crc = Crc32::new();
    // Against the whole input, known up front: the limit is a size to stop at.
    let max_by_ratio = MAX_RATIO.saturating_mul(bytes.len() as u64);
    // Inflated into one growing buffer (back-references read from it),
    // one step at a time, its capacity the size the trailer announces
    // (within the limits; checked at the end): grown by doubling instead,
    // it left twice its size of freed blocks behind in the core's memory,
    // which the reader shares and which never shrinks.
    let announced = bytes.len().checked_sub(4).and_then(|i| bytes.get(i..)).and_then(|w| w.try_into().ok());
    let announced = announced.map_or(0, u32::from_le_bytes) as usize;
    let limit = usize::try_from(max_by_ratio).unwrap_or(usize::MAX).min(MAX_UNPACKED);
    let mut out: Vec<u8> = Vec::with_capacity(announced.min(limit) + STEP);
    out.resize(STEP, 0);
    let (mut unpacked, mut at) = (0, body);
    loop {
        let input = bytes.get(at..).unwrap_or_default();
        let (status, consumed, written) = decompress(&mut state, input, &mut out, unpacked, NON_WRAPPING);
        crc.update(out.get(unpacked..unpacked + written).unwrap_or_default());
        unpacked += written;
        at += consumed;
        if unpacked > MAX_UNPACKED {
            return Err(stop("it unpacks to more than 32 MiB", unpacked));
        }
        if unpacked as u64 > max_by_ratio {
            return Err(stop("its compression ratio is over 200 (a gzip bomb?)", unpacked));
        }
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput => out.resize(out.len() + STEP, 0),
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                return Err(stop("the gzip data is truncated", unpacked));
            }
            _ => return Err(stop("the gzip data is corrupt (bad deflate stream)", unpacked)),
        }
    }
    out.truncate(unpacked);
    let trailer = match bytes.get(at..) {
        Some(t) if t.len() == 8 => t,
        Some(t) if t.len() > 8 => return Err(stop("data follows the gzip member (only one member is read)", unpacked)),
        _ => return Err(stop("the gzip data is truncated (no CRC32/ISIZE trailer)", unpacked)),
    };
    let word = |i: usize| trailer.get(i..i + 4).and_then(|w| w.try_into().ok()).map_or(0, u32::from_le_bytes);
    if word(0) != crc.finish() {
        return Err(stop("the gzip CRC32 does not match the data (corrupt)", unpacked));
    }
    if word(4) != unpacked as u32 {
        return Err(stop("the gzip ISIZE does not match the data (corrupt)", unpacked));
    }
    Ok(out)
}

/// Where the deflate body starts, after a checked header.
fn header_len(bytes: &[u8]) -> Result<usize, &'static str> {
    let not_gzip = "it is not gzip data (a .mobpack is a gzip-compressed tar)";
    match bytes.get(..4) {
        Some([0x1f, 0x8b, 8, flags]) if flags & 0xe0 == 0 => {}
        Some([0x1f, 0x8b, 8, _]) => return Err("the gzip header sets reserved flags"),
        Some([0x1f, 0x8b, _, _]) => return Err("the gzip data uses a compression method other than deflate"),
        _ => return Err(not_gzip),
    }
    let flags = bytes.get(3).copied().unwrap_or_default();
    let truncated = "the gzip header is truncated";
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = bytes.get(at..at + 2).ok_or(truncated)?;
        at +=
            2 + usize::from(u16::from_le_bytes([len.first().copied().unwrap_or(0), len.get(1).copied().unwrap_or(0)]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = bytes.get(at..).ok_or(truncated)?;
            at += rest.iter().position(|&b| b == 0).ok_or(truncated)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        let mut crc = Crc32::new();
        crc.update(bytes.get(..at).ok_or(truncated)?);
        let stored = bytes.get(at..at + 2).ok_or(truncated)?;
        if stored != (crc.finish() as u16).to_le_bytes() {
            return Err("the gzip header CRC does not match (corrupt)");
        }
        at += 2;
    }
    if bytes.len() < at {
        return Err(truncated);
    }
    Ok(at)
}

/// CRC-32 (IEEE, reflected), with its table built per use: 1 KB of
/// stack instead of 1 KB of incompressible data in the wasm.
pub struct Crc32 {
    table: [u32; 256],
    value: u32,
}

impl Crc32 {
    pub fn new() -> Self {
        let mut table = [0u32; 256];
        for (i, slot) in (0u32..).zip(table.iter_mut()) {
            let mut c = i;
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        Crc32 { table, value: !0 }
    }

    pub fn update(&mut self, data: &[u8]) {
        let mut c = self.value;
        for &b in data {
            c = self.table[usize::from((c as u8) ^ b)] ^ (c >> 8);
        }
        self.value = c;
    }

    pub fn finish(&self) -> u32 {
        !self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mobpack::tests::support::{gzip, noise};

    #[test]
    fn crc32_check_value() {
        let mut crc = Crc32::new();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xcbf4_3926);
    }

    #[test]
    fn reads_what_it_writes_and_optional_header_fields() {
        let data = noise(300_000, 0x5eed);
        assert_eq!(gunzip(&gzip(&data, 6)).unwrap(), data);
        assert_eq!(gunzip(&gzip(b"", 6)).unwrap(), b"");
        // FEXTRA, FNAME, FCOMMENT and FHCRC, put in by hand.
        let plain = gzip(b"hello", 6);
        let mut head = vec![0x1f, 0x8b, 8, FEXTRA | FNAME | FCOMMENT | FHCRC, 0, 0, 0, 0, 0, 3];
        head.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        head.extend_from_slice(b"pack.tar\0a comment\0");
        let mut crc = Crc32::new();
        crc.update(&head);
        head.extend_from_slice(&(crc.finish() as u16).to_le_bytes());
        head.extend_from_slice(&plain[10..]);
        assert_eq!(gunzip(&head).unwrap(), b"hello");
        head[12] ^= 1;
        assert!(gunzip(&head).unwrap_err().why.contains("header CRC"));
    }

    #[test]
    fn refuses_bad_framing() {
        let good = gzip(b"some data to pack", 6);
        let why = |bytes: &[u8]| gunzip(bytes).unwrap_err().why;
        assert!(why(b"PK\x03\x04").contains("not gzip"));
        assert!(why(&[0x1f, 0x8b, 7, 0]).contains("other than deflate"));
        assert!(why(&[0x1f, 0x8b, 8, 0x20]).contains("reserved"));
        assert!(why(&good[..good.len() - 1]).contains("truncated"));
        assert!(why(&good[..good.len() - 12]).contains("truncated"));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(why(&trailing).contains("follows"));
        let mut bad_crc = good.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        assert!(why(&bad_crc).contains("CRC32"));
        let mut bad_size = good.clone();
        bad_size[n - 1] ^= 1;
        assert!(why(&bad_size).contains("ISIZE"));
        let mut bad_body = good;
        bad_body[10] = 0xff; // a reserved block type
        assert!(why(&bad_body).contains("corrupt"));
    }

    #[test]
    fn a_bomb_is_stopped_while_inflating() {
        // 40 MiB of zeros deflate to ~40 KB: a ratio of ~1000.
        let bomb = gzip(&vec![0u8; 40 * 1024 * 1024], 9);
        assert!(bomb.len() < 100_000);
        let stopped = gunzip(&bomb).unwrap_err();
        assert!(stopped.why.contains("ratio"), "{}", stopped.why);
        // Stopped at 200x the input, one step past at most: never the whole 40 MiB.
        assert!(stopped.unpacked <= 200 * bomb.len() + STEP, "{}", stopped.unpacked);
    }

    #[test]
    fn the_ratio_holds_from_the_first_byte() {
        // 900 KB of spaces in ~2 KB of gzip (ratio ~440): there is no floor
        // under which such a pack passes.
        let small = gzip(&vec![b' '; 900 * 1024], 9);
        assert!(small.len() < 5_000, "{}", small.len());
        let stopped = gunzip(&small).unwrap_err();
        assert!(stopped.why.contains("ratio is over 200"), "{}", stopped.why);
        assert!(stopped.unpacked <= 200 * small.len() + STEP);
        // Just under the limit passes: the ratio counts the whole input, header and trailer too.
        let text: Vec<u8> = b"Answer briefly and cite your sources.\n".repeat(300);
        let packed = gzip(&text, 9);
        assert!(text.len() < 200 * packed.len(), "{} / {}", text.len(), packed.len());
        assert_eq!(gunzip(&packed).unwrap(), text);
    }

    #[test]
    fn the_buffer_is_the_announced_size_and_a_false_announcement_changes_only_that() {
        let data = noise(1_100_000, 0x9e37_79b9);
        let packed = gzip(&data, 0);
        let out = gunzip(&packed).unwrap();
        assert_eq!(out, data);
        // One allocation of the size the trailer gives (and one step), not a buffer grown by doubling.
        assert!(out.capacity() <= data.len() + STEP, "{}", out.capacity());
        // The trailer is checked after inflating: a wrong size is refused, never trusted.
        let mut lying = packed;
        let n = lying.len();
        lying[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(gunzip(&lying).unwrap_err().why.contains("ISIZE"));
    }

    #[test]
    fn the_unpacked_limit_holds_for_incompressible_data() {
        // Level 0 (stored blocks): ratio ~1, so only the size limit stops it.
        let data = noise(MAX_UNPACKED + STEP * 2, 0x2545_f491);
        let stopped = gunzip(&gzip(&data, 0)).unwrap_err();
        assert!(stopped.why.contains("32 MiB"), "{}", stopped.why);
        assert!(stopped.unpacked <= MAX_UNPACKED + STEP);
        assert_eq!(gunzip(&gzip(&data[..MAX_UNPACKED], 0)).unwrap().len(), MAX_UNPACKED);
    }
}
