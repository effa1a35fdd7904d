import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  StateDir,
  defaultStateDir,
  locateBinaries,
  writeFileAtomic
} from "./chunk-HKQRD4NF.mjs";
import {
  componentFlags,
  loadProfileByName,
  loadProfileFile
} from "./chunk-YKOJHRDD.mjs";
import {
  firstHostIp,
  require_ip_address
} from "./chunk-LWPWZUCJ.mjs";
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";
import {
  __toESM
} from "./chunk-YOTFHUOA.mjs";

// source/pki/ensure.ts
import { X509Certificate as X509Certificate2, randomBytes as randomBytes2 } from "node:crypto";
import { readFileSync } from "node:fs";

// source/pki/cert-specs.ts
import { isIP } from "node:net";
function kubernetesServiceNames(clusterDomain) {
  return ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster", `kubernetes.default.svc.${clusterDomain}`];
}
function apiserverCertSpec(profile) {
  const extraIps = profile.apiserver.extraSans.filter((s) => isIP(s) !== 0);
  const extraNames = profile.apiserver.extraSans.filter((s) => isIP(s) === 0);
  return {
    commonName: "kubernetes-master",
    dnsNames: unique([...kubernetesServiceNames(profile.network.clusterDomain), ...extraNames]),
    ipAddresses: unique(["127.0.0.1", ...profile.nodes.map((n) => n.ip), firstHostIp(profile.network.serviceCidr), ...extraIps]),
    // Serving cert on 6443, and the client cert towards etcd and the kubelets.
    serverAuth: true,
    clientAuth: true,
    validityDays: profile.pki.certValidityDays
  };
}
function componentCertSpec(profile, node, component) {
  return {
    commonName: `system:${component}`,
    organization: `system:${component}`,
    dnsNames: [node.name],
    ipAddresses: ["127.0.0.1", node.ip],
    serverAuth: true,
    clientAuth: true,
    validityDays: profile.pki.certValidityDays
  };
}
function certificateSpecs(profile) {
  const days = profile.pki.certValidityDays;
  const specs = [
    { item: "apiserver certificate", stem: "kubernetes", spec: apiserverCertSpec(profile) },
    // The CN must be in --requestheader-allowed-names (guide: "aggregator").
    { item: "proxy-client certificate", stem: "proxy-client", spec: { commonName: "aggregator", clientAuth: true, validityDays: days } },
    { item: "admin certificate", stem: "admin", spec: { commonName: "admin", organization: "system:masters", clientAuth: true, validityDays: days } }
  ];
  for (const node of profile.nodes) {
    for (const component of ["kube-controller-manager", "kube-scheduler"]) {
      specs.push({ item: `${node.name} ${component} certificate`, stem: componentStem(node.name, component), spec: componentCertSpec(profile, node, component) });
    }
  }
  return specs;
}
function componentStem(nodeName, component) {
  return `nodes/${nodeName}/${component}`;
}
function unique(values) {
  return [...new Set(values)];
}

