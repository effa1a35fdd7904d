import {execFileSync} from 'node:child_process';
import {createServer, type Server} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ProfileSchema} from '../../source/profile/schema.js';
import {parsePreflight, preflightScript} from '../../source/run/preflight.js';
import {withNodeIps} from './loopback-nodes.js';

// The script as a node's shell runs it (here: this machine's sh), against a port that
// listens and one that does not.
describe('preflight script', () => {
	let server: Server;
	let open = 0;
	let closed = 0;
	beforeAll(async () => {
		server = createServer((socket) => socket.destroy());
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		open = (server.address() as {port: number}).port;
		const probe = createServer();
		await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
		closed = (probe.address() as {port: number}).port;
		await new Promise((resolve) => probe.close(resolve));
	});
	afterAll(() => server.close());

	/** The script run for a one-node profile, parsed. */
	const factsOf = (nodeIp: string, endpoints: string[]) => {
		const profile = withNodeIps(ProfileSchema.parse({name: 't', kubernetesVersion: '1.37', binaries: '/tmp/bin', nodes: [{name: 'm1', ip: '198.51.100.1'}], etcd: {endpoints}}), [nodeIp]);
		return parsePreflight(execFileSync('sh', ['-c', preflightScript(profile, profile.nodes[0]!)], {encoding: 'utf8'}));
	};

	it('says which etcd endpoints accept a connection, and the node facts', () => {
		const facts = factsOf('198.18.0.11', [`https://127.0.0.1:${open}`, `https://127.0.0.1:${closed}`, `https://localhost:${open}`]);
		expect([...facts.etcd]).toEqual(expect.arrayContaining([
			[`https://127.0.0.1:${open}`, true],
			[`https://127.0.0.1:${closed}`, false],
			[`https://localhost:${open}`, true],
		]));
		expect(facts.etcd.size).toBe(3);
		expect(facts.arch).toBe(execFileSync('uname', ['-m'], {encoding: 'utf8'}).trim());
		expect(facts.epochSeconds).toBeGreaterThan(0);
		expect(facts.availableKib).toBeGreaterThan(0);
	});

	it("probes only the node's own etcd member when its apiserver is given that one", () => {
		const facts = factsOf('127.0.0.1', [`https://127.0.0.1:${open}`, `https://localhost:${closed}`]);
		expect([...facts.etcd]).toEqual([[`https://127.0.0.1:${open}`, true]]);
	});
});

describe('preflight script: the release of each installed component', () => {
	it('reads what each binary in paths.binDir reports, and none for a missing one', async () => {
		const {mkdtempSync, writeFileSync, rmSync} = await import('node:fs');
		const {join} = await import('node:path');
		const {tmpdir} = await import('node:os');
		const dir = mkdtempSync(join(tmpdir(), "bin it's-"));
		try {
			for (const c of ['kube-apiserver', 'kube-controller-manager']) writeFileSync(join(dir, c), '#!/bin/sh\n[ "$1" = --version ] && echo "Kubernetes v1.36.3"\n', {mode: 0o755});
			const base = ProfileSchema.parse({name: 't', kubernetesVersion: '1.37', binaries: '/tmp/bin', nodes: [{name: 'm1', ip: '198.51.100.1'}], etcd: {endpoints: ['https://198.51.100.1:2379']}});
			const profile = {...base, etcd: {...base.etcd, endpoints: []}, paths: {...base.paths, binDir: dir}};
			const facts = parsePreflight(execFileSync('sh', ['-c', preflightScript(profile, profile.nodes[0]!)], {encoding: 'utf8'}));
			expect(Object.fromEntries(facts.versions)).toEqual({'kube-apiserver': 'v1.36.3', 'kube-controller-manager': 'v1.36.3', 'kube-scheduler': undefined});
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});

	it("reads a running service's own executable, not the binary an upload has since put in its place", async () => {
		const {mkdtempSync, writeFileSync, rmSync} = await import('node:fs');
		const {join} = await import('node:path');
		const {tmpdir} = await import('node:os');
		const {spawn} = await import('node:child_process');
		const dir = mkdtempSync(join(tmpdir(), 'bin-'));
		// The "running apiserver" is a sleep process: its executable answers --version as
		// coreutils does ("sleep (GNU coreutils) 9.1"), which tells it from the file in binDir.
		const running = spawn('sleep', ['30']);
		try {
			for (const c of ['kube-apiserver', 'kube-controller-manager']) writeFileSync(join(dir, c), '#!/bin/sh\n[ "$1" = --version ] && echo "Kubernetes v1.37.2"\n', {mode: 0o755});
			writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\n[ "$1 $2 $3 $4" = "show -p MainPID --value" ] || exit 1\ncase $5 in kube-apiserver) echo ${running.pid};; *) echo 0;; esac\n`, {mode: 0o755});
			const base = ProfileSchema.parse({name: 't', kubernetesVersion: '1.37', binaries: '/tmp/bin', nodes: [{name: 'm1', ip: '198.51.100.1'}], etcd: {endpoints: ['https://198.51.100.1:2379']}});
			const profile = {...base, etcd: {...base.etcd, endpoints: []}, paths: {...base.paths, binDir: dir}};
			const facts = parsePreflight(execFileSync('sh', ['-c', preflightScript(profile, profile.nodes[0]!)], {encoding: 'utf8', env: {...process.env, PATH: `${dir}:${process.env.PATH}`}}));
			expect(Object.fromEntries(facts.versions)).toEqual({'kube-apiserver': '(GNU', 'kube-controller-manager': 'v1.37.2', 'kube-scheduler': undefined});
		} finally {
			running.kill();
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
