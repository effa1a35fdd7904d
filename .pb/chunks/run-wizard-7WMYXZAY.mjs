import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  SPINNER_FRAMES
} from "./chunk-NTEMHVRZ.mjs";
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
  require_react,
  use_input_default,
  use_stdout_default
} from "./chunk-ZAMMVMRO.mjs";
import {
  mask,
  padEnd,
  truncate
} from "./chunk-NOBSWQDE.mjs";
import {
  ProfileSchema
} from "./chunk-LWPWZUCJ.mjs";
import {
  SUPPORTED_VERSIONS
} from "./chunk-ETB6MRI6.mjs";
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";
import {
  __toESM
} from "./chunk-YOTFHUOA.mjs";

// source/ui/wizard/wizard.tsx
var import_react = __toESM(require_react(), 1);

// source/ui/wizard/draft.ts
var DEFAULT_VALUES = {
  "ssh.user": "root",
  "ssh.port": "22",
  "ssh.auth": "agent",
  "ssh.identityFile": "",
  binaries: "",
  kubernetesVersion: "",
  "network.serviceCidr": "10.254.0.0/16",
  "network.podCidr": "172.30.0.0/16",
  "network.nodePortRange": "30000-32767",
  "network.clusterDomain": "cluster.local",
  "etcd.endpoints": "",
  "pki.mode": "create",
  "pki.caCert": "",
  "pki.caKey": "",
  "encryption.mode": "generate",
  "encryption.key": "",
  "apiserver.extraSans": "",
  name: "default"
};
var FILLER_VALUES = {
  ...DEFAULT_VALUES,
  binaries: "/opt/k8s/bin",
  kubernetesVersion: SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.length - 1] ?? "1.37",
  "etcd.endpoints": "https://127.0.0.1:2379",
  name: "draft"
};
var FILLER_NODES = [{ name: "filler", ip: "127.0.0.1" }];
function nodeName(index) {
  return `master${index + 1}`;
}
function initialDraft(initial) {
  const values = { ...DEFAULT_VALUES };
  const i = initial ?? {};
  const set = (key, value) => {
    if (value !== void 0 && value !== null) values[key] = String(value);
  };
  set("ssh.user", i.ssh?.user);
  set("ssh.port", i.ssh?.port);
  if (i.ssh?.identityFile) {
    set("ssh.auth", "file");
    set("ssh.identityFile", i.ssh.identityFile);
  }
  set("binaries", i.binaries);
  set("kubernetesVersion", i.kubernetesVersion);
  set("network.serviceCidr", i.network?.serviceCidr);
  set("network.podCidr", i.network?.podCidr);
  set("network.nodePortRange", i.network?.nodePortRange);
  set("network.clusterDomain", i.network?.clusterDomain);
  const endpoints = i.etcd?.endpoints;
  if (endpoints && endpoints.length > 0) set("etcd.endpoints", endpoints.join(", "));
  if (i.pki?.caCert || i.pki?.caKey) {
    set("pki.mode", "existing");
    set("pki.caCert", i.pki.caCert);
    set("pki.caKey", i.pki.caKey);
  }
  if (i.encryption?.key) {
    set("encryption.mode", "paste");
    set("encryption.key", i.encryption.key);
  }
  if (i.apiserver?.extraSans) set("apiserver.extraSans", i.apiserver.extraSans.join(", "));
  set("name", i.name);
  const nodes = (i.nodes ?? []).map((n) => ({ name: n.name ?? "", ip: n.ip ?? "" }));
  return {
    nodes: nodes.length > 0 ? nodes : [{ name: nodeName(0), ip: "" }],
    values,
    etcdEdited: endpoints !== void 0 && endpoints.length > 0
  };
}
function defaultEndpoints(nodes) {
  return nodes.filter((n) => n.ip.trim() !== "").map((n) => `https://${n.ip.trim()}:2379`).join(", ");
}
var NODE_FIELD = /^nodes\.(\d+)\.(name|ip)$/;
function getValue(draft, key) {
  const m = NODE_FIELD.exec(key);
  if (m) {
    const node = draft.nodes[Number(m[1])];
    return node ? node[m[2]] : "";
  }
  if (key === "etcd.endpoints" && !draft.etcdEdited) return defaultEndpoints(draft.nodes);
  return draft.values[key] ?? "";
}
function setValue(draft, key, value) {
  const m = NODE_FIELD.exec(key);
  if (m) {
    const index = Number(m[1]);
    const field = m[2];
    return { ...draft, nodes: draft.nodes.map((n, i) => i === index ? { ...n, [field]: value } : n) };
  }
  return {
    ...draft,
    values: { ...draft.values, [key]: value },
    etcdEdited: draft.etcdEdited || key === "etcd.endpoints"
  };
}
function splitList(value) {
  return value.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}
function portOf(value) {
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}
function toProfileInput(draft, options = {}) {
  const filler = options.filler ?? /* @__PURE__ */ new Set();
  const v = (key) => filler.has(key) ? FILLER_VALUES[key] : getValue(draft, key).trim();
  const nodes = filler.has("nodes") ? FILLER_NODES : draft.nodes;
  const identity = v("ssh.auth") === "file" ? v("ssh.identityFile") : void 0;
  const existingCa = v("pki.mode") === "existing";
  const pastedKey = v("encryption.mode") === "paste" && !options.forDraft;
  const profile = {
    name: v("name"),
    kubernetesVersion: v("kubernetesVersion"),
    binaries: v("binaries"),
    nodes: nodes.map((n) => ({ name: n.name.trim(), ip: n.ip.trim() })),
    ssh: { user: v("ssh.user"), port: portOf(v("ssh.port")), ...identity !== void 0 ? { identityFile: identity } : {} },
    network: {
      serviceCidr: v("network.serviceCidr"),
      podCidr: v("network.podCidr"),
      nodePortRange: v("network.nodePortRange"),
      clusterDomain: v("network.clusterDomain")
    },
    etcd: { endpoints: splitList(v("etcd.endpoints")) },
    pki: existingCa ? { caCert: v("pki.caCert"), caKey: v("pki.caKey") } : {},
    encryption: pastedKey ? { key: v("encryption.key") } : {},
    apiserver: { extraSans: splitList(v("apiserver.extraSans")) }
  };
  return profile;
}

