import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  ProfileSchema
} from "./chunk-LWPWZUCJ.mjs";
import {
  SUPPORTED_VERSIONS
} from "./chunk-ETB6MRI6.mjs";
import {
  ProfileError,
  UserError
} from "./chunk-PFGUMKWO.mjs";
import {
  require_dist
} from "./chunk-WDUICG2E.mjs";
import {
  __toESM
} from "./chunk-YOTFHUOA.mjs";

// source/profile/load.ts
var import_yaml = __toESM(require_dist(), 1);
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { isIP } from "node:net";

// source/render/flags.ts
var fixed = (value) => () => value;
var on = fixed("true");
var requestHeader = (allowedNames) => [
  // Empty (the scheduler's guide value "") is the default: any cert signed by the CA; omitted then.
  { name: "requestheader-allowed-names", value: () => allowedNames },
  { name: "requestheader-client-ca-file", value: (c) => c.paths.cert.ca },
  { name: "requestheader-extra-headers-prefix", value: fixed("X-Remote-Extra-") },
  { name: "requestheader-group-headers", value: fixed("X-Remote-Group") },
  { name: "requestheader-username-headers", value: fixed("X-Remote-User") },
  // New flag (kubernetes#115834, 1.32); the RemoteRequestHeaderUID feature that makes the
  // aggregator send X-Remote-Uid is on by default only from 1.33 (kubernetes#130560).
  { name: "requestheader-uid-headers", value: fixed("X-Remote-Uid"), since: "1.33" }
];
var APISERVER_FLAGS = [
  { name: "advertise-address", value: (c) => c.node.ip },
  { name: "default-not-ready-toleration-seconds", value: fixed("360") },
  { name: "default-unreachable-toleration-seconds", value: fixed("360") },
  // Guide: --feature-gates=DynamicAuditing=true. Gate removed in 1.19; an unknown gate is fatal.
  { name: "max-mutating-requests-inflight", value: fixed("2000") },
  { name: "max-requests-inflight", value: fixed("4000") },
  // Guide: --default-watch-cache-size=200. Deprecated, hidden and without effect: dropped.
  { name: "delete-collection-workers", value: fixed("2") },
  { name: "encryption-provider-config", value: (c) => c.paths.encryptionConfig },
  { name: "etcd-cafile", value: (c) => c.profile.etcd.caFile ? c.paths.cert.etcdCa : c.paths.cert.ca },
  // The apiserver's own cert is its etcd client cert (guide), unless the profile brings one.
  { name: "etcd-certfile", value: (c) => c.profile.etcd.certFile ? c.paths.cert.etcdClient : c.paths.cert.apiserver },
  { name: "etcd-keyfile", value: (c) => c.profile.etcd.keyFile ? c.paths.cert.etcdClientKey : c.paths.cert.apiserverKey },
  { name: "etcd-servers", value: (c) => c.profile.etcd.endpoints.join(",") },
  // Not 127.0.0.1: other nodes and the load balancer must reach 6443 (guide).
  { name: "bind-address", value: (c) => c.node.ip },
  { name: "secure-port", value: fixed("6443") },
  { name: "tls-cert-file", value: (c) => c.paths.cert.apiserver },
  { name: "tls-private-key-file", value: (c) => c.paths.cert.apiserverKey },
  // Guide: --insecure-port=0 (removed 1.24, kubernetes#106859) and --audit-dynamic-configuration
  // (removed 1.19, kubernetes#91502): both now stop the binary. There is no insecure port any more.
  { name: "audit-log-maxage", value: fixed("15") },
  { name: "audit-log-maxbackup", value: fixed("3") },
  { name: "audit-log-maxsize", value: fixed("100") },
  { name: "audit-log-truncate-enabled", value: on },
  { name: "audit-log-path", value: (c) => c.paths.auditLog },
  { name: "audit-policy-file", value: (c) => c.paths.auditPolicy },
  { name: "profiling", value: on },
  { name: "anonymous-auth", value: fixed("false") },
  { name: "client-ca-file", value: (c) => c.paths.cert.ca },
  { name: "enable-bootstrap-token-auth", value: on },
  ...requestHeader("aggregator"),
  // Required since 1.20 (TokenRequest GA). The guide verified tokens with the CA cert and
  // signed them with the CA key; a separate key pair keeps the CA key out of token signing.
  { name: "service-account-issuer", value: (c) => `https://kubernetes.default.svc.${c.profile.network.clusterDomain}` },
  { name: "service-account-signing-key-file", value: (c) => c.paths.cert.serviceAccountKey },
  { name: "service-account-key-file", value: (c) => c.paths.cert.serviceAccountPub },
  { name: "authorization-mode", value: fixed("Node,RBAC") },
  { name: "runtime-config", value: fixed("api/all=true") },
  { name: "enable-admission-plugins", value: fixed("NodeRestriction") },
  { name: "allow-privileged", value: on },
  // Guide: --apiserver-count=3. Deprecated and hidden: the lease endpoint reconciler (default
  // since 1.11) tracks live apiservers itself, so the count needs no upkeep when nodes change.
  { name: "event-ttl", value: fixed("168h") },
  { name: "kubelet-certificate-authority", value: (c) => c.paths.cert.ca },
  { name: "kubelet-client-certificate", value: (c) => c.paths.cert.apiserver },
  { name: "kubelet-client-key", value: (c) => c.paths.cert.apiserverKey },
  // Guide: --kubelet-https=true. Removed 1.22 (kubernetes#101178): always HTTPS now.
  { name: "kubelet-timeout", value: fixed("10s") },
  { name: "proxy-client-cert-file", value: (c) => c.paths.cert.proxyClient },
  { name: "proxy-client-key-file", value: (c) => c.paths.cert.proxyClientKey },
  { name: "service-cluster-ip-range", value: (c) => c.profile.network.serviceCidr },
  { name: "service-node-port-range", value: (c) => c.profile.network.nodePortRange },
  // Guide: --logtostderr=true. klog's file flags were removed in 1.26 (kubernetes#112120); stderr is the default.
  { name: "v", value: fixed("2") }
];
var CONTROLLER_MANAGER_FLAGS = [
  { name: "profiling", value: on },
  { name: "cluster-name", value: fixed("kubernetes") },
  { name: "controllers", value: fixed("*,bootstrapsigner,tokencleaner") },
  { name: "kube-api-qps", value: fixed("1000") },
  { name: "kube-api-burst", value: fixed("2000") },
  // Leader election through the Lease kube-system/kube-controller-manager.
  { name: "leader-elect", value: on },
  { name: "use-service-account-credentials", value: on },
  // Guide: --concurrent-service-syncs=2. A no-op since 1.31 (the service-lb controller left
  // for cloud-controller-manager, KEP-2395) and removed in kubernetes#138002: the real
  // 1.37 binary stops with "unknown flag". Not rendered for any version.
  // Guide: the node IP. The status probes call https://NODE_IP:10257/healthz.
  { name: "bind-address", value: (c) => c.node.ip },
  // Guide: --port/--address (insecure 10252) removed 1.24; the secure port is the only one.
  { name: "secure-port", value: fixed("10257") },
  { name: "tls-cert-file", value: (c) => c.paths.cert.controllerManager },
  { name: "tls-private-key-file", value: (c) => c.paths.cert.controllerManagerKey },
  { name: "authentication-kubeconfig", value: (c) => c.paths.controllerManagerKubeconfig },
  { name: "client-ca-file", value: (c) => c.paths.cert.ca },
  ...requestHeader("aggregator"),
  { name: "authorization-kubeconfig", value: (c) => c.paths.controllerManagerKubeconfig },
  { name: "cluster-signing-cert-file", value: (c) => c.paths.cert.ca },
  { name: "cluster-signing-key-file", value: (c) => c.paths.cert.caKey },
  // Guide: --experimental-cluster-signing-duration, removed 1.25 (kubernetes#108476). The signer
  // caps every certificate at the CA's own expiry.
  { name: "cluster-signing-duration", value: fixed("876000h") },
  { name: "horizontal-pod-autoscaler-sync-period", value: fixed("10s") },
  { name: "concurrent-deployment-syncs", value: fixed("10") },
  { name: "concurrent-gc-syncs", value: fixed("30") },
  // Kept from the guide; it only takes effect with --allocate-node-cidrs (off, as in the guide:
  // the pod network plugin hands out pod ranges).
  { name: "node-cidr-mask-size", value: fixed("24") },
  { name: "service-cluster-ip-range", value: (c) => c.profile.network.serviceCidr },
  // Guide: --pod-eviction-timeout=6m, removed 1.27 (kubernetes#115840); the apiserver's
  // --default-*-toleration-seconds=360 above carry that meaning now.
  { name: "terminated-pod-gc-threshold", value: fixed("10000") },
  { name: "root-ca-file", value: (c) => c.paths.cert.ca },
  // The service-account private key (guide: the CA key); pairs with the apiserver's --service-account-key-file.
  { name: "service-account-private-key-file", value: (c) => c.paths.cert.serviceAccountKey },
  { name: "kubeconfig", value: (c) => c.paths.controllerManagerKubeconfig },
  { name: "v", value: fixed("2") }
];
var SCHEDULER_FLAGS = [
  // kubeconfig, QPS/burst and leader election live in the config file (flags are ignored with --config).
  { name: "config", value: (c) => c.paths.schedulerConfig },
  // The guide left the default (all addresses); the node IP matches the controller-manager and
  // is where the status probes call https://NODE_IP:10259/healthz.
  { name: "bind-address", value: (c) => c.node.ip },
  // Insecure serving (10251) removed 1.23-1.24 (kubernetes#96345).
  { name: "secure-port", value: fixed("10259") },
  { name: "tls-cert-file", value: (c) => c.paths.cert.scheduler },
  { name: "tls-private-key-file", value: (c) => c.paths.cert.schedulerKey },
  { name: "authentication-kubeconfig", value: (c) => c.paths.schedulerKubeconfig },
  { name: "client-ca-file", value: (c) => c.paths.cert.ca },
  ...requestHeader(void 0),
  { name: "authorization-kubeconfig", value: (c) => c.paths.schedulerKubeconfig },
  { name: "v", value: fixed("2") }
];
var TABLES = {
  "kube-apiserver": APISERVER_FLAGS,
  "kube-controller-manager": CONTROLLER_MANAGER_FLAGS,
  "kube-scheduler": SCHEDULER_FLAGS
};
var REMOVED_FLAGS = [
  { flag: "insecure-port", removedIn: "1.24 (kubernetes#106859)", instead: "nothing: only --secure-port (6443) is served" },
  { flag: "insecure-bind-address", removedIn: "1.24 (kubernetes#106859)", instead: "nothing: only --bind-address" },
  { flag: "address", removedIn: "1.24 (kubernetes#106860)", instead: "--bind-address" },
  { flag: "port", removedIn: "1.24 (kubernetes#106860)", instead: "--secure-port" },
  { flag: "kubelet-https", removedIn: "1.22 (kubernetes#101178)", instead: "nothing: kubelet connections are always HTTPS" },
  { flag: "audit-dynamic-configuration", removedIn: "1.19 (kubernetes#91502)", instead: "nothing" },
  { flag: "experimental-cluster-signing-duration", removedIn: "1.25 (kubernetes#108476)", instead: "--cluster-signing-duration" },
  { flag: "pod-eviction-timeout", removedIn: "1.27 (kubernetes#115840)", instead: "apiserver --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds" },
  ...["logtostderr", "alsologtostderr", "log-dir", "log-file", "log-file-max-size", "log-backtrace-at", "one-output", "skip-headers", "skip-log-headers", "stderrthreshold", "add-dir-header"].map(
    (flag) => ({ flag, removedIn: "1.26 (kubernetes#112120)", instead: "nothing: logs go to stderr (journald); -v stays" })
  )
];
var REMOVED_FEATURE_GATES = ["DynamicAuditing"];
var DROPPED_DEPRECATED_FLAGS = ["apiserver-count", "default-watch-cache-size"];
var minorIndex = (v) => SUPPORTED_VERSIONS.indexOf(v);
function componentFlags(component, context) {
  const minor = minorIndex(context.profile.kubernetesVersion);
  const flags = /* @__PURE__ */ new Map();
  for (const rule of TABLES[component]) {
    if (rule.since !== void 0 && minor < minorIndex(rule.since)) continue;
    if (rule.until !== void 0 && minor >= minorIndex(rule.until)) continue;
    const value = rule.value(context);
    if (value !== void 0) flags.set(rule.name, value);
  }
  for (const [name, value] of Object.entries(extraArgsOf(component, context.profile))) flags.set(name, value);
  return [...flags];
}
function extraArgsOf(component, profile) {
  if (component === "kube-apiserver") return profile.apiserver.extraArgs;
  if (component === "kube-controller-manager") return profile.controllerManager.extraArgs;
  return profile.scheduler.extraArgs;
}

