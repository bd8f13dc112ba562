// The example of `defineConformanceSuite`'s TSDoc (src/suite.ts) and the package's, verbatim:
// documented-example.test.ts type-checks this file, so the docs cannot drift from the types.
import { defineConformanceSuite } from '@adaptive-trend/conformance';
import { backendFactory } from '@adaptive-trend/backend-foo';
defineConformanceSuite({ name: 'foo', load: () => backendFactory.load() });

// …and a shipped backend with its options, as an application would pass them.
import { type BackendFactory, createAtc, registerBackend } from '@adaptive-trend/core';
const typed: BackendFactory<{ device?: string }> = backendFactory;
registerBackend(typed);
void createAtc({ backend: 'foo' });
