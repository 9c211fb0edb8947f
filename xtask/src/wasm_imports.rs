//! Shortens the widget's wasm-bindgen import names. wasm-bindgen names every import
//! `__wbg_<name>_<16 hex digits>`; the hex is random to gzip and appears twice, in the wasm's
//! import section and in the glue that provides it, so ~170 imports cost about 2.5 KB of the
//! 100 KB gzip budget. Both sides are renamed consistently to `w0`, `w1`, … after wasm-opt.

use anyhow::{Context as _, bail};

/// Renames every hashed import field of `wasm` and the same names in `glue`.
pub fn shorten(wasm: &[u8], glue: &str) -> anyhow::Result<(Vec<u8>, String)> {
    let mut renames: Vec<(String, String)> = Vec::new();
    let wasm = rewrite_import_fields(wasm, |field| {
        if !is_hashed(field) {
            return field.to_string();
        }
        let short = format!("w{}", to_base36(renames.len()));
        renames.push((field.to_string(), short.clone()));
        short
    })?;
    let mut glue = glue.to_string();
    for (long, short) in &renames {
        if !glue.contains(long.as_str()) {
            bail!("the glue does not provide the import `{long}`");
        }
        glue = glue.replace(long.as_str(), short);
    }
    Ok((wasm, glue))
}

/// `__wbg_…_0123456789abcdef`: wasm-bindgen's hashed import names.
fn is_hashed(field: &str) -> bool {
    let Some((_, hash)) = field.rsplit_once('_') else {
        return false;
    };
    field.starts_with("__wbg") && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

fn to_base36(mut number: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[number % 36]);
        number /= 36;
        if number == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Copies `wasm` with each import's field name passed through `rename`; the rest is untouched.
fn rewrite_import_fields(
    wasm: &[u8],
    mut rename: impl FnMut(&str) -> String,
) -> anyhow::Result<Vec<u8>> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at)?;
        let body = wasm
            .get(at..at + size)
            .context("a section runs past the end of the module")?;
        at += size;
        let body = if id == 2 {
            rewrite_import_section(body, &mut rename)?
        } else {
            body.to_vec()
        };
        out.push(id);
        write_leb(&mut out, body.len());
        out.extend_from_slice(&body);
    }
    Ok(out)
}

fn rewrite_import_section(
    body: &[u8],
    rename: &mut impl FnMut(&str) -> String,
) -> anyhow::Result<Vec<u8>> {
    let mut at = 0;
    let count = read_leb(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        let module = read_name(body, &mut at)?;
        let field = read_name(body, &mut at)?;
        write_name(&mut out, module);
        write_name(&mut out, &rename(field));
        // The import's description is copied as it is: find where it ends.
        let start = at;
        let kind = *body.get(at).context("truncated import")?;
        at += 1;
        match kind {
            0 => {
                read_leb(body, &mut at)?;
            }
            1 => {
                at += 1; // reference type
                skip_limits(body, &mut at)?;
            }
            2 => skip_limits(body, &mut at)?,
            3 => at += 2, // value type and mutability
            4 => {
                at += 1; // tag attribute
                read_leb(body, &mut at)?;
            }
            other => bail!("unknown import kind {other}"),
        }
        out.extend_from_slice(body.get(start..at).context("truncated import")?);
    }
    if at != body.len() {
        bail!("the import section has trailing bytes");
    }
    Ok(out)
}

fn skip_limits(bytes: &[u8], at: &mut usize) -> anyhow::Result<()> {
    let flags = *bytes.get(*at).context("truncated limits")?;
    *at += 1;
    read_leb(bytes, at)?;
    if flags & 1 != 0 {
        read_leb(bytes, at)?;
    }
    Ok(())
}

fn read_name<'a>(bytes: &'a [u8], at: &mut usize) -> anyhow::Result<&'a str> {
    let length = read_leb(bytes, at)?;
    let name = bytes.get(*at..*at + length).context("truncated name")?;
    *at += length;
    std::str::from_utf8(name).context("a name is not UTF-8")
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len());
    out.extend_from_slice(name.as_bytes());
}

fn read_leb(bytes: &[u8], at: &mut usize) -> anyhow::Result<usize> {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = *bytes.get(*at).context("truncated LEB128 number")?;
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            bail!("LEB128 number too long");
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::{is_hashed, shorten, to_base36};

    /// (import "./m.js" "__wbg_alert_0123456789abcdef" (func)) (import "./m.js" "keep" (memory 1))
    fn module() -> Vec<u8> {
        let mut imports = vec![2u8];
        for (field, description) in [
            ("__wbg_alert_0123456789abcdef", &[0u8, 0][..]),
            ("keep", &[2u8, 0, 1][..]),
        ] {
            imports.push(6);
            imports.extend_from_slice(b"./m.js");
            imports.push(field.len() as u8);
            imports.extend_from_slice(field.as_bytes());
            imports.extend_from_slice(description);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
        wasm.push(2);
        wasm.push(imports.len() as u8);
        wasm.extend_from_slice(&imports);
        wasm
    }

    #[test]
    fn renames_hashed_imports_on_both_sides_and_nothing_else() {
        let glue = "({__wbg_alert_0123456789abcdef:function(){alert(1)},keep:1})";
        let (wasm, glue) = shorten(&module(), glue).unwrap();
        assert_eq!(glue, "({w0:function(){alert(1)},keep:1})");
        let text = String::from_utf8_lossy(&wasm);
        assert!(text.contains("w0") && text.contains("keep") && !text.contains("__wbg"));
        // Sections stay well formed: renaming again finds nothing to rename.
        let (again, _) = shorten(&wasm, &glue).unwrap();
        assert_eq!(again, wasm);
    }

    #[test]
    fn refuses_a_glue_that_lacks_an_import() {
        assert!(shorten(&module(), "({})").is_err());
    }

    #[test]
    fn names() {
        assert!(is_hashed("__wbg___wbindgen_is_function_741ff2bb612836f5"));
        assert!(!is_hashed("__wbindgen_init_externref_table"));
        assert!(!is_hashed("__wbg_alert_0123"));
        assert_eq!(to_base36(0), "0");
        assert_eq!(to_base36(36), "10");
    }
}
