use super::*;

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::from_alpha("CNY").unwrap())
}

fn temp_journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(dir.path().join("journal.sqlite")).unwrap();
    (dir, j)
}

fn intent(id: &str) -> IntentRecord {
    IntentRecord {
        intent_id: id.into(),
        out_trade_no: format!("HT{id}"),
        idempotency_key: id.into(),
        direction: Direction::Collect,
        amount: cny(1000),
        original_minor: None,
        discount_minor: None,
        payable_minor: None,
        paid_minor: None,
        refunded_minor: 0,
        funding_source_id: None,
        network: Some("wechat_pay".into()),
        route_requested: None,
        route_used: None,
        merchant_code: None,
        payer_code_masked: Some("••••6789".into()),
        state: IntentState::Created,
        created_at_ms: 1,
        updated_at_ms: 1,
        deadline_at_ms: 45_001,
        switch_txn_id: None,
        reverse_result: None,
        fees_json: None,
        receipt_json: None,
        failure_code: None,
        needs_reconciliation: false,
    }
}

fn succeed(j: &Journal, id: &str, paid: i64) {
    j.transition(
        id,
        IntentState::Created,
        IntentState::Submitting,
        &IntentFacts::default(),
        2,
    )
    .unwrap();
    let facts = IntentFacts {
        paid_minor: Some(paid),
        ..Default::default()
    };
    j.transition(
        id,
        IntentState::Submitting,
        IntentState::Succeeded,
        &facts,
        3,
    )
    .unwrap();
}

fn refund(id: &str, intent_id: &str, minor: i64) -> RefundRecord {
    RefundRecord {
        refund_id: id.into(),
        intent_id: intent_id.into(),
        amount: cny(minor),
        state: RefundState::Requested,
        switch_refund_id: None,
        failure_code: None,
        created_at_ms: 10,
        updated_at_ms: 10,
    }
}

#[test]
fn new_file_is_migrated_to_the_current_schema_version() {
    let (_d, j) = temp_journal();
    assert_eq!(j.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn refuses_a_file_written_by_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    {
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    assert!(matches!(
        Journal::open(&path),
        Err(JournalError::SchemaTooNew { .. })
    ));
}

#[test]
fn intent_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    Journal::open(&path)
        .unwrap()
        .insert_intent(&intent("a"))
        .unwrap();
    let reopened = Journal::open(&path).unwrap();
    assert_eq!(reopened.intent("a").unwrap(), intent("a"));
}

#[test]
fn rejects_a_second_intent_with_the_same_out_trade_no() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    let mut again = intent("b");
    again.out_trade_no = "HTa".into();
    assert!(matches!(
        j.insert_intent(&again),
        Err(JournalError::DuplicateId(_))
    ));
}

#[test]
fn transition_is_a_compare_and_set_on_the_current_state() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    j.transition(
        "a",
        IntentState::Created,
        IntentState::Submitting,
        &IntentFacts::default(),
        2,
    )
    .unwrap();
    let err = j
        .transition(
            "a",
            IntentState::Created,
            IntentState::Submitting,
            &IntentFacts::default(),
            3,
        )
        .unwrap_err();
    assert!(matches!(err, JournalError::StateMismatch { .. }), "{err}");
}

#[test]
fn refuses_a_transition_the_state_machine_does_not_allow() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    let err = j
        .transition(
            "a",
            IntentState::Created,
            IntentState::Succeeded,
            &IntentFacts::default(),
            2,
        )
        .unwrap_err();
    assert!(matches!(err, JournalError::IllegalTransition { .. }));
    assert_eq!(j.intent("a").unwrap().state, IntentState::Created);
}

#[test]
fn every_transition_appends_one_history_row_in_order() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    succeed(&j, "a", 1000);
    let states: Vec<_> = j
        .history("a")
        .unwrap()
        .into_iter()
        .map(|t| t.to_state)
        .collect();
    assert_eq!(states, ["created", "submitting", "succeeded"]);
}

#[test]
fn facts_left_as_none_keep_their_stored_values() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    let facts = IntentFacts {
        switch_txn_id: Some("sw-1".into()),
        ..Default::default()
    };
    j.transition(
        "a",
        IntentState::Created,
        IntentState::Submitting,
        &facts,
        2,
    )
    .unwrap();
    let rec = j
        .transition(
            "a",
            IntentState::Submitting,
            IntentState::Unknown,
            &IntentFacts::default(),
            3,
        )
        .unwrap();
    assert_eq!(rec.switch_txn_id.as_deref(), Some("sw-1"));
}

#[test]
fn unfinished_intents_excludes_terminal_ones() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("done")).unwrap();
    succeed(&j, "done", 1000);
    j.insert_intent(&intent("open")).unwrap();
    let ids: Vec<_> = j
        .unfinished_intents()
        .unwrap()
        .into_iter()
        .map(|i| i.intent_id)
        .collect();
    assert_eq!(ids, ["open"]);
}

