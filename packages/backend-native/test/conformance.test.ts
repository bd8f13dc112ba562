import { defineConformanceSuite } from '@adaptive-trend/conformance';
import { backendFactory } from '@adaptive-trend/backend-native';

defineConformanceSuite({ name: 'native', load: () => backendFactory.load() });
