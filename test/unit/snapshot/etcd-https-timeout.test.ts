// A member whose machine is off: the TCP connect gets no answer at all. On loopback that is a
// listener whose accept queue is full and never drained (python3 listens without accepting):
// the kernel drops the SYNs and connect would wait out its retries. etcdPostJson's idle
// timeout must cover the connect too (etcd-https.ts), or every probe of a cluster with one
// master powered off stalls for over a minute (as `apply --forget-unreachable` did on the lab).
import {execa} from 'execa';
import {connect, type Socket} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {etcdAgent, etcdPostJson} from '../../../source/snapshot/etcd-https.js';
import {pkiFor} from './fake-etcd.js';

describe('etcdPostJson against a member that never answers the connect', () => {
	let listener: ReturnType<typeof execa> | undefined;
	let port = 0;
	const fillers: Socket[] = [];

	beforeAll(async () => {
		listener = execa('python3', ['-c', "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)"]);
		port = await new Promise<number>((resolve, reject) => {
			listener!.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
			listener!.catch(reject);
		});
		// Fill the accept queue: later SYNs are dropped, unanswered.
		for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => undefined));
		await new Promise((r) => setTimeout(r, 300));
	});

	afterAll(() => {
		for (const f of fillers) f.destroy();
		listener?.kill();
	});

	it('gives up after its idle timeout, naming the endpoint', async () => {
		const pki = pkiFor('t');
		const credentials = {ca: pki.ca, cert: pki.client.cert, key: pki.client.key, caSource: 'test', certSource: 'test'};
		const agent = etcdAgent(credentials);
		const started = Date.now();
		const error = await etcdPostJson(`https://127.0.0.1:${port}`, '/v3/maintenance/status', {agent, credentials, idleTimeoutMs: 800}).catch((e: Error) => e);
		agent.destroy();
		expect((error as Error).message).toBe(`https://127.0.0.1:${port}: no answer for 1 s`);
		expect(Date.now() - started).toBeLessThan(5000);
	}, 20_000);
});
