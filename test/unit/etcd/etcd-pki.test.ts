import {X509Certificate, createPrivateKey} from 'node:crypto';
import {existsSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ensurePki} from '../../../source/pki/ensure.js';
import {etcdPeerStem, etcdServerStem} from '../../../source/pki/etcd-specs.js';
import {ProfileSchema, type Profile} from '../../../source/profile/schema.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {baseProfile, tempDir} from '../render/fixtures.js';
import {stackedInput, stackedProfile} from './fixtures.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function sans(pem: string): string[] {
	return (new X509Certificate(pem).subjectAltName ?? '').split(', ').sort();
}

async function stacked(profile: Profile = stackedProfile()) {
	const state = StateDir.open(join(tempDir(), 'state'));
	return {state, ...(await ensurePki(profile, state))};
}

describe('stacked etcd PKI', () => {
	it('has its own CA (CN etcd-ca): member certificates verify against it and not against the cluster CA', async () => {
		const {pki} = await stacked();
		const etcd = pki.stackedEtcd!;
		const etcdCa = new X509Certificate(etcd.ca.cert);
		const clusterCa = new X509Certificate(pki.ca.cert);
		expect(etcdCa.ca).toBe(true);
		expect(etcdCa.subject).toBe('CN=etcd-ca');
		expect(etcdCa.publicKey.equals(clusterCa.publicKey)).toBe(false);
		for (const pair of [etcd.server.master1!, etcd.peer.master2!, etcd.apiserverClient, etcd.toolClient]) {
			const cert = new X509Certificate(pair.cert);
			expect(cert.verify(etcdCa.publicKey)).toBe(true);
			expect(cert.checkIssued(etcdCa)).toBe(true);
			expect(cert.verify(clusterCa.publicKey)).toBe(false);
			expect(cert.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
		}
		// And the cluster's own certificates are not the etcd CA's.
		expect(new X509Certificate(pki.apiserver.master1!.cert).verify(etcdCa.publicKey)).toBe(false);
	});

	it('per node: a server certificate for its IP, name, 127.0.0.1 and localhost, a peer certificate for its IP and name', async () => {
		const {pki} = await stacked();
		const etcd = pki.stackedEtcd!;
		expect(Object.keys(etcd.server)).toEqual(['master1', 'master2', 'master3']);
		const server = new X509Certificate(etcd.server.master2!.cert);
		expect(server.subject).toBe('CN=master2');
		expect(sans(etcd.server.master2!.cert)).toEqual(['DNS:localhost', 'DNS:master2', 'IP Address:127.0.0.1', 'IP Address:198.18.0.12']);
		expect(server.keyUsage?.sort()).toEqual([SERVER_AUTH, CLIENT_AUTH].sort());
		const peer = new X509Certificate(etcd.peer.master2!.cert);
		expect(sans(etcd.peer.master2!.cert)).toEqual(['DNS:master2', 'IP Address:198.18.0.12']);
		expect(peer.keyUsage?.sort()).toEqual([SERVER_AUTH, CLIENT_AUTH].sort());
		expect(server.checkIP('198.18.0.13')).toBeUndefined();
	});

	it('two client certificates, clientAuth only: the apiserver\'s and the tool\'s', async () => {
		const {pki} = await stacked();
		const {apiserverClient, toolClient} = pki.stackedEtcd!;
		expect(new X509Certificate(apiserverClient.cert).subject).toBe('CN=kube-apiserver-etcd-client');
		expect(new X509Certificate(toolClient.cert).subject).toBe('CN=k8s-master-setup-etcd-client');
		for (const pem of [apiserverClient.cert, toolClient.cert]) {
			expect(new X509Certificate(pem).keyUsage).toEqual([CLIENT_AUTH]);
			expect(new X509Certificate(pem).subjectAltName).toBeUndefined();
		}
	});

	it('keeps them in the state directory, keys 0600, and a second ensure returns byte-identical material', async () => {
		const {state, pki, changes} = await stacked();
		for (const file of ['etcd/ca.pem', 'etcd/ca-key.pem', 'etcd/apiserver-etcd-client.pem', 'etcd/apiserver-etcd-client-key.pem', 'etcd/k8s-master-setup-etcd-client-key.pem', 'nodes/master1/etcd-server-key.pem', 'nodes/master3/etcd-peer.pem']) {
			expect(existsSync(state.file(file)), file).toBe(true);
			expect(statSync(state.file(file)).mode & 0o777, file).toBe(0o600);
		}
		expect(readFileSync(state.file('etcd/ca-key.pem'), 'utf8')).toBe(pki.stackedEtcd!.ca.key);
		expect(changes.map((c) => c.item)).toEqual(expect.arrayContaining(['etcd CA', 'master1 etcd server certificate', 'master3 etcd peer certificate', 'tool etcd client certificate']));
		const again = await ensurePki(stackedProfile(), state);
		expect(again.pki.stackedEtcd).toEqual(pki.stackedEtcd);
		expect(again.changes).toEqual([]);
	});

	it('re-issues only the etcd certificates of the node whose IP changed', async () => {
		const {state, pki} = await stacked();
		const nodes = baseProfile().nodes.map((n) => (n.name === 'master2' ? {...n, ip: '198.18.0.22'} : n));
		const moved = await ensurePki(ProfileSchema.parse(stackedInput({}, {nodes})), state);
		const reissued = moved.changes.filter((c) => c.action === 'reissued').map((c) => c.item);
		expect(reissued).toEqual(expect.arrayContaining(['master2 etcd server certificate', 'master2 etcd peer certificate']));
		expect(reissued.filter((i) => i.includes('etcd'))).toHaveLength(2);
		expect(sans(moved.pki.stackedEtcd!.server.master2!.cert)).toContain('IP Address:198.18.0.22');
		expect(moved.pki.stackedEtcd!.ca).toEqual(pki.stackedEtcd!.ca);
		expect(moved.pki.stackedEtcd!.server.master1).toEqual(pki.stackedEtcd!.server.master1);
		expect(moved.pki.stackedEtcd!.apiserverClient).toEqual(pki.stackedEtcd!.apiserverClient);
		expect(state.read(`${etcdServerStem('master1')}.pem`)).toBe(pki.stackedEtcd!.server.master1!.cert);
		expect(state.read(`${etcdPeerStem('master2')}.pem`)).toBe(moved.pki.stackedEtcd!.peer.master2!.cert);
	});

	it('refuses to create a new etcd CA beside member certificates it did not issue', async () => {
		const {state} = await stacked();
		state.remove('etcd/ca.pem');
		state.remove('etcd/ca-key.pem');
		await expect(ensurePki(stackedProfile(), state)).rejects.toThrow(/etcd CA that issued it .* does not/);
	});

	it('creates no etcd CA or certificate for an external etcd', async () => {
		const state = StateDir.open(join(tempDir(), 'state'));
		const {pki} = await ensurePki(ProfileSchema.parse(baseProfile()), state);
		expect(pki.stackedEtcd).toBeUndefined();
		expect(existsSync(state.file('etcd'))).toBe(false);
		expect(existsSync(state.file('nodes/master1/etcd-server.pem'))).toBe(false);
	});
});
