//! The fuzz targets' entry points on stable Rust, for machines without nightly: image files,
//! frame geometry, HTTP responses, response verification and key-set updates never panic and always give a
//! typed result. The checks are the fuzz harnesses themselves (`fuzz/harness/*.rs`), fed by
//! proptest strategies here and by the committed seed corpus.

#[path = "../../../fuzz/harness/frame.rs"]
mod frame_harness;
#[path = "../../../fuzz/harness/http_response.rs"]
mod http_response_harness;
#[path = "../../../fuzz/harness/image.rs"]
mod image_harness;
#[path = "../../../fuzz/harness/keyset.rs"]
mod keyset_harness;
#[path = "../../../fuzz/harness/response.rs"]
mod response_harness;

use proptest::prelude::*;
use std::path::PathBuf;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every seed runs clean, and the seeds reach as deep as their names say: the code images
/// decode, refused frames are refused, genuine signatures verify and forged ones do not.
#[test]
fn the_committed_seed_corpus_runs_clean_and_reaches_deep() {
    for (name, bytes) in seeds("image") {
        let codes = image_harness::run(&bytes);
        let readable = name.starts_with("qr") && !name.contains("truncated");
        assert!(!readable || codes >= 1, "image/{name}: {codes} codes");
    }
    for (name, bytes) in seeds("frame") {
        let found = frame_harness::run(&bytes);
        if name.contains("-qr") {
            assert!(found.is_some_and(|n| n >= 1), "frame/{name}: {found:?}");
        }
        let refused = [
            "short-by-one",
            "stride-too-small",
            "bad-rotation",
            "crop-outside",
            "huge-declared",
        ];
        if refused.contains(&name.as_str()) {
            assert_eq!(found, None, "frame/{name}");
        }
    }
    for (name, bytes) in seeds("response") {
        let verified = response_harness::run(&bytes);
        let genuine = ["signed-ok", "signed-error-401", "request-signed"];
        assert_eq!(
            verified,
            genuine.contains(&name.as_str()),
            "response/{name}"
        );
    }
    let held = |name: &str| {
        keyset_harness::run(
            &seeds("keyset")
                .into_iter()
                .find(|(n, _)| n == name)
                .unwrap()
                .1,
        )
    };
    assert_eq!(held("install"), Some(1));
    assert_eq!(held("rotate-then-rollback"), Some(2));
    assert_eq!(held("unpinned-and-forged"), Some(1));
    assert_eq!(held("wire-json"), None);
    for (_, bytes) in seeds("keyset") {
        keyset_harness::run(&bytes);
    }
    // Seeds named `ok-<status>` are answers the reader takes; the others it refuses.
    for (name, bytes) in seeds("http_response") {
        let status = http_response_harness::run(&bytes);
        let expected = name.strip_prefix("ok-").and_then(|s| s[..3].parse().ok());
        assert_eq!(status, expected, "http_response/{name}");
    }
}

/// A seed with a few bytes overwritten, cut short or extended: most mutations keep the file's
/// structure, so they reach deeper than random bytes.
fn mutated(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let all = seeds(target);
    (
        0..all.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        prop::option::of(any::<prop::sample::Index>()),
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(move |(i, edits, cut, tail)| {
            let mut bytes = all[i].1.clone();
            if !bytes.is_empty() {
                for (at, b) in edits {
                    let at = at.index(bytes.len());
                    bytes[at] = b;
                }
            }
            if let Some(c) = cut {
                bytes.truncate(c.index(bytes.len() + 1));
            }
            bytes.extend(tail);
            bytes
        })
}

const T0: i64 = 1_764_052_800;

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("!".to_string()),
        "[0-9A-Za-z_-]{0,70}",
        "[ -~]{0,40}",
        any::<String>().prop_map(|s| s.replace('\n', " ")),
    ]
}

fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        (-400i64..400).prop_map(|d| (T0 + d).to_string()),
        Just("0".to_string()),
        "[0-9+-]{0,20}",
    ]
}