// source/ui/wizard/steps.ts
var none = () => [];
var STEPS = {
  ssh: {
    id: "ssh",
    title: "SSH access",
    intro: "How to log in to every master node (root, or a user with sudo).",
    owns: ["ssh.user", "ssh.port", "ssh.auth", "ssh.identityFile"],
    fields: (d) => [
      { kind: "text", key: "ssh.user", label: "user" },
      { kind: "text", key: "ssh.port", label: "port" },
      {
        kind: "choice",
        key: "ssh.auth",
        label: "authentication",
        options: [
          { value: "agent", label: "ssh-agent / default keys" },
          { value: "file", label: "identity file" }
        ]
      },
      ...d.values["ssh.auth"] === "file" ? [{ kind: "text", key: "ssh.identityFile", label: "identity file", help: "e.g. ~/.ssh/id_ed25519" }] : []
    ]
  },
  nodes: {
    id: "nodes",
    title: "Master nodes",
    intro: "1, 3, 5 or 7 masters are suggested (an odd count keeps etcd quorum).",
    owns: ["nodes"],
    fields: (d) => [
      ...d.nodes.flatMap((_, i) => [
        { kind: "text", key: `nodes.${i}.name`, label: "name" },
        { kind: "text", key: `nodes.${i}.ip`, label: "ip" }
      ]),
      { kind: "action", key: "add-node", label: "+ add node" },
      { kind: "action", key: "continue", label: "continue" }
    ]
  },
  hostkeys: {
    id: "hostkeys",
    title: "Host keys",
    intro: "Each node was contacted over SSH. Compare the fingerprints with the nodes\u2019 own before accepting.",
    owns: [],
    fields: none
  },
  binaries: {
    id: "binaries",
    title: "Kubernetes binaries",
    intro: "A directory with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, or a kubernetes-server-linux-*.tar.gz.",
    owns: ["binaries", "kubernetesVersion"],
    fields: () => [
      { kind: "text", key: "binaries", label: "path" },
      { kind: "text", key: "kubernetesVersion", label: "version", help: `read from the binaries; one of ${SUPPORTED_VERSIONS.join(", ")}` }
    ]
  },
  network: {
    id: "network",
    title: "Cluster network",
    owns: ["network.serviceCidr", "network.podCidr", "network.nodePortRange", "network.clusterDomain"],
    fields: () => [
      { kind: "text", key: "network.serviceCidr", label: "service CIDR" },
      { kind: "text", key: "network.podCidr", label: "pod CIDR" },
      { kind: "text", key: "network.nodePortRange", label: "NodePort range" },
      { kind: "text", key: "network.clusterDomain", label: "cluster domain" }
    ]
  },
  etcd: {
    id: "etcd",
    title: "etcd",
    owns: ["etcd.endpoints"],
    fields: () => [{ kind: "text", key: "etcd.endpoints", label: "endpoints", help: "comma-separated https URLs" }]
  },
  ca: {
    id: "ca",
    title: "Certificate authority",
    owns: ["pki.mode", "pki.caCert", "pki.caKey"],
    fields: (d) => [
      {
        kind: "choice",
        key: "pki.mode",
        label: "CA",
        options: [
          { value: "create", label: "create a new CA" },
          { value: "existing", label: "use existing cert + key files" }
        ]
      },
      ...d.values["pki.mode"] === "existing" ? [
        { kind: "text", key: "pki.caCert", label: "CA certificate file" },
        { kind: "text", key: "pki.caKey", label: "CA key file" }
      ] : []
    ]
  },
  encryption: {
    id: "encryption",
    title: "Secrets encryption key",
    owns: ["encryption.mode", "encryption.key"],
    fields: (d) => [
      {
        kind: "choice",
        key: "encryption.mode",
        label: "key",
        options: [
          { value: "generate", label: "generate (32 random bytes)" },
          { value: "paste", label: "paste an existing key" }
        ]
      },
      ...d.values["encryption.mode"] === "paste" ? [{ kind: "text", key: "encryption.key", label: "base64 key", mask: true }] : []
    ]
  },
  sans: {
    id: "sans",
    title: "Extra API server names",
    intro: "Load-balancer addresses or DNS names clients use (optional).",
    owns: ["apiserver.extraSans"],
    fields: () => [{ kind: "text", key: "apiserver.extraSans", label: "extra SANs", help: "comma-separated; empty for none" }]
  },
  name: {
    id: "name",
    title: "Profile name",
    intro: "The answers are saved under this name: `k8s-master-setup apply --profile NAME` re-runs them.",
    owns: ["name"],
    fields: () => [{ kind: "text", key: "name", label: "profile name" }]
  },
  summary: { id: "summary", title: "Summary", owns: [], fields: none }
};
function stepOrder(options) {
  return ["ssh", "nodes", ...options.checkNodes ? ["hostkeys"] : [], "binaries", "network", "etcd", "ca", "encryption", "sans", "name", "summary"];
}
var WIZARD_TITLE = "k8s-master-setup \xB7 new control plane";

