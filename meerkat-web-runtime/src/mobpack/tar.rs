//! A ustar reader, by hand (the `tar` crate costs the wasm +11 KB gzip):
//! 512-byte headers with verified checksums, `prefix` + `name` paths, pax
//! `x` headers for long paths, and the two zero blocks that end an archive.
//! Only regular files and directories are accepted; every other entry
//! type, and every path that could land outside the pack, is refused
//! naming the entry.

use crate::error::CoreResult;

use super::{refuse, refuse_entry};

/// An entry over this size is refused (checked from its header, before
/// its data is looked at).
pub const MAX_ENTRY: u64 = 8 * 1024 * 1024;
/// More entries than this are refused.
pub const MAX_ENTRIES: usize = 1000;

const BLOCK: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// An entry: its normalised path (no leading `./`, no trailing `/`) and data.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub path: String,
    pub kind: Kind,
    pub data: &'a [u8],
}

/// Every entry of `archive`, sorted by path bytes. The archive's root
/// directory (`./`) is left out.
pub fn entries(archive: &[u8]) -> CoreResult<Vec<Entry<'_>>> {
    let mut out: Vec<Entry<'_>> = Vec::new();
    let mut at = 0;
    let mut pax_path: Option<String> = None;
    let mut count = 0;
    loop {
        let header = archive
            .get(at..at + BLOCK)
            .ok_or_else(|| refuse("the tar archive is truncated (no end-of-archive blocks)"))?;
        if header.iter().all(|&b| b == 0) {
            let second = archive.get(at + BLOCK..at + 2 * BLOCK);
            if !second.is_some_and(|b| b.iter().all(|&b| b == 0)) {
                return Err(refuse("the tar archive is truncated (it ends with one zero block, not two)"));
            }
            if pax_path.is_some() {
                return Err(refuse("the tar archive ends after a pax header, without its entry"));
            }
            if !archive.get(at + 2 * BLOCK..).unwrap_or_default().iter().all(|&b| b == 0) {
                return Err(refuse("data follows the tar end-of-archive blocks"));
            }
            break;
        }
        check_sum(header, at)?;
        let ustar = match header.get(257..265) {
            Some(b"ustar\x0000") => true,
            Some(b"ustar  \x00") => false, // GNU: no prefix field
            _ => return Err(refuse(&format!("the tar header at byte {at} is not a ustar header"))),
        };
        let mut path = field(header, 0, 100).to_vec();
        let prefix = if ustar { field(header, 345, 155) } else { &[] };
        if !prefix.is_empty() {
            let mut joined = prefix.to_vec();
            joined.push(b'/');
            joined.extend_from_slice(&path);
            path = joined;
        }
        let typeflag = header.get(156).copied().unwrap_or_default();
        let path = match (pax_path.take(), typeflag) {
            (Some(p), t) if t != b'x' => p,
            (_, _) => String::from_utf8(path)
                .map_err(|e| refuse_entry(&crate::text::lossy(e.as_bytes()), "has a path that is not UTF-8"))?,
        };
        let size = size(header, &path)?;
        let start = at + BLOCK;
        let data = archive
            .get(start..start + size)
            .ok_or_else(|| refuse_entry(&path, "is truncated (the archive ends inside its data)"))?;
        at = start + size.div_ceil(BLOCK) * BLOCK;
        let kind = match typeflag {
            b'x' => {
                pax_path = pax(data, &path)?;
                continue;
            }
            b'0' | 0 | b'7' => Kind::File,
            b'5' => Kind::Dir,
            other => return Err(refuse_entry(&path, &refused_type(other))),
        };
        count += 1;
        if count > MAX_ENTRIES {
            return Err(refuse(&format!("the archive has more than {MAX_ENTRIES} entries")));
        }
        let Some(path) = normalise(&path, kind)? else { continue };
        // Kept sorted by path bytes (what the digest needs), which finds
        // duplicates on the way: `a` and `./a` are the same entry.
        match out.binary_search_by(|e| e.path.as_str().cmp(&path)) {
            Ok(_) => return Err(refuse_entry(&path, "appears twice in the archive")),
            Err(at) => out.insert(at, Entry { path, kind, data }),
        }
    }
    Ok(out)
}

/// Why an entry type is refused.
fn refused_type(flag: u8) -> String {
    let what = match flag {
        b'1' => "is a hard link",
        b'2' => "is a symbolic link",
        b'3' => "is a character device",
        b'4' => "is a block device",
        b'6' => "is a FIFO",
        b'L' | b'K' => "is a GNU long-name record",
        b'g' => "is a global pax header",
        _ => "has an unsupported entry type",
    };
    format!(
        "{what} (tar type {}); a mobpack holds only regular files and directories",
        char::from(flag).escape_default()
    )
}

