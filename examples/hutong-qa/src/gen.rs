//! `hutong-qa gen`: render a realistic test code so QA can scan it from a second screen.
//!
//! Merchant codes become QR codes; a payer's numeric pay code becomes Code 128 (as wallets
//! show it). Every generated payload is identified before it is drawn, so QA never tests
//! with a code the SDK itself would reject.

use anyhow::{bail, Context as _, Result};
use hutong_core::codes::emv_mpm::{self, Field};
use hutong_core::identify::identify;
use hutong_core::money::{Currency, Money};
use hutong_core::render::{self, RenderOptions, Symbology};

pub struct Options {
    pub network: String,
    pub amount: Option<String>,
    pub pay_code: bool,
    pub seed: u64,
    pub names: Names,
    pub out: std::path::PathBuf,
    pub module_px: u32,
}

/// One `gen --jsonl` request: the same choices as the flags, one JSON object per line.
#[derive(Debug, serde::Deserialize)]
struct Request {
    network: String,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    pay_code: bool,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(flatten)]
    names: Names,
}

fn default_seed() -> u64 {
    1
}

/// The networks `gen` can draw.
pub const NETWORKS: &[&str] = &[
    "wechat_pay",
    "alipay",
    "unionpay",
    "ecny",
    "bestpay",
    "jd_pay",
    "emvco_mpm",
    "pix",
    "promptpay",
    "paynow",
    "vietqr",
    "qris",
    "upi",
    "bip21",
    "epc_sct",
];

/// A small deterministic generator so `--seed` reproduces a code.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
    fn token(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        (0..n)
            .map(|_| char::from(A[(self.next() % 64) as usize]))
            .collect()
    }
}

fn money(amount: Option<&str>, currency: &str) -> Result<Option<Money>> {
    let cur = Currency::from_alpha(currency).with_context(|| format!("currency {currency}"))?;
    amount
        .map(|a| Money::parse_decimal(a, cur).with_context(|| format!("amount `{a}`")))
        .transpose()
}

fn mpm(
    account: (u8, Vec<(u8, String)>),
    currency: &str,
    country: &str,
    name: &str,
    city: &str,
    amount: Option<Money>,
) -> Result<String> {
    let cur = Currency::from_alpha(currency).with_context(|| format!("currency {currency}"))?;
    let mut fields = vec![
        (
            1,
            Field::Text(if amount.is_some() { "12" } else { "11" }.into()),
        ),
        (account.0, Field::Template(account.1)),
        (52, Field::Text("5812".into())),
        (53, Field::Text(format!("{:03}", cur.numeric))),
    ];
    if let Some(m) = amount {
        fields.push((54, Field::Text(m.to_decimal_string())));
    }
    fields.extend([
        (58, Field::Text(country.into())),
        (59, Field::Text(name.into())),
        (60, Field::Text(city.into())),
    ]);
    Ok(emv_mpm::encode(&fields)?)
}

/// The merchant's name and city written into a merchant code (EMVCo tags 59/60, UPI `pn`, the
/// EPC beneficiary); `None` keeps the network's default test shop.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Names {
    pub merchant_name: Option<String>,
    pub merchant_city: Option<String>,
}

/// The payload text and how to draw it (the default test shop's name and city).
#[cfg(test)]
pub fn payload(
    network: &str,
    amount: Option<&str>,
    pay_code: bool,
    seed: u64,
) -> Result<(String, Symbology)> {
    payload_named(network, amount, pay_code, seed, &Names::default())
}