#[test]
fn refund_of_an_unfinished_payment_is_refused() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    assert!(matches!(
        j.insert_refund(&refund("r1", "a", 100)),
        Err(JournalError::NotRefundable(_))
    ));
}

#[test]
fn refunds_are_measured_against_the_amount_paid_not_the_original() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    succeed(&j, "a", 900); // 1000 original, 100 discount
    j.insert_refund(&refund("r1", "a", 500)).unwrap();
    let err = j.insert_refund(&refund("r2", "a", 401)).unwrap_err();
    assert!(matches!(
        err,
        JournalError::RefundExceedsCaptured {
            requested: 901,
            captured: 900
        }
    ));
    j.insert_refund(&refund("r3", "a", 400)).unwrap();
}

#[test]
fn closed_refunds_free_their_amount_again() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    succeed(&j, "a", 1000);
    j.insert_refund(&refund("r1", "a", 1000)).unwrap();
    j.refund_transition(
        "r1",
        RefundState::Requested,
        RefundState::Closed,
        None,
        Some("X"),
        None,
        11,
    )
    .unwrap();
    j.insert_refund(&refund("r2", "a", 1000)).unwrap();
}

#[test]
fn fifty_first_refund_is_refused() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    succeed(&j, "a", 1000);
    for i in 0..50 {
        j.insert_refund(&refund(&format!("r{i}"), "a", 1)).unwrap();
    }
    assert!(matches!(
        j.insert_refund(&refund("r50", "a", 1)),
        Err(JournalError::RefundLimit)
    ));
}

#[test]
fn refund_success_records_the_refunded_total_on_the_payment() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("a")).unwrap();
    succeed(&j, "a", 1000);
    j.insert_refund(&refund("r1", "a", 300)).unwrap();
    j.refund_transition(
        "r1",
        RefundState::Requested,
        RefundState::Succeeded,
        Some("swr-1"),
        None,
        Some(300),
        12,
    )
    .unwrap();
    assert_eq!(j.intent("a").unwrap().refunded_minor, 300);
    assert_eq!(
        j.refund("r1").unwrap().switch_refund_id.as_deref(),
        Some("swr-1")
    );
    assert!(j.unfinished_refunds().unwrap().is_empty());
}

#[test]
fn missing_intent_is_a_typed_error() {
    let (_d, j) = temp_journal();
    assert!(matches!(
        j.intent("nope"),
        Err(JournalError::IntentNotFound(_))
    ));
}

#[test]
fn corrupt_state_in_a_row_is_reported_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    Journal::open(&path)
        .unwrap()
        .insert_intent(&intent("a"))
        .unwrap();
    Connection::open(&path)
        .unwrap()
        .execute("UPDATE intents SET state = 'bogus'", [])
        .unwrap();
    let j = Journal::open(&path).unwrap();
    assert!(matches!(j.intent("a"), Err(JournalError::Corrupt(_))));
}

#[test]
fn processes_opening_a_new_journal_at_once_all_succeed() {
    // Each thread opens its own connection, as separate processes would.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let results: Vec<_> = (0..24)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Journal::open(&path).map(|j| j.schema_version()))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    for r in results {
        assert_eq!(r.unwrap().unwrap(), SCHEMA_VERSION);
    }
}

#[cfg(unix)]
#[test]
fn the_journal_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _j) = temp_journal();
    let mode = std::fs::metadata(dir.path().join("journal.sqlite"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_settled_intent_no_longer_needs_reconciliation() {
    let (_d, j) = temp_journal();
    j.insert_intent(&intent("i-rec")).unwrap();
    j.transition(
        "i-rec",
        IntentState::Created,
        IntentState::Submitting,
        &IntentFacts::default(),
        2,
    )
    .unwrap();
    j.transition(
        "i-rec",
        IntentState::Submitting,
        IntentState::Unknown,
        &IntentFacts::default(),
        3,
    )
    .unwrap();
    let flagged = IntentFacts {
        needs_reconciliation: Some(true),
        ..Default::default()
    };
    assert!(
        j.annotate("i-rec", &flagged, 4)
            .unwrap()
            .needs_reconciliation
    );
    j.transition(
        "i-rec",
        IntentState::Unknown,
        IntentState::Polling,
        &IntentFacts::default(),
        5,
    )
    .unwrap();
    assert!(
        j.intent("i-rec").unwrap().needs_reconciliation,
        "still open"
    );
    let done = j
        .transition(
            "i-rec",
            IntentState::Polling,
            IntentState::Succeeded,
            &IntentFacts::default(),
            6,
        )
        .unwrap();
    assert!(!done.needs_reconciliation);
}

#[test]
fn the_key_set_floor_survives_reopening_and_never_goes_down() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    {
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.key_set_floor().unwrap(), 0);
        j.raise_key_set_floor(3).unwrap();
        j.raise_key_set_floor(2).unwrap();
    }
    assert_eq!(Journal::open(&path).unwrap().key_set_floor().unwrap(), 3);
}
