import {execFileSync} from 'node:child_process';
import {copyFile, mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import SSHConfig from 'ssh-config';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {formatError} from '../../source/errors.js';
import {parseJumpHost, resolveSshHost} from '../../source/remote/ssh-config.js';
import {connectSsh} from '../../source/remote/ssh-transport.js';
import {describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

const home = '/home/op';
const source = {homeDir: home, localUser: 'op'};

describe('resolving a host through ssh_config (no sshd needed)', () => {
	const config = SSHConfig.parse(
		[
			'Host master1',
			'  HostName 10.0.0.11',
			'  User admin',
			'  Port 2222',
			'  IdentityFile ~/.ssh/cluster_%r',
			'  ProxyJump jump@bastion:2200',
			'Host bastion',
			'  HostName 192.0.2.10',
			'Host *',
			'  IdentityFile %d/.ssh/fallback',
			'  User nobody-default',
		].join('\n'),
	);

	it('takes HostName, User, Port, IdentityFile (~ and tokens expanded) and ProxyJump from the config', () => {
		expect(resolveSshHost({host: 'master1'}, config, source)).toEqual({
			alias: 'master1',
			hostName: '10.0.0.11',
			user: 'admin',
			port: 2222,
			identityFiles: ['/home/op/.ssh/cluster_admin', '/home/op/.ssh/fallback'],
			identityFilesConfigured: true,
			proxyJumps: [{host: 'bastion', user: 'jump', port: 2200}],
		});
	});

	it('lets explicit profile values win, like ssh command-line options', () => {
		const resolved = resolveSshHost({host: 'master1', user: 'root', port: 22, identityFile: '~/k'}, config, source);
		expect([resolved.user, resolved.port]).toEqual(['root', 22]);
		expect(resolved.identityFiles).toEqual(['/home/op/k', '/home/op/.ssh/cluster_root', '/home/op/.ssh/fallback']);
	});

	it('falls back to the address itself, the local user and the default keys without a config', () => {
		expect(resolveSshHost({host: '10.0.0.12'}, undefined, source)).toMatchObject({
			hostName: '10.0.0.12',
			user: 'op',
			port: 22,
			identityFiles: ['/home/op/.ssh/id_ed25519', '/home/op/.ssh/id_ecdsa', '/home/op/.ssh/id_rsa'],
			identityFilesConfigured: false,
			proxyJumps: [],
		});
	});

	it('parses ProxyJump hops', () => {
		expect(parseJumpHost('bastion')).toEqual({host: 'bastion', user: undefined, port: undefined});
		expect(parseJumpHost('ssh://ops@[fe80::1]:2022')).toEqual({host: 'fe80::1', user: 'ops', port: 2022});
	});

	it('refuses ProxyCommand with a pointer to ProxyJump', () => {
		const withCommand = SSHConfig.parse('Host m\n  ProxyCommand nc %h %p\n');
		expect(() => resolveSshHost({host: 'm'}, withCommand, source)).toThrow(/ProxyCommand is not supported/);
	});
});

describeWithSshd('ssh_config and ProxyJump against real sshds', () => {
	let target: Sshd;
	let bastion: Sshd;
	let closedBastion: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;

	beforeAll(async () => {
		target = await startSshd();
		bastion = await startSshd({clientKeyFrom: target});
		closedBastion = await startSshd({clientKeyFrom: target, extraConfig: ['AllowTcpForwarding no']});
		work = await tempDir('sshconfig');
		knownHosts = await knownHostsFor(work.path, target, bastion, closedBastion);
		await mkdir(join(work.path, 'home', '.ssh'), {recursive: true});
		await copyFile(target.clientKey, join(work.path, 'home', '.ssh', 'cluster_key'));
	});
	afterAll(async () => {
		await Promise.all([target?.stop(), bastion?.stop(), closedBastion?.stop()]);
		await work?.remove();
	});

	async function writeConfig(lines: string[]): Promise<string> {
		const file = join(work.path, `config.${Math.random().toString(36).slice(2)}`);
		await writeFile(file, lines.join('\n') + '\n');
		return file;
	}
	const connect = (file: string, host: string) =>
		connectSsh(
			{node: 'master1', host},
			{hostKeys: {knownHostsFile: knownHosts}, sshConfig: {file, homeDir: join(work.path, 'home')}, agentSocket: false, readyTimeoutMs: 10_000},
		);

	it('connects to an alias with HostName, User, Port and IdentityFile from the config', async () => {
		const file = await writeConfig(['Host master1', '  HostName 127.0.0.1', '  User root', `  Port ${target.port}`, '  IdentityFile ~/.ssh/cluster_key']);
		const transport = await connect(file, 'master1');
		try {
			expect(transport.user).toBe('root');
			expect((await transport.exec('echo $SSH_CONNECTION')).stdout.trim()).toMatch(new RegExp(` ${target.port}$`));
		} finally {
			await transport.close();
		}
	});

	it('goes through a ProxyJump bastion (resolved through the config too)', async () => {
		const file = await writeConfig([
			'Host master1',
			'  HostName 127.0.0.1',
			`  Port ${target.port}`,
			'  ProxyJump jumpbox',
			'Host jumpbox',
			'  HostName 127.0.0.1',
			`  Port ${bastion.port}`,
			'Host *',
			'  User root',
			'  IdentityFile ~/.ssh/cluster_key',
		]);
		const transport = await connect(file, 'master1');
		try {
			expect((await transport.exec('echo $SSH_CONNECTION')).stdout.trim()).toMatch(new RegExp(` ${target.port}$`));
			await transport.upload({content: Buffer.from('via bastion')}, join(work.path, 'via.txt'), {mode: 0o644});
			expect(execFileSync('cat', [join(work.path, 'via.txt')]).toString()).toBe('via bastion');
		} finally {
			await transport.close();
		}
	});

	it('fails through a bastion that refuses forwarding, naming the bastion', async () => {
		const file = await writeConfig([
			'Host master1',
			'  HostName 127.0.0.1',
			`  Port ${target.port}`,
			`  ProxyJump root@127.0.0.1:${closedBastion.port}`,
			'Host *',
			'  IdentityFile ~/.ssh/cluster_key',
		]);
		const error = await connect(file, 'master1').then(() => undefined, (e: unknown) => e);
		expect(formatError(error)).toMatch(new RegExp(`master1: .*127\\.0\\.0\\.1:${target.port} \\(via root@127\\.0\\.0\\.1:${closedBastion.port}\\)`));
	});
});