/// [`payload`] with the merchant's name and city chosen by the caller.
pub fn payload_named(
    network: &str,
    amount: Option<&str>,
    pay_code: bool,
    seed: u64,
    names: &Names,
) -> Result<(String, Symbology)> {
    let name = |default: &'static str| names.merchant_name.as_deref().unwrap_or(default);
    let city = |default: &'static str| names.merchant_city.as_deref().unwrap_or(default);
    let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
    let qr = Symbology::Qr;
    let bar = Symbology::Code128;
    let text = match (network, pay_code) {
        ("wechat_pay", true) => return Ok((format!("13{}", rng.digits(16)), bar)),
        ("alipay", true) => return Ok((format!("28{}", rng.digits(16)), bar)),
        ("unionpay", true) => return Ok((format!("62{}", rng.digits(17)), bar)),
        ("ecny", _) => return Ok((format!("01{}", rng.digits(17)), bar)),
        ("bestpay", _) => return Ok((format!("51{}", rng.digits(16)), bar)),
        ("jd_pay", _) => return Ok((format!("18{}", rng.digits(16)), bar)),
        ("wechat_pay", false) => format!("wxp://f2f0{}", rng.token(32)),
        ("alipay", false) => format!(
            "https://qr.alipay.com/fkx{}",
            rng.token(20).to_ascii_lowercase()
        ),
        ("unionpay", false) => format!("https://qr.95516.com/00010000/62{}", rng.digits(28)),
        ("emvco_mpm", _) => {
            // A generic EMVCo code: an account GUID no registry row knows, Chinese merchant info.
            let cny = money(amount, "CNY")?;
            let mut fields = vec![
                (
                    1,
                    Field::Text(if cny.is_some() { "12" } else { "11" }.into()),
                ),
                (
                    26,
                    Field::Template(vec![(0, "COM.EXAMPLE.QA".into()), (1, rng.digits(15))]),
                ),
                (52, Field::Text("5812".into())),
                (53, Field::Text("156".into())),
            ];
            if let Some(m) = cny {
                fields.push((54, Field::Text(m.to_decimal_string())));
            }
            fields.extend([
                (58, Field::Text("CN".into())),
                (59, Field::Text(name("QA TEST SHOP").into())),
                (60, Field::Text(city("BEIJING").into())),
                (
                    64,
                    Field::Template(vec![
                        (0, "ZH".into()),
                        (1, "测试商店".into()),
                        (2, "北京".into()),
                    ]),
                ),
            ]);
            emv_mpm::encode(&fields)?
        }
        ("pix", _) => mpm(
            (
                26,
                vec![
                    (0, "br.gov.bcb.pix".into()),
                    (1, format!("qa-{}@example.com", rng.digits(4))),
                ],
            ),
            "BRL",
            "BR",
            name("QA TEST SHOP"),
            city("SAO PAULO"),
            money(amount, "BRL")?,
        )?,
        ("promptpay", _) => mpm(
            (
                29,
                vec![
                    (0, "A000000677010111".into()),
                    (1, format!("00668{}", rng.digits(8))),
                ],
            ),
            "THB",
            "TH",
            name("QA TEST SHOP"),
            city("BANGKOK"),
            money(amount, "THB")?,
        )?,
        ("paynow", _) => mpm(
            (
                26,
                vec![
                    (0, "SG.PAYNOW".into()),
                    (1, "2".into()),
                    (2, format!("2020{}X", rng.digits(5))),
                    (3, "1".into()),
                ],
            ),
            "SGD",
            "SG",
            name("QA TEST SHOP"),
            city("SINGAPORE"),
            money(amount, "SGD")?,
        )?,
        ("vietqr", _) => mpm(
            (
                38,
                vec![
                    (0, "A000000727".into()),
                    // Beneficiary: a template of its own (00 bank BIN, 01 account number),
                    // encoded with real lengths rather than a hand-written prefix.
                    (
                        1,
                        emv_mpm::encode_template(&[(0, "970422"), (1, &rng.digits(10))])?,
                    ),
                    (2, "QRIBFTTA".into()),
                ],
            ),
            "VND",
            "VN",
            name("QA TEST SHOP"),
            city("HANOI"),
            money(amount, "VND")?,
        )?,
        ("qris", _) => mpm(
            (
                51,
                vec![
                    (0, "ID.CO.QRIS.WWW".into()),
                    (2, format!("ID{}", rng.digits(13))),
                    (3, "UMI".into()),
                ],
            ),
            "IDR",
            "ID",
            name("QA TEST SHOP"),
            city("JAKARTA"),
            money(amount, "IDR")?,
        )?,
        ("upi", _) => {
            let am = money(amount, "INR")?.map(|m| format!("&am={}&cu=INR", m.to_decimal_string()));
            format!(
                "upi://pay?pa=qa{}@upi&pn=QA+Test+Shop{}",
                rng.digits(4),
                am.unwrap_or_default()
            )
        }
        ("bip21", _) => {
            let am = money(amount, "BTC")?.map(|m| format!("?amount={}", m.to_decimal_string()));
            format!(
                "bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH{}",
                am.unwrap_or_default()
            )
        }
        ("epc_sct", _) => {
            let am = money(amount, "EUR")?.map(|m| format!("EUR{}", m.to_decimal_string()));
            format!(
                "BCD\n002\n1\nSCT\n\nQA Test Shop\nDE33100205000001194700\n{}\n\n\nQA test payment",
                am.unwrap_or_default()
            )
        }
        (other, _) => bail!("cannot generate `{other}`; one of: {}", NETWORKS.join(", ")),
    };
    Ok((text, qr))
}

