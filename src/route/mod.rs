//! Acceptance: can this wallet pay a code, directly or through which interconnect route.
