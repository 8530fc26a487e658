//! README code that cannot rot. Every ```kotlin and ```swift block in the integration docs
//! carries a marker comment on the line above it that says how it is checked:
//!
//! - `<!-- snippet: PATH#REGION -->`: the block is, character for character (after removing the
//!   region's indentation), the `// region REGION` ... `// endregion` part of PATH, a source file
//!   the CI compiles (Gradle and `cargo xtask android-jvm` for the sample app, Maven for the
//!   Kotlin JVM tests).
//! - `<!-- gradle-dependencies: PATH -->`: a Gradle block that must list every `api(...)`
//!   dependency of the library module PATH with the same coordinates (a local AAR carries none).
//! - `<!-- swift-calls -->` (optionally `<!-- swift-calls: app NAME... -->` for the app's own
//!   functions the block calls): no Swift compiler runs here, so each call in the block is
//!   resolved against the declarations of the generated `Hutong.swift` and the hand-written
//!   `Sources/Hutong/Apple` files: the function or type exists, the argument labels fit one of
//!   its signatures (defaulted parameters may be left out, a trailing closure binds to the last
//!   closure parameter), and a `throws` call sits in a statement with `try`, an `async` one with
//!   `await`. `cargo xtask bindings` runs it after generating the Swift.
//!
//! A block with no marker is an error, so a new snippet cannot slip in unchecked.

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The documents whose Kotlin and Swift blocks are checked.
pub const DOCS: &[&str] = &[
    "README.md",
    "android/README.md",
    "ios/README.md",
    "docs/qa-console.md",
];

/// Calls into Apple's frameworks or Swift's standard library that the snippets make; anything
/// else that is not declared by Hutong is an error (a typo must not pass as "platform").
const SWIFT_PLATFORM_CALLS: &[&str] = &["metadataOutputRectConverted", "Task", "URL", "Data"];

/// Swift words that look like calls when followed by `(`.
const SWIFT_KEYWORDS: &[&str] = &[
    "if", "guard", "switch", "while", "for", "return", "catch", "in", "try", "await", "as", "is",
    "let", "var", "case", "where", "throw",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    Snippet { path: String, region: String },
    GradleDependencies { path: String },
    SwiftCalls { app: Vec<String> },
}

#[derive(Debug, Clone)]
pub struct Block {
    pub doc: String,
    /// 1-based line of the opening fence.
    pub line: usize,
    pub lang: String,
    pub marker: Option<Marker>,
    pub text: String,
}

fn parse_marker(line: &str) -> Option<Marker> {
    let inner = line
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    if let Some(rest) = inner.strip_prefix("snippet:") {
        let (path, region) = rest.trim().split_once('#')?;
        return Some(Marker::Snippet {
            path: path.to_owned(),
            region: region.to_owned(),
        });
    }
    if let Some(rest) = inner.strip_prefix("gradle-dependencies:") {
        return Some(Marker::GradleDependencies {
            path: rest.trim().to_owned(),
        });
    }
    if inner == "swift-calls" {
        return Some(Marker::SwiftCalls { app: Vec::new() });
    }
    if let Some(rest) = inner.strip_prefix("swift-calls:") {
        let mut words = rest.split_whitespace();
        if words.next() != Some("app") {
            return None;
        }
        return Some(Marker::SwiftCalls {
            app: words.map(str::to_owned).collect(),
        });
    }
    None
}

/// The fenced blocks of a Markdown text, with the marker on the line before each.
pub fn blocks(doc: &str, markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(lang) = lines[i].trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let indent = lines[i].len() - lines[i].trim_start().len();
        let start = i;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len() && lines[i].trim() != "```" {
            body.push(lines[i].get(indent..).unwrap_or(lines[i].trim_start()));
            i += 1;
        }
        out.push(Block {
            doc: doc.to_owned(),
            line: start + 1,
            lang: lang.trim().to_owned(),
            marker: start.checked_sub(1).and_then(|p| parse_marker(lines[p])),
            text: body.join("\n"),
        });
        i += 1;
    }
    out
}

/// The Kotlin and Swift blocks of every checked document.
fn code_blocks(root: &Path) -> Result<Vec<Block>> {
    let mut all = Vec::new();
    for doc in DOCS {
        let text = fs::read_to_string(root.join(doc)).with_context(|| format!("reading {doc}"))?;
        all.extend(
            blocks(doc, &text)
                .into_iter()
                .filter(|b| b.lang == "kotlin" || b.lang == "swift"),
        );
    }
    Ok(all)
}

