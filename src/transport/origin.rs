//! `https://host[:port]`: the one form a switch endpoint takes, checked the same way whichever
//! transport carries the requests (the built-in one or an app's own).

use super::TransportError;

/// A switch's origin, parsed once: requests go to `https://{authority}{target}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Lower-case host name or IP address (an IPv6 address without its brackets).
    pub host: String,
    pub port: u16,
    /// `host` or `host:port` as written, lower-cased (IPv6 in brackets): the `Host` header.
    pub authority: String,
}

impl Origin {
    /// Parses `https://host[:port]` (one trailing `/` allowed); anything more or less is refused.
    pub fn parse(text: &str) -> Result<Origin, TransportError> {
        let bad = |why: &str| TransportError::Config(format!("endpoint `{text}` {why}"));
        let authority = text
            .trim_end_matches('/')
            .strip_prefix("https://")
            .ok_or_else(|| bad("is not https://"))?;
        if authority.is_empty()
            || authority.contains(['/', '?', '#', '@', '\\'])
            || authority
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad("must be https://host[:port] alone"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (addr, rest) = v6.split_once(']').ok_or_else(|| bad("has an unclosed ["))?;
                let port = match rest {
                    "" => None,
                    p => Some(p.strip_prefix(':').ok_or_else(|| bad("has text after ]"))?),
                };
                (addr, port)
            }
            None => match authority.rsplit_once(':') {
                Some((h, _)) if h.contains(':') => {
                    return Err(bad("has an IPv6 address outside brackets"))
                }
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            },
        };
        if host.is_empty() {
            return Err(bad("has no host"));
        }
        let port = match port {
            None => 443,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().map_err(|_| bad("has a port out of range"))?
            }
            Some(_) => return Err(bad("has a port that is not a number")),
        };
        if port == 0 {
            return Err(bad("has port 0"));
        }
        Ok(Origin {
            host: host.to_ascii_lowercase(),
            port,
            authority: authority.to_ascii_lowercase(),
        })
    }

    /// The URL of a request target (`/v1/payments?...`, exactly as signed).
    pub fn url(&self, target: &str) -> String {
        format!("https://{}{}", self.authority, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_the_origin_and_the_signed_target() {
        let o = Origin::parse("https://Switch.Example:8443/").unwrap();
        assert_eq!((o.host.as_str(), o.port), ("switch.example", 8443));
        assert_eq!(
            o.url("/v1/keys?x=1"),
            "https://switch.example:8443/v1/keys?x=1"
        );
        let v6 = Origin::parse("https://[::1]").unwrap();
        assert_eq!(
            (v6.host.as_str(), v6.port, v6.url("/")),
            ("::1", 443, "https://[::1]/".into())
        );
    }

    #[test]
    fn refuses_what_is_not_an_https_origin() {
        for text in [
            "http://switch.example",
            "https://",
            "https://:443",
            "https://switch.example/v1",
            "https://user@switch.example",
            "https://switch.example:0",
            "https://switch.example:99999",
            "https://switch.example:x",
            "https://switch example",
            "https://switch.example\n",
            "https://[::1",
            "https://[::1]x",
            "https://::1",
            "https://fe80::1:8443",
        ] {
            assert!(
                matches!(Origin::parse(text), Err(TransportError::Config(_))),
                "{text:?}"
            );
        }
    }
}