// source/ui/wizard/text-edit.ts
function editText({ value, cursor }, input, key) {
  const at = Math.max(0, Math.min(cursor, value.length));
  if (key.leftArrow) return { value, cursor: Math.max(0, at - 1) };
  if (key.rightArrow) return { value, cursor: Math.min(value.length, at + 1) };
  if (key.home || key.ctrl && input === "a") return { value, cursor: 0 };
  if (key.end || key.ctrl && input === "e") return { value, cursor: value.length };
  if (key.ctrl && input === "u") return { value: value.slice(at), cursor: 0 };
  if (key.ctrl && input === "w") {
    const before = value.slice(0, at).replace(/\S+\s*$/, "");
    return { value: before + value.slice(at), cursor: before.length };
  }
  if (key.backspace || key.delete) {
    if (at === 0) return { value, cursor: 0 };
    return { value: value.slice(0, at - 1) + value.slice(at), cursor: at - 1 };
  }
  if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow) return void 0;
  const text = input.replace(/[\u0000-\u001f\u007f]/g, "");
  if (text.length === 0) return void 0;
  return { value: value.slice(0, at) + text + value.slice(at), cursor: at + text.length };
}

// source/ui/wizard/validate.ts
function validateDraft(draft, order, upTo) {
  const filler = /* @__PURE__ */ new Set();
  for (const id of order.slice(upTo + 1)) for (const key of STEPS[id].owns) filler.add(key);
  const candidate = toProfileInput(draft, { filler });
  const issues = /* @__PURE__ */ new Map();
  const nodeSchema = ProfileSchema.shape.nodes.element;
  const stand = candidate.nodes.map((node, i) => {
    const ip = nodeSchema.shape.ip.safeParse(node.ip);
    if (ip.success) return node;
    issues.set(`nodes.${i}.ip`, messageOf(ip.error.issues[0]));
    return { ...node, ip: `198.51.100.${i % 250 + 1}` };
  });
  let result;
  try {
    result = ProfileSchema.safeParse({ ...candidate, nodes: stand });
  } catch (error) {
    issues.set("", `cannot validate: ${error instanceof Error ? error.message : String(error)}`);
    return issues;
  }
  if (result.success) return issues;
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    if (!issues.has(path)) issues.set(path, messageOf(issue));
  }
  return issues;
}
function messageOf(issue) {
  if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) === 1) return "is required";
  if (issue.code === "invalid_type" && issue.expected === "number") return "must be a number";
  if (issue.code === "too_small" && issue.origin === "number") return `must be at least ${String(issue.minimum)}`;
  if (issue.code === "too_big" && issue.origin === "number") return `must be at most ${String(issue.maximum)}`;
  if (issue.code === "too_small" && issue.origin === "array") return issue.message;
  return issue.message;
}
function issueFor(issues, key) {
  const own = issues.get(key);
  if (own !== void 0) return own;
  for (const [path, message] of issues) {
    if (path.startsWith(key + ".")) {
      const rest = path.slice(key.length + 1);
      return /^\d+$/.test(rest) ? `entry ${Number(rest) + 1}: ${message}` : `${rest}: ${message}`;
    }
  }
  return void 0;
}
function stepIssueKeys(issues, step, draft) {
  const spec = STEPS[step];
  const keys = [];
  for (const own of spec.owns) {
    if (own === "nodes") {
      if (issues.has("nodes")) keys.push("nodes");
      draft.nodes.forEach((_, i) => {
        for (const f of ["name", "ip"]) if (issueFor(issues, `nodes.${i}.${f}`) !== void 0) keys.push(`nodes.${i}.${f}`);
      });
    } else if (issueFor(issues, own) !== void 0) keys.push(own);
  }
  const shown = new Set(spec.fields(draft).map((f) => f.key));
  return keys.filter((k) => k === "nodes" || shown.has(k));
}

