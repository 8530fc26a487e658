//! Flow benchmarks: request signing, response verification, and one pay round trip through the
//! in-process test switch (quote + create, signed and verified, journalled with fsync).

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use hutong_core::flow::PayOptions;
use hutong_core::money::{Currency, Money};
use hutong_core::sign::{
    sign_request, KeySet, PinnedRoot, ResponseVerifier, SignedKeySet, Signer, SoftwareSigner,
    SystemClock,
};
use hutong_protocol::sign_response;
use std::sync::Arc;

fn signing(c: &mut Criterion) {
    let device = SoftwareSigner::generate("dev-bench").unwrap();
    let body = br#"{"intent_id":"2b6c","amount":{"minor":2372,"currency":"CNY"}}"#;
    c.bench_function("sign_request", |b| {
        b.iter(|| sign_request(&device, "POST", "/v1/payments", body, 1_764_052_800).unwrap())
    });
}

fn verification(c: &mut Criterion) {
    let root = SoftwareSigner::generate("root").unwrap();
    let server = SoftwareSigner::generate("srv").unwrap();
    let now = support::now();
    let set = KeySet {
        version: 1,
        issued_at: now,
        keys: vec![KeySet::entry_for(&server, now - 3600, now + 3600)],
    };
    let verifier = ResponseVerifier::new(
        vec![PinnedRoot {
            key_id: root.key_id(),
            public_key: root.public_key(),
        }],
        Arc::new(SystemClock),
    );
    verifier
        .install_key_set(&SignedKeySet::sign(&set, &root).unwrap())
        .unwrap();
    let body = br#"{"intent_id":"2b6c","state":"succeeded"}"#;
    let req_nonce = "0123456789abcdef0123456789abcdef";
    c.bench_function("verify_response", |b| {
        // A fresh response each time: the verifier refuses a replayed response nonce.
        b.iter_batched(
            || sign_response(&server, now, Some(req_nonce), 200, body).unwrap(),
            |sig| verifier.verify(Some(req_nonce), 200, &sig, body).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
}

fn pay_round_trip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let switch = support::TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let device = Arc::new(SoftwareSigner::generate("dev-bench").unwrap());
    let p = support::client(&switch, dir.path(), device);
    let cny = Currency::from_alpha("CNY").unwrap();
    let code = "https://qr.alipay.com/fkx12345";
    c.bench_function("pay_round_trip_in_process", |b| {
        b.iter(|| {
            rt.block_on(async {
                let q = p
                    .quote(
                        code,
                        Some(Money::new(1000, cny)),
                        "alipay:alipay_open_receive_codes",
                    )
                    .await
                    .unwrap();
                p.pay_quoted(code, &q, "balance", PayOptions::default())
                    .await
                    .unwrap()
            })
        })
    });
}

criterion_group!(benches, signing, verification, pay_round_trip);
criterion_main!(benches);