// source/profile/load.ts
function fieldPath(path) {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`).join("") || "(profile)";
}
async function loadProfileFile(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UserError(`cannot read profile file ${file}: ${error.code ?? String(error)}`, "check the --profile-file path");
  }
  const lineCounter = new import_yaml.LineCounter();
  const doc = (0, import_yaml.parseDocument)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `  line ${pos.line}, column ${pos.col}: ${e.message.split("\n")[0]}`;
    });
    throw new UserError(
      `${file}: malformed ${/\.json$/i.test(file) ? "JSON" : "YAML"}
${lines.join("\n")}`,
      "fix the syntax at the line shown and run again; nothing was written"
    );
  }
  const profile = validateProfile(doc.toJS(), file, (path) => lineOf(doc, lineCounter, path), dirname(resolve(file)));
  checkProfileFiles(profile, file);
  return profile;
}
function validateProfile(input, source, locate = () => void 0, baseDir = process.cwd()) {
  const parsed = ProfileSchema.safeParse(input);
  const problems = [];
  const push = (path, message) => {
    const line = locate(path);
    problems.push({ field: `${fieldPath(path)}${line ? ` (line ${line})` : ""}`, message });
  };
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) push([...issue.path, key], "is not a profile field (check the spelling; fields are listed in readme.md)");
      } else if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) {
        push(issue.path, `is required (${issue.expected})`);
      } else {
        push(issue.path, issue.message);
      }
    }
    throw new ProfileError(problems, source);
  }
  const profile = parsed.data;
  for (const [section, component] of [["apiserver", "kube-apiserver"], ["controllerManager", "kube-controller-manager"], ["scheduler", "kube-scheduler"]]) {
    for (const [flag, value] of Object.entries(profile[section].extraArgs)) {
      const removed = REMOVED_FLAGS.find((r) => r.flag === flag);
      if (removed) push([section, "extraArgs", flag], `was removed from ${component} in ${removed.removedIn} and stops it from starting; instead: ${removed.instead}`);
      if (DROPPED_DEPRECATED_FLAGS.includes(flag)) push([section, "extraArgs", flag], "is deprecated and has no effect on current releases; remove it");
      const gate = REMOVED_FEATURE_GATES.find((g) => flag === "feature-gates" && new RegExp(`(^|,)\\s*${g}=`).test(value));
      if (gate) push([section, "extraArgs", flag], `feature gate ${gate} no longer exists; an unknown gate stops ${component} from starting`);
    }
  }
  profile.apiserver.extraSans.forEach((san, i) => {
    if (isIP(san) === 0 && !/^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(san)) {
      push(["apiserver", "extraSans", i], `"${san}" is neither an IP address nor a DNS name (e.g. 192.168.31.100 or k8s.example.com)`);
    }
  });
  if (problems.length > 0) throw new ProfileError(problems, source);
  return resolveLocalPaths(profile, baseDir);
}
function resolveLocalPaths(profile, baseDir) {
  const local = (p) => p === "~" || p.startsWith("~/") ? resolve(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(baseDir, p);
  const opt = (p) => p === void 0 ? void 0 : local(p);
  return {
    ...profile,
    binaries: local(profile.binaries),
    pki: { ...profile.pki, caCert: opt(profile.pki.caCert), caKey: opt(profile.pki.caKey) },
    etcd: { ...profile.etcd, caFile: opt(profile.etcd.caFile), certFile: opt(profile.etcd.certFile), keyFile: opt(profile.etcd.keyFile) }
  };
}
function checkProfileFiles(profile, source, now = /* @__PURE__ */ new Date()) {
  const problems = [];
  const fail = (field, message) => problems.push({ field, message });
  try {
    statSync(profile.binaries);
  } catch (error) {
    fail("binaries", `${profile.binaries}: ${describeFsError(error)}; give a directory with the four binaries or a kubernetes-server-linux-*.tar.gz`);
  }
  const ca = readCertificate(profile.pki.caCert, "pki.caCert", fail);
  if (ca) {
    if (!ca.ca) fail("pki.caCert", `${profile.pki.caCert} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
    const notAfter = new Date(ca.validTo);
    if (notAfter <= now) fail("pki.caCert", `${profile.pki.caCert} expired on ${notAfter.toISOString()}; bring a valid CA, or omit pki.caCert and pki.caKey to create one`);
    else if (new Date(ca.validFrom) > now) fail("pki.caCert", `${profile.pki.caCert} is not valid before ${new Date(ca.validFrom).toISOString()}; check this machine's clock`);
  }
  checkKeyMatches(ca, profile.pki.caKey, "pki.caKey", "pki.caCert", fail);
  readCertificate(profile.etcd.caFile, "etcd.caFile", fail);
  const etcdClient = readCertificate(profile.etcd.certFile, "etcd.certFile", fail);
  checkKeyMatches(etcdClient, profile.etcd.keyFile, "etcd.keyFile", "etcd.certFile", fail);
  if (problems.length > 0) throw new ProfileError(problems, source);
}
function readCertificate(path, field, fail) {
  if (path === void 0) return void 0;
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    fail(field, `${path}: ${describeFsError(error)}`);
    return void 0;
  }
  try {
    return new X509Certificate(text);
  } catch {
    fail(field, `${path} is not a PEM certificate`);
    return void 0;
  }
}
function checkKeyMatches(cert, keyPath, field, certField, fail) {
  if (keyPath === void 0) return;
  let key;
  try {
    key = createPrivateKey(readFileSync(keyPath));
  } catch (error) {
    const code = error.code;
    fail(field, code && !code.startsWith("ERR_") ? `${keyPath}: ${describeFsError(error)}` : `${keyPath} is not a PEM private key (an encrypted key is not supported)`);
    return;
  }
  if (cert && !cert.checkPrivateKey(key)) fail(field, `${keyPath} does not match ${certField} (they are not a key pair)`);
}
function describeFsError(error) {
  const code = error.code;
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES") return "cannot be read (permission denied)";
  if (code === "EISDIR") return "is a directory, not a file";
  return code ?? String(error);
}
function lineOf(doc, counter, path) {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (node && typeof node === "object" && node.range) return counter.linePos(node.range[0]).line;
  }
  return void 0;
}
async function openStore() {
  const { default: Conf } = await import("./source-4N7PEFVA.mjs");
  return new Conf({
    projectName: "k8s-master-setup",
    configName: "profiles",
    configFileMode: 384,
    accessPropertiesByDotNotation: false,
    ...process.env.K8S_MASTER_SETUP_CONFIG_DIR ? { cwd: process.env.K8S_MASTER_SETUP_CONFIG_DIR } : {}
  });
}
async function loadProfileByName(name) {
  const store = await openStore();
  const stored = store.get(name);
  if (stored === void 0) {
    const saved = Object.keys(store.store);
    throw new UserError(
      `no saved profile named "${name}"${saved.length ? ` (saved: ${saved.join(", ")})` : ""}`,
      "run the wizard (k8s-master-setup) to create one, or pass --profile-file FILE"
    );
  }
  const profile = validateProfile(stored, `profile "${name}" in ${store.path}`);
  checkProfileFiles(profile, `profile "${name}"`);
  return profile;
}
async function saveProfile(input, baseDir = process.cwd()) {
  const profile = validateProfile(input, `profile "${String(input.name)}"`, void 0, baseDir);
  const store = await openStore();
  const stored = { ...input, binaries: profile.binaries };
  if (input.pki) stored.pki = { ...input.pki, caCert: profile.pki.caCert, caKey: profile.pki.caKey };
  stored.etcd = { ...input.etcd, caFile: profile.etcd.caFile, certFile: profile.etcd.certFile, keyFile: profile.etcd.keyFile };
  store.set(profile.name, JSON.parse(JSON.stringify(stored)));
  return store.path;
}
async function listProfiles() {
  return Object.keys((await openStore()).store);
}

export {
  componentFlags,
  fieldPath,
  loadProfileFile,
  validateProfile,
  checkProfileFiles,
  loadProfileByName,
  saveProfile,
  listProfiles
};