// source/pki/inspect.ts
var import_ip_address = __toESM(require_ip_address(), 1);
import { X509Certificate, createPrivateKey } from "node:crypto";
import { isIP as isIP2 } from "node:net";
function inspectCertificate(pem) {
  const x509 = new X509Certificate(pem);
  const subject = parseDistinguishedName(x509.subject);
  const sans = (x509.subjectAltName ?? "").split(", ").filter(Boolean);
  return {
    x509,
    commonName: subject.get("CN")?.[0],
    organizations: subject.get("O") ?? [],
    dnsNames: sans.filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith("IP Address:")).map((s) => s.slice(11)),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo)
  };
}
function parseDistinguishedName(text) {
  const out = /* @__PURE__ */ new Map();
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at <= 0) continue;
    const key = line.slice(0, at);
    out.set(key, [...out.get(key) ?? [], line.slice(at + 1)]);
  }
  return out;
}
function renewWindowDays(validityDays) {
  return Math.min(30, Math.floor(validityDays / 3));
}
function reasonToReissue(existing, spec, caCertPem, now) {
  let info;
  try {
    info = inspectCertificate(existing.cert);
  } catch {
    return "the stored certificate cannot be parsed";
  }
  try {
    if (!info.x509.checkPrivateKey(createPrivateKey(existing.key))) return "the stored key does not match the certificate";
  } catch {
    return "the stored key cannot be parsed";
  }
  const ca = parsedCa(caCertPem);
  if (!info.x509.checkIssued(ca) || !info.x509.verify(ca.publicKey)) return "it is not signed by the current CA";
  if (info.commonName !== spec.commonName) return `its CN is ${info.commonName ?? "(none)"}, expected ${spec.commonName}`;
  const wantO = spec.organization === void 0 ? [] : [spec.organization];
  if (!sameSet(info.organizations, wantO)) return `its O is ${info.organizations.join(",") || "(none)"}, expected ${wantO.join(",") || "(none)"}`;
  const sanDiff = describeSetDiff([...info.dnsNames, ...info.ipAddresses], [...spec.dnsNames ?? [], ...spec.ipAddresses ?? []]);
  if (sanDiff) return `its SANs differ (${sanDiff})`;
  const left = (info.notAfter.getTime() - now.getTime()) / 864e5;
  if (left <= renewWindowDays(spec.validityDays)) return left <= 0 ? "it has expired" : `it expires in ${Math.floor(left)} days`;
  return void 0;
}
var lastCa;
function parsedCa(pem) {
  if (lastCa?.pem !== pem) lastCa = { pem, x509: new X509Certificate(pem) };
  return lastCa.x509;
}
function sameSet(a, b) {
  return a.length === b.length && a.every((x) => b.includes(x));
}
function describeSetDiff(haveRaw, wantRaw) {
  const have = haveRaw.map(normalizeSan);
  const want = wantRaw.map(normalizeSan);
  const added = want.filter((x) => !have.includes(x)).map((x) => `+${x}`);
  const removed = have.filter((x) => !want.includes(x)).map((x) => `-${x}`);
  return [...added, ...removed].join(" ");
}
function normalizeSan(value) {
  return isIP2(value) === 6 ? new import_ip_address.Address6(value).correctForm() : value;
}

// source/pki/keys.ts
import { createPrivateKey as createPrivateKey2, createPublicKey, generateKeyPairSync } from "node:crypto";
function generateEcKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" }
  });
  return { privateKey, publicKey };
}
function publicKeyOf(privateKeyPem) {
  return createPublicKey(createPrivateKey2(privateKeyPem));
}
function publicKeyPemOf(privateKeyPem) {
  return publicKeyOf(privateKeyPem).export({ type: "spki", format: "pem" }).toString();
}

