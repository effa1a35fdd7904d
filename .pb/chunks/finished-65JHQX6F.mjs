import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  ColorProvider,
  Tone,
  colorsEnabled
} from "./chunk-THVV5L26.mjs";
import {
  Box_default,
  Text,
  render_default,
  require_jsx_runtime,
  use_app_default,
  use_input_default
} from "./chunk-ZAMMVMRO.mjs";
import {
  __toESM
} from "./chunk-YOTFHUOA.mjs";

// source/ui/finished.tsx
var import_jsx_runtime = __toESM(require_jsx_runtime(), 1);
function shellArg(value) {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
function nextCommands(profileName, kubeconfigPath) {
  return [`kubectl --kubeconfig ${shellArg(kubeconfigPath)} get --raw '/readyz?verbose'`, `k8s-master-setup status --profile ${shellArg(profileName)}`];
}
function Finished({ profileName, kubeconfigPath, ok = true, failedNodes = [], dashboard }) {
  return /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { flexDirection: "column", children: [
    ok ? /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Tone, { tone: "ok", bold: true, children: [
      "\u2713 control plane of profile ",
      profileName,
      " installed"
    ] }) : /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Tone, { tone: "bad", bold: true, children: [
      "\u2717 ",
      failedNodes.length,
      " node",
      failedNodes.length === 1 ? "" : "s",
      " failed: ",
      failedNodes.join(", "),
      "; run `k8s-master-setup apply --profile ",
      profileName,
      "` again to resume"
    ] }),
    /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Text, { children: [
      "admin kubeconfig: ",
      kubeconfigPath
    ] }),
    /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { flexDirection: "column", marginTop: 1, children: [
      /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { children: "next:" }),
      nextCommands(profileName, kubeconfigPath).map((c) => /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Text, { children: [
        "  ",
        c
      ] }, c))
    ] }),
    dashboard ? /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Box_default, { marginTop: 1, children: dashboard }) : null
  ] });
}
function FinishedInteractive(props) {
  const { exit } = use_app_default();
  use_input_default((input, key) => {
    if (input === "q" || key.escape || key.ctrl && input === "c") exit();
  });
  return /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { flexDirection: "column", children: [
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Finished, { ...props }),
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "dim", children: "q quit" })
  ] });
}
async function showFinished(options) {
  const { stdout, stdin, env, ...props } = options;
  const colors = colorsEnabled(env);
  const interactive = props.dashboard !== void 0;
  const instance = render_default(/* @__PURE__ */ (0, import_jsx_runtime.jsx)(ColorProvider, { colors, children: interactive ? /* @__PURE__ */ (0, import_jsx_runtime.jsx)(FinishedInteractive, { ...props }) : /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Finished, { ...props }) }), {
    stdout: stdout ?? process.stdout,
    stdin: stdin ?? process.stdin,
    exitOnCtrlC: false,
    patchConsole: false
  });
  try {
    if (interactive) await instance.waitUntilExit();
  } finally {
    instance.unmount();
    instance.cleanup();
  }
}
export {
  Finished,
  nextCommands,
  showFinished
};
