// What the suite hands each tier: the backend under test, loaded once by `defineConformanceSuite`
// (its own module so the tiers and the suite do not import each other).
import type { AtcEngine, Backend } from '@adaptive-trend/core';

/** The engine over the backend under test (throws if called before the suite loaded it). */
export type EngineSource = () => AtcEngine;

/** The backend under test itself, for the tiers that call its API directly, bypassing core. */
export type BackendSource = () => Backend;
