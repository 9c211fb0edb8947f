//! Installs the tools the build and tests need, each only when it is missing, so a fresh CI
//! machine needs nothing but cargo, npm and apt to get going.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::shell::{self, workspace_root};

/// The npm package that provides `wasm-opt`. Debian's binaryen is too old: its output crashes Chromium.
pub const BINARYEN: &str = "binaryen@132";
/// The accessibility checker the end-to-end tests inject into pages.
pub const AXE_CORE: &str = "axe-core@4";
/// Minifies the widget's JS glue and loader.
pub const TERSER: &str = "terser@5";
/// The rustc target the widget compiles to.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Installs everything the build, the tests and the demo use.
pub fn all() -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_rust_src();
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    ensure_terser()?;
    ensure_axe_core()?;
    ensure_chromium()?;
    eprintln!("install: every tool is in place");
    Ok(())
}

/// The project-local directory npm tools are installed into (`target/tools`).
pub fn tools_dir() -> PathBuf {
    workspace_root().join("target").join("tools")
}

/// Where axe-core's browser bundle lands; the end-to-end tests read it.
pub fn axe_core_path() -> PathBuf {
    tools_dir()
        .join("node_modules")
        .join("axe-core")
        .join("axe.min.js")
}

/// The `wasm-opt` from npm's binaryen.
pub fn wasm_opt_path() -> PathBuf {
    tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt")
}

/// Adds the wasm32 target to the toolchain when it is missing.
pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = shell::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        eprintln!("install: rust target {WASM_TARGET} present");
        return Ok(());
    }
    eprintln!("install: adding rust target {WASM_TARGET}");
    shell::run(shell::command("rustup", &["target", "add", WASM_TARGET]))
}

/// Adds the `rust-src` component (the widget's release build rebuilds `std` from it to drop
/// panic formatting). Returns whether it is there; the build falls back without it.
pub fn ensure_rust_src() -> bool {
    let installed =
        shell::output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|line| line.trim().starts_with("rust-src"))
    {
        eprintln!("install: rust-src present");
        return true;
    }
    eprintln!("install: adding the rust-src component");
    match shell::run(shell::command("rustup", &["component", "add", "rust-src"])) {
        Ok(()) => true,
        Err(error) => {
            eprintln!(
                "install: could not add rust-src ({error}); the widget builds without build-std"
            );
            false
        }
    }
}

/// The version of the `wasm-bindgen` crate locked in Cargo.lock; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock_path = workspace_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .with_context(|| format!("reading {}", lock_path.display()))?;
    locked_version(&lock, "wasm-bindgen")
        .with_context(|| format!("no wasm-bindgen package in {}", lock_path.display()))
}

/// Finds `version = "…"` of the `[[package]]` named `name` in a Cargo.lock text.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() != wanted {
            continue;
        }
        for next in lines.by_ref() {
            let next = next.trim();
            if let Some(version) = next.strip_prefix("version = \"") {
                return Some(version.trim_end_matches('"').to_string());
            }
            if next.is_empty() || next.starts_with('[') {
                break;
            }
        }
    }
    None
}

/// `$CARGO_HOME/bin` (default `~/.cargo/bin`), where `cargo install` puts binaries.
fn cargo_bin_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Some(PathBuf::from(home).join("bin"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin"))
}

/// The version a `wasm-bindgen` binary reports, if it runs.
fn wasm_bindgen_version_of(program: &str) -> Option<String> {
    let out = shell::output(program, &["--version"])?;
    out.split_whitespace().nth(1).map(str::to_string)
}

/// Makes sure a `wasm-bindgen` CLI of exactly the locked version exists and returns its path.
pub fn ensure_wasm_bindgen() -> anyhow::Result<PathBuf> {
    let wanted = locked_wasm_bindgen_version()?;
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = cargo_bin_dir() {
        candidates.push(dir.join("wasm-bindgen"));
    }
    candidates.push(PathBuf::from("wasm-bindgen"));
    for candidate in &candidates {
        let program = candidate.to_string_lossy();
        if wasm_bindgen_version_of(&program).as_deref() == Some(wanted.as_str()) {
            eprintln!("install: wasm-bindgen {wanted} present ({program})");
            return Ok(candidate.clone());
        }
    }
    eprintln!("install: installing wasm-bindgen-cli {wanted} (must match the wasm-bindgen crate)");
    shell::run(shell::command(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ],
    ))?;
    for candidate in &candidates {
        let program = candidate.to_string_lossy();
        if wasm_bindgen_version_of(&program).as_deref() == Some(wanted.as_str()) {
            return Ok(candidate.clone());
        }
    }
    bail!("wasm-bindgen {wanted} was installed but cannot be found; is $CARGO_HOME/bin readable?")
}