// source/ui/wizard/reducer.ts
function initialWizardState(draft, order, options) {
  const s = {
    order,
    step: 0,
    focus: 0,
    cursor: 0,
    draft,
    touched: {},
    checks: {},
    versionEdited: draft.values.kubernetesVersion !== "",
    acceptedHostKeys: [],
    canCheck: options.canCheck,
    canReadVersion: options.canReadVersion
  };
  return { ...s, cursor: focusedValue(s).length };
}
function currentStep(state) {
  return state.order[state.step] ?? "summary";
}
function fieldsOf(state) {
  return STEPS[currentStep(state)].fields(state.draft);
}
function focusedValue(state) {
  const f = fieldsOf(state)[state.focus];
  return f && f.kind !== "action" ? getValue(state.draft, f.key) : "";
}
function sshOf(draft) {
  const port = Number(draft.values["ssh.port"]);
  const identity = draft.values["ssh.auth"] === "file" ? draft.values["ssh.identityFile"].trim() : "";
  return { user: draft.values["ssh.user"].trim(), port: Number.isInteger(port) ? port : 22, ...identity ? { identityFile: identity } : {} };
}
function checkKey(draft, index) {
  const n = draft.nodes[index];
  const ssh = sshOf(draft);
  return JSON.stringify([n?.name.trim(), n?.ip.trim(), ssh.user, ssh.port, ssh.identityFile ?? ""]);
}
function nodeComplete(state, index) {
  const issues = validateDraft(state.draft, state.order, state.order.indexOf("nodes"));
  const n = state.draft.nodes[index];
  return n !== void 0 && n.name.trim() !== "" && issueFor(issues, `nodes.${index}.name`) === void 0 && issueFor(issues, `nodes.${index}.ip`) === void 0;
}
function requestCheck(state, index) {
  if (!state.canCheck || !nodeComplete(state, index)) return state;
  const id = checkKey(state.draft, index);
  if (state.checks[id]) return state;
  return { ...state, checks: { ...state.checks, [id]: { status: "requested" } } };
}
function requestVersion(state) {
  const path = state.draft.values.binaries.trim();
  if (!state.canReadVersion || path === "" || state.version?.path === path) return state;
  return { ...state, version: { path, status: "requested" } };
}
function leaveField(state) {
  const f = fieldsOf(state)[state.focus];
  if (!f || f.kind === "action") return state;
  let s = { ...state, touched: { ...state.touched, [f.key]: true } };
  const m = /^nodes\.(\d+)\.(name|ip)$/.exec(f.key);
  if (m) s = requestCheck(s, Number(m[1]));
  if (f.key === "binaries") s = requestVersion(s);
  return s;
}
function focusTo(state, focus) {
  const count = fieldsOf(state).length;
  const next = { ...leaveField(state), focus: Math.max(0, Math.min(focus, count - 1)) };
  return { ...next, cursor: focusedValue(next).length };
}
function gotoStep(state, step, focus = 0) {
  const s = { ...state, step: Math.max(0, Math.min(step, state.order.length - 1)), focus, notice: void 0 };
  let next = { ...s, cursor: focusedValue(s).length };
  if (currentStep(next) === "hostkeys") next.draft.nodes.forEach((_, i) => next = requestCheck(next, i));
  return next;
}
function tryContinue(state) {
  const left = leaveField(state);
  const step = currentStep(left);
  const issues = validateDraft(left.draft, left.order, left.step);
  const keys = stepIssueKeys(issues, step, left.draft);
  if (keys.length > 0) {
    const touched = { ...left.touched };
    for (const f of fieldsOf(left)) if (f.kind !== "action") touched[f.key] = true;
    touched["nodes"] = true;
    const fields = fieldsOf(left);
    const firstBad = fields.findIndex((f) => keys.includes(f.key));
    const focus = firstBad >= 0 ? firstBad : left.focus;
    const s = { ...left, touched, focus, notice: `fix ${keys.length === 1 ? "the field" : `${keys.length} fields`} marked \u2717 to continue` };
    return { ...s, cursor: focusedValue(s).length };
  }
  return gotoStep(left, left.step + 1);
}
function addNode(state) {
  const left = leaveField(state);
  const draft = { ...left.draft, nodes: [...left.draft.nodes, { name: nodeName(left.draft.nodes.length), ip: "" }] };
  const s = { ...left, draft, focus: (draft.nodes.length - 1) * 2 + 1 };
  return { ...s, cursor: focusedValue(s).length, notice: void 0 };
}
function removeNode(state) {
  const f = fieldsOf(state)[state.focus];
  const m = f ? /^nodes\.(\d+)\./.exec(f.key) : null;
  if (!m) return state;
  const index = Number(m[1]);
  const nodes = state.draft.nodes.filter((_, i) => i !== index);
  const touched = Object.fromEntries(Object.entries(state.touched).filter(([k]) => !k.startsWith("nodes.")));
  const s = { ...state, draft: { ...state.draft, nodes }, touched, focus: Math.max(0, Math.min(index, nodes.length - 1) * 2) };
  return { ...s, cursor: focusedValue(s).length, notice: void 0 };
}
function confirm(state) {
  const issues = validateDraft(state.draft, state.order, state.order.length - 1);
  if (issues.size > 0) {
    for (let i = 0; i < state.order.length; i++) {
      const id = state.order[i];
      if (id !== void 0 && stepIssueKeys(issues, id, state.draft).length > 0) {
        const s = gotoStep(state, i);
        const touched = { ...s.touched };
        for (const f of fieldsOf(s)) if (f.kind !== "action") touched[f.key] = true;
        return { ...s, touched: { ...touched, nodes: true }, notice: "fix the fields marked \u2717" };
      }
    }
    const [path, message] = [...issues][0] ?? ["profile", "invalid"];
    return { ...state, notice: `${path}: ${message}` };
  }
  return { ...state, outcome: { type: "done", profile: toProfileInput(state.draft), hostKeys: state.acceptedHostKeys } };
}
function hostKeysKey(state, input, key) {
  const ids = state.draft.nodes.map((_, i) => checkKey(state.draft, i));
  const results = ids.map((id) => state.checks[id]);
  if (key.escape || key.shift && key.tab) return gotoStep(state, state.step - 1);
  if (input === "r") {
    const checks = { ...state.checks };
    ids.forEach((id, i) => {
      const r = results[i];
      if (!r || r.status === "done" && !r.ok) checks[id] = { status: "requested" };
    });
    return { ...state, checks, notice: void 0 };
  }
  if (input === "c") return { ...gotoStep(state, state.step + 1), acceptedHostKeys: [] };
  if (key.return || input === "y") {
    if (results.some((r) => !r || r.status !== "done")) return { ...state, notice: "still checking; wait for every node" };
    const failed = results.filter((r) => r?.status === "done" && !r.ok).length;
    if (failed > 0) return { ...state, notice: `${failed} node${failed === 1 ? "" : "s"} failed the check: r recheck \xB7 esc back \xB7 c continue without checking` };
    const ssh = sshOf(state.draft);
    const accepted = state.draft.nodes.flatMap((n, i) => {
      const r = results[i];
      return r?.status === "done" && r.fingerprint ? [{ node: n.name.trim(), host: n.ip.trim(), port: ssh.port, ...r.keyType ? { keyType: r.keyType } : {}, fingerprint: r.fingerprint }] : [];
    });
    return { ...gotoStep(state, state.step + 1), acceptedHostKeys: accepted };
  }
  return state;
}
function reduceWizard(state, action) {
  if (state.outcome) return state;
  switch (action.type) {
    case "check-started":
      return state.checks[action.id] ? { ...state, checks: { ...state.checks, [action.id]: { status: "checking" } } } : state;
    case "check-result":
      return { ...state, checks: { ...state.checks, [action.id]: { status: "done", ...action.result } } };
    case "version-started":
      return state.version?.path === action.path ? { ...state, version: { ...state.version, status: "reading" } } : state;
    case "version-result": {
      if (state.version?.path !== action.path) return state;
      if (action.error !== void 0 || action.release === void 0) {
        return { ...state, version: { path: action.path, status: "error", error: action.error ?? "no version found" } };
      }
      const minor = /^v?(\d+\.\d+)/.exec(action.release)?.[1];
      const draft = !state.versionEdited && minor ? setValue(state.draft, "kubernetesVersion", minor) : state.draft;
      const next = { ...state, draft, version: { path: action.path, status: "ok", release: action.release } };
      return next;
    }
    case "key":
      return keyAction(state, action.input, action.key);
  }
}
function keyAction(state, input, key) {
  if (key.ctrl && input === "c") return { ...state, outcome: { type: "cancelled", draft: toProfileInput(state.draft, { forDraft: true }) } };
  const step = currentStep(state);
  if (step === "hostkeys") return hostKeysKey(state, input, key);
  if (step === "summary") {
    if (key.return) return confirm(state);
    if (key.escape || key.shift && key.tab) return gotoStep(state, state.step - 1);
    return state;
  }
  const fields = fieldsOf(state);
  const field = fields[state.focus];
  if (key.escape) {
    if (state.step === 0) return { ...state, notice: "first screen; Ctrl-C cancels" };
    const back = gotoStep(leaveField(state), state.step - 1);
    return back;
  }
  if (key.shift && key.tab || key.upArrow) return focusTo(state, state.focus - 1);
  if (key.tab || key.downArrow) return focusTo(state, state.focus + 1);
  if (step === "nodes" && key.ctrl && input === "n") return addNode(state);
  if (step === "nodes" && key.ctrl && input === "d") return removeNode(state);
  if (!field) return state;
  if (key.return) {
    if (field.kind === "action") return field.key === "add-node" ? addNode(state) : tryContinue(state);
    const next = fields[state.focus + 1];
    if (next === void 0 || next.kind === "action" && next.key === "continue") return tryContinue(state);
    return focusTo(state, state.focus + 1);
  }
  if (field.kind === "choice") {
    const i = field.options.findIndex((o) => o.value === getValue(state.draft, field.key));
    const dir = key.leftArrow ? -1 : key.rightArrow || input === " " ? 1 : 0;
    if (dir === 0) return state;
    const option = field.options[(i + dir + field.options.length) % field.options.length];
    return option ? { ...state, draft: setValue(state.draft, field.key, option.value), notice: void 0 } : state;
  }
  if (field.kind === "text") {
    const edited = editText({ value: getValue(state.draft, field.key), cursor: state.cursor }, input, key);
    if (!edited) return state;
    let s = { ...state, draft: setValue(state.draft, field.key, edited.value), cursor: edited.cursor, notice: void 0 };
    if (field.key === "kubernetesVersion") s = { ...s, versionEdited: true };
    return s;
  }
  return state;
}

