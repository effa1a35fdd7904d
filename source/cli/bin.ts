#!/usr/bin/env node
/**
 * The executable's entry (bundled into dist/k8s-master-setup.mjs by scripts/bundle.ts).
 * It turns on Node's on-disk compile cache (Node >= 22.1; a no-op check on older Node)
 * before any other module is loaded, then loads the CLI.
 */
import nodeModule from 'node:module';

(nodeModule as {enableCompileCache?: () => unknown}).enableCompileCache?.();
await import('./main.js');