/// Makes sure npm works, installing Debian's nodejs + npm when it does not.
pub fn ensure_npm() -> anyhow::Result<()> {
    if shell::output("npm", &["--version"]).is_some() {
        return Ok(());
    }
    eprintln!("install: npm missing, installing Debian's nodejs and npm");
    apt_install(&["nodejs", "npm"])
}

/// `npm install --prefix target/tools <packages>`; the prefix keeps every earlier package.
fn npm_install(packages: &[&str]) -> anyhow::Result<()> {
    ensure_npm()?;
    let dir = tools_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir_text = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "install",
        "--prefix",
        dir_text.as_str(),
        "--no-audit",
        "--no-fund",
        "--save-exact",
    ];
    args.extend_from_slice(packages);
    shell::run(shell::command("npm", &args))
}

/// Makes sure `target/tools/node_modules/.bin/wasm-opt` is binaryen 132 and returns its path.
pub fn ensure_wasm_opt() -> anyhow::Result<PathBuf> {
    let path = wasm_opt_path();
    let wanted_major = BINARYEN.rsplit('@').next().unwrap_or_default();
    let ok = |path: &Path| {
        shell::output(&path.to_string_lossy(), &["--version"])
            .is_some_and(|text| text.contains(&format!("version {wanted_major}")))
    };
    if ok(&path) {
        eprintln!("install: wasm-opt ({BINARYEN}) present");
        return Ok(path);
    }
    eprintln!(
        "install: installing wasm-opt from npm {BINARYEN} into {}",
        tools_dir().display()
    );
    npm_install(&[BINARYEN])?;
    if !ok(&path) {
        bail!(
            "{} does not report version {wanted_major} after installing {BINARYEN}",
            path.display()
        );
    }
    Ok(path)
}

/// The `terser` JS minifier from npm.
pub fn terser_path() -> PathBuf {
    tools_dir().join("node_modules").join(".bin").join("terser")
}

/// Makes sure `target/tools/node_modules/.bin/terser` runs and returns its path.
pub fn ensure_terser() -> anyhow::Result<PathBuf> {
    let path = terser_path();
    let ok = |path: &Path| shell::output(&path.to_string_lossy(), &["--version"]).is_some();
    if ok(&path) {
        eprintln!("install: terser present");
        return Ok(path);
    }
    eprintln!(
        "install: installing {TERSER} into {}",
        tools_dir().display()
    );
    npm_install(&[TERSER])?;
    if !ok(&path) {
        bail!("{} does not run after installing {TERSER}", path.display());
    }
    Ok(path)
}

/// Makes sure axe-core's browser bundle is in `target/tools` and returns its path.
pub fn ensure_axe_core() -> anyhow::Result<PathBuf> {
    let path = axe_core_path();
    if path.is_file() {
        eprintln!("install: axe-core present");
        return Ok(path);
    }
    eprintln!(
        "install: installing {AXE_CORE} into {}",
        tools_dir().display()
    );
    npm_install(&[AXE_CORE])?;
    if !path.is_file() {
        bail!("{} missing after installing {AXE_CORE}", path.display());
    }
    Ok(path)
}

/// Makes sure Debian's Chromium and ChromeDriver are installed.
pub fn ensure_chromium() -> anyhow::Result<()> {
    let chromium = Path::new("/usr/bin/chromium").is_file();
    let driver = Path::new("/usr/bin/chromedriver").is_file()
        || shell::output("chromedriver", &["--version"]).is_some();
    if chromium && driver {
        eprintln!("install: chromium and chromedriver present");
        return Ok(());
    }
    eprintln!("install: installing Debian's chromium and chromium-driver");
    apt_install(&["chromium", "chromium-driver"])
}

/// `apt-get update` then `apt-get install -y`, through sudo only when not root.
fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let root = shell::output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let command = if root {
            shell::command("apt-get", args)
        } else {
            let mut with_sudo = vec!["-n", "apt-get"];
            with_sudo.extend_from_slice(args);
            shell::command("sudo", &with_sudo)
        };
        let mut command = command;
        command.env("DEBIAN_FRONTEND", "noninteractive");
        shell::run(command)
    };
    apt(&["update"])?;
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(packages);
    apt(&args)
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_locked_versions() {
        let lock = "[[package]]\nname = \"wasm-bindgen-backend\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "missing"), None);
    }
}
