import {createHmac, randomBytes} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {formatError} from '../../source/errors.js';
import {checkHostKey, fingerprint, hostFieldMatches, keyTypeOf, knownHostsName, preferredHostKeyAlgorithms} from '../../source/remote/known-hosts.js';
import {SshError} from '../../source/remote/ssh-errors.js';
import {connectTo, describeWithSshd, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

function hashedField(name: string): string {
	const salt = randomBytes(20);
	return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const ed25519Blob = (seed: number) => {
	const type = Buffer.from('ssh-ed25519');
	const header = Buffer.alloc(4);
	header.writeUInt32BE(type.length);
	const keyLength = Buffer.alloc(4);
	keyLength.writeUInt32BE(32);
	return Buffer.concat([header, type, keyLength, Buffer.alloc(32, seed)]);
};

describe('known_hosts matching (no sshd needed)', () => {
	const key = ed25519Blob(1);
	const other = ed25519Blob(2);
	const line = (field: string, blob = key) => `${field} ssh-ed25519 ${blob.toString('base64')}`;

	it('prints OpenSSH-style fingerprints and reads the key type from the blob', () => {
		expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
		expect(keyTypeOf(key)).toBe('ssh-ed25519');
		expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
		expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
	});

	it('matches plain, wildcard, negated, bracketed and hashed host fields', () => {
		expect(hostFieldMatches('master1,10.0.0.1', '10.0.0.1')).toBe(true);
		expect(hostFieldMatches('10.0.0.*,!10.0.0.9', '10.0.0.9')).toBe(false);
		expect(hostFieldMatches('10.0.0.?', '10.0.0.7')).toBe(true);
		expect(hostFieldMatches('[10.0.0.1]:2222', '[10.0.0.1]:2222')).toBe(true);
		expect(hostFieldMatches('10.0.0.1', '[10.0.0.1]:2222')).toBe(false);
		expect(hostFieldMatches(hashedField('[10.0.0.1]:2222'), '[10.0.0.1]:2222')).toBe(true);
		expect(hostFieldMatches(hashedField('10.0.0.1'), '10.0.0.2')).toBe(false);
	});

	it('judges known, changed, unknown, revoked; ignores @cert-authority', () => {
		expect(checkHostKey(line('10.0.0.1'), '10.0.0.1', key)).toEqual({kind: 'known'});
		expect(checkHostKey(line('10.0.0.1', other), '10.0.0.1', key)).toMatchObject({kind: 'changed', knownFingerprint: fingerprint(other), line: 1});
		expect(checkHostKey(line('10.0.0.2'), '10.0.0.1', key)).toEqual({kind: 'unknown', otherKeyTypes: []});
		expect(checkHostKey(`${line('10.0.0.1')}\n@revoked * ssh-ed25519 ${key.toString('base64')}`, '10.0.0.1', key).kind).toBe('revoked');
		expect(checkHostKey(`@cert-authority * ssh-ed25519 ${key.toString('base64')}`, '10.0.0.1', key).kind).toBe('unknown');
		expect(checkHostKey(`# comment\n\n${line('10.0.0.1', other)}\n${line('10.0.0.1')}`, '10.0.0.1', key)).toEqual({kind: 'known'});
	});

	it('asks the server for a key type known_hosts already has', () => {
		expect(preferredHostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
		expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
	});
});

describeWithSshd('host key policy against a real sshd', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	const file = (name: string) => join(work.path, name);

	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('hostkeys');
	});
	afterAll(async () => {
		await sshd?.stop();
		await work?.remove();
	});

	it('connects when the [127.0.0.1]:PORT entry matches, plain or hashed', async () => {
		const [type, base64] = sshd.hostPublicKey.split(' ');
		for (const field of [`[127.0.0.1]:${sshd.port}`, hashedField(`[127.0.0.1]:${sshd.port}`)]) {
			const knownHosts = file(`kh-${field.length}`);
			await writeFile(knownHosts, `${field} ${type} ${base64}\n`);
			const transport = await connectTo(sshd, 'root', knownHosts);
			try {
				// Connected to that sshd, past the host key check: a command runs there.
				expect((await transport.exec('echo "connected as $(id -un)"')).stdout.trim(), field).toBe('connected as root');
			} finally {
				await transport.close();
			}
		}
	});

	it('does not take a port-22 entry for another port', async () => {
		const knownHosts = file('kh-port22');
		await writeFile(knownHosts, `127.0.0.1 ${sshd.hostPublicKey}\n`);
		await expect(connectTo(sshd, 'root', knownHosts)).rejects.toMatchObject({kind: 'host-key-unknown'});
	});

	it('refuses an unknown host without a flag, naming the fingerprint and the next step', async () => {
		const knownHosts = file('kh-empty');
		const error = await connectTo(sshd, 'root', knownHosts).then(() => undefined, (e: unknown) => e);
		expect(error).toBeInstanceOf(SshError);
		const text = formatError(error);
		expect(text).toContain(`master1: the host [127.0.0.1]:${sshd.port} is not in ${knownHosts}`);
		expect(text).toContain(fingerprint(sshd.hostKeyBlob));
		expect(text).toContain('--accept-new-host-keys');
	});

	it('with acceptNewHostKeys records a hashed entry, which the next run trusts', async () => {
		const knownHosts = file('kh-accept');
		const first = await connectTo(sshd, 'root', knownHosts, {hostKeys: {knownHostsFile: knownHosts, acceptNewHostKeys: true}});
		await first.close();
		const recorded = await readFile(knownHosts, 'utf8');
		expect(recorded).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 AAAA/);
		expect(recorded).not.toContain('127.0.0.1');
		const second = await connectTo(sshd, 'root', knownHosts);
		await second.close();
	});

	it('asks confirmHostKey, and honours its answer', async () => {
		const asked: string[][] = [];
		const no = file('kh-no');
		await expect(
			connectTo(sshd, 'root', no, {
				hostKeys: {knownHostsFile: no, confirmHostKey: async (...args) => (asked.push(args), false)},
			}),
		).rejects.toMatchObject({kind: 'host-key-unknown'});
		expect(asked).toEqual([[`[127.0.0.1]:${sshd.port}`, 'ssh-ed25519', fingerprint(sshd.hostKeyBlob)]]);

		const yes = file('kh-yes');
		const transport = await connectTo(sshd, 'root', yes, {hostKeys: {knownHostsFile: yes, confirmHostKey: async () => true}});
		await transport.close();
		expect(await readFile(yes, 'utf8')).toContain('ssh-ed25519');
	});

	it('refuses a changed key even with acceptNewHostKeys, naming host, type and both fingerprints', async () => {
		const knownHosts = file('kh-changed');
		const stale = ed25519Blob(7);
		await writeFile(knownHosts, `${hashedField(`[127.0.0.1]:${sshd.port}`)} ssh-ed25519 ${stale.toString('base64')}\n`);
		const error = await connectTo(sshd, 'root', knownHosts, {hostKeys: {knownHostsFile: knownHosts, acceptNewHostKeys: true}}).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect((error as SshError).kind).toBe('host-key-changed');
		const text = formatError(error);
		expect(text).toContain(`[127.0.0.1]:${sshd.port}`);
		expect(text).toContain('ssh-ed25519');
		expect(text).toContain(fingerprint(stale));
		expect(text).toContain(fingerprint(sshd.hostKeyBlob));
		expect(text).toContain('ssh-keygen -R');
		expect(await readFile(knownHosts, 'utf8')).not.toContain(sshd.hostPublicKey.split(' ')[1]!); // nothing recorded
	});

	it('with --accept-changed-host-key for that node (a master reinstalled on purpose) replaces the key, telling both fingerprints', async () => {
		const knownHosts = file('kh-replaced');
		const stale = ed25519Blob(8);
		const keep = `other.example ssh-ed25519 ${ed25519Blob(9).toString('base64')}`;
		await writeFile(knownHosts, `${keep}\n${hashedField(`[127.0.0.1]:${sshd.port}`)} ssh-ed25519 ${stale.toString('base64')}\n`);
		// Another node named: still refused.
		const other = await connectTo(sshd, 'root', knownHosts, {hostKeys: {knownHostsFile: knownHosts, acceptChangedHostKeyOf: ['master2']}}).then(() => undefined, (e: unknown) => e);
		expect((other as SshError).kind).toBe('host-key-changed');
		const said: string[] = [];
		const transport = await connectTo(sshd, 'root', knownHosts, {hostKeys: {knownHostsFile: knownHosts, acceptChangedHostKeyOf: ['master1'], onChangedKeyAccepted: (m) => said.push(m)}});
		await transport.close();
		expect(said).toEqual([expect.stringContaining(`known_hosts had ${fingerprint(stale)}, it presents ${fingerprint(sshd.hostKeyBlob)}`)]);
		const text = await readFile(knownHosts, 'utf8');
		expect(text).not.toContain(stale.toString('base64'));
		expect(text.split('\n')[0]).toBe(keep);
		// The next run trusts it without the flag.
		await (await connectTo(sshd, 'root', knownHosts)).close();
	});
});
