//! Link schemes that are not payment codes, and the flag for what each could do if an app
//! handed it to a browser or the OS.
//!
//! A wallet scanner sees whatever a QR code holds. Wallet and payment schemes the registry
//! knows (`wxp`, `weixin://wxpay/bizpayurl`, `upi`, `bitcoin`...) never get here; `http(s)`
//! is judged by its host instead. Everything else is matched in this table, and a scheme it
//! does not list is some app's or wallet's private scheme: `unknown_app_scheme`.

use super::RiskFlag;

/// Lower-case scheme -> flag. Order does not matter; each scheme appears once.
pub const SCHEME_FLAGS: &[(&str, RiskFlag)] = &[
    // Runs code in whatever opens it.
    ("javascript", RiskFlag::ScriptLink),
    ("vbscript", RiskFlag::ScriptLink),
    ("livescript", RiskFlag::ScriptLink),
    ("mocha", RiskFlag::ScriptLink),
    // Carries its own document (an HTML page, an image, a script) instead of pointing at one.
    ("data", RiskFlag::EmbeddedContentLink),
    ("blob", RiskFlag::EmbeddedContentLink),
    ("filesystem", RiskFlag::EmbeddedContentLink),
    // Reaches files or services on the phone or its network.
    ("file", RiskFlag::LocalResourceLink),
    ("content", RiskFlag::LocalResourceLink),
    ("jar", RiskFlag::LocalResourceLink),
    ("smb", RiskFlag::LocalResourceLink),
    ("ftp", RiskFlag::LocalResourceLink),
    ("view-source", RiskFlag::LocalResourceLink),
    ("about", RiskFlag::LocalResourceLink),
    ("chrome", RiskFlag::LocalResourceLink),
    // Starts or installs an app with parameters chosen by whoever printed the code.
    ("intent", RiskFlag::AppLaunchLink),
    ("android-app", RiskFlag::AppLaunchLink),
    ("market", RiskFlag::AppLaunchLink),
    ("itms-services", RiskFlag::AppLaunchLink),
    ("itms-apps", RiskFlag::AppLaunchLink),
    ("ms-appinstaller", RiskFlag::AppLaunchLink),
    ("shortcuts", RiskFlag::AppLaunchLink),
    // Ordinary actions that are not payments: calls, messages, mail, places, Wi-Fi, contacts.
    ("tel", RiskFlag::NonPaymentLink),
    ("sms", RiskFlag::NonPaymentLink),
    ("smsto", RiskFlag::NonPaymentLink),
    ("mms", RiskFlag::NonPaymentLink),
    ("mailto", RiskFlag::NonPaymentLink),
    ("geo", RiskFlag::NonPaymentLink),
    ("wifi", RiskFlag::NonPaymentLink),
    ("mecard", RiskFlag::NonPaymentLink),
    ("otpauth", RiskFlag::NonPaymentLink),
    ("facetime", RiskFlag::NonPaymentLink),
    ("sip", RiskFlag::NonPaymentLink),
];

/// The flag for a link's scheme (`None` for http and https, which are judged by host).
pub fn flag_for(scheme: &str) -> Option<RiskFlag> {
    if scheme == "http" || scheme == "https" {
        return None;
    }
    Some(
        SCHEME_FLAGS
            .iter()
            .find(|(s, _)| scheme.eq_ignore_ascii_case(s))
            .map_or(RiskFlag::UnknownAppScheme, |(_, f)| *f),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scheme_is_listed_once_in_lower_case() {
        let mut seen = std::collections::BTreeSet::new();
        for (s, _) in SCHEME_FLAGS {
            assert_eq!(*s, s.to_ascii_lowercase());
            assert!(seen.insert(*s), "{s} twice");
        }
    }

    #[test]
    fn unlisted_schemes_are_unknown_app_schemes_and_web_links_are_not_judged_here() {
        assert_eq!(flag_for("alipays"), Some(RiskFlag::UnknownAppScheme));
        assert_eq!(flag_for("JavaScript"), Some(RiskFlag::ScriptLink));
        assert_eq!(flag_for("https"), None);
    }
}
