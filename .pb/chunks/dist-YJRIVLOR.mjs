import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  require_dist
} from "./chunk-WDUICG2E.mjs";
import "./chunk-YOTFHUOA.mjs";
export default require_dist();
