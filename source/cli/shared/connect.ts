import type {Profile, ProfileNode} from '../../profile/schema.js';
import type {HostKeyPolicy} from '../../remote/host-key-check.js';
import type {Transport} from '../../remote/transport.js';

/** SSH options every command that reaches nodes shares (apply, status, the wizard's checks). */
export interface NodeAccessOptions {
	knownHosts?: string;
	acceptNewHostKeys?: boolean;
	sshConfig?: string;
	confirmHostKey?: HostKeyPolicy['confirmHostKey'];
	/** --connect-timeout: the TCP connect and the SSH handshake (default 10 s). */
	connectTimeoutMs?: number;
	/** --accept-changed-host-key NODE: a master reinstalled on purpose. */
	acceptChangedHostKey?: string[];
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The environment variable that carries the sudo password: never a flag (it would show in `ps`). */
export const SUDO_PASSWORD_ENV = 'K8S_MASTER_SETUP_SUDO_PASSWORD';

/**
 * One SSH connection to a profile node. Per-node `ssh` fields win over the profile's
 * defaults, and both act like ssh command-line options over ~/.ssh/config.
 */
export async function connectNode(profile: Profile, node: ProfileNode, options: NodeAccessOptions, signal?: AbortSignal): Promise<Transport> {
	const {connectSsh} = await import('../../remote/ssh-transport.js');
	return connectSsh(
		{
			node: node.name,
			host: node.ssh?.host ?? node.ip,
			user: node.ssh?.user ?? profile.ssh.user,
			port: node.ssh?.port ?? profile.ssh.port,
			identityFile: node.ssh?.identityFile ?? profile.ssh.identityFile,
		},
		{
			hostKeys: {
				knownHostsFile: options.knownHosts,
				acceptNewHostKeys: options.acceptNewHostKeys,
				confirmHostKey: options.confirmHostKey,
				...(options.acceptChangedHostKey ? {acceptChangedHostKeyOf: options.acceptChangedHostKey} : {}),
			},
			sudoPassword: process.env[SUDO_PASSWORD_ENV] || undefined,
			...(options.sshConfig ? {sshConfig: {file: options.sshConfig}} : {}),
			readyTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
			...(signal ? {signal} : {}),
		},
	);
}
