import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  Text,
  require_jsx_runtime,
  require_react
} from "./chunk-ZAMMVMRO.mjs";
import {
  __toESM
} from "./chunk-YOTFHUOA.mjs";

// source/ui/theme.tsx
var import_react = __toESM(require_react(), 1);
var import_jsx_runtime = __toESM(require_jsx_runtime(), 1);
function colorsEnabled(env = process.env) {
  return !(env["NO_COLOR"] !== void 0 && env["NO_COLOR"] !== "");
}
var ColorContext = (0, import_react.createContext)(colorsEnabled());
function ColorProvider({ colors, children }) {
  return /* @__PURE__ */ (0, import_jsx_runtime.jsx)(ColorContext.Provider, { value: colors, children });
}
function useColors() {
  return (0, import_react.useContext)(ColorContext);
}
var COLOR = { ok: "green", warn: "yellow", bad: "red", dim: "gray", accent: "cyan", plain: void 0 };
function Tone({ tone = "plain", bold, inverse, children }) {
  const colors = useColors();
  const color = colors ? COLOR[tone] : void 0;
  return /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { color, bold, inverse: colors ? inverse : false, children });
}

export {
  colorsEnabled,
  ColorProvider,
  Tone
};