// source/pki/x509.ts
import { createHash, createPrivateKey as createPrivateKey3, createPublicKey as createPublicKey2, randomBytes, sign } from "node:crypto";
import { createRequire } from "node:module";
var loaded;
function forgeLib() {
  loaded ??= createRequire(import.meta.url)("node-forge");
  return loaded;
}
var OID_EC_SHA256 = "1.2.840.10045.4.3.2";
var OID_RSA_SHA256 = "1.2.840.113549.1.1.11";
function issueCertificate(spec, publicKeyPem, signer, now = /* @__PURE__ */ new Date()) {
  const caPublic = createPublicKey2(signer.certPem);
  const extensions = [
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", critical: true, digitalSignature: true, keyEncipherment: isRsa(createPublicKey2(publicKeyPem)) },
    { name: "extKeyUsage", serverAuth: spec.serverAuth === true, clientAuth: spec.clientAuth === true },
    subjectKeyIdentifier(publicKeyPem),
    // Must equal the issuer's own subjectKeyIdentifier, or OpenSSL and Go cannot build the chain.
    { name: "authorityKeyIdentifier", keyIdentifier: issuerKeyIdentifier(signer.certPem) ?? keyIdentifierBytes(caPublic) }
  ];
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))
  ];
  if (altNames.length > 0) extensions.push({ name: "subjectAltName", altNames });
  return build({
    subject: subjectAttributes(spec),
    issuer: subjectOfCertificate(signer.certPem),
    publicKeyPem,
    signingKey: createPrivateKey3(signer.keyPem),
    extensions,
    validityDays: spec.validityDays,
    now
  });
}
function createCaCertificate(commonName, keyPem, validityDays, now = /* @__PURE__ */ new Date()) {
  const privateKey = createPrivateKey3(keyPem);
  const publicKeyPem = createPublicKey2(privateKey).export({ type: "spki", format: "pem" }).toString();
  return build({
    subject: [{ name: "commonName", value: commonName }],
    issuer: "self",
    publicKeyPem,
    signingKey: privateKey,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true },
      subjectKeyIdentifier(publicKeyPem)
    ],
    validityDays,
    now
  });
}
function build(input) {
  const forge = forgeLib();
  const { asn1 } = forge;
  const cert = forge.pki.createCertificate();
  const serial = randomBytes(16);
  serial[0] = serial[0] & 127;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Math.floor(input.now.getTime() / 1e3) * 1e3 - 5 * 6e4);
  cert.validity.notAfter = new Date(Math.floor(input.now.getTime() / 1e3) * 1e3 + input.validityDays * 864e5);
  cert.setSubject(input.subject);
  cert.setIssuer(input.subject);
  cert.setExtensions(input.extensions);
  const one = new forge.jsbn.BigInteger("1");
  cert.publicKey = forge.pki.setRsaPublicKey(one, one);
  const ec = input.signingKey.asymmetricKeyType === "ec";
  if (!ec && input.signingKey.asymmetricKeyType !== "rsa") {
    throw new Error(`CA key type ${input.signingKey.asymmetricKeyType} is not supported (use an RSA or ECDSA CA)`);
  }
  const algorithmOid = ec ? OID_EC_SHA256 : OID_RSA_SHA256;
  cert.siginfo.algorithmOid = algorithmOid;
  const tbs = forge.pki.getTBSCertificate(cert);
  const fields = tbs.value;
  fields[2] = signatureAlgorithm(algorithmOid, ec);
  if (input.issuer !== "self") fields[3] = input.issuer;
  fields[6] = asn1.fromDer(derOfPem(input.publicKeyPem).toString("binary"));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), "binary");
  const signature = sign("sha256", tbsDer, input.signingKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithm(algorithmOid, ec),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, "\0" + signature.toString("binary"))
  ]);
  return toPem("CERTIFICATE", Buffer.from(asn1.toDer(certificate).getBytes(), "binary"));
}
function subjectOfCertificate(certPem) {
  const { asn1 } = forgeLib();
  const certificate = asn1.fromDer(derOfPem(certPem).toString("binary"));
  const tbs = certificate.value[0];
  return tbs.value[5];
}
function signatureAlgorithm(oid, ec) {
  const { asn1 } = forgeLib();
  const parts = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())];
  if (!ec) parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ""));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}
