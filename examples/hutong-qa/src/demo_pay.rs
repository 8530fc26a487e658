//! The demo's second half: the scanned, identified code is paid against an in-process sandbox
//! acquirer over real TLS (its self-signed certificate pinned, its root key pinned), with a
//! temporary journal; then half is refunded; every state transition is printed as it happens and
//! the journal is checked against the sandbox's ledger at the end.

use anyhow::{anyhow, bail, Context, Result};
use hutong_core::flow::{
    FlowListener, FlowTimings, PayOptions, Payments, PaymentsConfig, StateChange,
};
use hutong_core::money::Money;
use hutong_core::registry::PaymentCode;
use hutong_core::route::Route;
use hutong_core::sign::{Signer, SoftwareSigner};
use hutong_core::transport::SpkiPin;
use sandbox_acquirer::{start, SandboxConfig};
use std::sync::Arc;
use std::time::Instant;

/// The wallet this demo plays: WeChat Pay's app, which reaches UnionPay codes by interconnect.
const WALLET: &str = "wechat";

struct Transitions(Instant);

impl FlowListener for Transitions {
    fn on_change(&self, change: &StateChange) {
        let ms = self.0.elapsed().as_secs_f64() * 1000.0;
        let (what, from, to) = match change {
            StateChange::Intent { from, to, .. } => {
                ("payment", from.map(|f| f.to_string()), to.to_string())
            }
            StateChange::Refund { from, to, .. } => {
                ("refund ", from.map(|f| f.to_string()), to.to_string())
            }
        };
        println!(
            "          {what} {:>9} -> {to:<10} (+{ms:.0} ms, journalled)",
            from.unwrap_or_else(|| "(new)".into())
        );
    }
}

fn cny(m: &hutong_core::money::WireMoney) -> String {
    hutong_core::money::format_minor(m.minor, 2) + " " + &m.currency
}

pub async fn run(payload: &str, code: &PaymentCode) -> Result<()> {
    let profile =
        hutong_core::route::profile(WALLET).ok_or_else(|| anyhow!("no wallet profile {WALLET}"))?;
    let network = code
        .network
        .clone()
        .ok_or_else(|| anyhow!("the code's network is unknown"))?;
    let route = match hutong_core::route::can_pay(&profile, code) {
        Route::Direct => format!("{network}:direct"),
        Route::ViaInterconnect(name) => format!("{network}:{name}"),
        Route::Unsupported(why) => bail!("{} cannot pay this code: {why}", profile.name),
    };
    println!("route   : {} pays {network} codes by {route}", profile.name);

    let sb = start(SandboxConfig::default())
        .await
        .context("starting the sandbox")?;
    let dir = tempfile::tempdir()?;
    println!(
        "sandbox : {} over TLS (rustls/ring, self-signed), certificate pin {}, root key {}",
        sb.endpoint(),
        sb.spki_pin(),
        sb.server_roots()[0].key_id
    );
    let started = Instant::now();
    let device = Arc::new(SoftwareSigner::generate("demo-device")?);
    let payments = Payments::new(PaymentsConfig {
        endpoint: sb.endpoint(),
        ca_pem: Some(sb.ca_pem().as_bytes().to_vec()),
        spki_pins: vec![SpkiPin::parse_hex(&sb.spki_pin()).ok_or_else(|| anyhow!("bad pin"))?],
        journal_path: dir.path().join("journal.sqlite"),
        signer: device.clone(),
        server_roots: sb.server_roots(),
        listener: Some(Arc::new(Transitions(started))),
        timings: FlowTimings::fast(),
        transport: None,
        wallet: None,
        registry: None,
    })?;
    payments.register_device("acct-demo").await?;
    println!(
        "device  : P-256 key {} registered; every request is signed with it",
        device.key_id()
    );
    let sources = payments.funding_sources().await?;
    let source = &sources[0];
    println!(
        "funding : {} (available {}) of {} sources",
        source.label,
        source.available.as_ref().map(cny).unwrap_or_default(),
        sources.len()
    );
    let quote = payments.quote(payload, code.amount, &route).await?;
    println!(
        "quote   : {} ({}) via {}: original {}, discount {}{}, payable {}",
        quote.merchant.name,
        quote.merchant.id,
        quote.route_used,
        cny(&quote.original),
        cny(&quote.discount),
        quote
            .promotion
            .as_ref()
            .map(|p| format!(" ({})", p.name))
            .unwrap_or_else(|| " (no promotion on this network)".into()),
        cny(&quote.payable)
    );
    println!("pay     : the user confirms {}", cny(&quote.payable));
    let options = PayOptions {
        description: "demo: a pot of tea".into(),
        scenario: None,
    };
    let rec = payments
        .pay_quoted(payload, &quote, &source.id, options)
        .await?;
    println!("result  : payment {} {}", rec.intent_id, rec.state);
    if let Some(r) = &rec.receipt_json {
        let r: serde_json::Value = serde_json::from_str(r)?;
        println!(
            "receipt : {} switch txn {}, {} at {}, paid {} {}",
            r["receipt_id"].as_str().unwrap_or(""),
            r["switch_txn_id"].as_str().unwrap_or(""),
            r["merchant"]["name"].as_str().unwrap_or(""),
            r["paid_at"],
            hutong_core::money::format_minor(r["payable"]["minor"].as_i64().unwrap_or(0), 2),
            r["payable"]["currency"].as_str().unwrap_or("")
        );
    }
    if let Some(f) = &rec.fees_json {
        let fees: Vec<serde_json::Value> = serde_json::from_str(f)?;
        let parts: Vec<String> = fees
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["role"].as_str().unwrap_or(""),
                    f["institution"].as_str().unwrap_or(""),
                    hutong_core::money::format_minor(f["amount"]["minor"].as_i64().unwrap_or(0), 2)
                )
            })
            .collect();
        println!("fees    : {}", parts.join(", "));
    }
    let paid = rec
        .paid_minor
        .ok_or_else(|| anyhow!("the payment did not settle: {}", rec.state))?;
    let half = Money::new(paid / 2, rec.amount.currency);
    println!("refund  : half of what was paid, {half}");
    let refund = payments
        .refund(&rec.intent_id, Some(half), PayOptions::default())
        .await?;
    println!("result  : refund {} {}", refund.refund_id, refund.state);

    let row = sb
        .payment(&rec.intent_id)
        .ok_or_else(|| anyhow!("the ledger lost the payment"))?;
    let journal = payments.journal().intent(&rec.intent_id)?;
    let refunded_in_journal: i64 = payments
        .journal()
        .refunds_for(&rec.intent_id)?
        .iter()
        .filter(|r| r.state.as_str() == "succeeded")
        .map(|r| r.amount.minor)
        .sum();
    let captures = sb.capture_count(Some(&rec.intent_id));
    println!(
        "ledger  : {} paid {} refunded {} ({} capture, {} refund); journal: {} paid {} refunded {}",
        row.state,
        hutong_core::money::format_minor(row.paid, 2),
        hutong_core::money::format_minor(row.refunded, 2),
        captures,
        sb.refunds(Some(&rec.intent_id)).len(),
        journal.state,
        hutong_core::money::format_minor(journal.paid_minor.unwrap_or(0), 2),
        hutong_core::money::format_minor(refunded_in_journal, 2)
    );
    if row.state != journal.state.as_str()
        || Some(row.paid) != journal.paid_minor
        || row.refunded != refunded_in_journal
        || captures != 1
    {
        bail!("the journal and the ledger disagree");
    }
    println!(
        "agree   : journal and ledger agree, exactly once ({:.0} ms from device registration)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    sb.shutdown().await;
    Ok(())
}
