//! `identify` runs on every decoded frame: one benchmark per payload format.
//! Run: `cargo bench --bench identify`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hutong_core::identify::identify;

const CASES: &[(&str, &str)] = &[
    ("emv_mpm_spec_sample", "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"),
    ("emv_mpm_pix", "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6"),
    ("emv_mpm_promptpay", "00020101021229370016A0000006770101110113006680111111153037645802TH540520.15630442BE"),
    ("emv_cpm", "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw=="),
    ("numeric_wechat", "120061098828009406"),
    ("wechat_personal_url", "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd"),
    ("alipay_url", "https://qr.alipay.com/bax07729i8nrz04notk60045"),
    ("unknown_url", "https://example.org/some/page?x=1"),
    ("upi", "upi://pay?pa=merchant@okhdfcbank&pn=Merchant+Store&am=499.00&cu=INR&tn=Order+42"),
    ("epc_sct", "BCD\n001\n1\nSCT\nBFSWDE33BER\nWikimedia Foerdergesellschaft\nDE33100205000001194700\nEUR123.45\n\n\nSpende fuer Wikipedia\n"),
    ("swiss_qr_bill", "SPC\n0200\n1\nCH5800791123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n199.95\nCHF\nK\nPia-Maria Rutschmann-Schnyder\nGrosse Marktgasse 28\n9400 Rorschach\n\n\nCH\nSCOR\nRF18539007547034\n\nEPD"),
    ("bip21", "bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz"),
    ("bolt11", "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqs9qrsgq7ea976txfraylvgzuxs8kgcw23ezlrszfnh8r6qtfpr6cxga50aj6txm9rxrydzd06dfeawfk6swupvz4erwnyutnjq7x39ymw6j38gp7ynn44"),
    ("garbage", "not a payment code at all"),
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("identify");
    for (name, payload) in CASES {
        g.bench_function(*name, |b| b.iter(|| identify(black_box(payload))));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