function subjectAttributes(spec) {
  const attrs = [];
  if (spec.organization !== void 0) attrs.push({ name: "organizationName", value: spec.organization });
  attrs.push({ name: "commonName", value: spec.commonName });
  return attrs;
}
function subjectKeyIdentifier(publicKeyPem) {
  const { asn1 } = forgeLib();
  const id = keyIdentifierBytes(createPublicKey2(publicKeyPem));
  return { name: "subjectKeyIdentifier", value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, id) };
}
var NO_BIT_STRING_DECODING = { decodeBitStrings: false };
function keyIdentifierBytes(key) {
  const { asn1 } = forgeLib();
  const spki = asn1.fromDer(key.export({ type: "spki", format: "der" }).toString("binary"), NO_BIT_STRING_DECODING);
  const bitString = spki.value[1].value;
  return createHash("sha1").update(Buffer.from(bitString.slice(1), "binary")).digest().toString("binary");
}
var OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
function issuerKeyIdentifier(certPem) {
  const { asn1 } = forgeLib();
  const cert = asn1.fromDer(derOfPem(certPem).toString("binary"), NO_BIT_STRING_DECODING);
  const tbs = cert.value[0].value;
  const wrapper = tbs.find((part) => part.tagClass === asn1.Class.CONTEXT_SPECIFIC && part.type === 3);
  const extensions = wrapper?.value?.[0]?.value ?? [];
  for (const extension of extensions) {
    const [oid, ...rest] = extension.value;
    if (!oid || asn1.derToOid(oid.value) !== OID_SUBJECT_KEY_IDENTIFIER) continue;
    const octets = rest.at(-1)?.value;
    const inner = asn1.fromDer(octets);
    return inner.value;
  }
  return void 0;
}
function isRsa(key) {
  return key.asymmetricKeyType === "rsa";
}
function derOfPem(pem) {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}
function toPem(label, der) {
  const body = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----
${body}
-----END ${label}-----
`;
}

// source/pki/ensure.ts
function ensurePki(profile, state, now = /* @__PURE__ */ new Date()) {
  const changes = [];
  const ca = ensureCa(profile, state, changes, now);
  const issued = /* @__PURE__ */ new Map();
  for (const { item, stem, spec } of certificateSpecs(profile)) {
    const cert = state.read(`${stem}.pem`);
    const key = state.read(`${stem}-key.pem`);
    if (cert !== void 0 && key !== void 0) {
      const reason = reasonToReissue({ cert, key }, spec, ca.cert, now);
      if (reason === void 0) {
        issued.set(stem, { cert, key });
        continue;
      }
      const backup = state.backup(`${stem}.pem`, now);
      state.backup(`${stem}-key.pem`, now);
      issued.set(stem, issue(state, stem, spec, ca, now));
      changes.push({ item, action: "reissued", reason, ...backup ? { backup } : {} });
    } else {
      if (cert !== void 0 || key !== void 0) state.backup(`${stem}${cert === void 0 ? "-key" : ""}.pem`, now);
      issued.set(stem, issue(state, stem, spec, ca, now));
      changes.push({ item, action: "created" });
    }
  }
  const pick = (stem) => issued.get(stem);
  const perNode = (component) => Object.fromEntries(profile.nodes.map((n) => [n.name, pick(componentStem(n.name, component))]));
  return {
    pki: {
      ca,
      caFromProfile: profile.pki.caCert !== void 0,
      apiserver: pick("kubernetes"),
      proxyClient: pick("proxy-client"),
      admin: pick("admin"),
      controllerManager: perNode("kube-controller-manager"),
      scheduler: perNode("kube-scheduler"),
      serviceAccount: ensureServiceAccountKey(state, changes),
      encryptionKey: ensureEncryptionKey(profile, state, changes),
      etcd: {
        ...profile.etcd.caFile ? { ca: readFileSync(profile.etcd.caFile, "utf8") } : {},
        ...profile.etcd.certFile ? { cert: readFileSync(profile.etcd.certFile, "utf8") } : {},
        ...profile.etcd.keyFile ? { key: readFileSync(profile.etcd.keyFile, "utf8") } : {}
      }
    },
    changes
  };
}
function issue(state, stem, spec, ca, now) {
  const keys = generateEcKeyPair();
  const cert = issueCertificate(spec, keys.publicKey, { certPem: ca.cert, keyPem: ca.key }, now);
  state.write(`${stem}-key.pem`, keys.privateKey);
  state.write(`${stem}.pem`, cert);
  return { cert, key: keys.privateKey };
}
function ensureCa(profile, state, changes, now) {
  if (profile.pki.caCert !== void 0 && profile.pki.caKey !== void 0) {
    return { cert: readFileSync(profile.pki.caCert, "utf8"), key: readFileSync(profile.pki.caKey, "utf8") };
  }
  const cert = state.read("ca.pem");
  const key = state.read("ca-key.pem");
  if (cert !== void 0 && key !== void 0) {
    const notAfter = new Date(new X509Certificate2(cert).validTo);
    if (notAfter <= now) {
      throw new UserError(
        `the CA in ${state.file("ca.pem")} expired on ${notAfter.toISOString()}`,
        "a CA is never replaced automatically (every certificate and kubeconfig of the cluster depends on it); move the state directory aside to start a new cluster PKI, or give pki.caCert and pki.caKey"
      );
    }
    return { cert, key };
  }
  if (cert !== void 0 || key !== void 0) {
    throw new UserError(
      `${state.file(cert === void 0 ? "ca-key.pem" : "ca.pem")} exists without its ${cert === void 0 ? "certificate ca.pem" : "key ca-key.pem"}`,
      "restore the missing file, or move the state directory aside to create a new CA (the existing one is not replaced silently)"
    );
  }
  const keys = generateEcKeyPair();
  const created = createCaCertificate("kubernetes-ca", keys.privateKey, profile.pki.caValidityDays, now);
  state.write("ca-key.pem", keys.privateKey);
  state.write("ca.pem", created);
  changes.push({ item: "CA", action: "created" });
  return { cert: created, key: keys.privateKey };
}
function ensureServiceAccountKey(state, changes) {
  const existing = state.read("sa.key");
  if (existing !== void 0) {
    const publicKey = publicKeyPemOf(existing);
    if (state.read("sa.pub") !== publicKey) state.write("sa.pub", publicKey);
    return { privateKey: existing, publicKey };
  }
  const keys = generateEcKeyPair();
  state.write("sa.key", keys.privateKey);
  state.write("sa.pub", keys.publicKey);
  changes.push({ item: "service-account key pair", action: "created" });
  return keys;
}
function ensureEncryptionKey(profile, state, changes) {
  if (profile.encryption.key !== void 0) return profile.encryption.key;
  const existing = state.read("encryption-key")?.trim();
  if (existing) return existing;
  const key = randomBytes2(32).toString("base64");
  state.write("encryption-key", `${key}
`);
  changes.push({ item: "encryption key", action: "created" });
  return key;
}

// source/plan/build-plan.ts
import { createHash as createHash2 } from "node:crypto";

// source/render/templates.ts
import { existsSync, readFileSync as readFileSync2 } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
function templatesDir() {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    const candidate = join(dir, "templates");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("templates/ not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
var cache = /* @__PURE__ */ new Map();
function readTemplate(name) {
  let text = cache.get(name);
  if (text === void 0) {
    text = readFileSync2(join(templatesDir(), name), "utf8");
    cache.set(name, text);
  }
  return text;
}
function fillTemplate(template, values) {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    const value = values[key];
    if (value === void 0) throw new Error(`template placeholder {{${key}}} has no value`);
    return value;
  });
}
function yamlString(value) {
  return JSON.stringify(value);
}

// source/render/config-files.ts
function renderEncryptionConfig(encryptionKey) {
  return fillTemplate(readTemplate("encryption-config.yaml"), { key: yamlString(encryptionKey) });
}
function renderAuditPolicy() {
  return readTemplate("audit-policy.yaml");
}
function renderSchedulerConfig(paths) {
  return fillTemplate(readTemplate("kube-scheduler.yaml"), { kubeconfig: yamlString(paths.schedulerKubeconfig) });
}

// source/render/kubeconfig.ts
function renderKubeconfig(input) {
  const b64 = (pem) => yamlString(Buffer.from(pem).toString("base64"));
  return fillTemplate(readTemplate("kubeconfig.yaml"), {
    cluster: yamlString(input.clusterName ?? "kubernetes"),
    caData: b64(input.caCert),
    server: yamlString(input.server),
    user: yamlString(input.user),
    certData: b64(input.clientCert),
    keyData: b64(input.clientKey)
  });
}
function apiserverUrl(host) {
  return host.includes(":") ? `https://[${host}]:6443` : `https://${host}:6443`;
}

