//! Prints the exported API of a UniFFI library, one sorted line per item, read from the
//! metadata the proc-macros embed in the library itself (the same source the bindings
//! generator uses). `cargo xtask bindings` diffs it against `bindings/api-snapshot.txt` so every
//! API change shows in review.
//!
//! Usage: hutong-api-snapshot path/to/libhutong.so

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use uniffi_meta::{
    EnumShape, FieldMetadata, FnParamMetadata, Metadata, ObjectImpl, TraitKind, Type,
    UniffiTraitMetadata,
};

fn main() -> Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        bail!("usage: hutong-api-snapshot <library>");
    };
    let path = Utf8PathBuf::from(path);
    let items = uniffi_bindgen::macro_metadata::extract_from_library(&path)
        .with_context(|| format!("reading UniFFI metadata from {path}"))?;
    let mut lines: Vec<String> = items.iter().filter_map(describe).collect();
    lines.sort();
    lines.dedup();
    if lines.is_empty() {
        bail!("{path} exports nothing through UniFFI");
    }
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// One line for an exported item; `None` for bookkeeping entries (namespace, UDL files).
fn describe(item: &Metadata) -> Option<String> {
    Some(match item {
        Metadata::Namespace(_) | Metadata::UdlFile(_) => return None,
        Metadata::Func(f) => format!(
            "fn {}{}({}){}",
            f.name,
            asyncness(f.is_async),
            params(&f.inputs),
            returns(f.return_type.as_ref(), f.throws.as_ref())
        ),
        Metadata::Constructor(c) => format!(
            "object {}::constructor {}{}({}){}",
            c.self_name,
            c.name,
            asyncness(c.is_async),
            params(&c.inputs),
            returns(None, c.throws.as_ref())
        ),
        Metadata::Method(m) => format!(
            "object {}::method {}{}({}){}",
            m.self_name,
            m.name,
            asyncness(m.is_async),
            params(&m.inputs),
            returns(m.return_type.as_ref(), m.throws.as_ref())
        ),
        Metadata::TraitMethod(m) => format!(
            "trait {}::method {}{}({}){}",
            m.trait_name,
            m.name,
            asyncness(m.is_async),
            params(&m.inputs),
            returns(m.return_type.as_ref(), m.throws.as_ref())
        ),
        Metadata::Object(o) => {
            let kind = match o.imp {
                ObjectImpl::Struct => "object",
                ObjectImpl::Trait(TraitKind::RustOnly) => "trait (rust)",
                ObjectImpl::Trait(TraitKind::Both) => "trait (rust or foreign)",
                ObjectImpl::Trait(TraitKind::ForeignOnly) => "trait (foreign)",
            };
            format!("{kind} {}", o.name)
        }
        Metadata::CallbackInterface(c) => format!("callback interface {}", c.name),
        Metadata::Record(r) => format!("record {} {{ {} }}", r.name, fields(&r.fields)),
        Metadata::Enum(e) => {
            let kind = match e.shape {
                EnumShape::Enum => "enum",
                EnumShape::Error { flat: true } => "error (flat, message only)",
                EnumShape::Error { flat: false } => "error",
            };
            let variants: Vec<String> = e
                .variants
                .iter()
                .map(|v| {
                    if v.fields.is_empty() {
                        v.name.clone()
                    } else {
                        format!("{}({})", v.name, fields(&v.fields))
                    }
                })
                .collect();
            format!("{kind} {} {{ {} }}", e.name, variants.join(", "))
        }
        Metadata::CustomType(c) => format!("custom type {} = {}", c.name, ty(&c.builtin)),
        Metadata::UniffiTrait(t) => {
            let (name, m) = match t {
                UniffiTraitMetadata::Debug { fmt } => ("Debug", fmt),
                UniffiTraitMetadata::Display { fmt } => ("Display", fmt),
                UniffiTraitMetadata::Eq { eq, .. } => ("Eq", eq),
                UniffiTraitMetadata::Hash { hash } => ("Hash", hash),
                UniffiTraitMetadata::Ord { cmp } => ("Ord", cmp),
            };
            format!("impl {name} for {}", m.self_name)
        }
        Metadata::ObjectTraitImpl(i) => format!("impl {} for {}", ty(&i.trait_ty), ty(&i.ty)),
    })
}

fn asyncness(is_async: bool) -> &'static str {
    if is_async {
        " async"
    } else {
        ""
    }
}

fn params(inputs: &[FnParamMetadata]) -> String {
    inputs
        .iter()
        .map(|p| {
            // Borrowed bytes cross without a copy (a direct ByteBuffer / Data): part of the contract.
            let t = match (&p.ty, p.by_ref) {
                (Type::Bytes, true) => "&[u8]".to_owned(),
                (t, _) => ty(t),
            };
            let default = if p.default.is_some() {
                " = default"
            } else {
                ""
            };
            format!("{}: {t}{default}", p.name)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn fields(fields: &[FieldMetadata]) -> String {
    fields
        .iter()
        .map(|f| {
            let default = if f.default.is_some() {
                " = default"
            } else {
                ""
            };
            format!("{}: {}{default}", f.name, ty(&f.ty))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn returns(ret: Option<&Type>, throws: Option<&Type>) -> String {
    let mut out = String::new();
    if let Some(t) = ret {
        out.push_str(" -> ");
        out.push_str(&ty(t));
    }
    if let Some(e) = throws {
        out.push_str(" throws ");
        out.push_str(&ty(e));
    }
    out
}

/// A type as a Rust-flavoured name that reads the same for Kotlin and Swift reviewers.
fn ty(t: &Type) -> String {
    match t {
        Type::UInt8 => "u8".into(),
        Type::Int8 => "i8".into(),
        Type::UInt16 => "u16".into(),
        Type::Int16 => "i16".into(),
        Type::UInt32 => "u32".into(),
        Type::Int32 => "i32".into(),
        Type::UInt64 => "u64".into(),
        Type::Int64 => "i64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Boolean => "bool".into(),
        Type::String => "String".into(),
        Type::Bytes => "Vec<u8>".into(),
        Type::Timestamp => "SystemTime".into(),
        Type::Duration => "Duration".into(),
        Type::Object { name, .. }
        | Type::Record { name, .. }
        | Type::Enum { name, .. }
        | Type::CallbackInterface { name, .. }
        | Type::Custom { name, .. } => name.clone(),
        Type::Box { inner_type } => ty(inner_type),
        Type::Optional { inner_type } => format!("Option<{}>", ty(inner_type)),
        Type::Sequence { inner_type } => format!("Vec<{}>", ty(inner_type)),
        Type::Set { inner_type } => format!("HashSet<{}>", ty(inner_type)),
        Type::Map {
            key_type,
            value_type,
        } => format!("HashMap<{}, {}>", ty(key_type), ty(value_type)),
    }
}
