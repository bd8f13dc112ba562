//! Finds the reference fixtures for `tests/golden.rs` at build time, so that a checkout without
//! them reports the golden tests as *ignored* (visible in the test summary) instead of passing
//! them silently. Sets `cfg(has_shared_fixtures)` and `ATC_SHARED_FIXTURES` (the folder) when
//! `ATC_SHARED_DIR`, or else `<repo>/../shared`, holds `golden/` and `data/`. The library
//! itself does not use either.
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_shared_fixtures)");
    println!("cargo::rerun-if-env-changed=ATC_SHARED_DIR");
    println!("cargo::rerun-if-changed=build.rs");
    let dir = match std::env::var_os("ATC_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
            PathBuf::from(manifest).join("../../../shared")
        }
    };
    // A missing path makes cargo rerun this script on every build, so fixtures that appear
    // later are picked up; an existing folder reruns it when its contents change.
    println!("cargo::rerun-if-changed={}", dir.display());
    if dir.join("golden").is_dir() && dir.join("data").is_dir() {
        println!("cargo::rustc-cfg=has_shared_fixtures");
        println!("cargo::rustc-env=ATC_SHARED_FIXTURES={}", dir.display());
    }
}
