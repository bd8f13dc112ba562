import { defineConformanceSuite } from '@adaptive-trend/conformance';
import { backendFactory, defaultWasmUrl, loadWasmBackend } from '@adaptive-trend/backend-wasm';

defineConformanceSuite({ name: 'wasm', load: () => backendFactory.load() });

// The plain (non-SIMD) build is what engines without wasm SIMD get: it must conform too.
defineConformanceSuite({ name: 'wasm', load: () => loadWasmBackend({ module: defaultWasmUrl(false) }), propertyRuns: 30 });
