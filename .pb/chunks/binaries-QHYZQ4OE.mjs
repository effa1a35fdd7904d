import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  BINARY_NAMES,
  locateBinaries,
  parseHelpFlags,
  readBinariesRelease
} from "./chunk-HKQRD4NF.mjs";
import "./chunk-PFGUMKWO.mjs";
import "./chunk-YOTFHUOA.mjs";
export {
  BINARY_NAMES,
  locateBinaries,
  parseHelpFlags,
  readBinariesRelease
};
