//! Builds the widget: cargo (wasm32) → wasm-bindgen → wasm-opt → content-hashed, precompressed
//! files in `target/widget-dist` (see "Widget build output" in docs/contracts.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::shell::{self, workspace_root};
use crate::{install, wasm_imports};

/// Placeholders in `widget/loader/loader.js` replaced by the hashed file names.
const GLUE_PLACEHOLDER: &str = "__WAYMARK_GLUE__";
const WASM_PLACEHOLDER: &str = "__WAYMARK_WASM__";
/// The file stem wasm-bindgen writes (`waymark.js`, `waymark_bg.wasm`).
const OUT_NAME: &str = "waymark";

/// The features rustc's wasm32 target emits by default, which wasm-opt must be allowed to keep.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The directory the build writes to.
pub fn dist_dir() -> PathBuf {
    workspace_root().join("target").join("widget-dist")
}

/// Builds the widget and returns the dist directory. `release` uses the `wasm` profile and wasm-opt;
/// otherwise a quick debug build.
pub fn build(release: bool) -> anyhow::Result<PathBuf> {
    install::ensure_wasm_target()?;
    let wasm_bindgen = install::ensure_wasm_bindgen()?;
    let wasm_opt = if release {
        Some(install::ensure_wasm_opt()?)
    } else {
        None
    };
    let terser = if release {
        Some(install::ensure_terser()?)
    } else {
        None
    };

    let profile = if release { "wasm" } else { "dev" };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let build_args = [
        "build",
        "-p",
        "widget",
        "--lib",
        "--target",
        install::WASM_TARGET,
        "--profile",
        profile,
    ];
    // Release builds rebuild std with `panic = "immediate-abort"`: panics become a bare trap
    // (the loader catches it) and all panic-message formatting leaves the wasm, about 14 KB of
    // gzip. That needs unstable cargo flags, enabled for this one command by RUSTC_BOOTSTRAP;
    // when it cannot work (no rust-src, or WAYMARK_WIDGET_BUILD_STD=0) the plain build is used.
    let build_std = release
        && std::env::var("WAYMARK_WIDGET_BUILD_STD").as_deref() != Ok("0")
        && install::ensure_rust_src();
    let mut built = false;
    if build_std {
        let mut command = shell::command(&cargo, &build_args);
        command.env("RUSTC_BOOTSTRAP", "1").args([
            "-Zbuild-std=std,panic_abort",
            "-Zpanic-immediate-abort",
            "--config",
            "profile.wasm.panic=\"immediate-abort\"",
        ]);
        match shell::run(command) {
            Ok(()) => built = true,
            Err(error) => {
                eprintln!("build-widget: build-std failed ({error}); building without it")
            }
        }
    }
    if !built {
        shell::run(shell::command(&cargo, &build_args))?;
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let profile_dir = if release { "wasm" } else { "debug" };
    let raw_wasm = target_dir
        .join(install::WASM_TARGET)
        .join(profile_dir)
        .join("widget.wasm");
    if !raw_wasm.is_file() {
        bail!("cargo did not produce {}", raw_wasm.display());
    }

    let scratch = target_dir.join("widget-build");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .with_context(|| format!("clearing {}", scratch.display()))?;
    }
    std::fs::create_dir_all(&scratch)?;
    let mut bindgen = shell::command(&wasm_bindgen.to_string_lossy(), &[]);
    bindgen
        .arg(&raw_wasm)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            OUT_NAME,
            "--out-dir",
        ])
        .arg(&scratch);
    if !release {
        bindgen.arg("--debug");
    }
    shell::run(bindgen)?;

    let bound_wasm = scratch.join(format!("{OUT_NAME}_bg.wasm"));
    let glue_path = scratch.join(format!("{OUT_NAME}.js"));
    let final_wasm = match &wasm_opt {
        Some(wasm_opt) => {
            let optimised = scratch.join(format!("{OUT_NAME}_opt.wasm"));
            // `--dae-optimizing` removes arguments and return values nothing uses across the
            // whole module (re-optimising the callers), and `--low-memory-unused` lets loads and
            // stores fold constant offsets because the first 1 KB of memory is unused: together
            // about 1.3 KB of gzip over `-Oz --converge` alone, measured on the release wasm.
            let mut command = shell::command(
                &wasm_opt.to_string_lossy(),
                &[
                    "-Oz",
                    "--converge",
                    "--dae-optimizing",
                    "--low-memory-unused",
                ],
            );
            command
                .args(WASM_FEATURES)
                .arg(&bound_wasm)
                .arg("-o")
                .arg(&optimised);
            shell::run(command)?;
            optimised
        }
        None => bound_wasm,
    };

    let wasm =
        std::fs::read(&final_wasm).with_context(|| format!("reading {}", final_wasm.display()))?;
    let glue = std::fs::read_to_string(&glue_path)
        .with_context(|| format!("reading {}", glue_path.display()))?;
    let (wasm, glue) = wasm_imports::shorten(&wasm, &glue)?;
    let wasm_name = format!("waymark-{}.wasm", short_hash(&wasm));
    // The loader passes the wasm URL explicitly; the default name is fixed anyway.
    let glue = glue.replace(&format!("{OUT_NAME}_bg.wasm"), &wasm_name);
    let glue = match &terser {
        Some(terser) => minify(terser, &scratch, "glue.js", &glue, true)?,
        None => glue,
    };
    let glue_name = format!("waymark-{}.js", short_hash(glue.as_bytes()));

    let template_path = workspace_root()
        .join("widget")
        .join("loader")
        .join("loader.js");
    let template = std::fs::read_to_string(&template_path)
        .with_context(|| format!("reading {}", template_path.display()))?;
    if !template.contains(GLUE_PLACEHOLDER) || !template.contains(WASM_PLACEHOLDER) {
        bail!(
            "{} must contain {GLUE_PLACEHOLDER} and {WASM_PLACEHOLDER}",
            template_path.display()
        );
    }
    let loader = template
        .replace(GLUE_PLACEHOLDER, &glue_name)
        .replace(WASM_PLACEHOLDER, &wasm_name);
    let loader = match &terser {
        Some(terser) => minify(terser, &scratch, "loader.js", &loader, false)?,
        None => loader,
    };
    let manifest = format!(
        "{{\n  \"loader\": \"loader.js\",\n  \"glue\": \"{glue_name}\",\n  \"wasm\": \"{wasm_name}\"\n}}\n"
    );

    let dist = dist_dir();
    std::fs::create_dir_all(&dist)?;
    let files: [(&str, &[u8]); 3] = [
        ("loader.js", loader.as_bytes()),
        (&glue_name, glue.as_bytes()),
        (&wasm_name, &wasm),
    ];
    let mut keep: Vec<String> = vec!["manifest.json".into()];
    for (name, bytes) in files {
        write_with_siblings(&dist, name, bytes)?;
        keep.extend([name.to_string(), format!("{name}.gz"), format!("{name}.br")]);
    }
    // The manifest goes last so a reader never sees names whose files are not written yet.
    write_file(&dist.join("manifest.json"), manifest.as_bytes())?;
    remove_stale(&dist, &keep)?;
    report_sizes(&dist, &["loader.js", &glue_name, &wasm_name]);
    Ok(dist)
}

