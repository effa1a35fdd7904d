// With a host-key prompt (the wizard's node check) ssh2's own handshake timeout is a human's
// time; until the server shows its key, the connect timeout still holds: a node that accepts
// TCP and never answers is given up after it, naming the node.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {connectSsh} from '../../source/remote/ssh-transport.js';
import {silentServer} from '../loopback-servers.js';

describe('connectSsh with a host-key prompt, against a server that never answers', () => {
	let silent: Awaited<ReturnType<typeof silentServer>>;
	beforeAll(async () => {
		silent = await silentServer();
	});
	afterAll(() => silent.close());

	it('gives up after readyTimeoutMs, not after the prompt time', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'k8s-ssh-timeout-'));
		writeFileSync(join(dir, 'known_hosts'), '');
		writeFileSync(join(dir, 'ssh_config'), '');
		const started = Date.now();
		const connecting = connectSsh(
			{node: 'master1', host: '127.0.0.1', port: silent.port, user: 'root'},
			{
				hostKeys: {knownHostsFile: join(dir, 'known_hosts'), confirmHostKey: async () => true},
				sshConfig: {file: join(dir, 'ssh_config')},
				agentSocket: false,
				readyTimeoutMs: 500,
			},
		);
		await expect(connecting).rejects.toThrow(/no SSH answer from .*127\.0\.0\.1/);
		// The prompt's own timeout is 10 minutes.
		expect(Date.now() - started).toBeLessThan(20_000);
	}, 30_000);
});
