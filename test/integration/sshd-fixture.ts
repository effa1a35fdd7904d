import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe} from 'vitest';
import {sshdUnavailableReason, type Sshd} from '../../source/remote/testing/sshd.js';
import {connectSsh, type SshConnectOptions, type SshTarget} from '../../source/remote/ssh-transport.js';
import {cannotRun} from '../require-or-skip.js';

export * from '../../source/remote/testing/sshd.js';

/**
 * The real-sshd suites run only as root with sshd installed; elsewhere they are skipped,
 * and say why, except in CI, where they fail with the reason (require-or-skip.ts).
 */
export const skipReason = sshdUnavailableReason();
export const describeWithSshd = describe.skipIf(cannotRun('integration tests against real sshd', skipReason));

export async function tempDir(label: string): Promise<{path: string; remove: () => Promise<void>}> {
	const path = await mkdtemp(join(tmpdir(), `k8s-master-setup-${label}-`));
	return {path, remove: () => rm(path, {recursive: true, force: true})};
}

/** A known_hosts file that trusts the given sshds. */
export async function knownHostsFor(dir: string, ...servers: Sshd[]): Promise<string> {
	const file = join(dir, `known_hosts.${Math.random().toString(36).slice(2)}`);
	await writeFile(file, servers.map((s) => s.knownHostsLine()).join('\n') + '\n');
	return file;
}

/** Connect to a fixture sshd with nothing from the machine's own ~/.ssh or agent. */
export function connectTo(
	sshd: Sshd,
	user: string,
	knownHostsFile: string,
	extra: Partial<SshConnectOptions> & {target?: Partial<SshTarget>} = {},
) {
	const {target, ...options} = extra;
	return connectSsh(
		{node: 'master1', host: sshd.host, port: sshd.port, user, identityFile: sshd.clientKey, ...target},
		{hostKeys: {knownHostsFile}, sshConfig: {file: false}, agentSocket: false, readyTimeoutMs: 10_000, ...options},
	);
}