// source/render/paths.ts
import { posix } from "node:path";
function targetPaths(profile) {
  const { binDir, certDir, configDir, unitDir, dataDir } = profile.paths;
  const b = (f) => posix.join(binDir, f);
  const c = (f) => posix.join(certDir, f);
  const e = (f) => posix.join(configDir, f);
  const d = (f) => posix.join(dataDir, f);
  return {
    binDir,
    certDir,
    configDir,
    unitDir,
    dataDir,
    bin: { apiserver: b("kube-apiserver"), controllerManager: b("kube-controller-manager"), scheduler: b("kube-scheduler"), kubectl: b("kubectl") },
    cert: {
      ca: c("ca.pem"),
      caKey: c("ca-key.pem"),
      // The guide's file names, so an existing guide install is recognisable.
      apiserver: c("kubernetes.pem"),
      apiserverKey: c("kubernetes-key.pem"),
      proxyClient: c("proxy-client.pem"),
      proxyClientKey: c("proxy-client-key.pem"),
      controllerManager: c("kube-controller-manager.pem"),
      controllerManagerKey: c("kube-controller-manager-key.pem"),
      scheduler: c("kube-scheduler.pem"),
      schedulerKey: c("kube-scheduler-key.pem"),
      serviceAccountKey: c("sa.key"),
      serviceAccountPub: c("sa.pub"),
      etcdCa: c("etcd-ca.pem"),
      etcdClient: c("etcd-client.pem"),
      etcdClientKey: c("etcd-client-key.pem")
    },
    encryptionConfig: e("encryption-config.yaml"),
    auditPolicy: e("audit-policy.yaml"),
    controllerManagerKubeconfig: e("kube-controller-manager.kubeconfig"),
    schedulerKubeconfig: e("kube-scheduler.kubeconfig"),
    schedulerConfig: e("kube-scheduler.yaml"),
    unit: {
      apiserver: posix.join(unitDir, "kube-apiserver.service"),
      controllerManager: posix.join(unitDir, "kube-controller-manager.service"),
      scheduler: posix.join(unitDir, "kube-scheduler.service")
    },
    workDir: { apiserver: d("kube-apiserver"), controllerManager: d("kube-controller-manager"), scheduler: d("kube-scheduler") },
    auditLog: d("kube-apiserver/audit.log")
  };
}

