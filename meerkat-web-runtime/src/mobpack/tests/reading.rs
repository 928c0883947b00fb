//! Valid packs: what reading gives, the digest, the reply JSON.

use sha2::{Digest, Sha256};

use super::support::{Tar, example, example_files, example_with, gzip, minimal, tar_of};
use crate::mobpack::{hex, read, read_reply};

/// The digest computed from the documented algorithm, independently.
fn expected_digest(files: &[(&str, &[u8])]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .filter(|(p, _)| *p != "signature.toml")
        .map(|(p, d)| format!("{p}\t{:x}\n", Sha256::digest(d)))
        .collect();
    lines.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    format!("{:x}", Sha256::digest(lines.concat().as_bytes()))
}

#[test]
fn the_example_pack_reads_whole() {
    let pack = read(&example()).unwrap();
    assert_eq!(pack.manifest.name, "research-team");
    assert_eq!(pack.manifest.version, "1.0.0");
    assert_eq!(pack.manifest.description.as_deref(), Some("A lead and a worker that research a question together."));
    assert_eq!(pack.manifest.capabilities, ["mobs", "comms", "skills"]);
    let definition: serde_json::Value = serde_json::from_str(&pack.definition).unwrap();
    let source: serde_json::Value = serde_json::from_slice(example_files()[1].1).unwrap();
    assert_eq!(definition, source);
    assert_eq!(pack.skills.len(), 1);
    assert_eq!(pack.skills[0].name, "research");
    assert!(pack.skills[0].content.starts_with("---\ndescription:"));
    let defaults = pack.defaults.unwrap();
    assert_eq!(defaults.model.as_deref(), Some("claude-sonnet-4-6"));
    assert_eq!(defaults.max_tokens, Some(2048));
    assert_eq!(defaults.anthropic_base_url.as_deref(), Some("http://localhost:3100/anthropic"));
    assert_eq!(pack.signature, None);
    assert_eq!(hex(&pack.digest), expected_digest(&example_files()));
}

#[test]
fn the_digest_has_a_fixed_vector_and_byte_order() {
    // Computed with Python's hashlib from the documented algorithm.
    let pack = read(&minimal(&[])).unwrap();
    assert_eq!(hex(&pack.digest), "ae2d4ee7a471c8b8b928fba308d5faaf3ee84d7d2ab7b63c6ec54d80ad3e2e30");
    // Path bytes order: "B" (0x42) sorts before "a" (0x61); the archive order does not count.
    let extra: [(&str, &[u8]); 2] = [("skills/a.md", b"# a\nA."), ("skills/B.md", b"# B\nB.")];
    let mut files: Vec<(&str, &[u8])> = vec![
        ("manifest.toml", b"[mobpack]\nname = \"m\"\nversion = \"1\"\n"),
        ("definition.json", b"{\"id\":\"m\",\"profiles\":{}}"),
    ];
    files.extend_from_slice(&extra);
    let forward = read(&tar_of(&files).pack()).unwrap();
    files.reverse();
    let backward = read(&tar_of(&files).pack()).unwrap();
    assert_eq!(forward.digest, backward.digest);
    assert_eq!(hex(&forward.digest), expected_digest(&files));
    assert_eq!(forward.skills.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["B", "a"]);
    // A changed byte anywhere changes it.
    files[0].1 = b"# B\nC.";
    assert_ne!(read(&tar_of(&files).pack()).unwrap().digest, forward.digest);
}

const SIGNATURE: &[u8] = b"signer_id = \"acme\"\npublic_key = \"D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A\"\n\
signature = \"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b\"\n";