/// Minifies JS with terser (`module` for the ES-module glue), keeping `/*!` licence comments.
fn minify(
    terser: &Path,
    scratch: &Path,
    name: &str,
    source: &str,
    module: bool,
) -> anyhow::Result<String> {
    let input = scratch.join(format!("in-{name}"));
    let output = scratch.join(format!("out-{name}"));
    std::fs::write(&input, source)?;
    let mut command = shell::command(&terser.to_string_lossy(), &[]);
    command
        .arg(&input)
        .args([
            "--compress",
            "--mangle",
            "--comments",
            "/^!/",
            "--ecma",
            "2020",
            "-o",
        ])
        .arg(&output);
    if module {
        command.arg("--module");
    }
    shell::run(command)?;
    std::fs::read_to_string(&output).with_context(|| format!("reading {}", output.display()))
}

/// The first 16 hex digits of the SHA-256 of `bytes`.
fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Writes through a temporary name and renames, so a server never serves half a file.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// Writes `name`, `name.gz` (gzip by zopfli) and `name.br` (brotli, quality 11).
fn write_with_siblings(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    write_file(&dir.join(name), bytes)?;
    write_file(&dir.join(format!("{name}.gz")), &gzip(bytes)?)?;
    write_file(&dir.join(format!("{name}.br")), &brotli_compress(bytes)?)?;
    Ok(())
}

/// Gzip as small as the format allows: zopfli's output is ordinary gzip that every browser
/// reads, about 5% smaller than zlib's best level on the wasm. It is slow, which only matters
/// once per build.
fn gzip(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    )?;
    Ok(out)
}

fn brotli_compress(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes)?;
        writer.flush()?;
    }
    Ok(out)
}

/// Deletes every file in `dir` that this build did not write (older hashes, temporaries).
fn remove_stale(dir: &Path, keep: &[String]) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && !keep.contains(&name) {
            eprintln!("build-widget: removing stale {name}");
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

fn report_sizes(dir: &Path, names: &[&str]) {
    let size = |name: &str| {
        std::fs::metadata(dir.join(name))
            .map(|meta| meta.len())
            .unwrap_or(0)
    };
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for name in names {
        let (r, g, b) = (
            size(name),
            size(&format!("{name}.gz")),
            size(&format!("{name}.br")),
        );
        eprintln!("build-widget: {name:<32} {r:>8} B  gzip {g:>7} B  brotli {b:>7} B");
        (raw, gz, br) = (raw + r, gz + g, br + b);
    }
    eprintln!(
        "build-widget: {:<32} {raw:>8} B  gzip {gz:>7} B  brotli {br:>7} B",
        "total"
    );
    eprintln!("build-widget: wrote {}", dir.display());
}