/// `// region NAME` ... `// endregion` of a source file, without the region line's indentation.
pub fn region(source: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let open = lines
        .iter()
        .position(|l| l.trim() == format!("// region {name}"))?;
    let indent = lines[open].len() - lines[open].trim_start().len();
    let close = open
        + lines[open..]
            .iter()
            .position(|l| l.trim() == "// endregion")?;
    let body: Vec<&str> = lines[open + 1..close]
        .iter()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect();
    Some(body.join("\n"))
}

/// `api("group:artifact:version")` dependencies of a Gradle module.
pub fn gradle_api_dependencies(build: &str) -> Vec<String> {
    build
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .filter_map(|l| l.strip_prefix("api(\"")?.split_once("\")"))
        .map(|(coord, _)| coord.to_owned())
        .collect()
}

/// Checks every Kotlin and Gradle block; Swift blocks need only a marker here (their calls are
/// checked by [`check_swift`] once the Swift is generated).
pub fn check_kotlin(root: &Path) -> Result<()> {
    let mut problems = Vec::new();
    for block in code_blocks(root)? {
        let at = format!("{}:{}", block.doc, block.line);
        match (&block.marker, block.lang.as_str()) {
            (Some(Marker::Snippet { path, region: name }), "kotlin") => {
                let source = fs::read_to_string(root.join(path))
                    .with_context(|| format!("{at}: reading {path}"))?;
                match region(&source, name) {
                    None => problems.push(format!("{at}: {path} has no region `{name}`")),
                    Some(r) if r != block.text => problems.push(format!(
                        "{at}: differs from {path}#{name}: {}",
                        first_difference(&block.text, &r)
                    )),
                    Some(_) => {}
                }
            }
            (Some(Marker::GradleDependencies { path }), "kotlin") => {
                let build = fs::read_to_string(root.join(path))
                    .with_context(|| format!("{at}: reading {path}"))?;
                for dep in gradle_api_dependencies(&build) {
                    if !block.text.contains(&format!("(\"{dep}\")")) {
                        problems.push(format!(
                            "{at}: does not list `{dep}` ({path} has it as api)"
                        ));
                    }
                }
            }
            (Some(Marker::SwiftCalls { .. }), "swift") => {}
            (marker, lang) => problems.push(format!(
                "{at}: a ```{lang} block needs a marker on the line above (snippet:, \
                 gradle-dependencies: or swift-calls), found {marker:?}"
            )),
        }
    }
    if !problems.is_empty() {
        bail!("documentation code blocks:\n  {}", problems.join("\n  "));
    }
    Ok(())
}

fn first_difference(shown: &str, source: &str) -> String {
    for (n, (a, b)) in shown.lines().zip(source.lines()).enumerate() {
        if a != b {
            return format!("block line {}: `{a}`, source: `{b}`", n + 1);
        }
    }
    format!(
        "{} lines shown, {} in the source",
        shown.lines().count(),
        source.lines().count()
    )
}

// ---------------------------------------------------------------------------------------------
// Swift

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The argument label; `None` for `_`.
    pub label: Option<String>,
    pub default: bool,
    pub closure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// The enclosing type, protocol or extension; `None` at file level.
    pub owner: Option<String>,
    /// `init` or the function's name.
    pub name: String,
    pub params: Vec<Param>,
    pub is_async: bool,
    pub throws: bool,
}

/// Replaces comments and the insides of string literals with spaces, so braces, parens and
/// words in them do not count. Positions stay where they were.
fn blank_comments_and_strings(src: &str) -> Vec<char> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                out[i] = ' ';
                i += 1;
            }
        } else if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] != '\n' {
                    out[i] = ' ';
                }
                i += 1;
            }
            for _ in 0..2 {
                if i < chars.len() {
                    out[i] = ' ';
                    i += 1;
                }
            }
        } else if chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' && chars[i] != '\n' {
                if chars[i] == '\\' {
                    out[i] = ' ';
                    i += 1;
                }
                if i < chars.len() {
                    out[i] = ' ';
                    i += 1;
                }
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The index of the `)` that closes the `(` at `open`.
fn matching_paren(s: &[char], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, &c) in s.iter().enumerate().skip(open) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at commas outside parens, brackets and braces.
fn split_top_level(s: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for &c in s {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        parts.push(cur);
    }
    parts
}