#[test]
fn the_signature_is_read_and_left_out_of_the_digest() {
    let unsigned = read(&example()).unwrap();
    let signed = read(&example_with("signature.toml", Some(SIGNATURE))).unwrap();
    assert_eq!(signed.digest, unsigned.digest);
    let sig = signed.signature.unwrap();
    assert_eq!(sig.signer_id, "acme");
    assert_eq!(sig.public_key, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_eq!(sig.signature.len(), 128);
}

#[test]
fn paths_are_normalised_and_long_paths_are_read() {
    let files = example_files();
    let mut dotted = Tar::new();
    for (path, data) in &files {
        dotted.file(&format!("./{path}"), data);
    }
    assert_eq!(read(&dotted.pack()).unwrap().digest, read(&example()).unwrap().digest);
    // A skill name long enough for ustar's prefix field, and one for a pax path.
    let long = format!("skills/{}.md", "n".repeat(97));
    let mut tar = tar_of(&files);
    tar.file(&long, b"# long\nText.");
    tar.pax(&[("mtime", "1.5"), ("path", &format!("skills/{}.md", "p".repeat(200)))])
        .file("ignored-name", b"# pax\nText.");
    let pack = read(&tar.pack()).unwrap();
    let names: Vec<usize> = pack.skills.iter().map(|s| s.name.len()).collect();
    assert_eq!(names, [97, 200, 8]);
}

#[test]
fn gnu_headers_and_crlf_toml_are_read() {
    let mut tar = Tar::new();
    for (path, data) in [
        ("manifest.toml", &b"[mobpack]\r\nname = \"m\"\r\nversion = \"1\"\r\n"[..]),
        ("definition.json", b"{\"id\":\"m\",\"profiles\":{}}"),
    ] {
        let mut h = super::support::header(path, b'0', data.len(), "");
        h[257..265].copy_from_slice(b"ustar  \0");
        super::support::seal(&mut h);
        tar.raw(h, data);
    }
    assert_eq!(read(&tar.pack()).unwrap().manifest.name, "m");
}

#[test]
fn the_reply_is_json_of_the_documented_shape() {
    let reply: serde_json::Value = serde_json::from_str(&read_reply(&example())).unwrap();
    let ok = &reply["ok"];
    assert_eq!(ok["manifest"]["name"], "research-team");
    assert_eq!(ok["manifest"]["capabilities"], serde_json::json!(["mobs", "comms", "skills"]));
    assert_eq!(ok["definition"]["id"], "research-team");
    assert_eq!(ok["skills"][0]["name"], "research");
    assert_eq!(
        ok["defaults"],
        serde_json::json!({"model":"claude-sonnet-4-6","maxTokens":2048,"anthropicBaseUrl":"http://localhost:3100/anthropic"})
    );
    assert_eq!(ok["digest"].as_str().unwrap().len(), 64);
    assert_eq!(ok["signature"], serde_json::Value::Null);
    let minimal: serde_json::Value = serde_json::from_str(&read_reply(&minimal(&[]))).unwrap();
    assert_eq!(minimal["ok"]["manifest"], serde_json::json!({"name":"m","version":"1","capabilities":[]}));
    assert_eq!(minimal["ok"]["defaults"], serde_json::Value::Null);
    let signed: serde_json::Value =
        serde_json::from_str(&read_reply(&example_with("signature.toml", Some(SIGNATURE)))).unwrap();
    assert_eq!(signed["ok"]["signature"]["signerId"], "acme");
    let error: serde_json::Value = serde_json::from_str(&read_reply(&gzip(b"not a tar", 6))).unwrap();
    assert_eq!(error["error"]["code"], "INVALID_MOBPACK");
}

/// The ratio limit has no floor (`gzip::MAX_RATIO`): the packs tools
/// really write stay well under it, GNU tar's zero-padded records included.
#[test]
fn real_packs_pass_the_ratio_limit() {
    // As GNU tar writes them: padded with zeros to a 10 KiB record, at the
    // best compression (the padding costs the least bytes then).
    let gnu = |files: &[(&str, &[u8])]| {
        let mut tar = tar_of(files).finish();
        tar.resize(tar.len().div_ceil(10 * 1024) * 10 * 1024, 0);
        gzip(&tar, 9)
    };
    assert_eq!(read(&gnu(&example_files())).unwrap().manifest.name, "research-team");
    let tiny: [(&str, &[u8]); 2] = [
        ("manifest.toml", b"[mobpack]\nname = \"m\"\nversion = \"1\"\n"),
        ("definition.json", b"{\"id\":\"m\",\"profiles\":{\"a\":{}}}"),
    ];
    assert_eq!(read(&gnu(&tiny)).unwrap().manifest.name, "m");
    // A skill of 900 KB of spaces in a pack of a few KB is not one.
    let spaces = vec![b' '; 900 * 1024];
    let mut files = example_files();
    files.push(("skills/blank.md", &spaces));
    let packed = tar_of(&files).pack();
    assert!(packed.len() < 5_000);
    let e = read(&packed).unwrap_err();
    assert!(e.message.contains("compression ratio is over 200"), "{}", e.message);
}