// source/render/systemd-unit.ts
function renderApiserverUnit(profile, node, paths) {
  return renderUnit("kube-apiserver", profile, node, paths, paths.bin.apiserver, paths.workDir.apiserver);
}
function renderControllerManagerUnit(profile, node, paths) {
  return renderUnit("kube-controller-manager", profile, node, paths, paths.bin.controllerManager, paths.workDir.controllerManager);
}
function renderSchedulerUnit(profile, node, paths) {
  return renderUnit("kube-scheduler", profile, node, paths, paths.bin.scheduler, paths.workDir.scheduler);
}
function renderUnit(component, profile, node, paths, binary, workingDirectory) {
  const flags = componentFlags(component, { profile, node, paths });
  const execStart = [systemdWord(binary), ...flags.map(([name, value]) => systemdWord(`--${name}=${value}`))].join(" \\\n  ");
  return fillTemplate(readTemplate(`systemd/${component}.service`), {
    node: node.name,
    kubernetesVersion: profile.kubernetesVersion,
    workingDirectory: systemdWord(workingDirectory),
    execStart
  });
}
function systemdWord(word) {
  const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (!/[\s"'\\]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

// source/plan/build-plan.ts
var APISERVER = "kube-apiserver";
var CONTROLLER_MANAGER = "kube-controller-manager";
var SCHEDULER = "kube-scheduler";
var ALL = [APISERVER, CONTROLLER_MANAGER, SCHEDULER];
function buildPlan(profile, pki, binaries) {
  const paths = targetPaths(profile);
  return {
    profile,
    kubernetesRelease: binaries.release,
    nodes: profile.nodes.map((node) => buildNodePlan(profile, node, pki, binaries, paths)),
    adminKubeconfig: renderKubeconfig({
      server: apiserverUrl(profile.nodes[0].ip),
      caCert: pki.ca.cert,
      user: "admin",
      clientCert: pki.admin.cert,
      clientKey: pki.admin.key
    })
  };
}
function buildNodePlan(profile, node, pki, binaries, paths) {
  const files = [];
  const binary = (path, name, services) => {
    const { localPath, sha256, size } = binaries.files[name];
    files.push({ path, mode: 493, step: "binaries", localPath, sha256, size, secret: false, services });
  };
  const add = (path, content, step, services, secret = false) => files.push(contentFile(path, content, secret ? 384 : 420, step, secret, services));
  binary(paths.bin.apiserver, "kube-apiserver", [APISERVER]);
  binary(paths.bin.controllerManager, "kube-controller-manager", [CONTROLLER_MANAGER]);
  binary(paths.bin.scheduler, "kube-scheduler", [SCHEDULER]);
  binary(paths.bin.kubectl, "kubectl", []);
  const c = paths.cert;
  const controllerManager = pki.controllerManager[node.name];
  const scheduler = pki.scheduler[node.name];
  add(c.ca, pki.ca.cert, "certificates", ALL);
  add(c.caKey, pki.ca.key, "certificates", [CONTROLLER_MANAGER], true);
  add(c.apiserver, pki.apiserver.cert, "certificates", [APISERVER]);
  add(c.apiserverKey, pki.apiserver.key, "certificates", [APISERVER], true);
  add(c.proxyClient, pki.proxyClient.cert, "certificates", [APISERVER]);
  add(c.proxyClientKey, pki.proxyClient.key, "certificates", [APISERVER], true);
  add(c.controllerManager, controllerManager.cert, "certificates", [CONTROLLER_MANAGER]);
  add(c.controllerManagerKey, controllerManager.key, "certificates", [CONTROLLER_MANAGER], true);
  add(c.scheduler, scheduler.cert, "certificates", [SCHEDULER]);
  add(c.schedulerKey, scheduler.key, "certificates", [SCHEDULER], true);
  add(c.serviceAccountPub, pki.serviceAccount.publicKey, "certificates", [APISERVER]);
  add(c.serviceAccountKey, pki.serviceAccount.privateKey, "certificates", [APISERVER, CONTROLLER_MANAGER], true);
  if (pki.etcd.ca !== void 0) add(c.etcdCa, pki.etcd.ca, "certificates", [APISERVER]);
  if (pki.etcd.cert !== void 0) add(c.etcdClient, pki.etcd.cert, "certificates", [APISERVER]);
  if (pki.etcd.key !== void 0) add(c.etcdClientKey, pki.etcd.key, "certificates", [APISERVER], true);
  add(paths.encryptionConfig, renderEncryptionConfig(pki.encryptionKey), "configs", [APISERVER], true);
  add(paths.auditPolicy, renderAuditPolicy(), "configs", [APISERVER]);
  const server = apiserverUrl(node.ip);
  const kubeconfig = (user, pair) => renderKubeconfig({ server, caCert: pki.ca.cert, user, clientCert: pair.cert, clientKey: pair.key });
  add(paths.controllerManagerKubeconfig, kubeconfig("system:kube-controller-manager", controllerManager), "configs", [CONTROLLER_MANAGER], true);
  add(paths.schedulerKubeconfig, kubeconfig("system:kube-scheduler", scheduler), "configs", [SCHEDULER], true);
  add(paths.schedulerConfig, renderSchedulerConfig(paths), "configs", [SCHEDULER]);
  add(paths.unit.apiserver, renderApiserverUnit(profile, node, paths), "apiserver", [APISERVER]);
  add(paths.unit.controllerManager, renderControllerManagerUnit(profile, node, paths), "controller-manager", [CONTROLLER_MANAGER]);
  add(paths.unit.scheduler, renderSchedulerUnit(profile, node, paths), "scheduler", [SCHEDULER]);
  return {
    node,
    directories: [
      { path: paths.binDir, mode: 493 },
      // Keys live here: only root may list it.
      { path: paths.certDir, mode: 448 },
      { path: paths.configDir, mode: 493 },
      { path: paths.unitDir, mode: 493 },
      // The audit log records request metadata: root only.
      { path: paths.workDir.apiserver, mode: 448 },
      // systemd fails a unit whose WorkingDirectory is missing (status=200/CHDIR).
      { path: paths.workDir.controllerManager, mode: 493 },
      { path: paths.workDir.scheduler, mode: 493 }
    ],
    files
  };
}
function contentFile(path, text, mode, step, secret, services) {
  const content = Buffer.from(text);
  return { path, mode, step, content, sha256: createHash2("sha256").update(content).digest("hex"), size: content.length, secret, services };
}

// source/plan/check-flags.ts
function findUnacceptedFlags(profile, binaries) {
  const node = profile.nodes[0];
  if (!node) return [];
  const paths = targetPaths(profile);
  const problems = [];
  for (const component of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
    const accepted = binaries.acceptedFlags[component];
    if (!accepted) continue;
    const known = new Set(accepted);
    const extra = component === "kube-apiserver" ? profile.apiserver.extraArgs : component === "kube-controller-manager" ? profile.controllerManager.extraArgs : profile.scheduler.extraArgs;
    for (const [flag] of componentFlags(component, { profile, node, paths })) {
      if (!known.has(flag)) problems.push({ component, flag, fromExtraArgs: flag in extra });
    }
  }
  return problems;
}
function assertFlagsAccepted(profile, binaries) {
  const problems = findUnacceptedFlags(profile, binaries);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.component} ${binaries.release} does not accept --${p.flag}${p.fromExtraArgs ? " (from the profile's extraArgs)" : ""}`);
  const fromProfile = problems.some((p) => p.fromExtraArgs);
  throw new UserError(
    `the units would not start with these binaries:
${lines.join("\n")}`,
    fromProfile ? "remove those flags from extraArgs (see `<binary> --help` for what this release accepts); nothing was written to any node" : "this tool renders a flag this release no longer has: please report it; nothing was written to any node"
  );
}

// source/plan/prepare.ts
async function prepare(options) {
  const { profile } = options;
  const stateDirPath = options.stateDir ?? defaultStateDir(profile.name);
  const binaries = await locateBinaries(profile, stateDirPath);
  assertFlagsAccepted(profile, binaries);
  const state = StateDir.open(stateDirPath);
  const { pki, changes } = ensurePki(profile, state, options.now);
  for (const change of changes) options.onPkiChange?.(change);
  return { plan: buildPlan(profile, pki, binaries), stateDir: stateDirPath, pki, pkiChanges: changes };
}

// source/render/write-output.ts
import { chmodSync, copyFileSync, constants, linkSync, mkdirSync, readFileSync as readFileSync3, statSync, unlinkSync } from "node:fs";
import { dirname as dirname2, join as join2 } from "node:path";
function writeRenderOutput(plan, outDir) {
  mkdirSync(outDir, { recursive: true, mode: 448 });
  let count = 0;
  for (const nodePlan of plan.nodes) {
    const root = join2(outDir, nodePlan.node.name);
    for (const dir of nodePlan.directories) {
      mkdirSync(join2(root, dir.path), { recursive: true });
      chmodSync(join2(root, dir.path), dir.mode);
    }
    for (const file of nodePlan.files) {
      placeFile(file, join2(root, file.path));
      count++;
    }
    const manifest = {
      node: nodePlan.node.name,
      kubernetesRelease: plan.kubernetesRelease,
      directories: nodePlan.directories.map((d) => ({ path: d.path, mode: octal(d.mode) })),
      files: [...nodePlan.files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => ({ path: f.path, mode: octal(f.mode), sha256: f.sha256, size: f.size, step: f.step, secret: f.secret, services: f.services }))
    };
    writeIfChanged(join2(root, "manifest.json"), Buffer.from(`${JSON.stringify(manifest, null, 2)}
`), 420);
  }
  writeIfChanged(join2(outDir, "admin.kubeconfig"), Buffer.from(plan.adminKubeconfig), 384);
  return count;
}
function placeFile(file, target) {
  if (file.content !== void 0) {
    writeIfChanged(target, file.content, file.mode);
    return;
  }
  const source = file.localPath;
  const sourceStat = statSync(source);
  const existing = statOrUndefined(target);
  if (existing && existing.size === sourceStat.size && (existing.mode & 511) === file.mode) {
    if (existing.ino === sourceStat.ino && existing.dev === sourceStat.dev) return;
    if (existing.mtimeMs >= sourceStat.mtimeMs) return;
  }
  mkdirSync(dirname2(target), { recursive: true });
  try {
    unlinkSync(target);
  } catch {
  }
  if ((sourceStat.mode & 511) === file.mode) {
    try {
      linkSync(source, target);
      return;
    } catch {
    }
  }
  copyFileSync(source, target, constants.COPYFILE_FICLONE);
  chmodSync(target, file.mode);
}
function writeIfChanged(path, content, mode) {
  const existing = statOrUndefined(path);
  if (existing?.isFile() && existing.size === content.length && readFileSync3(path).equals(content)) {
    if ((existing.mode & 511) !== mode) chmodSync(path, mode);
    return;
  }
  writeFileAtomic(path, content, mode);
}
function statOrUndefined(path) {
  try {
    return statSync(path);
  } catch {
    return void 0;
  }
}
function octal(mode) {
  return `0${mode.toString(8)}`;
}

// source/cli/commands/render-action.ts
async function loadProfileFromOptions(options) {
  if (options.profileFile !== void 0) return loadProfileFile(options.profileFile);
  if (options.profile !== void 0) return loadProfileByName(options.profile);
  throw new UserError("no profile given", "pass --profile-file FILE (YAML or JSON) or --profile NAME (saved by the wizard)");
}
async function runRender(options) {
  const profile = await loadProfileFromOptions(options);
  const { plan, stateDir } = await prepare({
    profile,
    ...options.stateDir ? { stateDir: options.stateDir } : {},
    onPkiChange: (c) => process.stderr.write(`${c.action} ${c.item}${c.reason ? `: ${c.reason}` : ""}${c.backup ? ` (previous copy: ${c.backup})` : ""}
`)
  });
  const written = writeRenderOutput(plan, options.out);
  process.stdout.write(
    `rendered ${written} files for ${plan.nodes.length} node(s), Kubernetes ${plan.kubernetesRelease}, into ${options.out}
state: ${stateDir}
`
  );
}

export {
  prepare,
  loadProfileFromOptions,
  runRender
};
