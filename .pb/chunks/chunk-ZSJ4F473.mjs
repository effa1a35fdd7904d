import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/cli/shared/connect.ts
var SUDO_PASSWORD_ENV = "K8S_MASTER_SETUP_SUDO_PASSWORD";
async function connectNode(profile, node, options) {
  const { connectSsh } = await import("./ssh-transport-EBD3L4OJ.mjs");
  return connectSsh(
    {
      node: node.name,
      host: node.ssh?.host ?? node.ip,
      user: node.ssh?.user ?? profile.ssh.user,
      port: node.ssh?.port ?? profile.ssh.port,
      identityFile: node.ssh?.identityFile ?? profile.ssh.identityFile
    },
    {
      hostKeys: {
        knownHostsFile: options.knownHosts,
        acceptNewHostKeys: options.acceptNewHostKeys,
        confirmHostKey: options.confirmHostKey
      },
      sudoPassword: process.env[SUDO_PASSWORD_ENV] || void 0,
      ...options.sshConfig ? { sshConfig: { file: options.sshConfig } } : {}
    }
  );
}

// source/status/https-get.ts
import https from "node:https";
var UNTRUSTED_CODES = /* @__PURE__ */ new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID"
]);
function httpsGet(url, options) {
  const started = performance.now();
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    let peerCertificate;
    const finish = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Math.round(performance.now() - started), peerCertificate });
    };
    const req = https.get(url, { agent: options.agent, headers: { accept: "application/json, text/plain" } }, (res) => {
      const socket = res.socket;
      try {
        const peer = socket.getPeerCertificate?.();
        if (peer && Object.keys(peer).length > 0) peerCertificate = peer;
      } catch {
      }
      const chunks = [];
      let size = 0;
      res.on("data", (chunk) => {
        if (size < maxBody) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8").slice(0, maxBody);
        const status = res.statusCode ?? 0;
        finish({
          state: status === 200 ? "ok" : "failed",
          httpStatus: status,
          body,
          detail: status === 200 ? null : `HTTP ${status}${firstLine(body) ? `: ${firstLine(body)}` : ""}`
        });
      });
      res.on("error", (error) => finish(fromError(error)));
    });
    req.on("error", (error) => finish(fromError(error)));
    const timer = setTimeout(() => {
      finish({ state: "timeout", httpStatus: null, body: "", detail: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
  });
}
function fromError(error) {
  const code = error.code ?? "";
  if (UNTRUSTED_CODES.has(code)) return { state: "untrusted", httpStatus: null, body: "", detail: `${code}: ${error.message}` };
  return { state: "error", httpStatus: null, body: "", detail: code ? `${code}: ${error.message}` : error.message };
}
function firstLine(body) {
  return (body.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 160);
}

// source/status/lease.ts
function holderHostname(identity) {
  const at = identity.indexOf("_");
  return at === -1 ? identity : identity.slice(0, at);
}
function mapHolderToNode(identity, nodes) {
  const host = holderHostname(identity).toLowerCase();
  if (host === "") return null;
  const short = host.split(".")[0];
  const byHostname = nodes.find((n) => n.hostname != null && n.hostname.toLowerCase() === host);
  if (byHostname) return byHostname.name;
  const byShortHostname = nodes.find((n) => n.hostname != null && n.hostname.toLowerCase().split(".")[0] === short);
  if (byShortHostname) return byShortHostname.name;
  const byName = nodes.find((n) => n.name === host || n.name === short);
  return byName ? byName.name : null;
}
function leaseStatusFromJson(name, json, nodes, now, readFrom) {
  const spec = (json !== null && typeof json === "object" ? json.spec : void 0) ?? {};
  const holderIdentity = typeof spec.holderIdentity === "string" && spec.holderIdentity !== "" ? spec.holderIdentity : null;
  const renewMs = typeof spec.renewTime === "string" ? Date.parse(spec.renewTime) : Number.NaN;
  const renewTime = Number.isFinite(renewMs) ? new Date(renewMs).toISOString() : null;
  const duration = typeof spec.leaseDurationSeconds === "number" ? Math.trunc(spec.leaseDurationSeconds) : null;
  const transitions = typeof spec.leaseTransitions === "number" ? Math.trunc(spec.leaseTransitions) : null;
  const expired = holderIdentity !== null && (renewTime === null || duration === null || renewMs + duration * 1e3 < now);
  return {
    name,
    state: holderIdentity === null ? "absent" : expired ? "expired" : "held",
    holderIdentity,
    holderNode: holderIdentity === null ? null : mapHolderToNode(holderIdentity, nodes),
    renewTime,
    leaseDurationSeconds: duration,
    transitions,
    expired,
    readFrom,
    detail: null
  };
}
function absentLease(name, readFrom, detail = null) {
  return { name, state: "absent", holderIdentity: null, holderNode: null, renewTime: null, leaseDurationSeconds: null, transitions: null, expired: false, readFrom, detail };
}
function unknownLease(name, detail, readFrom = null) {
  return { ...absentLease(name, readFrom, detail), state: "unknown" };
}

// source/plan/types.ts
var SERVICES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];
var SERVICE_STEP = {
  "kube-apiserver": "apiserver",
  "kube-controller-manager": "controller-manager",
  "kube-scheduler": "scheduler"
};

export {
  httpsGet,
  mapHolderToNode,
  leaseStatusFromJson,
  absentLease,
  unknownLease,
  SERVICES,
  SERVICE_STEP,
  connectNode
};
