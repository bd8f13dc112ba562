//! napi-rs's per-platform link settings (e.g. `-undefined dynamic_lookup` on macOS).
fn main() {
    napi_build::setup();
}
