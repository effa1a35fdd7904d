import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {mkdir, rm, writeFile} from 'node:fs/promises';
import {userInfo} from 'node:os';
import {dirname, join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {NodePlan} from '../../source/plan/types.js';
import {ProfileSchema, type Profile} from '../../source/profile/schema.js';
import type {Transport} from '../../source/remote/transport.js';
import {gatherPreflight} from '../../source/run/preflight.js';
import {readRemoteState} from '../../source/run/remote-state.js';
import {connectTo, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

// What `apply --dry-run` runs on a node (preflight, reading the remote state and files) with
// a profile that tries to run commands through its values. The profile is built past the
// schema (which may refuse such values): this checks the quoting, not the validation.
describeWithSshd('a dry run with hostile profile values against a real sshd', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let transport: Transport;
	let marker: string;
	/** A host cannot hold a '/': its command makes a file in the login's home directory (root's), by bash brace expansion. */
	const homeMarkerName = `k8s-master-setup-hostile-${process.pid}`;
	const homeMarker = join(userInfo().homedir, homeMarkerName);

	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('hostile');
		marker = join(work.path, 'MARKER');
		transport = await connectTo(sshd, 'root', await knownHostsFor(work.path, sshd));
	});
	afterAll(async () => {
		await transport?.close();
		await sshd?.stop();
		await work?.remove();
		await rm(homeMarker, {force: true});
	});

	function hostileProfile(): Profile {
		const profile = ProfileSchema.parse({name: 'hostile', kubernetesVersion: '1.37', binaries: '/tmp/bin', nodes: [{name: 'm1', ip: '198.18.0.11'}], etcd: {endpoints: ['https://127.0.0.1:2379']}});
		return {
			...profile,
			etcd: {
				...profile.etcd,
				apiserverEndpoints: 'all',
				endpoints: [`https://127.0.0.1:2379/$(touch ${marker})`, `https://a;{}$(cd;{touch,${homeMarkerName}})b:2379`, `https://127.0.0.1:1/\`touch ${marker}\``],
			},
			paths: {...profile.paths, binDir: `${work.path}/bin'; touch ${marker}; '`, certDir: `${work.path}/cert'$(touch ${marker})'`},
		};
	}

	it('runs nothing from an etcd endpoint, a host or a path', async () => {
		const profile = hostileProfile();
		const facts = await gatherPreflight(transport, profile, profile.nodes[0]!);
		expect(facts.arch).not.toBe(''); // the script ran
		expect(facts.availableKib).toBeGreaterThan(0); // the quoted binDir was walked up to an existing directory
		expect([...facts.etcd.values()]).toEqual([false, false, false]);
		expect(existsSync(marker), `${marker} was created: a profile value ran as a command`).toBe(false);
		expect(existsSync(homeMarker), `${homeMarker} was created: an etcd host ran as a command`).toBe(false);
	});

	it('reads the state, hashes and content of files at hostile paths without running them', async () => {
		const certDir = hostileProfile().paths.certDir;
		const present = `${certDir}/ca'; touch ${marker}; '.pem`;
		await mkdir(dirname(present), {recursive: true}); // the marker's own slashes make directories
		await writeFile(present, 'cert\n');
		const plan: NodePlan = {
			node: hostileProfile().nodes[0]!,
			directories: [],
			files: [present, `${certDir}/$(touch ${marker}).pem`].map((path) => ({path, mode: 0o644, step: 'certificates', sha256: '0'.repeat(64), size: 1, secret: false, services: []})),
		};
		const state = await readRemoteState(transport, plan);
		expect(state.hashes.get(present)).toBe(createHash('sha256').update('cert\n').digest('hex'));
		expect(state.hashes.get(plan.files[1]!.path)).toBeUndefined();
		expect((await transport.readFile(present))?.toString()).toBe('cert\n');
		expect(existsSync(marker), `${marker} was created: a path ran as a command`).toBe(false);
	});
});