// source/ui/wizard/fields.tsx
var import_jsx_runtime = __toESM(require_jsx_runtime(), 1);
var LABEL_WIDTH = 16;
function TextValue({ value, cursor, focused, masked }) {
  const shown = masked ? "\u2022".repeat(value.length) : value;
  if (!focused) return /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { children: masked ? mask(value) : shown });
  const at = Math.max(0, Math.min(cursor, shown.length));
  return /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Text, { children: [
    shown.slice(0, at),
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { inverse: true, children: shown[at] ?? " " }),
    shown.slice(at + 1)
  ] });
}
function FieldMessage({ message, indent, width }) {
  if (message === void 0) return null;
  return /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Text, { wrap: "truncate", children: [
    " ".repeat(indent),
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "bad", children: truncate(`\u2717 ${message}`, Math.max(10, width - indent - 1)) })
  ] });
}
function FieldRow({ label, focused, children }) {
  return /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { children: [
    /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Text, { children: [
      /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: focused ? "accent" : "plain", children: focused ? "\u203A " : "  " }),
      label.padEnd(LABEL_WIDTH)
    ] }),
    children
  ] });
}

// source/ui/wizard/form-screen.tsx
var import_jsx_runtime2 = __toESM(require_jsx_runtime(), 1);
function FormScreen({ state, issues, columns, extra }) {
  const fields = fieldsOf(state);
  return /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Box_default, { flexDirection: "column", children: fields.map((f, i) => {
    const focused = i === state.focus;
    if (f.kind === "action") {
      return /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Text, { children: /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: focused ? "accent" : "dim", children: focused ? `\u203A [${f.label}]` : `  [${f.label}]` }) }, f.key);
    }
    const value = getValue(state.draft, f.key);
    const message = state.touched[f.key] ? issueFor(issues, f.key) : void 0;
    return /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Box_default, { flexDirection: "column", children: [
      /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(FieldRow, { label: f.label, focused, children: f.kind === "choice" ? /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Text, { children: f.options.map((o) => /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: o.value === value ? "accent" : "dim", bold: o.value === value, children: o.value === value ? `(\u2022) ${o.label}  ` : `( ) ${o.label}  ` }, o.value)) }) : /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(TextValue, { value, cursor: state.cursor, focused, masked: f.mask }) }),
      /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(FieldMessage, { message, indent: LABEL_WIDTH + 2, width: columns }),
      extra?.[f.key] ?? null,
      focused && f.kind !== "choice" && f.help && message === void 0 ? /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Text, { wrap: "truncate", children: [
        " ".repeat(LABEL_WIDTH + 2),
        /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: "dim", children: truncate(f.help, columns - LABEL_WIDTH - 3) })
      ] }) : null,
      focused && f.kind === "choice" ? /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Text, { children: [
        " ".repeat(LABEL_WIDTH + 2),
        /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: "dim", children: "\u2190/\u2192 or space to change" })
      ] }) : null
    ] }, f.key);
  }) });
}

