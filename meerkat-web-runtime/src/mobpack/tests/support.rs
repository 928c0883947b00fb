//! Writing archives in tests: gzip (miniz_oxide's deflate, a dev-only path
//! that LTO drops from the wasm) and a small ustar writer that can also
//! write what a hostile archive would.

/// A gzip member of `data`: minimal header, raw deflate, CRC32 and ISIZE.
pub fn gzip(data: &[u8], level: u8) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, level));
    let mut crc = super::super::gzip::Crc32::new();
    crc.update(data);
    out.extend(crc.finish().to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// A ustar archive, entry by entry.
#[derive(Default)]
pub struct Tar {
    out: Vec<u8>,
}

/// One 512-byte ustar header, checksummed; `path` over 100 bytes is split
/// into `prefix` and `name`.
pub fn header(path: &str, typeflag: u8, size: usize, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    let (prefix, name) = match path.len() {
        0..=100 => ("", path),
        _ => {
            let cut = path[..path.len().min(156)].rfind('/').expect("a path over 100 bytes needs a '/' to split at");
            (&path[..cut], &path[cut + 1..])
        }
    };
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = typeflag;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..265].copy_from_slice(b"ustar\x0000");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    seal(&mut h);
    h
}

/// Write the checksum of a header whose other fields are set.
pub fn seal(h: &mut [u8; 512]) {
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

impl Tar {
    pub fn new() -> Tar {
        Tar::default()
    }

    /// A raw header (see [`header`]) and `data`, padded to a block.
    pub fn raw(&mut self, header: [u8; 512], data: &[u8]) -> &mut Tar {
        self.out.extend_from_slice(&header);
        self.out.extend_from_slice(data);
        self.out.resize(self.out.len().div_ceil(512) * 512, 0);
        self
    }

    pub fn entry(&mut self, path: &str, typeflag: u8, data: &[u8], link: &str) -> &mut Tar {
        self.raw(header(path, typeflag, data.len(), link), data)
    }

    pub fn file(&mut self, path: &str, data: &[u8]) -> &mut Tar {
        self.entry(path, b'0', data, "")
    }

    pub fn dir(&mut self, path: &str) -> &mut Tar {
        self.entry(path, b'5', b"", "")
    }

    /// A pax `x` header with these records, for the next entry.
    pub fn pax(&mut self, records: &[(&str, &str)]) -> &mut Tar {
        let mut body = String::new();
        for (k, v) in records {
            let rest = format!(" {k}={v}\n");
            let mut len = rest.len() + 1;
            while len.to_string().len() + rest.len() != len {
                len += 1;
            }
            body.push_str(&format!("{len}{rest}"));
        }
        self.entry("./PaxHeaders/entry", b'x', body.as_bytes(), "")
    }

    /// The archive with its two end blocks.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = self.out.clone();
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    /// Finished and gzipped.
    pub fn pack(&self) -> Vec<u8> {
        gzip(&self.finish(), 6)
    }
}

/// The example pack's source files (`examples/packs/research-team/`).
pub fn example_files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("manifest.toml", include_bytes!("../../../../examples/packs/research-team/manifest.toml")),
        ("definition.json", include_bytes!("../../../../examples/packs/research-team/definition.json")),
        ("skills/research.md", include_bytes!("../../../../examples/packs/research-team/skills/research.md")),
        ("config/defaults.toml", include_bytes!("../../../../examples/packs/research-team/config/defaults.toml")),
    ]
}

/// A tar of `files` (with the `skills/` and `config/` directories).
pub fn tar_of(files: &[(&str, &[u8])]) -> Tar {
    let mut tar = Tar::new();
    tar.dir("./");
    for dir in ["config/", "skills/"] {
        if files.iter().any(|(p, _)| p.starts_with(dir)) {
            tar.dir(dir);
        }
    }
    for (path, data) in files {
        tar.file(path, data);
    }
    tar
}

/// The example pack, packed.
pub fn example() -> Vec<u8> {
    tar_of(&example_files()).pack()
}

/// The example pack with `path` replaced (or added) or, with `None`, removed.
pub fn example_with(path: &'static str, data: Option<&'static [u8]>) -> Vec<u8> {
    let mut files: Vec<_> = example_files().into_iter().filter(|(p, _)| *p != path).collect();
    if let Some(data) = data {
        files.push((path, data));
    }
    tar_of(&files).pack()
}

/// A minimal valid manifest and definition, plus `extra`.
pub fn minimal(extra: &[(&'static str, &'static [u8])]) -> Vec<u8> {
    let mut files: Vec<(&str, &[u8])> = vec![
        ("manifest.toml", b"[mobpack]\nname = \"m\"\nversion = \"1\"\n"),
        ("definition.json", b"{\"id\":\"m\",\"profiles\":{}}"),
    ];
    files.extend_from_slice(extra);
    tar_of(&files).pack()
}

/// Deterministic pseudo-random bytes (xorshift32).
pub fn noise(len: usize, mut x: u32) -> Vec<u8> {
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}
