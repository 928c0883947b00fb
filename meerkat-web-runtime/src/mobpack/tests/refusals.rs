//! Every refusal, each with a crafted archive, each naming what it refuses.

use super::support::{Tar, example_files, example_with, gzip, header, minimal, noise, seal, tar_of};
use super::{invalid, refused};

/// The example pack plus one more entry written by `add`.
fn with_entry(add: impl FnOnce(&mut Tar) -> &mut Tar) -> Vec<u8> {
    let mut tar = tar_of(&example_files());
    add(&mut tar);
    tar.pack()
}

#[test]
fn unsafe_paths() {
    for (path, why) in [
        ("/etc/passwd", "absolute path"),
        ("/manifest.toml", "absolute path"),
        ("../manifest.toml", ".. segment"),
        ("skills/../../evil.md", ".. segment"),
        ("skills\\evil.md", "backslash"),
        ("skills//x.md", "empty or . segment"),
        ("skills/./x.md", "empty or . segment"),
        ("skills/x\u{1}.md", "control character"),
    ] {
        invalid(&with_entry(|t| t.file(path, b"x")), &[why, &crate::json::quote(path)]);
    }
    invalid(&with_entry(|t| t.file("./", b"x")), &["empty path"]);
    invalid(
        &with_entry(|t| t.pax(&[("path", "../../etc/cron.d/x")]).file("skills/ok.md", b"x")),
        &["\"../../etc/cron.d/x\"", ".. segment"],
    );
}

#[test]
fn links_devices_and_other_entry_types() {
    for (flag, why) in [
        (b'2', "symbolic link"),
        (b'1', "hard link"),
        (b'3', "character device"),
        (b'4', "block device"),
        (b'6', "FIFO"),
        (b'L', "GNU long-name"),
        (b'K', "GNU long-name"),
        (b'g', "global pax header"),
        (b'S', "unsupported entry type"),
    ] {
        let pack = with_entry(|t| t.entry("skills/linked.md", flag, b"", "/etc/passwd"));
        invalid(&pack, &["\"skills/linked.md\"", why, "only regular files and directories"]);
    }
    // The symlink case a real attacker writes: a link, then a file through it.
    let pack = with_entry(|t| t.entry("skills/up", b'2', b"", "../..").file("skills/up/x.md", b"x"));
    invalid(&pack, &["\"skills/up\"", "symbolic link"]);
}

#[test]
fn duplicates() {
    invalid(
        &with_entry(|t| t.file("manifest.toml", b"[mobpack]\nname=\"x\"\nversion=\"2\"")),
        &["\"manifest.toml\"", "twice"],
    );
    invalid(&with_entry(|t| t.file("./skills/research.md", b"# again")), &["\"skills/research.md\"", "twice"]);
    invalid(&with_entry(|t| t.dir("skills/")), &["\"skills\"", "twice"]);
}

#[test]
fn too_many_entries() {
    let mut tar = tar_of(&example_files());
    for i in 0..1000 {
        tar.file(&format!("skills/s{i}.md"), b"x");
    }
    invalid(&tar.pack(), &["more than 1000 entries"]);
    let mut ok = Tar::new();
    ok.file("manifest.toml", b"[mobpack]\nname=\"m\"\nversion=\"1\"").file("definition.json", b"{}");
    for i in 0..998 {
        ok.file(&format!("skills/s{i}.md"), b"x");
    }
    assert_eq!(crate::mobpack::read(&ok.pack()).unwrap().skills.len(), 998);
}

#[test]
fn skills_over_the_registry_limit_are_refused_by_the_reader() {
    let max = crate::skills::MAX_SKILL_BYTES;
    let mut body = vec![b'x'; max];
    body[..2].copy_from_slice(b"# ");
    let mut tar = tar_of(&example_files());
    tar.file("skills/big.md", &body);
    assert!(crate::mobpack::read(&tar.pack()).is_ok());
    body.push(b'x');
    let mut tar = tar_of(&example_files());
    tar.file("skills/big.md", &body);
    invalid(&tar.pack(), &["\"skills/big.md\"", "larger than 256 KiB"]);
}