// source/ui/wizard/check-status.tsx
var import_jsx_runtime3 = __toESM(require_jsx_runtime(), 1);
function CheckStatus({ check, spinnerFrame, width }) {
  if (check.status !== "done") {
    return /* @__PURE__ */ (0, import_jsx_runtime3.jsxs)(Text, { children: [
      /* @__PURE__ */ (0, import_jsx_runtime3.jsx)(Tone, { tone: "warn", children: SPINNER_FRAMES[spinnerFrame % SPINNER_FRAMES.length] }),
      " checking ssh\u2026"
    ] });
  }
  if (!check.ok) return /* @__PURE__ */ (0, import_jsx_runtime3.jsx)(Tone, { tone: "bad", children: truncate(`\u2717 ${check.error ?? "ssh check failed"}`, width) });
  return /* @__PURE__ */ (0, import_jsx_runtime3.jsx)(Tone, { tone: "ok", children: truncate(`\u2713 ${[check.keyType, check.fingerprint].filter(Boolean).join(" ") || "ssh ok"}`, width) });
}

// source/ui/wizard/nodes-screen.tsx
var import_jsx_runtime4 = __toESM(require_jsx_runtime(), 1);
var NAME_WIDTH = 16;
var IP_WIDTH = 17;
function NodesScreen({ state, issues, columns, spinnerFrame }) {
  const fields = fieldsOf(state);
  const focusedKey = fields[state.focus]?.key;
  const count = state.draft.nodes.length;
  return /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Box_default, { flexDirection: "column", children: [
    /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Text, { children: [
      "     ",
      /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Tone, { tone: "dim", children: [
        "name".padEnd(NAME_WIDTH + 2),
        "ip"
      ] })
    ] }),
    state.draft.nodes.map((n, i) => {
      const nameKey = `nodes.${i}.name`;
      const ipKey = `nodes.${i}.ip`;
      const rowFocused = focusedKey === nameKey || focusedKey === ipKey;
      const nameMsg = state.touched[nameKey] ? issueFor(issues, nameKey) : void 0;
      const ipMsg = state.touched[ipKey] ? issueFor(issues, ipKey) : void 0;
      const check = state.checks[checkKey(state.draft, i)];
      return /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Box_default, { flexDirection: "column", children: [
        /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Box_default, { children: [
          /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Text, { children: [
            /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Tone, { tone: rowFocused ? "accent" : "plain", children: rowFocused ? "\u203A " : "  " }),
            String(i + 1).padStart(2),
            " "
          ] }),
          /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Box_default, { width: NAME_WIDTH + 2, children: [
            /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Text, { children: /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Tone, { tone: focusedKey === nameKey ? "accent" : "dim", children: focusedKey === nameKey ? "\u25B8" : " " }) }),
            /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(TextValue, { value: n.name, cursor: state.cursor, focused: focusedKey === nameKey })
          ] }),
          /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Box_default, { width: IP_WIDTH + 2, children: [
            /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Text, { children: /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Tone, { tone: focusedKey === ipKey ? "accent" : "dim", children: focusedKey === ipKey ? "\u25B8" : " " }) }),
            /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(TextValue, { value: n.ip, cursor: state.cursor, focused: focusedKey === ipKey })
          ] }),
          check ? /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(CheckStatus, { check, spinnerFrame, width: Math.max(10, columns - 5 - NAME_WIDTH - IP_WIDTH - 5) }) : null
        ] }),
        /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(FieldMessage, { message: nameMsg === void 0 ? void 0 : `name ${nameMsg}`, indent: 6, width: columns }),
        /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(FieldMessage, { message: ipMsg === void 0 ? void 0 : `ip ${ipMsg}`, indent: 6, width: columns })
      ] }, i);
    }),
    state.touched["nodes"] ? /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(FieldMessage, { message: issues.get("nodes"), indent: 2, width: columns }) : null,
    fields.filter((f) => f.kind === "action").map((f) => {
      const focused = f.key === focusedKey;
      return /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Text, { children: /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Tone, { tone: focused ? "accent" : "dim", children: focused ? `\u203A [${f.label}]` : `  [${f.label}]` }) }, f.key);
    }),
    count % 2 === 0 ? /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Box_default, { marginTop: 1, children: /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Tone, { tone: "warn", children: [
      "\u26A0 ",
      count,
      " masters: an even count tolerates no more failures than ",
      count - 1,
      "; 1, 3, 5 or 7 are suggested"
    ] }) }) : count > 7 ? /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(Box_default, { marginTop: 1, children: /* @__PURE__ */ (0, import_jsx_runtime4.jsxs)(Tone, { tone: "warn", children: [
      "\u26A0 ",
      count,
      " masters: more than 7 slows every etcd write; 1, 3, 5 or 7 are suggested"
    ] }) }) : null
  ] });
}

