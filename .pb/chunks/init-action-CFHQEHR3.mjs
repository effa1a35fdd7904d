import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import "./chunk-YOTFHUOA.mjs";

// source/cli/commands/init-action.ts
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
async function runInit(options) {
  const { runWizard } = await import("./run-wizard-7WMYXZAY.mjs");
  const knownHosts = options.knownHosts ?? join(homedir(), ".ssh", "known_hosts");
  const scratch = mkdtempSync(join(tmpdir(), "k8s-master-setup-hostkeys-"));
  const pendingLines = /* @__PURE__ */ new Map();
  try {
    const answers = await runWizard({
      checkNode: (node) => checkNode(node, knownHosts, scratch, pendingLines, options.sshConfig),
      readBinariesVersion: async (path) => (await import("./binaries-QHYZQ4OE.mjs")).readBinariesRelease(path),
      onHostKeys: (keys) => {
        const lines = keys.flatMap((k) => pendingLines.get(k.node) ?? []);
        if (lines.length === 0) return;
        mkdirSync(dirname(knownHosts), { recursive: true, mode: 448 });
        appendFileSync(knownHosts, lines.map((l) => `${l}
`).join(""), { mode: 384 });
      },
      onCancel: (draft) => {
        const path = join(scratch, "..", `k8s-master-setup-draft-${process.pid}.json`);
        writeFileSync(path, JSON.stringify(draft, null, 2), { mode: 384 });
        process.stderr.write(`cancelled; nothing was written to any node. Your answers so far (without a pasted key): ${path}
`);
      }
    });
    if (!answers) return 130;
    const { saveProfile } = await import("./load-AOIEKPH2.mjs");
    const where = await saveProfile(answers);
    process.stderr.write(`saved profile "${answers.name}" in ${where}
`);
    if (options.export) {
      const YAML = (await import("./dist-YJRIVLOR.mjs")).default;
      writeFileSync(options.export, YAML.stringify(answers), { mode: 384 });
      process.stderr.write(`exported to ${options.export}
`);
    }
    if (options.saveOnly) {
      process.stderr.write(`apply it with: k8s-master-setup apply --profile ${answers.name}
`);
      return 0;
    }
    const { runApply } = await import("./apply-action-T6ZZT36I.mjs");
    const applyOptions = { profile: answers.name, yes: true, concurrency: 10, knownHosts: options.knownHosts, sshConfig: options.sshConfig };
    return await runApply(applyOptions);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
async function checkNode(node, knownHosts, scratch, pendingLines, sshConfig) {
  const copy = join(scratch, `${node.name}-known_hosts`);
  if (existsSync(knownHosts)) copyFileSync(knownHosts, copy);
  else writeFileSync(copy, "");
  const before = readFileSync(copy, "utf8");
  let seen;
  const [{ connectSsh }, { SshError }] = await Promise.all([import("./ssh-transport-EBD3L4OJ.mjs"), import("./ssh-errors-GXYKYP3K.mjs")]);
  try {
    const transport = await connectSsh(
      { node: node.name, host: node.ip, user: node.ssh.user, port: node.ssh.port, identityFile: node.ssh.identityFile },
      {
        hostKeys: {
          knownHostsFile: copy,
          confirmHostKey: async (_host, keyType, fingerprint) => {
            seen = { keyType, fingerprint };
            return true;
          }
        },
        ...sshConfig ? { sshConfig: { file: sshConfig } } : {},
        readyTimeoutMs: 1e4
      }
    );
    const hostname = await transport.exec("hostname", { sudo: false }).catch(() => void 0);
    await transport.close();
    const added = readFileSync(copy, "utf8").slice(before.length).split("\n").filter(Boolean);
    pendingLines.set(node.name, added);
    void hostname;
    return seen ? { ok: true, ...seen } : { ok: true, fingerprint: "known (in known_hosts)" };
  } catch (error) {
    const message = error instanceof SshError ? `${error.message}${error.hint ? ` \u2014 ${error.hint}` : ""}` : String(error.message ?? error);
    return { ok: false, error: message, ...seen ?? {} };
  }
}
export {
  runInit
};
