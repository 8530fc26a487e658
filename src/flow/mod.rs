//! Pay / collect / refund state machines: exactly-once money movement over a signed protocol.