fn signature() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("@sign".to_string()),
        (-400i64..400).prop_map(|d| format!("@sign {d}")),
        "[A-Za-z0-9+/=]{0,100}",
        Just("!".to_string()),
    ]
}

/// Inputs in the `response` harness's format: answers and requests, genuine or not.
fn signature_input() -> impl Strategy<Value = Vec<u8>> {
    let response = (
        prop_oneof![Just(200u16), Just(401), Just(422), any::<u16>()],
        prop_oneof![Just("srv-1".to_string()), line()],
        timestamp(),
        line(),
        signature(),
        line(),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(status, key, ts, nonce, sig, req, body)| {
            let mut v = format!("R\n{status}\n{key}\n{ts}\n{nonce}\n{sig}\n{req}\n").into_bytes();
            v.extend(body);
            v
        });
    let request = (
        prop_oneof![
            signature(),
            line().prop_map(|l| format!("HUTONG-ECDSA-P256-SHA256 {l}")),
            (line(), timestamp(), line(), "[A-Za-z0-9+/=]{0,100}").prop_map(|(k, t, n, s)| format!(
                "HUTONG-ECDSA-P256-SHA256 key_id=\"{k}\",timestamp=\"{t}\",nonce=\"{n}\",signature=\"{s}\""
            )),
        ],
        prop_oneof![Just("GET".to_string()), Just("POST".to_string()), "[A-Za-z]{0,8}"],
        prop_oneof![Just("/v1/payments".to_string()), "/[ -~]{0,30}"],
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(auth, method, target, body)| {
            let mut v = format!("Q\n{auth}\n{method}\n{target}\n").into_bytes();
            v.extend(body);
            v
        });
    prop_oneof![response, request]
}

/// Inputs in the `keyset` harness's format: sequences of key sets signed by various roots.
fn keyset_input() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![
        Just("$SERVER_KEY".to_string()),
        prop::collection::vec(any::<u8>(), 65).prop_map(|mut b| {
            b[0] = 4;
            base64_encode(&b)
        }),
        "[A-Za-z0-9+/=]{0,12}",
    ];
    let entry = (
        prop_oneof![Just("srv-1"), Just("srv-2"), Just("")],
        prop_oneof![Just("ES256"), Just("RS256")],
        key,
        prop_oneof![Just(T0 - 10), Just(T0 + 10), Just(0i64), any::<i64>()],
        prop_oneof![Just(T0 + 10), Just(T0 - 10), Just(i64::MAX), any::<i64>()],
    )
        .prop_map(|(id, alg, pk, nb, na)| {
            serde_json::json!({"key_id": id, "alg": alg, "public_key": pk, "not_before": nb, "not_after": na})
        });
    let set = (
        prop_oneof![0u64..4, any::<u64>()],
        prop::collection::vec(entry, 0..3),
    )
        .prop_map(|(version, keys)| {
            serde_json::json!({"version": version, "issued_at": T0, "keys": keys}).to_string()
        });
    let step = (
        prop_oneof![Just('S'), Just('S'), Just('U'), Just('F'), Just('W')],
        prop_oneof![set, "[ -~]{0,40}"],
    )
        .prop_map(|(mode, body)| format!("{mode}{body}"));
    prop::collection::vec(step, 1..5).prop_map(|steps| steps.join("\n---\n").into_bytes())
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Frame headers in `fuzz/harness/frame.rs`'s format with small sizes (so every case scans
/// quickly in a debug build), now and then one above the side cap, and pixel bytes that are a
/// QR code or noise. The fuzz target covers the sizes in between.
fn frame_input() -> impl Strategy<Value = Vec<u8>> {
    let size = prop_oneof![4 => 0u16..72, 1 => 16_385u16..=u16::MAX];
    (
        any::<u8>(),
        prop_oneof![0u8..4, any::<u8>()],
        size.clone(),
        size,
        prop_oneof![Just(4u8), 0u8..12, any::<u8>()],
        prop_oneof![Just(4u8), 0u8..12, any::<u8>()],
        any::<u8>(),
        prop_oneof![Just(0u8), any::<u8>()],
        any::<u8>(),
        any::<[u8; 4]>(),
        prop_oneof![prop::collection::vec(any::<u8>(), 0..64), Just(qr_luma()),],
    )
        .prop_map(|(layout, rot, w, h, yp, cp, ps, delta, opts, crop, px)| {
            let mut v = vec![layout, rot];
            v.extend_from_slice(&w.to_le_bytes());
            v.extend_from_slice(&h.to_le_bytes());
            v.extend_from_slice(&[yp, cp, ps, delta, opts]);
            v.extend_from_slice(&crop);
            v.push(0);
            v.extend(px);
            v
        })
}

