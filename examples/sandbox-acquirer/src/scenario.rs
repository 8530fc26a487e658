//! Which forced outcome serves a request (protocol §8): the `X-Sandbox-Scenario` header, else an
//! admin override (the next request, or every request for one merchant), else a magic amount,
//! else the server's default, else plain success.

use crate::data;
use serde::Serialize;
use std::collections::HashMap;

/// The operations a scenario can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Payment,
    Collection,
    Refund,
    Reverse,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Payment => "payment",
            Op::Collection => "collection",
            Op::Refund => "refund",
            Op::Reverse => "reverse",
        }
    }
}

/// A scenario with its parameters (`user_paying;polls=3`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub name: String,
    /// Queries before a `user_paying` payment succeeds.
    pub polls: i64,
    /// Where it came from: `header`, `next`, `merchant`, `amount`, `default`, `none`.
    pub source: &'static str,
}

impl Scenario {
    pub fn success() -> Scenario {
        Scenario {
            name: "success".into(),
            polls: 0,
            source: "none",
        }
    }

    /// Parses `name[;polls=N]`; unknown names are an error (a typo must not pass as success).
    pub fn parse(text: &str, source: &'static str) -> Result<Scenario, String> {
        let mut parts = text.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_string();
        if !data::scenarios().iter().any(|s| s.name == name) {
            return Err(format!("unknown scenario `{name}`"));
        }
        let mut polls = 2;
        for p in parts.filter(|p| !p.is_empty()) {
            match p.split_once('=') {
                Some(("polls", n)) => {
                    polls = n
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (0..=1000).contains(n))
                        .ok_or_else(|| format!("polls must be 0-1000, not `{n}`"))?
                }
                _ => return Err(format!("unknown scenario parameter `{p}`")),
            }
        }
        Ok(Scenario {
            name,
            polls,
            source,
        })
    }

    pub fn applies_to(&self, op: Op) -> bool {
        data::scenarios()
            .iter()
            .find(|s| s.name == self.name)
            .is_some_and(|s| s.applies_to.iter().any(|o| o == op.as_str()))
    }

    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }
}

/// Admin overrides, set by `POST /sandbox/scenario`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    /// Serves the next request it applies to, then clears.
    pub next: Option<String>,
    /// Serves every request for a merchant id.
    pub merchants: HashMap<String, String>,
    /// Serves every request nothing else chose (the `--scenario` flag).
    pub default: Option<String>,
}

impl Overrides {
    /// Picks the scenario for one operation; consumes `next` when it applies.
    pub fn resolve(
        &mut self,
        op: Op,
        header: Option<&str>,
        merchant_id: Option<&str>,
        amount_minor: Option<i64>,
    ) -> Result<Scenario, String> {
        if let Some(h) = header.filter(|h| !h.trim().is_empty()) {
            let s = Scenario::parse(h, "header")?;
            return Ok(if s.applies_to(op) {
                s
            } else {
                Scenario::success()
            });
        }
        if let Some(n) = &self.next {
            let s = Scenario::parse(n, "next")?;
            if s.applies_to(op) {
                self.next = None;
                return Ok(s);
            }
        }
        if let Some(m) = merchant_id.and_then(|m| self.merchants.get(m)) {
            let s = Scenario::parse(m, "merchant")?;
            if s.applies_to(op) {
                return Ok(s);
            }
        }
        if let Some(a) = amount_minor {
            if let Some(row) = data::scenarios().iter().find(|s| s.magic_minor == Some(a)) {
                let s = Scenario::parse(&row.name, "amount")?;
                if s.applies_to(op) {
                    return Ok(s);
                }
            }
        }
        if let Some(d) = &self.default {
            let s = Scenario::parse(d, "default")?;
            if s.applies_to(op) {
                return Ok(s);
            }
        }
        Ok(Scenario::success())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_wins_and_carries_parameters() {
        let mut o = Overrides {
            next: Some("insufficient_funds".into()),
            ..Default::default()
        };
        let s = o
            .resolve(Op::Payment, Some("user_paying;polls=5"), None, None)
            .unwrap();
        assert_eq!(
            (s.name.as_str(), s.polls, s.source),
            ("user_paying", 5, "header")
        );
        assert!(o.next.is_some(), "a header does not consume the override");
    }

    #[test]
    fn next_override_waits_for_an_operation_it_applies_to() {
        let mut o = Overrides {
            next: Some("refund_processing".into()),
            ..Default::default()
        };
        assert_eq!(
            o.resolve(Op::Payment, None, None, None).unwrap().name,
            "success"
        );
        assert_eq!(
            o.resolve(Op::Refund, None, None, None).unwrap().name,
            "refund_processing"
        );
        assert_eq!(
            o.resolve(Op::Refund, None, None, None).unwrap().name,
            "success"
        );
    }

    #[test]
    fn magic_amount_then_merchant_then_default() {
        let mut o = Overrides {
            default: Some("slow".into()),
            ..Default::default()
        };
        o.merchants.insert("m-1".into(), "bad_signature".into());
        let by_amount = o.resolve(Op::Payment, None, None, Some(66601)).unwrap();
        assert_eq!(
            (by_amount.name.as_str(), by_amount.source),
            ("insufficient_funds", "amount")
        );
        assert_eq!(
            o.resolve(Op::Payment, None, Some("m-1"), Some(66601))
                .unwrap()
                .name,
            "bad_signature"
        );
        assert_eq!(
            o.resolve(Op::Payment, None, None, Some(100)).unwrap().name,
            "slow"
        );
    }

    #[test]
    fn unknown_names_and_parameters_are_errors() {
        assert!(Scenario::parse("sucess", "header").is_err());
        assert!(Scenario::parse("user_paying;polls=x", "header").is_err());
        assert!(Scenario::parse("user_paying;speed=3", "header").is_err());
    }
}