/// `gen --jsonl`: one request object per stdin line, one answer per stdout line (the payload
/// and what `identify` reads in it, or an error), nothing drawn. The differential tests feed
/// peer libraries from this (tests/peers).
pub fn run_jsonl() -> Result<()> {
    use std::io::Write;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        let read = crate::identify::read_line_capped(&mut input, &mut line, 64 << 10)
            .context("reading stdin")?;
        let Some(fits) = read else { break };
        n += 1;
        if fits && line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let answer = if !fits {
            Err(anyhow::anyhow!("line {n}: too long"))
        } else {
            serde_json::from_slice::<Request>(&line)
                .with_context(|| format!("line {n}: not a gen request"))
                .and_then(|r| {
                    payload_named(
                        &r.network,
                        r.amount.as_deref(),
                        r.pay_code,
                        r.seed,
                        &r.names,
                    )
                })
        };
        let value = match answer {
            Ok((text, symbology)) => {
                let code = identify(&text);
                serde_json::json!({
                    "payload": text,
                    "symbology": format!("{symbology:?}"),
                    "identified": code.to_json(),
                    "error": (!code.valid).then(|| format!("generated payload does not identify as valid ({:?})", code.error)),
                })
            }
            Err(e) => serde_json::json!({ "payload": null, "error": format!("{e:#}"), "line": n }),
        };
        writeln!(out, "{}", hutong_core::codes::text::to_safe_json(&value))?;
    }
    Ok(())
}

pub fn run(opts: Options) -> Result<()> {
    let (text, symbology) = payload_named(
        &opts.network,
        opts.amount.as_deref(),
        opts.pay_code,
        opts.seed,
        &opts.names,
    )?;
    let code = identify(&text);
    if !code.valid {
        bail!(
            "generated payload does not identify as valid ({:?}): {text}",
            code.error
        );
    }
    let bitmap = render::render(
        &text,
        symbology,
        RenderOptions::for_symbology(symbology, opts.module_px),
    )
    .context("rendering")?;
    let png = bitmap.to_png().context("encoding PNG")?;
    std::fs::write(&opts.out, png).with_context(|| format!("writing {}", opts.out.display()))?;
    println!(
        "{}",
        serde_json::json!({
            "out": opts.out.display().to_string(),
            "symbology": format!("{symbology:?}"),
            "payload": text,
            "identified": code.to_json(),
        })
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_payload_identifies_as_its_network() {
        for network in NETWORKS {
            for pay_code in [false, true] {
                let (text, _) = payload(network, Some("12"), pay_code, 7).unwrap();
                let code = identify(&text);
                assert!(code.valid, "{network}: {text}: {:?}", code.error);
                assert_eq!(code.network.as_deref(), Some(*network), "{text}");
            }
        }
    }

    #[test]
    fn gen_vietqr_writes_valid_codes_that_keep_the_account() {
        for seed in 0..64 {
            for amount in [None, Some("50000")] {
                let (text, _) = payload("vietqr", amount, false, seed).unwrap();
                let code = identify(&text);
                assert!(code.valid, "seed {seed}: {text}: {:?}", code.error);
                let mpm = code.payload.emv_mpm().expect("an EMV code");
                assert_eq!(mpm.network_field("bank_bin"), Some("970422"));
                let account = mpm.network_field("account").expect("account kept");
                assert_eq!(account.len(), 10, "{text}");
                assert!(account.bytes().all(|b| b.is_ascii_digit()), "{text}");
            }
        }
    }

    #[test]
    fn numeric_pay_codes_are_drawn_as_code_128() {
        let (_, s) = payload("wechat_pay", None, true, 1).unwrap();
        assert_eq!(s, Symbology::Code128);
    }

    #[test]
    fn rejects_an_amount_with_too_many_decimals() {
        assert!(payload("pix", Some("1.234"), false, 1).is_err());
    }
}