fn word_before(s: &[char], end: usize) -> String {
    let mut i = end;
    while i > 0 && s[i - 1].is_whitespace() {
        i -= 1;
    }
    let stop = i;
    while i > 0 && is_ident(s[i - 1]) {
        i -= 1;
    }
    s[i..stop].iter().collect()
}

/// Declarations a caller can reach: `public`/`open` functions and initializers, and every
/// requirement of a protocol.
pub fn swift_declarations(src: &str) -> Vec<Decl> {
    let s = blank_comments_and_strings(src);
    let mut decls = Vec::new();
    // (owner name, is protocol, brace depth its body opened at)
    let mut owners: Vec<(String, bool, i32)> = Vec::new();
    let mut pending_owner: Option<(String, bool)> = None;
    let mut depth = 0i32;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '{' {
            depth += 1;
            if let Some((name, proto)) = pending_owner.take() {
                owners.push((name, proto, depth));
            }
            i += 1;
            continue;
        }
        if c == '}' {
            if owners.last().is_some_and(|o| o.2 == depth) {
                owners.pop();
            }
            depth -= 1;
            i += 1;
            continue;
        }
        if !is_ident(c) || (i > 0 && (is_ident(s[i - 1]) || s[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        let word: String = s[start..i].iter().collect();
        match word.as_str() {
            "class" | "struct" | "enum" | "extension" | "protocol" | "actor" => {
                let mut j = i;
                while j < s.len() && s[j].is_whitespace() {
                    j += 1;
                }
                let name_start = j;
                while j < s.len() && (is_ident(s[j]) || s[j] == '.') {
                    j += 1;
                }
                if j > name_start {
                    let name: String = s[name_start..j].iter().collect();
                    pending_owner = Some((name, word == "protocol"));
                }
            }
            "init" | "func" => {
                let mut j = i;
                let name = if word == "func" {
                    while j < s.len() && s[j].is_whitespace() {
                        j += 1;
                    }
                    let n = j;
                    while j < s.len() && is_ident(s[j]) {
                        j += 1;
                    }
                    s[n..j].iter().collect::<String>()
                } else {
                    "init".to_owned()
                };
                // Generic parameters.
                if s.get(j) == Some(&'<') {
                    while j < s.len() && s[j] != '>' {
                        j += 1;
                    }
                    j += 1;
                }
                while j < s.len() && s[j] == ' ' {
                    j += 1;
                }
                if name.is_empty() || s.get(j) != Some(&'(') {
                    continue;
                }
                let Some(close) = matching_paren(&s, j) else {
                    continue;
                };
                let line_start = s[..start]
                    .iter()
                    .rposition(|&c| c == '\n')
                    .map_or(0, |p| p + 1);
                let prefix: String = s[line_start..start].iter().collect();
                let in_protocol = owners.last().is_some_and(|o| o.1);
                let visible = in_protocol
                    || prefix
                        .split_whitespace()
                        .any(|w| w == "public" || w == "open");
                let mut k = close + 1;
                let mut effects = String::new();
                while k < s.len() && s[k] != '{' && s[k] != '\n' && s[k] != '-' {
                    effects.push(s[k]);
                    k += 1;
                }
                if visible {
                    decls.push(Decl {
                        owner: owners.last().map(|o| o.0.clone()),
                        name,
                        params: parse_params(&s[j + 1..close]),
                        is_async: effects.split_whitespace().any(|w| w == "async"),
                        throws: effects.split_whitespace().any(|w| w == "throws"),
                    });
                }
                i = close + 1;
            }
            _ => {}
        }
    }
    decls
}

fn parse_params(list: &[char]) -> Vec<Param> {
    split_top_level(list)
        .iter()
        .filter_map(|p| {
            let (names, rest) = p.split_once(':')?;
            let names: Vec<&str> = names.split_whitespace().collect();
            let label = match names.as_slice() {
                [one] => Some((*one).to_owned()),
                ["_", _] => None,
                [label, _] => Some((*label).to_owned()),
                _ => return None,
            };
            let chars: Vec<char> = rest.chars().collect();
            let mut depth = 0;
            let mut default = false;
            for (i, &c) in chars.iter().enumerate() {
                match c {
                    '(' | '[' | '<' => depth += 1,
                    ')' | ']' => depth -= 1,
                    '>' if i == 0 || chars[i - 1] != '-' => depth -= 1,
                    '=' if depth == 0 => default = true,
                    _ => {}
                }
            }
            Some(Param {
                label,
                default,
                closure: rest.contains("->"),
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// 1-based line in the snippet.
    pub line: usize,
    pub kind: CallKind,
    pub name: String,
    /// Labels of the arguments in parentheses (`None`: unlabeled).
    pub labels: Vec<Option<String>>,
    pub trailing_closure: bool,
    pub has_try: bool,
    pub has_await: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// `Type(...)`
    Init,
    /// `value.name(...)`
    Method,
    /// `name(...)`
    Function,
}

impl Call {
    fn shape(&self) -> String {
        let labels: String = self
            .labels
            .iter()
            .map(|l| format!("{}:", l.as_deref().unwrap_or("_")))
            .collect();
        let closure = if self.trailing_closure { " {...}" } else { "" };
        format!("{}({labels}){closure}", self.name)
    }
}

/// Whether a newline ends the statement: not when the line ends in the middle of an expression
/// or the next line continues it.
fn newline_ends_statement(s: &[char], at: usize) -> bool {
    let before: String = s[..at].iter().collect();
    let last = before.lines().last().unwrap_or("").trim_end();
    if ["=", ",", "(", "[", "??", "&&", "||", "+", "-", "->", ":"]
        .iter()
        .any(|t| last.ends_with(t))
    {
        return false;
    }
    let after: String = s[at + 1..].iter().collect();
    let next = after
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    !(next.starts_with('.') || next.starts_with("else") || next.starts_with("??"))
}

/// Every call in a Swift snippet, with whether its statement has `try` and `await`, and the
/// names of functions the snippet declares itself.
pub fn swift_calls(snippet: &str) -> (Vec<Call>, Vec<String>) {
    let s = blank_comments_and_strings(snippet);
    let mut calls = Vec::new();
    let mut local = Vec::new();
    // Per brace level: where its current statement starts, and the paren depth inside it.
    let mut levels: Vec<(usize, i32)> = vec![(0, 0)];
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let top = levels.len() - 1;
        match c {
            '{' => {
                levels.push((i + 1, 0));
                i += 1;
                continue;
            }
            '}' => {
                if levels.len() > 1 {
                    levels.pop();
                }
                i += 1;
                continue;
            }
            '(' | '[' => levels[top].1 += 1,
            ')' | ']' => levels[top].1 -= 1,
            ';' if levels[top].1 == 0 => levels[top].0 = i + 1,
            '\n' if levels[top].1 <= 0 && newline_ends_statement(&s, i) => {
                levels[top].0 = i + 1;
            }
            _ => {}
        }
        if !is_ident(c) || (i > 0 && is_ident(s[i - 1])) || c.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        if s.get(i) != Some(&'(') {
            continue;
        }
        let name: String = s[start..i].iter().collect();
        let before = word_before(&s, start);
        if before == "func" {
            local.push(name);
            continue;
        }
        if SWIFT_KEYWORDS.contains(&name.as_str()) {
            continue;
        }
        let dotted = start > 0 && s[start - 1] == '.';
        // `Hutong.HutongScanner(...)` is a qualified type name, not a method.
        let kind = if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            CallKind::Init
        } else if dotted {
            CallKind::Method
        } else {
            CallKind::Function
        };
        let Some(close) = matching_paren(&s, i) else {
            break;
        };
        let labels = split_top_level(&s[i + 1..close])
            .iter()
            .map(|arg| {
                let t = arg.trim_start();
                let word: String = t.chars().take_while(|&c| is_ident(c)).collect();
                let rest = t[word.len()..].trim_start();
                (!word.is_empty() && rest.starts_with(':') && !rest.starts_with("::"))
                    .then_some(word)
            })
            .collect();
        let mut k = close + 1;
        while k < s.len() && s[k] == ' ' {
            k += 1;
        }
        // The statement so far, without the bodies of closures already closed in it.
        let stmt_start = levels[levels.len() - 1].0;
        let mut words = String::new();
        let mut depth = 0;
        for &ch in &s[stmt_start..start] {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ if depth == 0 => words.push(ch),
                _ => {}
            }
        }
        let tokens: Vec<&str> = words
            .split(|c: char| !is_ident(c))
            .filter(|w| !w.is_empty())
            .collect();
        calls.push(Call {
            line: s[..start].iter().filter(|&&c| c == '\n').count() + 1,
            kind,
            name,
            labels,
            trailing_closure: s.get(k) == Some(&'{'),
            has_try: tokens.contains(&"try"),
            has_await: tokens.contains(&"await"),
        });
        // Arguments are scanned too (nested calls), so continue right after the name.
    }
    (calls, local)
}

/// Whether a call's labels and trailing closure fit a declaration's parameters.
pub fn fits(params: &[Param], labels: &[Option<String>], trailing_closure: bool) -> bool {
    let mut p = 0;
    for label in labels {
        while p < params.len() && params[p].default && params[p].label != *label {
            p += 1;
        }
        if p == params.len() || params[p].label != *label {
            return false;
        }
        p += 1;
    }
    if trailing_closure {
        while p < params.len() && !params[p].closure {
            if !params[p].default {
                return false;
            }
            p += 1;
        }
        if p == params.len() {
            return false;
        }
        p += 1;
    }
    params[p..].iter().all(|q| q.default)
}

/// Names used where they do not exist: declared by `let`/`var` inside a closure or block and
/// used after it closed, or bound by `let x = try? ...` (an optional) and then used as if it
/// were not (`x.member`). Names the snippet never declares (the app's) are not judged.
pub fn swift_scope_problems(snippet: &str) -> Vec<String> {
    let s = blank_comments_and_strings(snippet);
    let line_of = |at: usize| s[..at].iter().filter(|&&c| c == '\n').count() + 1;
    let next_non_space = |from: usize| s[from..].iter().copied().find(|c| *c != ' ');
    let mut levels: Vec<Vec<String>> = vec![Vec::new()];
    let mut gone: Vec<(String, usize)> = Vec::new();
    let mut optional: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut previous_word = String::new();
    // A function's parameters, declared in the body that follows.
    let mut pending: Vec<String> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '{' {
            let mut declared = std::mem::take(&mut pending);
            // Closure parameters: `{ frame in`, `{ (a, b) in`.
            let head: String = s[i + 1..].iter().take_while(|&&c| c != '\n').collect();
            if let Some((params, _)) = head.split_once(" in") {
                let words: Vec<&str> = params
                    .split(|c: char| c == ',' || c == '(' || c == ')' || c.is_whitespace())
                    .filter(|w| !w.is_empty())
                    .collect();
                if !words.is_empty() && words.iter().all(|w| w.chars().all(is_ident)) {
                    declared.extend(words.iter().map(|w| (*w).to_owned()));
                }
            }
            levels.push(declared);
        } else if c == '}' && levels.len() > 1 {
            let closed = levels.pop().unwrap_or_default();
            for name in closed {
                if !levels.iter().any(|l| l.contains(&name)) {
                    gone.push((name, line_of(i)));
                }
            }
        }
        if !is_ident(c) || c.is_ascii_digit() || (i > 0 && is_ident(s[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        let word: String = s[start..i].iter().collect();
        let member = start > 0 && s[start - 1] == '.';
        if previous_word == "func" {
            if let Some(open) = (i..s.len()).find(|&k| s[k] == '(') {
                if let Some(close) = matching_paren(&s, open) {
                    for part in split_top_level(&s[open + 1..close]) {
                        if let Some((names, _)) = part.split_once(':') {
                            if let Some(inner) = names.split_whitespace().last() {
                                pending.push(inner.to_owned());
                            }
                        }
                    }
                }
            }
        } else if previous_word == "let" || previous_word == "var" {
            let binding = s[..start]
                .iter()
                .rposition(|&c| c == '\n')
                .map_or(0, |p| p + 1);
            let line_text: String = s[binding..start].iter().collect();
            let conditional = ["guard", "if", "while"]
                .iter()
                .any(|k| line_text.split_whitespace().next() == Some(*k))
                || line_text.trim_start().starts_with("let") && {
                    // `guard let a = ..., \n let b = ...`: the line before ends with a comma.
                    let before: String = s[..binding].iter().collect();
                    before.trim_end().ends_with(',')
                };
            let rest: String = s[i..].iter().take_while(|&&c| c != '\n').collect();
            let is_try_optional = rest.trim_start().starts_with("= try?");
            levels
                .last_mut()
                .expect("one level at least")
                .push(word.clone());
            gone.retain(|(n, _)| *n != word);
            optional.retain(|n| *n != word);
            if is_try_optional && !conditional {
                optional.push(word.clone());
            }
        } else if !member && next_non_space(i) != Some(':') {
            if let Some((_, closed_at)) = gone.iter().find(|(n, _)| *n == word) {
                if !levels.iter().any(|l| l.contains(&word)) {
                    problems.push(format!(
                        "line {}: `{word}` is used outside the block that declares it (closed on line {closed_at})",
                        line_of(start)
                    ));
                }
            } else if optional.contains(&word) && s.get(i) == Some(&'.') {
                problems.push(format!(
                    "line {}: `{word}` is optional (bound with `try?`): unwrap it before `{word}.`",
                    line_of(start)
                ));
            }
        }
        previous_word = word;
    }
    problems
}

/// Problems with one snippet's calls against the declarations.
pub fn check_swift_snippet(snippet: &str, decls: &[Decl], app: &[String]) -> Vec<String> {
    let (calls, local) = swift_calls(snippet);
    let mut problems = swift_scope_problems(snippet);
    for call in &calls {
        let known_elsewhere = local.contains(&call.name)
            || app.contains(&call.name)
            || SWIFT_PLATFORM_CALLS.contains(&call.name.as_str());
        let candidates: Vec<&Decl> = decls
            .iter()
            .filter(|d| match call.kind {
                CallKind::Init => d.name == "init" && d.owner.as_deref() == Some(&call.name),
                CallKind::Method => d.name == call.name && d.owner.is_some(),
                CallKind::Function => d.name == call.name && d.owner.is_none(),
            })
            .collect();
        if candidates.is_empty() {
            if !known_elsewhere {
                problems.push(format!(
                    "line {}: `{}`: Hutong declares no such {}",
                    call.line,
                    call.shape(),
                    match call.kind {
                        CallKind::Init => "type with an initializer",
                        CallKind::Method => "method",
                        CallKind::Function => "function",
                    }
                ));
            }
            continue;
        }
        let fitting: Vec<&&Decl> = candidates
            .iter()
            .filter(|d| fits(&d.params, &call.labels, call.trailing_closure))
            .collect();
        if fitting.is_empty() {
            let known: Vec<String> = candidates
                .iter()
                .map(|d| {
                    let labels: String = d
                        .params
                        .iter()
                        .map(|p| format!("{}:", p.label.as_deref().unwrap_or("_")))
                        .collect();
                    format!("{}({labels})", d.owner.as_deref().unwrap_or(""))
                })
                .collect();
            problems.push(format!(
                "line {}: `{}` fits no declaration (declared: {})",
                call.line,
                call.shape(),
                known.join(", ")
            ));
            continue;
        }
        if fitting.iter().all(|d| d.throws) && !call.has_try {
            problems.push(format!(
                "line {}: `{}` throws: its statement needs `try`",
                call.line,
                call.shape()
            ));
        }
        if fitting.iter().all(|d| d.is_async) && !call.has_await {
            problems.push(format!(
                "line {}: `{}` is async: its statement needs `await`",
                call.line,
                call.shape()
            ));
        }
    }
    problems
}

/// Every Swift source of the package's `Hutong` target (generated and hand-written).
fn swift_sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {dir:?}"))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(swift_sources(&path)?);
        } else if path.extension().is_some_and(|e| e == "swift") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Checks every `swift-calls` block against `sources` (bindings/swift/Sources/Hutong).
pub fn check_swift(root: &Path, sources: &Path) -> Result<()> {
    let mut decls = Vec::new();
    for file in swift_sources(sources)? {
        decls.extend(swift_declarations(&fs::read_to_string(&file)?));
    }
    if !decls.iter().any(|d| d.name == "identify") {
        bail!("no generated Swift in {sources:?}: run `cargo xtask bindings`");
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for block in code_blocks(root)? {
        if let Some(Marker::SwiftCalls { app }) = &block.marker {
            checked += 1;
            for p in check_swift_snippet(&block.text, &decls, app) {
                problems.push(format!("{}:{} block, {p}", block.doc, block.line));
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "Swift snippets do not match the generated Swift:\n  {}",
            problems.join("\n  ")
        );
    }
    eprintln!("xtask> {checked} Swift snippet(s) match the generated Swift");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        crate::workspace_root()
    }

    /// The real documents: every Kotlin block is its compiled region, every Gradle block lists
    /// the library's published dependencies, every Swift block is marked.
    #[test]
    fn readme_kotlin_blocks_are_compiled_regions() {
        check_kotlin(&root()).unwrap();
    }

    #[test]
    fn a_block_that_differs_from_its_region_is_refused() {
        let dir = std::env::temp_dir().join(format!("hutong-snippets-{}", std::process::id()));
        fs::create_dir_all(dir.join("docs")).unwrap();
        fs::create_dir_all(dir.join("android")).unwrap();
        fs::create_dir_all(dir.join("ios")).unwrap();
        fs::write(
            dir.join("Src.kt"),
            "fun f() {\n    // region r\n    val a = 1\n    // endregion\n}\n",
        )
        .unwrap();
        let doc = |body: &str| format!("<!-- snippet: Src.kt#r -->\n```kotlin\n{body}\n```\n");
        for (name, text) in [
            ("android/README.md", ""),
            ("ios/README.md", ""),
            ("docs/qa-console.md", ""),
        ] {
            fs::write(dir.join(name), text).unwrap();
        }
        fs::write(dir.join("README.md"), doc("val a = 1")).unwrap();
        check_kotlin(&dir).unwrap();
        fs::write(dir.join("README.md"), doc("val a = 2")).unwrap();
        let e = check_kotlin(&dir).unwrap_err().to_string();
        assert!(e.contains("differs from Src.kt#r"), "{e}");
        fs::write(dir.join("README.md"), "```kotlin\nval a = 1\n```\n").unwrap();
        let e = check_kotlin(&dir).unwrap_err().to_string();
        assert!(e.contains("needs a marker"), "{e}");
        fs::write(
            dir.join("build.gradle.kts"),
            "dependencies {\n    api(\"a:b:1\")\n    compileOnly(\"c:d:2\")\n}\n",
        )
        .unwrap();
        let gradle = |body: &str| {
            format!("<!-- gradle-dependencies: build.gradle.kts -->\n```kotlin\n{body}\n```\n")
        };
        fs::write(dir.join("README.md"), gradle("implementation(\"a:b:1\")")).unwrap();
        check_kotlin(&dir).unwrap();
        fs::write(dir.join("README.md"), gradle("implementation(\"a:b:0\")")).unwrap();
        let e = check_kotlin(&dir).unwrap_err().to_string();
        assert!(e.contains("does not list `a:b:1`"), "{e}");
        fs::remove_dir_all(&dir).unwrap();
    }

    const DECLS: &str = r#"
public protocol PaymentsProtocol: AnyObject, Sendable {
    func pay(code: String, amount: Money, options: PayOptions) async throws  -> Intent
}
open class Payments: PaymentsProtocol, @unchecked Sendable {
    fileprivate init(secret: Int) {}
public convenience init(config: PaymentsConfig, signer: Signer, listener: FlowListener?, logger: Logger?)throws  {
    }
open func pay(code: String, amount: Money, options: PayOptions)async throws  -> Intent  {
    let s = "}{"
    }
}
public struct PayOptions {
    public init(description: String = "", route: String? = nil) {}
}
public func identify(payload: String, context: IdentifyContext?)throws  -> CodeInfo  {
}
public final class CameraScanner {
    public init(scanner: HutongScanner, onResult: @escaping @Sendable (CameraFrameResult) -> Void) {}
    public func start() {}
}
"#;

    #[test]
    fn reads_declarations_with_labels_defaults_and_effects() {
        let d = swift_declarations(DECLS);
        let names: Vec<(Option<&str>, &str)> = d
            .iter()
            .map(|d| (d.owner.as_deref(), d.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (Some("PaymentsProtocol"), "pay"),
                (Some("Payments"), "init"),
                (Some("Payments"), "pay"),
                (Some("PayOptions"), "init"),
                (None, "identify"),
                (Some("CameraScanner"), "init"),
                (Some("CameraScanner"), "start"),
            ]
        );
        assert!(d[2].is_async && d[2].throws);
        assert!(!d[3].throws && d[3].params.iter().all(|p| p.default));
        assert!(d[5].params[1].closure && !d[5].params[0].closure);
    }

    fn problems(snippet: &str) -> Vec<String> {
        check_swift_snippet(snippet, &swift_declarations(DECLS), &["onScanned".into()])
    }

    #[test]
    fn a_correct_snippet_passes() {
        let ok = r#"
let payments = try Payments(config: config, signer: try makeSigner(), listener: nil, logger: nil)
let camera = CameraScanner(scanner: scanner) { frame in
    guard let info = try? identify(payload: frame.text,
                                   context: nil)
    else { return }
    onScanned(info)
}
camera.start(); let options = PayOptions(route: "x")
func makeSigner() -> Signer { signer }
let intent = try await payments.pay(code: "c", amount: m, options: PayOptions())
"#;
        assert_eq!(problems(ok), Vec::<String>::new());
    }

    #[test]
    fn wrong_labels_missing_try_or_await_and_unknown_names_are_refused() {
        let cases = [
            (
                "let i = try await payments.pay(code: c, amount: m)",
                "fits no declaration",
            ),
            (
                "let i = try await payments.pay(c, amount: m, options: o)",
                "fits no declaration",
            ),
            (
                "let i = await payments.pay(code: c, amount: m, options: o)",
                "needs `try`",
            ),
            (
                "let i = try payments.pay(code: c, amount: m, options: o)",
                "needs `await`",
            ),
            (
                "let c = CameraScanner(scanner: s, onResult: f) { r in }",
                "fits no declaration",
            ),
            (
                "let p = Payments(config: c, signer: s, listener: nil, logger: nil)",
                "needs `try`",
            ),
            (
                "let x = try identifyy(payload: p, context: nil)",
                "no such function",
            ),
            ("let s = try Scaner(options: o)", "no such type"),
            // `try` inside an earlier closure does not cover a call after it.
            (
                "let b = [f { try g() }, identify(payload: p, context: nil)]",
                "needs `try`",
            ),
        ];
        for (snippet, expected) in cases {
            let p = problems(snippet);
            assert!(
                p.iter().any(|m| m.contains(expected)),
                "{snippet}: wanted `{expected}`, got {p:?}"
            );
        }
    }

    /// The README's iOS code before issue 19: `code` and `info` come from inside the camera
    /// closure, and `try?` leaves `info` optional.
    #[test]
    fn names_used_outside_their_closure_or_unwrapped_optionals_are_refused() {
        let before = r#"
let camera = CameraScanner(scanner: scanner) { frame in
    guard let code = frame.codes.first else { return }
    let info = try? identify(payload: code.text, context: nil)
    let n = info.amount
}
let intent = try await payments.pay(code: code.text, amount: info.amount ?? fallback, options: PayOptions())
"#;
        let p = problems(before);
        for expected in [
            "line 5: `info` is optional",
            "line 7: `code` is used outside the block",
            "line 7: `info` is used outside the block",
        ] {
            assert!(
                p.iter().any(|m| m.starts_with(expected)),
                "{expected}: {p:?}"
            );
        }
        let after = r#"
let camera = CameraScanner(scanner: scanner) { frame in
    guard let code = frame.codes.first,
          let info = try? identify(payload: code.text, context: nil)
    else { return }
    onScanned(info.amount)
}
func pay(code: String) async throws -> Intent {
    try await payments.pay(code: code, amount: m, options: PayOptions())
}
"#;
        assert_eq!(problems(after), Vec::<String>::new());
    }

    #[test]
    fn reads_markers() {
        assert_eq!(
            parse_marker("<!-- snippet: a/B.kt#readme-x -->"),
            Some(Marker::Snippet {
                path: "a/B.kt".into(),
                region: "readme-x".into()
            })
        );
        assert_eq!(
            parse_marker("<!-- swift-calls: app show pay -->"),
            Some(Marker::SwiftCalls {
                app: vec!["show".into(), "pay".into()]
            })
        );
        assert_eq!(parse_marker("<!-- something else -->"), None);
    }
}
