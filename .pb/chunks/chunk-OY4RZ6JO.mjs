import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";

// source/remote/ssh-errors.ts
var SshError = class extends UserError {
  constructor(node, kind, message, hint) {
    super(`${node}: ${message}`, hint, 1);
    this.node = node;
    this.kind = kind;
    this.name = "SshError";
  }
  node;
  kind;
};
function isTransientSshError(error) {
  return error instanceof SshError && (error.kind === "unreachable" || error.kind === "timeout" || error.kind === "connection-lost");
}
function translateConnectError(error, attempt) {
  if (error instanceof SshError) {
    return error;
  }
  const error_ = error;
  const code = error_?.code;
  const message = error_?.message ?? String(error);
  const where = `${attempt.host}:${attempt.port}${attempt.via ? ` (via ${attempt.via})` : ""}`;
  if (error_?.level === "client-authentication" || /authentication methods failed/i.test(message)) {
    const tried = attempt.methodsTried.length > 0 ? attempt.methodsTried.join(", ") : "nothing (no agent, no usable key)";
    const keys = attempt.identityFiles.length > 0 ? attempt.identityFiles.join(", ") : "none";
    const problems = attempt.identityProblems.length > 0 ? `; skipped: ${attempt.identityProblems.join("; ")}` : "";
    const firstKey = attempt.identityFiles[0] ?? attempt.candidateIdentityFiles?.[0] ?? "~/.ssh/id_ed25519";
    return new SshError(
      attempt.node,
      "auth",
      `${attempt.user}@${where} refused authentication (tried: ${tried}; identity files: ${keys}${problems})`,
      `check the login user (profile ssh.user, or User in ~/.ssh/config) and install the key on the node: ssh-copy-id -i ${firstKey}.pub -p ${attempt.port} ${attempt.user}@${attempt.host}`
    );
  }
  if (code === "ECONNREFUSED") {
    return new SshError(
      attempt.node,
      "unreachable",
      `cannot connect to ${where}: connection refused`,
      "check that sshd runs on the node and that the port is right (profile ssh.port, or Port in ~/.ssh/config)"
    );
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EHOSTDOWN") {
    return new SshError(
      attempt.node,
      "unreachable",
      `cannot reach ${where}: ${code === "ENETUNREACH" ? "network unreachable" : "host unreachable"}`,
      "check the node address in the profile and the route/firewall between this machine and the node"
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new SshError(
      attempt.node,
      "unreachable",
      `cannot resolve host name ${attempt.host}`,
      "use the node IP, or a Host entry in ~/.ssh/config with a HostName"
    );
  }
  if (code === "ETIMEDOUT" || /timed out/i.test(message)) {
    return new SshError(
      attempt.node,
      "timeout",
      `no SSH answer from ${where} in time (${message})`,
      "check that the node is up and that a firewall does not drop port " + attempt.port
    );
  }
  if (code === "ECONNRESET" || code === "EPIPE" || /closed|not connected/i.test(message)) {
    return new SshError(
      attempt.node,
      "connection-lost",
      `the connection to ${where} closed during the SSH handshake (${message})`,
      "the server may limit connections (MaxStartups) or refuse this client; check its sshd log"
    );
  }
  return new SshError(attempt.node, "unreachable", `cannot open SSH to ${where}: ${message}`);
}
function connectionLost(node, detail) {
  return new SshError(
    node,
    "connection-lost",
    `the SSH connection was lost (${detail})`,
    "run again: finished files are in place, and unfinished uploads never replace a file"
  );
}
function translateSudoFailure(node, user, stderr, hadPassword) {
  if (/sudo: (a password is required|a terminal is required)/.test(stderr)) {
    return new SshError(
      node,
      "sudo-password-required",
      `sudo on the node needs a password for ${user}, and none was given`,
      "set K8S_MASTER_SETUP_SUDO_PASSWORD (or enter it in the wizard), allow NOPASSWD sudo for this user, or log in as root"
    );
  }
  if (/you must have a tty to run sudo/.test(stderr)) {
    return new SshError(
      node,
      "sudo-denied",
      `sudo on the node requires a terminal (Defaults requiretty) for ${user}`,
      `add "Defaults:${user} !requiretty" in a sudoers.d drop-in on the node, or log in as root`
    );
  }
  if (/is not in the sudoers file|is not allowed to run sudo|may not run sudo/.test(stderr)) {
    return new SshError(
      node,
      "sudo-denied",
      `${user} may not use sudo on the node`,
      `add ${user} to the sudo group or a sudoers.d drop-in on the node, or log in as root`
    );
  }
  if (/incorrect password attempt|Sorry, try again/.test(stderr) && hadPassword) {
    return new SshError(
      node,
      "sudo-password-wrong",
      `sudo rejected the password given for ${user}`,
      "check K8S_MASTER_SETUP_SUDO_PASSWORD (or the password entered in the wizard)"
    );
  }
  if (/(^|\n)(sh: \d+: )?sudo: (command )?not found/.test(stderr)) {
    return new SshError(node, "sudo-denied", `sudo is not installed on the node (logged in as ${user})`, "install sudo on the node, or log in as root");
  }
  return void 0;
}

export {
  SshError,
  isTransientSshError,
  translateConnectError,
  connectionLost,
  translateSudoFailure
};
