//! The core's modules form layers: each imports only the ones below it (docs/ARCHITECTURE.md).
//! Read from the source, so a new `use crate::...` that points upward fails here, not in review.
//! Test code (`#[cfg(test)]` onwards, `tests.rs`) may use anything.

use std::collections::BTreeMap;
use std::path::Path;

/// Lowest first. A module may import those before it, never those after it.
const LAYERS: &[&str] = &[
    "money",
    "states",
    "render",
    "frame",
    "scan",
    "sign",
    "transport",
    "journal",
    "codes",
    "registry",
    "risk",
    "identify",
    "route",
    "bundle",
    "flow",
];

fn production_part(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// The modules named by `crate::` paths in code (comments, doc comments included, are prose).
fn imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in production_part(text).lines() {
        let mut rest = line.split("//").next().unwrap_or_default();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Which top-level module of `src/` a file belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" || file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let Some(&own) = rank.get(module.as_str()) else {
            panic!("{}: module `{module}` is not in LAYERS", file.display());
        };
        for target in imports(&std::fs::read_to_string(file).unwrap()) {
            let Some(&theirs) = rank.get(target.as_str()) else {
                panic!("{}: imports unknown module `{target}`", file.display());
            };
            if theirs > own {
                upward.push(format!("{} ({module}) imports {target}", file.display()));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports pointing up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_layer_check_sees_an_upward_import() {
    let text = "use crate::money::Money;\n/// see [`crate::risk`]\nuse crate::flow::Payments;\n\
                #[cfg(test)]\nuse crate::bundle::X;";
    assert_eq!(imports(text), ["money", "flow"]);
}
