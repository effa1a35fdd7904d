import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  loadProfileFromOptions,
  runRender
} from "./chunk-4LFZN2DI.mjs";
import "./chunk-HKQRD4NF.mjs";
import "./chunk-YKOJHRDD.mjs";
import "./chunk-LWPWZUCJ.mjs";
import "./chunk-ETB6MRI6.mjs";
import "./chunk-PFGUMKWO.mjs";
import "./chunk-WDUICG2E.mjs";
import "./chunk-YOTFHUOA.mjs";
export {
  loadProfileFromOptions,
  runRender
};
