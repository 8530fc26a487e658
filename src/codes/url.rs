//! A small, strict URL splitter: scheme, host, path, query. No normalisation beyond case.

use super::CodeError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url<'a> {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Lower-cased host (empty for opaque URIs like `mailto:`).
    pub host: String,
    pub port: Option<&'a str>,
    /// Everything after the host up to `?`/`#`, with its original case.
    pub path: &'a str,
    pub query: &'a str,
    pub fragment: &'a str,
    pub has_authority: bool,
}

fn is_scheme(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

/// The scheme, if the text starts like a URI.
pub fn scheme_of(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    is_scheme(scheme).then_some(scheme)
}

pub fn parse(text: &str) -> Result<Url<'_>, CodeError> {
    let bad = |r: &str| CodeError::Url(r.to_string());
    let scheme = scheme_of(text).ok_or_else(|| bad("no scheme"))?;
    // A URL is an identifier: anything that could hide part of it from the reader is refused.
    if text
        .chars()
        .any(|c| c.is_whitespace() || super::text::is_unsafe(c))
    {
        return Err(bad(
            "contains whitespace, control or bidi formatting characters",
        ));
    }
    let rest = &text[scheme.len() + 1..];
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, port, path, has_authority) = match rest.strip_prefix("//") {
        Some(auth_path) => {
            let cut = auth_path.find('/').unwrap_or(auth_path.len());
            let (authority, path) = auth_path.split_at(cut);
            if authority.contains('@') {
                // `https://qr.alipay.com@evil.example/` is a classic disguise: refuse userinfo.
                return Err(bad("user information in the authority is not allowed"));
            }
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
                _ => (authority, None),
            };
            if let Some(p) = port {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("port is not a number"));
                }
            }
            (host.to_lowercase(), port, path, true)
        }
        None => (String::new(), None, rest, false),
    };
    Ok(Url {
        scheme: scheme.to_ascii_lowercase(),
        host,
        port,
        path,
        query,
        fragment,
        has_authority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_an_https_url_and_lowercases_host() {
        let u = parse("HTTPS://QR.ALIPAY.COM/FKX123?x=1#f").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "qr.alipay.com");
        assert_eq!(u.path, "/FKX123");
        assert_eq!(u.query, "x=1");
    }

    #[test]
    fn refuses_bidi_overrides_that_disguise_a_url() {
        let e = parse("https://qr.alipay.com/\u{202e}moc.live").unwrap_err();
        assert!(e.to_string().contains("bidi"), "{e}");
    }

    #[test]
    fn refuses_userinfo_disguises() {
        assert!(parse("https://qr.alipay.com@evil.example/x").is_err());
    }

    #[test]
    fn reads_opaque_uris_without_host() {
        let u = parse("wxp://f2f0abc").unwrap();
        assert_eq!(u.host, "f2f0abc");
        let u = parse("bitcoin:1abc").unwrap();
        assert_eq!(u.host, "");
        assert_eq!(u.path, "1abc");
    }
}
