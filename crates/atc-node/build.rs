//! Link settings for a Node-API addon built without node-gyp.
//!
//! * Linux / FreeBSD: nothing — the `napi_*` symbols stay undefined in the shared object and are
//!   resolved against the running `node` binary when `require()` loads the addon.
//! * macOS: the linker refuses undefined symbols by default; allow them for the cdylib.
//! * Windows: the symbols would have to come from `node.lib` (or delay-loading); not supported
//!   by this zero-dependency build yet.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }
}
