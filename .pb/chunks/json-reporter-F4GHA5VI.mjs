import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import "./chunk-YOTFHUOA.mjs";

// source/ui/json-reporter.ts
function createJsonReporter(write) {
  return (event) => write(JSON.stringify(event) + "\n");
}
export {
  createJsonReporter
};
