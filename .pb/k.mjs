#!/usr/bin/env node
import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/cli/bin.ts
import nodeModule from "node:module";
nodeModule.enableCompileCache?.();
await import("./chunks/main-BXJT223N.mjs");
