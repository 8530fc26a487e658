//! One pay round trip against the real sandbox over TLS on loopback: quote + create, each signed,
//! sent through HttpsTransport (pinned certificate, kept-alive connection), verified, and
//! journalled with fsync on the client; the sandbox verifies, runs the idempotent create in one
//! SQLite transaction, logs the exchange and signs its answer. Also a bare signed query.

use criterion::{criterion_group, criterion_main, Criterion};
use hutong_core::flow::{FlowTimings, PayOptions, Payments, PaymentsConfig};
use hutong_core::money::{Currency, Money};
use hutong_core::sign::SoftwareSigner;
use hutong_core::transport::SpkiPin;
use sandbox_acquirer::{start, SandboxConfig};
use std::sync::Arc;

fn loopback(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sb, p) = rt.block_on(async {
        let sb = start(SandboxConfig::default()).await.unwrap();
        let p = Payments::new(PaymentsConfig {
            endpoint: sb.endpoint(),
            ca_pem: Some(sb.ca_pem().as_bytes().to_vec()),
            spki_pins: vec![SpkiPin::parse_hex(&sb.spki_pin()).unwrap()],
            journal_path: dir.path().join("journal.sqlite"),
            signer: Arc::new(SoftwareSigner::generate("dev-bench").unwrap()),
            server_roots: sb.server_roots(),
            listener: None,
            timings: FlowTimings::fast(),
            transport: None,
            wallet: None,
            registry: None,
        })
        .unwrap();
        p.register_device("acct-bench").await.unwrap();
        (sb, p)
    });
    let cny = Currency::from_alpha("CNY").unwrap();
    let code = "https://qr.alipay.com/fkx12345";
    let mut group = c.benchmark_group("sandbox_tls_loopback");
    group.sample_size(30);
    group.bench_function("pay_round_trip", |b| {
        b.iter(|| {
            rt.block_on(async {
                let q = p
                    .quote(code, Some(Money::new(1000, cny)), "alipay:direct")
                    .await
                    .unwrap();
                p.pay_quoted(code, &q, "balance", PayOptions::default())
                    .await
                    .unwrap()
            })
        })
    });
    group.bench_function("funding_sources_query", |b| {
        b.iter(|| rt.block_on(async { p.funding_sources().await.unwrap() }))
    });
    group.finish();
    rt.block_on(sb.shutdown());
}

criterion_group!(benches, loopback);
criterion_main!(benches);
