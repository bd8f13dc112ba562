// A third-party backend package as the documented example imagines it: its own name ('foo',
// not one of the shipped three) and its own load options. BackendName is open, so it compiles.
declare module '@adaptive-trend/backend-foo' {
  import type { BackendFactory } from '@adaptive-trend/core';
  export interface FooLoadOptions {
    device?: string;
  }
  export const backendFactory: BackendFactory<FooLoadOptions>;
}
