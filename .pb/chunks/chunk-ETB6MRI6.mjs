import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/profile/constants.ts
var SUPPORTED_VERSIONS = ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"];
var STEP_NAMES = [
  "connect",
  "preflight",
  "binaries",
  "certificates",
  "configs",
  "apiserver",
  "controller-manager",
  "scheduler",
  "verify"
];

export {
  SUPPORTED_VERSIONS,
  STEP_NAMES
};