#[test]
fn entries_over_8_mib() {
    // Announced by the header (no data needed: refused before reading it).
    let mut tar = tar_of(&example_files());
    tar.raw(header("skills/big.md", b'0', 8 * 1024 * 1024 + 1, ""), b"");
    invalid(&tar.pack(), &["\"skills/big.md\"", "over 8 MiB"]);
    // GNU base-256 size, huge.
    let mut h = header("skills/huge.md", b'0', 0, "");
    h[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    seal(&mut h);
    let mut tar = tar_of(&example_files());
    tar.raw(h, b"");
    invalid(&tar.pack(), &["\"skills/huge.md\"", "over 8 MiB"]);
    h[124] = 0xff; // negative
    seal(&mut h);
    let mut tar = tar_of(&example_files());
    tar.raw(h, b"");
    invalid(&tar.pack(), &["negative size"]);
    // Real data, incompressible so that only the entry limit applies.
    let big = noise(9 * 1024 * 1024, 7);
    let mut tar = tar_of(&example_files());
    tar.file("skills/real.md", &big);
    invalid(&gzip(&tar.finish(), 0), &["\"skills/real.md\"", "over 8 MiB"]);
}

#[test]
fn bombs_and_oversized_archives_stop_while_inflating() {
    let mut tar = tar_of(&example_files());
    tar.raw(header("skills/zeros.md", b'0', 40 * 1024 * 1024, ""), &vec![0u8; 40 * 1024 * 1024]);
    invalid(&gzip(&tar.finish(), 9), &["compression ratio is over 200"]);
    // Five incompressible 7 MiB skills: 35 MiB unpacked, each entry allowed.
    let mut tar = tar_of(&example_files());
    for i in 0..5 {
        tar.file(&format!("skills/n{i}.md"), &noise(7 * 1024 * 1024, i + 1));
    }
    invalid(&gzip(&tar.finish(), 0), &["more than 32 MiB"]);
}

#[test]
fn missing_and_malformed_parts() {
    invalid(&example_with("manifest.toml", None), &["manifest.toml is missing"]);
    invalid(&example_with("definition.json", None), &["definition.json is missing"]);
    for (manifest, parts) in [
        (&b"name = \"x\""[..], &["manifest.toml", "before any table"][..]),
        (b"[other]\n", &["manifest.toml", "line 1: unknown table [other]"]),
        (b"[requires]\ncapabilities = []\n", &["needs a [mobpack] table"]),
        (b"[mobpack]\nversion = \"1\"\n", &["[mobpack] needs name"]),
        (b"[mobpack]\nname = \"x\"\n", &["[mobpack] needs version"]),
        (b"[mobpack]\nname = 1\nversion = \"1\"\n", &["[mobpack].name must be a non-empty string, got an integer"]),
        (b"[mobpack]\nname = \"\"\nversion = \"1\"\n", &["non-empty string"]),
        (
            b"[mobpack]\nname = \"x\"\nversion = \" \\t\"\n",
            &["[mobpack].version must be a non-empty string, got a blank one"],
        ),
        (b"[mobpack]\nname = \"x\"\nversion = \"1\"\nauthor = \"me\"\n", &["unknown key \"author\""]),
        (
            b"[mobpack]\nname = \"x\"\nversion = \"1\"\n[requires]\ncapabilities = \"mobs\"\n",
            &["capabilities must be an array of strings"],
        ),
        (b"[mobpack]\nname = \"x\"\nversion = \"1\"\n[requires]\ncapabilities = [1]\n", &["array of strings"]),
        (b"[mobpack]\nname = \"x\"\nversion = 1.0\n", &["manifest.toml line 3", "floats"]),
        (b"[mobpack]\nname = \"\xff\"\n", &["manifest.toml is not UTF-8"]),
    ] {
        invalid(&example_with("manifest.toml", Some(manifest)), parts);
    }
    for (definition, parts) in [
        (&b"{\"id\": "[..], &["definition.json is not valid JSON"][..]),
        (b"[1, 2]", &["definition.json must be a JSON object", "got an array"]),
        (b"\"text\"", &["got a string"]),
        (b"{\"id\":\"\xff\"}", &["definition.json is not UTF-8"]),
    ] {
        invalid(&example_with("definition.json", Some(definition)), parts);
    }
    invalid(&minimal(&[("skills/bin.md", b"\xff\xfe")]), &["\"skills/bin.md\"", "not UTF-8"]);
}

#[test]
fn unknown_files() {
    for path in [
        "README.md",
        "definitions.json",
        "skills/x.txt",
        "skills/sub/x.md",
        "skills/.md",
        "config/other.toml",
        "x/manifest.toml",
    ] {
        invalid(&with_entry(|t| t.file(path, b"x")), &[&crate::json::quote(path), "is not part of a mobpack"]);
    }
    invalid(&with_entry(|t| t.dir("other/")), &["\"other\"", "is not part of a mobpack"]);
    invalid(&minimal(&[("config", b"x")]), &["\"config\"", "is not part of a mobpack"]);
}

#[test]
fn defaults_never_carry_keys() {
    for key in ["anthropicApiKey", "api_key", "apiKey", "openai_api_key", "secret", "accessToken", "privateKey"] {
        let text: &'static [u8] = format!("model = \"m\"\n{key} = \"sk-123\"\n").into_bytes().leak();
        invalid(
            &example_with("config/defaults.toml", Some(text)),
            &["config/defaults.toml", key, "never carries keys"],
        );
    }
    for (text, parts) in [
        (&b"temperature = 1\n"[..], &["unknown key \"temperature\""][..]),
        (b"maxTokens = 0\n", &["maxTokens must be between 1 and"]),
        (b"max_tokens = \"10\"\n", &["max_tokens must be an integer, got a string"]),
        (b"maxTokens = 1\nmax_tokens = 2\n", &["both maxTokens and max_tokens"]),
        (b"anthropicBaseUrl = \"localhost:3100\"\n", &["anthropicBaseUrl must be an http:// or https:// URL"]),
        (b"[defaults]\nmodel = \"m\"\n", &["unknown table [defaults]"]),
        // What the runtime config refuses is refused here, as the pack's fault.
        (b"anthropicBaseUrl = \"http://\"\n", &["anthropicBaseUrl must be an absolute http(s) URL"]),
        (b"gemini_base_url = \"https://a b\"\n", &["gemini_base_url must be an absolute http(s) URL"]),
        (b"model = \"claude sonnet\"\n", &["model must be a non-empty name without spaces"]),
    ] {
        invalid(&example_with("config/defaults.toml", Some(text)), parts);
    }
    let snake = crate::mobpack::read(&example_with(
        "config/defaults.toml",
        Some(b"max_tokens = 10\nopenai_base_url = \"https://o.example\"\ngemini_base_url = \"https://g.example\"\n"),
    ))
    .unwrap()
    .defaults
    .unwrap();
    assert_eq!((snake.max_tokens, snake.openai_base_url.as_deref()), (Some(10), Some("https://o.example")));
    assert_eq!(snake.gemini_base_url.as_deref(), Some("https://g.example"));
}

#[test]
fn malformed_signatures() {
    let key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let sig = "ab".repeat(64);
    for (text, why) in [
        (format!("public_key = \"{key}\"\nsignature = \"{sig}\"\n"), "needs signer_id"),
        (
            format!("signer_id = \"a\"\npublic_key = \"{}\"\nsignature = \"{sig}\"\n", &key[2..]),
            "public_key must be 64 hex",
        ),
        (
            format!("signer_id = \"a\"\npublic_key = \"{key}\"\nsignature = \"{}\"\n", "zz".repeat(64)),
            "signature must be 128 hex",
        ),
        (
            format!("signer_id = \"a\"\npublic_key = \"{key}\"\nsignature = \"{sig}\"\nalgo = \"x\"\n"),
            "unknown key \"algo\"",
        ),
        ("signer_id = \"a\"\n[signature]\n".to_string(), "unknown table [signature]"),
    ] {
        invalid(&example_with("signature.toml", Some(text.into_bytes().leak())), &["signature.toml", why]);
    }
}

#[test]
fn capabilities_the_browser_lacks() {
    for cap in ["shell", "filesystem", "mcp_stdio", "process_spawn"] {
        let manifest =
            format!("[mobpack]\nname = \"m\"\nversion = \"1\"\n[requires]\ncapabilities = [\"mobs\", \"{cap}\"]\n");
        let error =
            refused(&example_with("manifest.toml", Some(manifest.into_bytes().leak())), "CAPABILITY_UNAVAILABLE");
        assert!(
            error.message.contains(&format!("\"{cap}\", which the browser runtime cannot provide")),
            "{}",
            error.message
        );
        assert_eq!(error.details.as_deref(), Some(format!("{{\"capabilityId\":\"{cap}\"}}").as_str()));
    }
    let unknown = b"[mobpack]\nname = \"m\"\nversion = \"1\"\n[requires]\ncapabilities = [\"teleport\"]\n";
    let error = refused(&example_with("manifest.toml", Some(unknown)), "CAPABILITY_UNAVAILABLE");
    assert!(error.message.contains("does not know; it knows: sessions,"), "{}", error.message);
    // A malformed pack is reported as such first.
    let both = b"[mobpack]\nname = \"m\"\nversion = \"1\"\n[requires]\ncapabilities = [\"shell\"]\n";
    let mut tar = tar_of(&[("manifest.toml", &both[..]), ("definition.json", b"[]")]);
    invalid(&tar.pack(), &["definition.json must be a JSON object"]);
    tar.file("notes.txt", b"");
    invalid(&tar.pack(), &["\"notes.txt\""]);
}

#[test]
fn broken_tar_framing() {
    let files = example_files();
    let good = tar_of(&files).finish();
    let mut bad_sum = good.clone();
    bad_sum[0] ^= 1; // the root entry's name, under its checksum
    invalid(&gzip(&bad_sum, 6), &["header at byte 0 has a bad checksum"]);
    let mut h = header("manifest.toml", b'0', 0, "");
    h[257..265].copy_from_slice(b"notustar");
    seal(&mut h);
    invalid(&Tar::new().raw(h, b"").pack(), &["not a ustar header"]);
    invalid(&gzip(&good[..good.len() - 512], 6), &["one zero block, not two"]);
    invalid(&gzip(&good[..good.len() - 1024], 6), &["truncated (no end-of-archive blocks)"]);
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[0, 0, 1]);
    invalid(&gzip(&trailing, 6), &["data follows the tar end-of-archive"]);
    let mut cut = Tar::new();
    cut.raw(header("manifest.toml", b'0', 2000, ""), b"short");
    let mut cut = cut.finish();
    cut.truncate(512 + 1000);
    invalid(&gzip(&cut, 6), &["\"manifest.toml\"", "truncated"]);
    let mut size = header("manifest.toml", b'0', 0, "");
    size[124..136].copy_from_slice(b"12x\0\0\0\0\0\0\0\0\0");
    seal(&mut size);
    invalid(&Tar::new().raw(size, b"").pack(), &["malformed size field"]);
    let pax_bad = with_entry(|t| t.entry("./PaxHeaders/x", b'x', b"99 path=x\n", "").file("skills/y.md", b"y"));
    invalid(&pax_bad, &["malformed pax header"]);
    let mut pax_last = tar_of(&files);
    pax_last.pax(&[("path", "skills/z.md")]);
    invalid(&pax_last.pack(), &["ends after a pax header"]);
    invalid(&gzip(b"", 6), &["truncated"]);
    invalid(b"", &["not gzip data"]);
}
