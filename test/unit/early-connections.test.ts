import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {openEarly} from '../../source/cli/shared/early-connections.js';
import {ProfileSchema} from '../../source/profile/schema.js';

// A node that accepts TCP and never says a word: the SSH handshake waits (20 s by default).
describe('connections opened while the plan is prepared', () => {
	let server: Server;
	let port = 0;
	const sockets: Socket[] = [];
	const closed: boolean[] = [];
	let dir = '';
	beforeAll(async () => {
		server = createServer((socket) => {
			const i = sockets.push(socket) - 1;
			closed[i] = false;
			socket.on('close', () => (closed[i] = true));
			socket.on('error', () => undefined);
			socket.resume(); // read, so the client's FIN is seen
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as {port: number}).port;
		dir = mkdtempSync(join(tmpdir(), 'early-'));
		writeFileSync(join(dir, 'known_hosts'), '');
	});
	afterAll(() => {
		for (const s of sockets) s.destroy();
		server.close();
		rmSync(dir, {recursive: true, force: true});
	});

	const profile = () =>
		ProfileSchema.parse({
			name: 't',
			kubernetesVersion: '1.37',
			binaries: '/tmp/bin',
			// Both reached on loopback through ssh.host (a node's own address may not be loopback).
			nodes: [{name: 'm1', ip: '198.51.100.1', ssh: {host: '127.0.0.1'}}, {name: 'm2', ip: '198.51.100.2', ssh: {host: '127.0.0.1'}}],
			ssh: {user: 'root', port},
			etcd: {endpoints: ['https://127.0.0.1:2379']},
		});

	it('gives up the handshakes nobody took at once, instead of holding the exit for the timeout', async () => {
		const early = openEarly(profile(), {knownHosts: join(dir, 'known_hosts')});
		const taken = early.take('m1');
		expect(taken).toBeDefined();
		expect(early.take('m1')).toBeUndefined(); // once only: a reconnect makes a new connection
		taken?.catch(() => undefined);
		while (sockets.length < 2) await new Promise((r) => setTimeout(r, 20));
		const started = Date.now();
		await early.closeUntaken();
		// Well under the 20 s handshake timeout it would otherwise wait for.
		const waited = Date.now() - started;
		expect(waited, `closeUntaken took ${waited} ms`).toBeLessThan(5000);
		// m2's connection (untaken) is closed; m1's (taken) is the runner's and still waits.
		await vi.waitFor(() => expect(closed.filter(Boolean)).toHaveLength(1), {timeout: 5000, interval: 20});
		expect(early.take('m2')).toBeUndefined();
	});
});
