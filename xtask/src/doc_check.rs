//! Doc comments must reach the generated Kotlin and Swift, where app developers read them: every
//! declaration of an exported name (type, function, method, constructor, field, variant) in the
//! generated sources must carry a KDoc `/** */` or Swift `///` / `/** */` comment.
//!
//! Which names are exported comes from the API snapshot, so UniFFI's own scaffolding
//! (`FfiConverter...`, `RustBuffer`, handle maps) is not asked for docs it never has. The check
//! also fails when an exported type or function has no declaration at all, so a change in
//! UniFFI's output cannot make it pass by finding nothing.

use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The generated language whose declarations are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Kotlin,
    Swift,
}

/// What a declaration line declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A class, interface, protocol, struct, enum, or an enum's / error's variant class.
    Type,
    /// A function or method.
    Callable,
    /// An object's primary constructor (`new`).
    Constructor,
    /// A record's or variant's field.
    Field,
    /// An enum case (`QR_CODE,` in Kotlin, `case qrCode` in Swift).
    Variant,
}

/// The exported names, in the forms the generated languages spell them.
#[derive(Debug, Default)]
pub(crate) struct ApiNames {
    /// Snapshot type names (`Payments`, `AmountError`).
    types: BTreeSet<String>,
    /// Functions, methods and named constructors, lowerCamelCase.
    callables: BTreeSet<String>,
    /// Some object has a primary constructor.
    has_new: bool,
    /// Record and variant fields, lowerCamelCase.
    fields: BTreeSet<String>,
    /// Variant names as declared (`QrCode`).
    variants: BTreeSet<String>,
}

