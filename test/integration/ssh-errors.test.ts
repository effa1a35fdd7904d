import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {formatError} from '../../source/errors.js';
import {isTransientSshError, SshError} from '../../source/remote/ssh-errors.js';
import {connectSsh} from '../../source/remote/ssh-transport.js';
import {connectTo, describeWithSshd, freePort, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

describeWithSshd('connection faults become errors that name the node and the next step', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;

	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('errors');
		knownHosts = await knownHostsFor(work.path, sshd);
	});
	afterAll(async () => {
		await sshd?.stop();
		await work?.remove();
	});

	it('a closed port: unreachable, transient, with a hint about sshd and the port', async () => {
		const port = await freePort();
		const error = await connectSsh(
			{node: 'master2', host: '127.0.0.1', port, user: 'root', identityFile: sshd.clientKey},
			{hostKeys: {knownHostsFile: knownHosts}, sshConfig: {file: false}, agentSocket: false},
		).then(() => undefined, (e: unknown) => e);
		expect(error).toBeInstanceOf(SshError);
		expect(isTransientSshError(error)).toBe(true);
		expect(formatError(error)).toContain(`master2: cannot connect to 127.0.0.1:${port}: connection refused`);
		expect(formatError(error)).toContain('hint: check that sshd runs');
	});

	it('a key the node does not accept: lists the methods tried and the identity files, suggests ssh-copy-id', async () => {
		const wrongKey = join(work.path, 'wrong_key');
		execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
		const error = await connectSsh(
			{node: 'master3', host: '127.0.0.1', port: sshd.port, user: 'root', identityFile: wrongKey},
			{hostKeys: {knownHostsFile: knownHosts}, sshConfig: {file: false}, agentSocket: false},
		).then(() => undefined, (e: unknown) => e);
		expect((error as SshError).kind).toBe('auth');
		expect(isTransientSshError(error)).toBe(false);
		const text = formatError(error);
		expect(text).toContain(`master3: root@127.0.0.1:${sshd.port} refused authentication`);
		expect(text).toContain(`tried: publickey ${wrongKey}`);
		expect(text).toContain(`identity files: ${wrongKey}`);
		expect(text).toContain(`ssh-copy-id -i ${wrongKey}.pub -p ${sshd.port} root@127.0.0.1`);
		expect(text).not.toContain('PRIVATE KEY');
	});

	it('a wrong user: an auth failure that points at the login user', async () => {
		const error = await connectTo(sshd, 'no-such-user', knownHosts).then(() => undefined, (e: unknown) => e);
		const text = formatError(error);
		expect(text).toContain(`no-such-user@127.0.0.1:${sshd.port} refused authentication`);
		expect(text).toContain('check the login user');
	});

	it('a configured identity file that is missing is named, with the agent among the methods', async () => {
		const missing = join(work.path, 'no_such_key');
		const agentSocket = join(work.path, 'no-agent.sock');
		const error = await connectSsh(
			{node: 'master1', host: '127.0.0.1', port: sshd.port, user: 'root', identityFile: missing},
			{hostKeys: {knownHostsFile: knownHosts}, sshConfig: {file: false}, agentSocket},
		).then(() => undefined, (e: unknown) => e);
		const text = formatError(error);
		expect(text).toContain('refused authentication');
		expect(text).toContain(`agent (${agentSocket})`);
		expect(text).toContain(`${missing}: no such file`);
	});
});
