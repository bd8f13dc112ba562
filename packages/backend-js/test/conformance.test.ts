import { defineConformanceSuite } from '@adaptive-trend/conformance';
// Imported by package name (self-reference): the built module, which batch workers can load too.
import { backendFactory } from '@adaptive-trend/backend-js';

defineConformanceSuite({ name: 'js', load: () => backendFactory.load() });
