//! The intent and refund state machines (protocol §5, issue 5). The journal refuses any transition
//! these tables do not allow, so a bug in the flow cannot write an impossible history. They live
//! below both: the flow decides the transitions, the journal stores them, neither imports the other
//! for them.

use std::fmt;

/// Which way money moves: the wallet pays a merchant code, or the merchant collects with a payer code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Pay,
    Collect,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Pay => "pay",
            Direction::Collect => "collect",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "pay" => Some(Direction::Pay),
            "collect" => Some(Direction::Collect),
            _ => None,
        }
    }
}

/// One payment intent's state. `Unknown` is ambiguity (timeout, reset, 5xx), never a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntentState {
    Created,
    Submitting,
    Succeeded,
    UserPaying,
    Unknown,
    Failed,
    Polling,
    TimedOut,
    Reversing,
    Reversed,
}

const INTENT_STATES: [(IntentState, &str); 10] = [
    (IntentState::Created, "created"),
    (IntentState::Submitting, "submitting"),
    (IntentState::Succeeded, "succeeded"),
    (IntentState::UserPaying, "user_paying"),
    (IntentState::Unknown, "unknown"),
    (IntentState::Failed, "failed"),
    (IntentState::Polling, "polling"),
    (IntentState::TimedOut, "timed_out"),
    (IntentState::Reversing, "reversing"),
    (IntentState::Reversed, "reversed"),
];

impl IntentState {
    pub fn as_str(self) -> &'static str {
        INTENT_STATES
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
            .unwrap_or("unknown")
    }

    pub fn parse(s: &str) -> Option<IntentState> {
        INTENT_STATES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(st, _)| *st)
    }

    /// Terminal states: nothing more will happen to the money of this intent (refunds aside).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            IntentState::Succeeded | IntentState::Failed | IntentState::Reversed
        )
    }

    /// The allowed edges. `Reversing` is reachable from every non-terminal state after
    /// `Submitting`: an explicit `cancel()` or a `recover()` past the deadline may reverse an intent
    /// whatever the last thing it heard was (the server treats a reverse of an unseen id as a close).
    /// `Reversing -> Polling` covers a reverse answered "retry later" (payer confirming right now).
    pub fn can_go_to(self, to: IntentState) -> bool {
        use IntentState::*;
        match self {
            Created => matches!(to, Submitting | Failed),
            Submitting => matches!(
                to,
                Succeeded | UserPaying | Unknown | Failed | TimedOut | Reversing
            ),
            UserPaying | Unknown => matches!(to, Polling | TimedOut | Reversing),
            Polling => matches!(to, Succeeded | Failed | TimedOut | Reversing),
            TimedOut => matches!(to, Reversing),
            Reversing => matches!(to, Reversed | Succeeded | Failed | Polling),
            Succeeded | Failed | Reversed => false,
        }
    }
}

impl fmt::Display for IntentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One refund's state. `Abnormal` needs manual handling and is not terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundState {
    Requested,
    Processing,
    Succeeded,
    Closed,
    Abnormal,
}

const REFUND_STATES: [(RefundState, &str); 5] = [
    (RefundState::Requested, "requested"),
    (RefundState::Processing, "processing"),
    (RefundState::Succeeded, "succeeded"),
    (RefundState::Closed, "closed"),
    (RefundState::Abnormal, "abnormal"),
];

impl RefundState {
    pub fn as_str(self) -> &'static str {
        REFUND_STATES
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
            .unwrap_or("requested")
    }

    pub fn parse(s: &str) -> Option<RefundState> {
        REFUND_STATES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(st, _)| *st)
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, RefundState::Succeeded | RefundState::Closed)
    }

    /// `Requested` may jump straight to a final answer (the switch can answer `succeeded` at once).
    pub fn can_go_to(self, to: RefundState) -> bool {
        use RefundState::*;
        match self {
            Requested => matches!(to, Processing | Succeeded | Closed | Abnormal),
            Processing => matches!(to, Succeeded | Closed | Abnormal),
            Abnormal => matches!(to, Succeeded | Closed),
            Succeeded | Closed => false,
        }
    }
}

impl fmt::Display for RefundState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intent_state_round_trips_through_its_wire_name() {
        for (s, n) in INTENT_STATES {
            assert_eq!(IntentState::parse(n), Some(s));
            assert_eq!(s.as_str(), n);
        }
        assert_eq!(IntentState::parse("SUCCESS"), None);
    }

    #[test]
    fn ambiguity_cannot_become_failure_without_a_query() {
        assert!(!IntentState::Unknown.can_go_to(IntentState::Failed));
        assert!(IntentState::Unknown.can_go_to(IntentState::Polling));
    }

    #[test]
    fn terminal_intent_states_have_no_way_out() {
        for (s, _) in INTENT_STATES.iter().filter(|(s, _)| s.is_terminal()) {
            for (to, _) in INTENT_STATES {
                assert!(!s.can_go_to(to), "{s} -> {to}");
            }
        }
    }

    #[test]
    fn created_must_be_submitted_before_any_outcome() {
        assert!(!IntentState::Created.can_go_to(IntentState::Succeeded));
        assert!(!IntentState::Created.can_go_to(IntentState::UserPaying));
    }

    #[test]
    fn closed_refund_is_final_and_abnormal_is_not() {
        assert!(RefundState::Closed.is_terminal());
        assert!(!RefundState::Abnormal.is_terminal());
        assert!(RefundState::Abnormal.can_go_to(RefundState::Succeeded));
        assert!(!RefundState::Closed.can_go_to(RefundState::Processing));
    }
}
