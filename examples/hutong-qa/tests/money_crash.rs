//! Crashes of both sides (docs/reliability.md, invariants 3-6): the sandbox SIGKILLs itself at
//! each step of its write path (`HUTONG_SANDBOX_CRASH_AT`) and restarts on the same ledger; clients are
//! SIGKILLed right after each journalled step (`HUTONG_QA_CRASH_AT`); requests the switch
//! answered are replayed after it restarted. Then `recover` must settle everything exactly once.

mod harness;

use harness::invariants::check_private;
use harness::model::{Case, Kill, Op, ALIPAY_CODE, PAY_POINTS, REFUND_POINTS, SANDBOX_POINTS};
use hutong_core::sign::{KeySet, SignedKeySet, SoftwareSigner};

fn describe(case: &Case) -> String {
    case.found
        .iter()
        .map(|f| format!("  {} during {}", f.violation, f.op))
        .collect::<Vec<_>>()
        .join("\n")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn sandbox_killed_at_each_write_step_loses_and_doubles_nothing() {
    let mut case = Case::new(14_101);
    // Something paid, for the refund crash points.
    let pay = case.client(
        args(&[
            "pay",
            "--code",
            ALIPAY_CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "50.00",
        ]),
        Kill::Never,
    );
    assert!(pay.ok(), "{}", pay.stderr);
    for point in SANDBOX_POINTS {
        case.step(&Op::SandboxCrash { point });
        case.step_labelled(
            &format!("recover after sandbox crash at {point}"),
            &Op::Recover { kill: Kill::Never },
        );
    }
    let reached = case.totals.sandbox_crash_points;
    assert_eq!(
        reached,
        SANDBOX_POINTS.len() as u64,
        "every sandbox crash point must be reached"
    );
    case.settle();
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
}

#[test]
fn clients_killed_after_each_journalled_step_settle_exactly_once() {
    let mut case = Case::new(14_102);
    for point in PAY_POINTS {
        let scenario = (point == "after_reversing").then_some("user_paying_forever");
        let a = case.pay_args(1, false, 2100, scenario);
        let run = case.client(a, Kill::At(point));
        assert_eq!(run.crashed_at.as_deref(), Some(point), "{:?}", run.stdout);
        case.check_since(0);
        case.step_labelled(
            &format!("recover after a client killed at {point}"),
            &Op::Recover { kill: Kill::Never },
        );
    }
    let pay = case.client(
        args(&[
            "pay",
            "--code",
            ALIPAY_CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "80.00",
        ]),
        Kill::Never,
    );
    assert!(pay.ok(), "{}", pay.stderr);
    let id = case.last_intent().expect("paid");
    for point in REFUND_POINTS {
        let run = case.client(args(&["refund", &id, "--amount", "10.00"]), Kill::At(point));
        assert_eq!(run.crashed_at.as_deref(), Some(point), "{:?}", run.stdout);
        case.step_labelled(
            &format!("recover after a client killed at {point}"),
            &Op::Recover { kill: Kill::Never },
        );
    }
    case.settle();
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
    assert_eq!(
        case.ledger().payments[&id].refunded,
        2000,
        "two refunds of 10.00, once each"
    );
}

#[test]
fn answered_requests_replayed_after_a_sandbox_restart_are_refused() {
    let mut case = Case::new(14_103);
    let pay = case.client(
        args(&[
            "pay",
            "--code",
            ALIPAY_CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "30.00",
        ]),
        Kill::Never,
    );
    assert!(pay.ok(), "{}", pay.stderr);
    assert!(
        !case.proxy.captured().is_empty(),
        "the proxy saw the signed create"
    );
    case.step(&Op::Replay {
        restart_first: false,
    });
    case.step(&Op::Replay {
        restart_first: true,
    });
    assert_eq!(case.totals.replays, 2);
    case.settle();
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
}

/// Issue 14: the device key and the sandbox ledger (which holds the server keys) are secrets.
#[test]
fn device_key_and_ledger_files_are_private() {
    let case = Case::new(14_104);
    let found: Vec<String> = [
        (&case.clients.key_file, "device key file"),
        (&case.sandbox.ledger, "sandbox ledger"),
    ]
    .into_iter()
    .filter_map(|(path, what)| check_private(path, what))
    .map(|v| v.to_string())
    .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// The root and the active response key, read from the sandbox's ledger (the harness plays an
/// attacker who once saw a key set and the switch that signed it).
fn sandbox_keys(ledger: &std::path::Path) -> (SoftwareSigner, SoftwareSigner) {
    let c =
        rusqlite::Connection::open_with_flags(ledger, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("ledger");
    let key = |role: &str| -> SoftwareSigner {
        let (id, der): (String, Vec<u8>) = c
            .query_row(
                "SELECT key_id, pkcs8 FROM keys WHERE role = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                [role],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("a key of that role");
        SoftwareSigner::from_pkcs8(id, &der).expect("pkcs8")
    };
    (key("root"), key("server"))
}

fn signed_set(version: u64, keys: &[&SoftwareSigner], root: &SoftwareSigner) -> Vec<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let set = KeySet {
        version,
        issued_at: now - 60,
        keys: keys
            .iter()
            .map(|k| KeySet::entry_for(*k, now - 86_400, now + 86_400))
            .collect(),
    };
    serde_json::to_vec(&SignedKeySet::sign(&set, root).unwrap()).unwrap()
}

/// Invariant 6 on the client: a wallet that learnt key-set version 6 must refuse version 5 after
/// its process restarts. Version 5 listed a key the switch later dropped (here an attacker's);
/// the attacker serves it and signs the switch's answers with the dropped key.
#[test]
fn a_rolled_back_key_set_is_refused_after_a_client_restart() {
    let mut case = Case::new(14_105);
    let (root, server) = sandbox_keys(&case.sandbox.ledger);
    let dropped = SoftwareSigner::generate("sandbox-srv-dropped").unwrap();
    // The switch publishes version 6 (its real key only); a first client process pays with it.
    case.proxy
        .serve_key_set(Some(signed_set(6, &[&server], &root)));
    let first = case.client(
        args(&[
            "pay",
            "--code",
            ALIPAY_CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "12.00",
        ]),
        Kill::Never,
    );
    assert!(
        first.ok(),
        "version 6 is the switch's own set: {}",
        first.stderr
    );
    // A new process on the same journal and key meets the older version 5.
    case.proxy
        .serve_key_set(Some(signed_set(5, &[&dropped], &root)));
    case.proxy.resign_with(Some(dropped));
    let before = case.ledger().captures.len();
    let second = case.client(
        args(&[
            "pay",
            "--code",
            ALIPAY_CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "13.00",
        ]),
        Kill::Never,
    );
    let believed = second.stdout.iter().any(|l| l.starts_with("quote:"));
    let after = case.ledger().captures.len();
    case.proxy.serve_key_set(None);
    case.proxy.resign_with(None);
    case.settle();
    assert!(
        !believed && after == before,
        "the restarted client trusted key-set version 5 after version 6 (it went on to pay: \
         {after} captures, was {before}):\n{}",
        second.stdout.join("\n")
    );
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
}

/// Two sandbox processes on one ledger (a rolling restart): requests alternate between them,
/// a burst of payments is still captured once each, and a request either one answered is
/// refused by both when replayed.
#[test]
fn two_sandbox_processes_on_one_ledger_pay_once_and_refuse_replays() {
    let mut case = Case::new(14_106);
    case.step(&Op::Twin { on: true });
    case.step(&Op::Burst {
        pays: vec![
            (1, 4100, None),
            (0, 4200, Some("user_paying;polls=1")),
            (1, 4300, None),
        ],
        recover: true,
        cancel: None,
    });
    assert!(
        !case.proxy.captured().is_empty(),
        "the proxy saw signed creates"
    );
    case.step(&Op::Replay {
        restart_first: false,
    });
    case.step(&Op::Replay {
        restart_first: false,
    });
    assert_eq!(case.totals.replays, 2);
    case.settle();
    assert!(case.found.is_empty(), "violations:\n{}", describe(&case));
    assert!(case.totals.captured >= 3, "{}", case.totals.line());
}
