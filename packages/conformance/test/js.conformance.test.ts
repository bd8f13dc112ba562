// The suite run on its own reference, backend-js. It lives here, not in backend-js, because
// conformance depends on backend-js (the bit-identity reference): a test dependency the other
// way round would be a package cycle.
import { backendFactory } from '@adaptive-trend/backend-js';
import { defineConformanceSuite } from '../src/index.js';

defineConformanceSuite({ name: 'js', load: () => backendFactory.load() });