/// The bytes of a NUL-terminated header field.
fn field(header: &[u8], start: usize, len: usize) -> &[u8] {
    let raw = header.get(start..start + len).unwrap_or_default();
    raw.iter().position(|&b| b == 0).and_then(|end| raw.get(..end)).unwrap_or(raw)
}

/// An octal number field (leading spaces, digits, then NUL or spaces).
fn octal(raw: &[u8]) -> Option<u64> {
    let text = raw.iter().skip_while(|&&b| b == b' ');
    let mut value: u64 = 0;
    let mut digits = 0;
    let mut ended = false;
    for &b in text {
        match b {
            b'0'..=b'7' if !ended => {
                value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
                digits += 1;
            }
            0 | b' ' => ended = true,
            _ => return None,
        }
    }
    (digits > 0 || raw.iter().all(|&b| b == 0)).then_some(value)
}

/// The header checksum: the byte sum with the checksum field read as spaces.
fn check_sum(header: &[u8], at: usize) -> CoreResult<()> {
    let stored = octal(header.get(148..156).unwrap_or_default());
    let sum: u32 =
        header.iter().enumerate().map(|(i, &b)| u32::from(if (148..156).contains(&i) { b' ' } else { b })).sum();
    if stored != Some(u64::from(sum)) {
        return Err(refuse(&format!("the tar header at byte {at} has a bad checksum (corrupt archive)")));
    }
    Ok(())
}

/// The entry's size: octal, or GNU base-256 for large values.
fn size(header: &[u8], path: &str) -> CoreResult<usize> {
    let raw = header.get(124..136).unwrap_or_default();
    let value = match raw.first() {
        Some(&first) if first & 0x80 != 0 => {
            if first & 0x40 != 0 {
                return Err(refuse_entry(path, "has a negative size"));
            }
            let mut v: u64 = u64::from(first & 0x3f);
            for &b in raw.get(1..).unwrap_or_default() {
                v = v.checked_mul(256).and_then(|v| v.checked_add(u64::from(b))).unwrap_or(u64::MAX);
            }
            v
        }
        _ => octal(raw).ok_or_else(|| refuse_entry(path, "has a malformed size field"))?,
    };
    if value > MAX_ENTRY {
        return Err(refuse_entry(path, &format!("is over 8 MiB ({value} bytes)")));
    }
    usize::try_from(value).map_err(|_| refuse_entry(path, "is over 8 MiB"))
}

/// A pax extended header's records (`"<len> <key>=<value>\n"`): only
/// `path` is used, everything else is ignored.
fn pax(data: &[u8], name: &str) -> CoreResult<Option<String>> {
    let bad = || refuse_entry(name, "is a malformed pax header");
    let mut path = None;
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let digits = rest.get(..space).unwrap_or_default();
        let len = digits.iter().try_fold(0usize, |n, &b| {
            n.checked_mul(10)?.checked_add(usize::from(b.checked_sub(b'0').filter(|d| *d < 10)?))
        });
        let len = len.filter(|_| !digits.is_empty()).ok_or_else(bad)?;
        let record = rest.get(space + 1..len).filter(|r| r.last() == Some(&b'\n')).ok_or_else(bad)?;
        let record = record.get(..record.len() - 1).unwrap_or_default();
        let eq = record.iter().position(|&b| b == b'=').ok_or_else(bad)?;
        if record.get(..eq) == Some(b"path") {
            let value = record.get(eq + 1..).unwrap_or_default();
            let value = String::from_utf8(value.to_vec()).map_err(|_| bad())?;
            path = (!value.is_empty()).then_some(value);
        }
        rest = rest.get(len..).unwrap_or_default();
    }
    Ok(path)
}

/// The path without leading `./` (and a directory's trailing `/`), or
/// `None` for the archive's root directory; unsafe paths are refused.
pub fn normalise(raw: &str, kind: Kind) -> CoreResult<Option<String>> {
    let mut path = raw;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    if kind == Kind::Dir {
        path = path.strip_suffix('/').unwrap_or(path);
        if path.is_empty() || path == "." {
            return Ok(None);
        }
    }
    let why = if path.is_empty() {
        "has an empty path"
    } else if path.starts_with('/') {
        "has an absolute path"
    } else if path.bytes().any(|b| b == b'\\') {
        "has a backslash in its path"
    } else if path.split('/').any(|s| s == "..") {
        "has a .. segment in its path"
    } else if path.split('/').any(|s| s.is_empty() || s == ".") {
        "has an empty or . segment in its path"
    } else if path.bytes().any(|b| b < 0x20 || b == 0x7f) {
        "has a control character in its path"
    } else {
        return Ok(Some(path.to_string()));
    };
    Err(refuse_entry(raw, why))
}