// source/ui/wizard/hostkeys-screen.tsx
var import_jsx_runtime5 = __toESM(require_jsx_runtime(), 1);
function HostKeysScreen({ state, columns, spinnerFrame }) {
  const nameWidth = Math.min(16, Math.max(4, ...state.draft.nodes.map((n) => n.name.length)));
  return /* @__PURE__ */ (0, import_jsx_runtime5.jsx)(Box_default, { flexDirection: "column", children: state.draft.nodes.map((n, i) => {
    const check = state.checks[checkKey(state.draft, i)];
    return /* @__PURE__ */ (0, import_jsx_runtime5.jsxs)(Box_default, { children: [
      /* @__PURE__ */ (0, import_jsx_runtime5.jsxs)(Text, { children: [
        "  ",
        padEnd(n.name, nameWidth),
        " ",
        padEnd(n.ip, 16),
        " "
      ] }),
      check ? /* @__PURE__ */ (0, import_jsx_runtime5.jsx)(CheckStatus, { check, spinnerFrame, width: Math.max(10, columns - nameWidth - 22) }) : /* @__PURE__ */ (0, import_jsx_runtime5.jsx)(Text, { children: "not checked" })
    ] }, i);
  }) });
}

// source/ui/wizard/summary-screen.tsx
var import_jsx_runtime6 = __toESM(require_jsx_runtime(), 1);
function summaryLines(state) {
  const d = state.draft;
  const v = (key2) => getValue(d, key2).trim();
  const ssh = sshOf(d);
  const key = v("encryption.key");
  const sans = splitList(v("apiserver.extraSans"));
  const lines = [
    ["profile", v("name")],
    ...d.nodes.map((n, i) => [i === 0 ? "nodes" : "", `${n.name.trim()}  ${n.ip.trim()}`]),
    ["ssh", `${ssh.user}, port ${ssh.port}, ${ssh.identityFile ? `key ${ssh.identityFile}` : "ssh-agent / default keys"}`],
    ["binaries", `${v("binaries")}${state.version?.release ? ` (${state.version.release})` : ""}`],
    ["version", v("kubernetesVersion")],
    ["service CIDR", v("network.serviceCidr")],
    ["pod CIDR", v("network.podCidr")],
    ["NodePort range", v("network.nodePortRange")],
    ["cluster domain", v("network.clusterDomain")],
    ...splitList(v("etcd.endpoints")).map((e, i) => [i === 0 ? "etcd" : "", e]),
    ["CA", v("pki.mode") === "existing" ? `existing: ${v("pki.caCert")} (key file given, not shown)` : "create a new CA"],
    ["encryption key", v("encryption.mode") === "paste" ? `${mask(key)} (pasted, not shown)` : "generate a new key"],
    ["extra SANs", sans.length > 0 ? sans.join(", ") : "none"]
  ];
  if (state.canCheck) lines.push(["host keys", state.acceptedHostKeys.length > 0 ? `${state.acceptedHostKeys.length} accepted` : "not checked"]);
  return lines;
}
function SummaryScreen({ state, columns }) {
  return /* @__PURE__ */ (0, import_jsx_runtime6.jsx)(Box_default, { flexDirection: "column", children: summaryLines(state).map(([label, value], i) => /* @__PURE__ */ (0, import_jsx_runtime6.jsxs)(Text, { wrap: "truncate", children: [
    "  ",
    label.padEnd(16),
    truncate(value, Math.max(10, columns - 19))
  ] }, i)) });
}

