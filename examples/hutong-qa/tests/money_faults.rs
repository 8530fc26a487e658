//! Network faults between the wallet and the switch (docs/reliability.md, invariants 3-5): every
//! fault of the proxy (latency, loss, reset before the request reached the switch, reset after it
//! answered, half-open connection, response cut mid-body, duplicate delivery) on a pay's create
//! and on a refund, once and on every attempt. Each ends exactly once: at most one capture, the
//! refund at most once, and what the client reported equal to the ledger after `recover`.

mod harness;

use harness::model::{Case, Kill, Op, ALIPAY_CODE};
use harness::proxy::{Target, FAULTS};

fn describe(case: &Case) -> String {
    case.found
        .iter()
        .map(|f| format!("  {} during {}", f.violation, f.op))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each fault hit at least its two planned requests (a fault that forces a retry hits more).
fn assert_every_fault_injected(stats: &harness::proxy::Stats) {
    for f in FAULTS {
        assert!(
            stats.by_fault.get(f.name()).copied().unwrap_or(0) >= 2,
            "{} was not injected twice: {stats:?}",
            f.name()
        );
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Pays under each fault (once, then on every attempt of the create), recovering after each.
#[test]
fn each_fault_on_a_payment_ends_exactly_once() {
    let mut case = Case::new(14_001);
    for (i, fault) in FAULTS.iter().enumerate() {
        for times in [1, 3] {
            case.proxy.inject(Target::Create, *fault, times);
            let minor = 1000 + i as i64 * 10 + times as i64;
            let label = format!("pay under {fault:?} x{times}");
            case.step_labelled(
                &label,
                &Op::Pay {
                    code: 1,
                    wrong_route: false,
                    minor,
                    scenario: None,
                    kill: Kill::Never,
                },
            );
            case.proxy.calm();
            case.step_labelled(
                &format!("recover after {label}"),
                &Op::Recover { kill: Kill::Never },
            );
            let id = case.last_intent().expect("the pay journalled an intent");
            let ledger = case.ledger();
            let journal = case.journal();
            let row = ledger.payments.get(&id);
            eprintln!(
                "{label:<40} journal {:<10} ledger {:<10} {:?} captures {}",
                journal.intents[&id].state,
                row.map_or("(none)", |p| p.state.as_str()),
                row.and_then(|p| p.reverse_result.clone()),
                ledger.capture_count(&id)
            );
            assert!(
                ledger.capture_count(&id) <= 1,
                "{label}: {id} captured twice"
            );
        }
    }
    let stats = case.proxy.stats();
    case.settle();
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
    assert_every_fault_injected(&stats);
}

/// Refunds part of a paid payment under each fault, once and on every attempt.
#[test]
fn each_fault_on_a_refund_ends_exactly_once() {
    let mut case = Case::new(14_002);
    let pay = case.client(
        args(&[
            "pay",
            "--code",
            ALIPAY_CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "200.00",
        ]),
        Kill::Never,
    );
    assert!(pay.ok(), "{}", pay.stderr);
    let id = case.last_intent().expect("paid");
    for fault in FAULTS {
        for times in [1, 3] {
            case.proxy.inject(Target::Refund, fault, times);
            let label = format!("refund under {fault:?} x{times}");
            case.label(&label);
            let before = case.claim_count();
            case.client(args(&["refund", &id, "--amount", "1.00"]), Kill::Never);
            case.check_since(before);
            case.proxy.calm();
            case.step_labelled(
                &format!("recover after {label}"),
                &Op::Recover { kill: Kill::Never },
            );
            let journal = case.journal();
            let ledger = case.ledger();
            eprintln!(
                "{label:<40} refunds journalled {} (succeeded {}), ledger {} refunded {}",
                journal.refunds.len(),
                journal
                    .refunds
                    .values()
                    .filter(|r| r.state == "succeeded")
                    .count(),
                ledger.refunds.len(),
                ledger.payments[&id].refunded
            );
        }
    }
    let stats = case.proxy.stats();
    case.settle();
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
    // Each refund reached the switch at most once: 14 refunds of 1.00 at most.
    let ledger = case.ledger();
    let refunded = ledger.payments[&id].refunded;
    assert!(
        refunded <= 1400,
        "refunded {refunded} for 14 refunds of 100"
    );
    assert_every_fault_injected(&stats);
}