fn qr_luma() -> Vec<u8> {
    use hutong_core::render::{render, RenderOptions, Symbology};
    render(
        "https://qr.alipay.com/fkx12345",
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 2),
    )
    .unwrap()
    .pixels
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn image_bytes_give_codes_or_a_typed_error(
        bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..512), mutated("image")]
    ) {
        image_harness::run(&bytes);
    }

    #[test]
    fn frame_geometry_gives_codes_or_a_typed_error(input in frame_input()) {
        frame_harness::run(&input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn response_and_request_signatures_verify_only_when_genuine(
        input in prop_oneof![signature_input(), mutated("response")]
    ) {
        response_harness::run(&input);
    }

    #[test]
    fn http_responses_read_the_same_in_any_pieces_and_within_limits(
        input in prop_oneof![http_response_input(), mutated("http_response")]
    ) {
        http_response_harness::run(&input);
    }

    #[test]
    fn key_set_updates_install_only_what_the_root_signed(
        input in prop_oneof![keyset_input(), mutated("keyset")]
    ) {
        keyset_harness::run(&input);
    }
}

/// HTTP answers assembled from parts that matter to framing: interim answers, every framing
/// header in agreeing and disagreeing forms, chunked bodies with extensions and trailers, cut
/// anywhere, with bytes after the end.
fn http_response_input() -> impl Strategy<Value = Vec<u8>> {
    let status = prop::sample::select(vec![
        "200 OK",
        "204 No Content",
        "304 Not Modified",
        "404 Not Found",
        "101 Switching",
        "099 Odd",
        "999 Nine",
    ]);
    let header = prop::sample::select(vec![
        "content-length: 5",
        "Content-Length: 0",
        "content-length: 5, 5",
        "content-length: 4",
        "content-length: -1",
        "transfer-encoding: chunked",
        "Transfer-Encoding: gzip, chunked",
        "connection: close",
        "x-hutong-signature: abc",
    ]);
    let chunked = prop::collection::vec((1usize..12, prop::option::of("[a-z=;]{0,6}")), 0..4);
    (
        any::<u8>(),
        prop::bool::ANY,
        status,
        prop::collection::vec(header, 0..4),
        chunked,
        prop::option::of(any::<prop::sample::Index>()),
        prop::collection::vec(any::<u8>(), 0..6),
    )
        .prop_map(|(limit, interim, status, headers, chunks, cut, tail)| {
            let mut wire = vec![limit];
            if interim {
                wire.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
            }
            wire.extend_from_slice(format!("HTTP/1.1 {status}\r\n").as_bytes());
            for h in &headers {
                wire.extend_from_slice(format!("{h}\r\n").as_bytes());
            }
            wire.extend_from_slice(b"\r\n");
            if headers
                .iter()
                .any(|h| h.to_ascii_lowercase().contains("chunked"))
            {
                for (size, ext) in chunks {
                    let ext = ext.map(|e| format!(";{e}")).unwrap_or_default();
                    wire.extend_from_slice(format!("{size:x}{ext}\r\n").as_bytes());
                    wire.extend(std::iter::repeat_n(b'x', size));
                    wire.extend_from_slice(b"\r\n");
                }
                wire.extend_from_slice(b"0\r\n\r\n");
            } else {
                wire.extend_from_slice(b"hello");
            }
            if let Some(c) = cut {
                let keep = 1 + c.index(wire.len());
                wire.truncate(keep);
            }
            wire.extend(tail);
            wire
        })
}