impl ApiNames {
    /// Reads the names out of `cargo xtask bindings`' API snapshot lines.
    pub(crate) fn from_snapshot(snapshot: &str) -> ApiNames {
        let mut names = ApiNames::default();
        for line in snapshot.lines().filter(|l| !l.starts_with('#')) {
            let Some((kind, rest)) = line.split_once(' ') else {
                continue;
            };
            match kind {
                "fn" => {
                    names.callables.insert(lower_camel(ident(rest)));
                }
                "object" | "trait" => {
                    // "object X", "trait (rust or foreign) X", "object X::method name(...)",
                    // "object X::constructor new(...)".
                    let rest = rest.strip_prefix("(rust or foreign) ").unwrap_or(rest);
                    match rest.split_once(' ') {
                        Some((owner, member)) if owner.contains("::") => {
                            let member = ident(member);
                            if owner.ends_with("::constructor") && member == "new" {
                                names.has_new = true;
                            } else {
                                names.callables.insert(lower_camel(member));
                            }
                        }
                        _ => {
                            names.types.insert(ident(rest).to_owned());
                        }
                    }
                }
                "record" | "enum" | "error" => {
                    let (head, body) = rest.split_once('{').unwrap_or((rest, ""));
                    let Some(name) = head.split_whitespace().last() else {
                        continue;
                    };
                    names.types.insert(name.to_owned());
                    let body = body.trim_end().trim_end_matches('}');
                    for item in split_top_level(body) {
                        if kind == "record" {
                            names.fields.insert(lower_camel(ident(item)));
                            continue;
                        }
                        names.variants.insert(ident(item).to_owned());
                        // "Settled(intent_id: String, state: IntentState)"
                        if let Some((_, fields)) = item.split_once('(') {
                            for field in split_top_level(fields.trim_end_matches(')')) {
                                names.fields.insert(lower_camel(ident(field)));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        names
    }

    /// The names a declaration of `kind` may carry in `lang`, for the exported items.
    fn wants(&self, lang: Lang, kind: Kind, name: &str) -> bool {
        match kind {
            Kind::Type => {
                self.variants.contains(name)
                    || self
                        .types
                        .iter()
                        .any(|t| type_forms(t).iter().any(|f| f == name))
            }
            Kind::Callable => self.callables.contains(name),
            Kind::Constructor => self.has_new,
            Kind::Field => self.fields.contains(name),
            Kind::Variant => match lang {
                Lang::Kotlin => self.variants.iter().any(|v| shouty(v) == name),
                Lang::Swift => self
                    .variants
                    .iter()
                    .any(|v| v == name || lower_camel_upper(v) == name),
            },
        }
    }
}

/// How the generators name a snapshot type: the type itself, an object's interface (Kotlin
/// `PaymentsInterface`, Swift `PaymentsProtocol`), a foreign trait's Rust-backed class
/// (`SignerImpl`), an error in Kotlin (`AmountException`).
fn type_forms(t: &str) -> Vec<String> {
    let mut forms = vec![
        t.to_owned(),
        format!("{t}Interface"),
        format!("{t}Protocol"),
        format!("{t}Impl"),
    ];
    if let Some(stem) = t.strip_suffix("Error") {
        forms.push(format!("{stem}Exception"));
    }
    forms
}

/// The leading identifier of `s` ("cancel async(intent_id...)" -> "cancel").
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Splits "a: A, b: HashMap<K, V>, c(x: X, y: Y)" at the commas outside brackets.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' | ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

fn lower_camel(snake: &str) -> String {
    let mut out = String::new();
    for (i, part) in snake.split('_').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            if i == 0 {
                out.push(c);
            } else {
                out.extend(c.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

/// "QrCode" -> "qrCode" (Swift enum cases).
fn lower_camel_upper(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "QrCode" -> "QR_CODE", "Code128" -> "CODE128" (Kotlin enum entries).
fn shouty(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

const KOTLIN_MODIFIERS: &[&str] = &[
    "public", "open", "override", "suspend", "data", "enum", "sealed", "abstract", "final",
    "inline", "operator",
];
const SWIFT_MODIFIERS: &[&str] = &[
    "public",
    "open",
    "final",
    "convenience",
    "static",
    "indirect",
    "required",
    "override",
    "nonisolated",
    "mutating",
];
const HIDDEN: &[&str] = &["internal", "private", "protected", "fileprivate"];

/// Drops leading annotations (`@Throws(ScanException::class)override fun`, `@discardableResult`).
fn strip_annotations(mut s: &str) -> &str {
    while let Some(rest) = s.strip_prefix('@') {
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let mut after = &rest[name_end..];
        if after.starts_with('(') {
            let mut depth = 0;
            let mut end = after.len();
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            after = &after[end..];
        }
        s = after.trim_start();
    }
    s
}

/// The next word of a declaration: a keyword, or a name (backticks kept so that Kotlin's
/// quoted API names can be told from scaffolding).
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('`') {
        if let Some(end) = rest.find('`') {
            return (&s[..end + 2], &s[end + 2..]);
        }
    }
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// What `line` declares, if it declares a public item: its kind and its name.
fn declaration(line: &str, lang: Lang) -> Option<(Kind, String)> {
    let mut rest = strip_annotations(line.trim());
    let modifiers = match lang {
        Lang::Kotlin => KOTLIN_MODIFIERS,
        Lang::Swift => SWIFT_MODIFIERS,
    };
    let mut seen = Vec::new();
    let keyword = loop {
        rest = rest.trim_start();
        let (w, after) = word(rest);
        if HIDDEN.contains(&w) {
            return None;
        }
        if !modifiers.contains(&w) {
            break w;
        }
        seen.push(w);
        rest = after;
    };
    let after = &rest[keyword.len()..];
    let (name, _) = word(after);
    let unquoted = name.trim_matches('`');
    let kind = match (lang, keyword) {
        (_, "class" | "interface" | "object" | "struct" | "protocol") => Kind::Type,
        (Lang::Swift, "enum") => Kind::Type,
        // Kotlin's API names are quoted (fun `identify`); scaffolding's are not.
        (Lang::Kotlin, "fun") if name.starts_with('`') => Kind::Callable,
        (Lang::Kotlin, "val" | "var") if name.starts_with('`') => Kind::Field,
        (Lang::Kotlin, "constructor") => return Some((Kind::Constructor, "new".into())),
        (Lang::Swift, "func") => Kind::Callable,
        (Lang::Swift, "init") if seen.contains(&"convenience") => {
            return Some((Kind::Constructor, "new".into()))
        }
        (Lang::Swift, "let" | "var") if seen.iter().any(|m| *m == "public" || *m == "open") => {
            Kind::Field
        }
        (Lang::Swift, "case") => Kind::Variant,
        (Lang::Kotlin, entry)
            if !entry.is_empty()
                && entry == rest.trim().trim_end_matches([',', ';'])
                && entry
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
        {
            return Some((Kind::Variant, entry.to_owned()))
        }
        _ => return None,
    };
    (!unquoted.is_empty()).then(|| (kind, unquoted.to_owned()))
}

/// Whether a doc comment ends right above line `i` (blank lines and annotation lines between
/// are allowed, as the generators write them).
fn documented(lines: &[&str], i: usize) -> bool {
    let mut j = i;
    while j > 0 {
        j -= 1;
        let t = lines[j].trim();
        if t.is_empty() || t.starts_with('@') {
            continue;
        }
        if t.starts_with("///") {
            return true;
        }
        return t.ends_with("*/") && opened_as_doc(lines, j);
    }
    false
}

/// Whether the block comment that ends on line `end` opened with `/**`.
fn opened_as_doc(lines: &[&str], end: usize) -> bool {
    let mut j = end;
    loop {
        let u = lines[j].trim();
        if let Some(open) = u.find("/*") {
            return u[open..].starts_with("/**");
        }
        if j == 0 {
            return false;
        }
        j -= 1;
    }
}

/// A line holding nothing but modifiers (`public`), whose declaration is on the next line.
fn is_only_modifiers(text: &str, lang: Lang) -> bool {
    let modifiers = match lang {
        Lang::Kotlin => KOTLIN_MODIFIERS,
        Lang::Swift => SWIFT_MODIFIERS,
    };
    !text.is_empty() && text.split_whitespace().all(|w| modifiers.contains(&w))
}

/// A declaration marked private, fileprivate, internal or protected.
fn starts_hidden(text: &str) -> bool {
    strip_annotations(text)
        .split_whitespace()
        .take_while(|w| !w.contains(['(', '{', ':']))
        .any(|w| HIDDEN.contains(&w))
}

/// Every declaration of an exported name in `source` that has no doc comment, as
/// "line N: kind name", plus every exported type or function `source` does not declare at all.
#[cfg(test)]
fn problems(source: &str, lang: Lang, names: &ApiNames) -> Vec<String> {
    checked(source, lang, names).1
}

/// How many exported declarations `source` holds, and the problems `problems` lists.
fn checked(source: &str, lang: Lang, names: &ApiNames) -> (usize, Vec<String>) {
    let mut count = 0;
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    let mut declared = BTreeSet::new();
    // Depth at which a private / fileprivate / internal block began: nothing inside it is API
    // (Swift's `fileprivate protocol UniffiForeignFutureTask { func cancel() }`).
    let mut hidden_from: Option<i64> = None;
    let mut depth: i64 = 0;
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        // The generators sometimes end a doc comment on the declaration's own line
        // (`*/ fun `hutongVersion`()`) or put the modifiers on a line of their own (`public` then
        // `enum AmountError`): one logical line each time.
        let mut text = lines[i].trim().to_owned();
        let closes_doc = text.starts_with("*/");
        if closes_doc {
            text = text[2..].to_owned();
        }
        while i + 1 < lines.len() && is_only_modifiers(&text, lang) {
            i += 1;
            text = format!("{text} {}", lines[i].trim());
        }
        let before = depth;
        depth += text.matches('{').count() as i64 - text.matches('}').count() as i64;
        i += 1;
        if hidden_from.is_some_and(|d| before > d) {
            if depth <= hidden_from.unwrap_or(0) {
                hidden_from = None;
            }
            continue;
        }
        hidden_from = None;
        if depth > before && starts_hidden(&text) {
            hidden_from = Some(before);
            continue;
        }
        let Some((kind, name)) = declaration(&text, lang) else {
            continue;
        };
        if !names.wants(lang, kind, &name) {
            continue;
        }
        count += 1;
        if matches!(kind, Kind::Type | Kind::Callable) {
            declared.insert((kind == Kind::Type, name.clone()));
        }
        let documented = if closes_doc {
            opened_as_doc(&lines, start)
        } else {
            documented(&lines, start)
        };
        if !documented {
            out.push(format!(
                "line {}: {kind:?} {name} has no doc comment",
                start + 1
            ));
        }
    }
    for t in &names.types {
        if !type_forms(t)
            .into_iter()
            .any(|f| declared.contains(&(true, f)))
        {
            out.push(format!("type {t} is not declared"));
        }
    }
    for c in &names.callables {
        if !declared.contains(&(false, c.clone())) {
            out.push(format!("function {c} is not declared"));
        }
    }
    (count, out)
}

fn files_with_extension(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {dir:?}"))? {
        let path = entry?.path();
        if path.is_dir() {
            files_with_extension(&path, ext, out)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

/// Fails listing every exported declaration without a doc comment in the generated Kotlin (all
/// `.kt` files under `kotlin_dir`) and Swift (`swift_file`).
pub(crate) fn check(kotlin_dir: &Path, swift_file: &Path, snapshot: &str) -> Result<()> {
    let names = ApiNames::from_snapshot(snapshot);
    let mut sources = Vec::new();
    files_with_extension(kotlin_dir, "kt", &mut sources)?;
    if sources.is_empty() {
        bail!("no generated Kotlin under {kotlin_dir:?}");
    }
    let mut kotlin = String::new();
    for path in &sources {
        kotlin.push_str(&fs::read_to_string(path).with_context(|| format!("reading {path:?}"))?);
        kotlin.push('\n');
    }
    let swift =
        fs::read_to_string(swift_file).with_context(|| format!("reading {swift_file:?}"))?;
    let mut report = Vec::new();
    let mut counts = Vec::new();
    for (lang, source, what) in [
        (Lang::Kotlin, &kotlin, "Kotlin"),
        (Lang::Swift, &swift, "Swift"),
    ] {
        let (count, found) = checked(source, lang, &names);
        counts.push(format!("{count} in the {what}"));
        report.extend(found.into_iter().map(|p| format!("{what} {p}")));
    }
    if !report.is_empty() {
        bail!(
            "exported items without a doc comment in the generated bindings (document them in \
             bindings/hutong-ffi/src):\n  {}",
            report.join("\n  ")
        );
    }
    eprintln!(
        "xtask> exported declarations with doc comments: {}",
        counts.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAPSHOT: &str = "\
enum Symbology { Qr, Code128 }
error (flat, message only) AmountError { Empty, Internal }
fn render_code(text: String) -> RenderedCode
object HutongScanner
object HutongScanner::constructor new(options: ScanOptions) throws ScanError
object HutongScanner::method scan_gray8(y: &[u8]) -> Vec<ScannedCode>
record RenderedCode { width: u32, extra: HashMap<String, String> }
";

    fn names() -> ApiNames {
        ApiNames::from_snapshot(SNAPSHOT)
    }

    #[test]
    fn reads_every_kind_of_name_from_the_snapshot() {
        let n = names();
        assert!(n.types.contains("Symbology") && n.types.contains("HutongScanner"));
        assert!(n.callables.contains("renderCode") && n.callables.contains("scanGray8"));
        assert!(n.has_new);
        assert_eq!(
            n.fields.iter().collect::<Vec<_>>(),
            ["extra", "width"],
            "the comma inside HashMap<String, String> splits nothing"
        );
        assert!(n.variants.contains("Code128") && n.variants.contains("Internal"));
    }

    const KOTLIN_DOCUMENTED: &str = r#"
/**
 * Draws a code.
 */
fun `renderCode`(`text`: kotlin.String): RenderedCode

/**
 * A scanner.
 */
open class HutongScanner: Disposable, HutongScannerInterface
{
    @Suppress("UNUSED_PARAMETER")
    /**
     * @suppress
     */
    constructor(withHandle: UniffiWithHandle, handle: Long) {
    }
    /**
     * Builds one.
     */
    constructor(`options`: ScanOptions) :
        this(UniffiWithHandle, 0)

    /**
     * A grey frame.
     */
    @Throws(ScanException::class)override fun `scanGray8`(`y`: java.nio.ByteBuffer): List<ScannedCode> {
        val result = 1
    }
}

/**
 * Which barcode.
 */

enum class Symbology {

    /**
     * QR.
     */
    QR,
    /**
     * Code 128.
     */
    CODE128;
}

/**
 * Why not.
 */
sealed class AmountException(message: String): kotlin.Exception(message) {
        /**
         * Empty.
         */
        class Empty(message: String) : AmountException(message)
        /**
         * A bug.
         */
        class Internal(message: String) : AmountException(message)
}

/**
 * A drawn code.
 */
data class RenderedCode (
    /**
     * Pixels.
     */
    val `width`: kotlin.UInt
    , 
    /**
     * More.
     */
    val `extra`: Map<kotlin.String, kotlin.String>
)

public object FfiConverterTypeRenderedCode: FfiConverterRustBuffer<RenderedCode> {
    override fun read(buf: ByteBuffer): RenderedCode {
    }
}
"#;

    /// The problems' messages without their `line N: ` prefix.
    fn messages(found: &[String]) -> Vec<&str> {
        found
            .iter()
            .map(|p| p.split(": ").nth(1).unwrap_or(p))
            .collect()
    }

    #[test]
    fn a_fully_documented_kotlin_file_passes() {
        assert_eq!(
            problems(KOTLIN_DOCUMENTED, Lang::Kotlin, &names()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn undocumented_kotlin_declarations_are_listed() {
        // The same file with four doc comments removed: a function, a field, an enum entry
        // and an error variant.
        let source = KOTLIN_DOCUMENTED
            .replace("/**\n * Draws a code.\n */\n", "")
            .replace("    /**\n     * More.\n     */\n", "")
            .replace("    /**\n     * Code 128.\n     */\n", "")
            .replace("        /**\n         * Empty.\n         */\n", "");
        let found = problems(&source, Lang::Kotlin, &names());
        let names = messages(&found);
        assert_eq!(
            names,
            [
                "Callable renderCode has no doc comment",
                "Variant CODE128 has no doc comment",
                "Type Empty has no doc comment",
                "Field extra has no doc comment",
            ],
            "{found:?}"
        );
    }

    #[test]
    fn a_kotlin_file_without_the_exported_items_fails() {
        let found = problems("fun plain() {}\n", Lang::Kotlin, &names());
        assert!(found.contains(&"type Symbology is not declared".to_owned()));
        assert!(found.contains(&"function scanGray8 is not declared".to_owned()));
    }

    const SWIFT_DOCUMENTED: &str = r#"
/**
 * A scanner.
 */
public protocol HutongScannerProtocol: AnyObject, Sendable {
    /**
     * A grey frame.
     */
    func scanGray8(y: Data) throws  -> [ScannedCode]
}
/**
 * A scanner.
 */
open class HutongScanner: HutongScannerProtocol, @unchecked Sendable {
    public init(noHandle: NoHandle) {
    }
    /**
     * Builds one.
     */
public convenience init(options: ScanOptions)throws  {
    }
    /**
     * A grey frame.
     */
open func scanGray8(y: Data)throws  -> [ScannedCode]  {
        let width = 3
    }
}
/// A drawn code.
public struct RenderedCode: Equatable, Hashable {
    /// Pixels.
    public let width: UInt32
    /// More.
    public let extra: [String: String]

    // Default memberwise initializers are never public by default, so we
    // declare one manually.
    public init(width: UInt32, extra: [String: String]) {
    }
}
public struct FfiConverterTypeRenderedCode: FfiConverterRustBuffer {
    public static func read(from buf: inout (data: Data, offset: Data.Index)) throws -> RenderedCode {
        switch 1 {
        case 1: return .qr
        }
    }
}
/**
 * Which barcode.
 */
public enum Symbology {
    /**
     * QR.
     */
    case qr
    /**
     * Code 128.
     */
    case code128
}
/**
 * Why not.
 */
public
enum AmountError: Swift.Error {
    /**
     * Empty.
     */
    case Empty(message: String)
    /**
     * A bug.
     */
    case Internal(message: String)
}
/**
 * Draws a code.
 */
public func renderCode(text: String) -> RenderedCode  {
}
fileprivate protocol UniffiForeignFutureTask {
    func scanGray8()
}
"#;

    #[test]
    fn a_fully_documented_swift_file_passes() {
        assert_eq!(
            problems(SWIFT_DOCUMENTED, Lang::Swift, &names()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn undocumented_swift_declarations_are_listed() {
        let source = SWIFT_DOCUMENTED
            .replace("/**\n * Draws a code.\n */\n", "")
            .replace("    /// Pixels.\n", "")
            .replace("    /**\n     * Builds one.\n     */\n", "")
            .replace("/**\n * Which barcode.\n */\n", "");
        let found = problems(&source, Lang::Swift, &names());
        let names = messages(&found);
        assert_eq!(
            names,
            [
                "Constructor new has no doc comment",
                "Field width has no doc comment",
                "Type Symbology has no doc comment",
                "Callable renderCode has no doc comment",
            ],
            "{found:?}"
        );
    }

    #[test]
    fn a_doc_comment_may_end_on_the_declarations_line() {
        let documented = "/**\n * Draws a code.\n */ fun `renderCode`(): RenderedCode {\n}\n";
        let plain = "/*\n * Draws a code.\n */ fun `renderCode`(): RenderedCode {\n}\n";
        let about = |source| {
            problems(source, Lang::Kotlin, &names())
                .into_iter()
                .filter(|p| p.contains("renderCode"))
                .collect::<Vec<_>>()
        };
        assert_eq!(about(documented), Vec::<String>::new());
        assert_eq!(
            about(plain),
            ["line 3: Callable renderCode has no doc comment"]
        );
    }

    #[test]
    fn a_plain_comment_is_not_a_doc_comment() {
        let lines = ["/* not a doc */", "fun `a`()", "// nor this", "fun `b`()"];
        assert!(!documented(&lines, 1));
        assert!(!documented(&lines, 3));
        let lines = [
            "/**",
            " * Doc.",
            " */",
            "",
            "@Throws(E::class)",
            "fun `c`()",
        ];
        assert!(documented(&lines, 5));
    }

    #[test]
    fn names_take_the_generated_spellings() {
        assert_eq!(shouty("QrCode"), "QR_CODE");
        assert_eq!(shouty("Code128"), "CODE128");
        assert_eq!(lower_camel("scan_yuv420888"), "scanYuv420888");
        assert_eq!(lower_camel_upper("QrCode"), "qrCode");
        assert!(type_forms("AmountError").contains(&"AmountException".to_owned()));
    }
}
