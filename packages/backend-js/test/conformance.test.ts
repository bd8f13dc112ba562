import { defineConformanceSuite } from '@adaptive-trend/conformance';
import { backendFactory } from '../src/index.js';

defineConformanceSuite({ name: 'js', load: () => backendFactory.load() });