// source/ui/wizard/wizard.tsx
var import_jsx_runtime7 = __toESM(require_jsx_runtime(), 1);
var KEYS_HELP = {
  form: "enter next \xB7 tab/\u2193 next field \xB7 shift-tab/\u2191 previous \xB7 esc back \xB7 ctrl-c cancel",
  nodes: "enter next \xB7 \u2191/\u2193 move \xB7 ctrl-n add node \xB7 ctrl-d remove node \xB7 esc back \xB7 ctrl-c cancel",
  hostkeys: "enter/y accept these host keys \xB7 r recheck \xB7 c continue without checking \xB7 esc back",
  summary: "enter confirm and save \xB7 esc back (answers are kept) \xB7 ctrl-c cancel"
};
function Wizard({ initial, onDone, onCancel, checkNode, readBinariesVersion, columns: columnsProp }) {
  const { stdout } = use_stdout_default();
  const columns = columnsProp ?? (stdout.columns || 80);
  const [state, dispatch] = (0, import_react.useReducer)(
    reduceWizard,
    void 0,
    () => initialWizardState(initialDraft(initial), stepOrder({ checkNodes: checkNode !== void 0 }), {
      canCheck: checkNode !== void 0,
      canReadVersion: readBinariesVersion !== void 0
    })
  );
  const [frame, setFrame] = (0, import_react.useState)(0);
  const reported = (0, import_react.useRef)(false);
  use_input_default((input, key) => dispatch({ type: "key", input, key }));
  (0, import_react.useEffect)(() => {
    if (!checkNode) return;
    for (const [id, check] of Object.entries(state.checks)) {
      if (check.status !== "requested") continue;
      dispatch({ type: "check-started", id });
      const [name, ip, user, port, identityFile] = JSON.parse(id);
      checkNode({ name, ip, ssh: { user, port, ...identityFile ? { identityFile } : {} } }).then(
        (result) => dispatch({ type: "check-result", id, result }),
        (error) => dispatch({ type: "check-result", id, result: { ok: false, error: error instanceof Error ? error.message : String(error) } })
      );
    }
  }, [state.checks, checkNode]);
  (0, import_react.useEffect)(() => {
    const v = state.version;
    if (!readBinariesVersion || v?.status !== "requested") return;
    dispatch({ type: "version-started", path: v.path });
    readBinariesVersion(v.path).then(
      (release) => dispatch({ type: "version-result", path: v.path, release }),
      (error) => dispatch({ type: "version-result", path: v.path, error: error instanceof Error ? error.message : String(error) })
    );
  }, [state.version, readBinariesVersion]);
  (0, import_react.useEffect)(() => {
    if (!state.outcome || reported.current) return;
    reported.current = true;
    if (state.outcome.type === "done") onDone(state.outcome.profile, { hostKeys: state.outcome.hostKeys });
    else onCancel(state.outcome.draft);
  }, [state.outcome, onDone, onCancel]);
  const busy = Object.values(state.checks).some((c) => c.status !== "done") || state.version?.status === "reading" || state.version?.status === "requested";
  (0, import_react.useEffect)(() => {
    if (!busy) return;
    const timer = setInterval(() => setFrame((f) => f + 1), 100);
    return () => clearInterval(timer);
  }, [busy]);
  const step = currentStep(state);
  const issues = (0, import_react.useMemo)(() => validateDraft(state.draft, state.order, state.step), [state.draft, state.order, state.step]);
  const spec = STEPS[step];
  const line = (s) => truncate(s, columns - 1);
  let body;
  if (step === "nodes") body = /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(NodesScreen, { state, issues, columns, spinnerFrame: frame });
  else if (step === "hostkeys") body = /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(HostKeysScreen, { state, columns, spinnerFrame: frame });
  else if (step === "summary") body = /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(SummaryScreen, { state, columns });
  else {
    const extra = step === "binaries" && state.version ? {
      binaries: /* @__PURE__ */ (0, import_jsx_runtime7.jsxs)(Text, { children: [
        " ".repeat(18),
        /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { tone: state.version.status === "error" ? "bad" : state.version.status === "ok" ? "ok" : "dim", children: line(
          state.version.status === "ok" ? `found ${state.version.release ?? ""}` : state.version.status === "error" ? `could not read the version: ${state.version.error ?? ""}` : "reading the version\u2026"
        ).slice(0, Math.max(10, columns - 19)) })
      ] })
    } : void 0;
    body = /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(FormScreen, { state, issues, columns, extra });
  }
  if (state.outcome) {
    return /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Text, { children: state.outcome.type === "done" ? /* @__PURE__ */ (0, import_jsx_runtime7.jsxs)(Tone, { tone: "ok", children: [
      "\u2713 profile ",
      state.outcome.profile.name,
      " confirmed"
    ] }) : /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { tone: "warn", children: "cancelled; nothing was written to any node" }) });
  }
  return /* @__PURE__ */ (0, import_jsx_runtime7.jsxs)(Box_default, { flexDirection: "column", children: [
    /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { tone: "accent", bold: true, children: line(WIZARD_TITLE) }) }),
    /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { bold: true, children: line(`step ${state.step + 1}/${state.order.length} \xB7 ${spec.title}`) }) }),
    spec.intro ? /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Box_default, { width: Math.max(20, columns - 1), children: /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { tone: "dim", children: spec.intro }) }) : null,
    /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Box_default, { marginTop: 1, flexDirection: "column", children: body }),
    state.notice ? /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Box_default, { marginTop: 1, children: /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { tone: "warn", children: line(state.notice) }) }) : null,
    /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Box_default, { marginTop: 1, children: /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime7.jsx)(Tone, { tone: "dim", children: line(KEYS_HELP[step === "nodes" || step === "hostkeys" || step === "summary" ? step : "form"] ?? "") }) }) })
  ] });
}

// source/ui/wizard/run-wizard.tsx
var import_jsx_runtime8 = __toESM(require_jsx_runtime(), 1);
async function runWizard(options = {}) {
  const stdin = options.stdin ?? process.stdin;
  if (!stdin.isTTY) {
    throw new UserError(
      "the setup wizard needs an interactive terminal, and stdin is not one",
      "run `k8s-master-setup apply --profile NAME` with a saved profile, or `--file profile.yaml`, to install without questions"
    );
  }
  let outcome;
  const instance = render_default(
    /* @__PURE__ */ (0, import_jsx_runtime8.jsx)(ColorProvider, { colors: colorsEnabled(options.env), children: /* @__PURE__ */ (0, import_jsx_runtime8.jsx)(
      Wizard,
      {
        initial: options.initial,
        checkNode: options.checkNode,
        readBinariesVersion: options.readBinariesVersion,
        onDone: (profile, extras) => {
          outcome = profile;
          options.onHostKeys?.(extras.hostKeys);
          setImmediate(() => instance.unmount());
        },
        onCancel: (draft) => {
          options.onCancel?.(draft);
          setImmediate(() => instance.unmount());
        }
      }
    ) }),
    { stdout: options.stdout ?? process.stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 30 }
  );
  const onSignal = () => instance.unmount();
  process.once("SIGTERM", onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off("SIGTERM", onSignal);
    instance.unmount();
    instance.cleanup();
  }
  return outcome;
}
export {
  runWizard
};
