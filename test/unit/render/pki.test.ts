import {execFileSync} from 'node:child_process';
import {X509Certificate, createPrivateKey} from 'node:crypto';
import {existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ensurePki} from '../../../source/pki/ensure.js';
import {generateEcKeyPair} from '../../../source/pki/keys.js';
import {createCaCertificate, issueCertificate} from '../../../source/pki/x509.js';
import {ProfileSchema} from '../../../source/profile/schema.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {baseProfile, hasOpenssl, tempDir} from './fixtures.js';
import {cannotRun} from '../../require-or-skip.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

async function setup(overrides = {}) {
	const profile = ProfileSchema.parse(baseProfile({apiserver: {extraSans: ['k8s.example.com', '198.18.0.100']}, ...overrides}));
	const dir = tempDir();
	const state = StateDir.open(join(dir, 'state'));
	return {profile, dir, state, ...(await ensurePki(profile, state))};
}

function subjectOf(pem: string) {
	return new X509Certificate(pem).subject.split('\n');
}

describe('PKI', () => {
	it('issues each master an apiserver certificate with its own address and the shared SANs, signed by the CA, matching its key', async () => {
		const {pki} = await setup();
		const ca = new X509Certificate(pki.ca.cert);
		expect(ca.ca).toBe(true);
		for (const [node, ip] of [['master1', '198.18.0.11'], ['master2', '198.18.0.12'], ['master3', '198.18.0.13']] as const) {
			const pair = pki.apiserver[node]!;
			const cert = new X509Certificate(pair.cert);
			expect(cert.verify(ca.publicKey)).toBe(true);
			expect(cert.checkIssued(ca)).toBe(true);
			expect(cert.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
			expect(subjectOf(pair.cert)).toEqual(['CN=kubernetes-master']);
			for (const shared of ['127.0.0.1', ip, '10.254.0.1', '198.18.0.100']) expect(cert.checkIP(shared), `${node} ${shared}`).toBe(shared);
			for (const host of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.cluster.local', 'k8s.example.com', node]) {
				expect(cert.checkHost(host, {subject: 'never'}), host).toBe(host);
			}
			// Not the other masters': adding or removing one leaves this certificate alone.
			for (const other of ['198.18.0.11', '198.18.0.12', '198.18.0.13', '198.18.0.14'].filter((o) => o !== ip)) expect(cert.checkIP(other), `${node} ${other}`).toBeUndefined();
			expect(cert.subjectAltName).not.toMatch(/cluster\.local\./);
			expect(cert.keyUsage).toEqual(expect.arrayContaining([SERVER_AUTH, CLIENT_AUTH]));
		}
	});

	it('issues per-node controller-manager and scheduler certs that serve on the node IP and identify the component', async () => {
		const {pki} = await setup();
		const ca = new X509Certificate(pki.ca.cert);
		for (const component of ['controllerManager', 'scheduler'] as const) {
			const name = component === 'controllerManager' ? 'system:kube-controller-manager' : 'system:kube-scheduler';
			for (const [node, ip] of [['master1', '198.18.0.11'], ['master2', '198.18.0.12']]) {
				const pair = pki[component][node!]!;
				const cert = new X509Certificate(pair.cert);
				expect(cert.verify(ca.publicKey)).toBe(true);
				expect(cert.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
				expect(subjectOf(pair.cert).sort()).toEqual([`CN=${name}`, `O=${name}`].sort());
				expect(cert.checkIP(ip!)).toBe(ip);
				expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
				expect(cert.keyUsage).toEqual(expect.arrayContaining([SERVER_AUTH, CLIENT_AUTH]));
			}
		}
	});

	it('issues proxy-client (CN aggregator) and admin (O system:masters) client certs and a separate service-account key', async () => {
		const {pki} = await setup();
		const ca = new X509Certificate(pki.ca.cert);
		const proxy = new X509Certificate(pki.proxyClient.cert);
		expect(subjectOf(pki.proxyClient.cert)).toEqual(['CN=aggregator']);
		expect(proxy.keyUsage).toEqual([CLIENT_AUTH]);
		// Signed by the front-proxy CA alone: the cluster CA's certificates cannot pose as the aggregator.
		const frontProxy = new X509Certificate(pki.frontProxyCa.cert);
		expect(frontProxy.ca).toBe(true);
		expect(proxy.verify(frontProxy.publicKey)).toBe(true);
		expect(proxy.verify(ca.publicKey)).toBe(false);
		expect(frontProxy.publicKey.equals(ca.publicKey)).toBe(false);
		for (const other of [pki.apiserver.master1!, pki.admin, pki.controllerManager.master1!, pki.scheduler.master1!]) {
			expect(new X509Certificate(other.cert).verify(frontProxy.publicKey)).toBe(false);
		}
		const admin = new X509Certificate(pki.admin.cert);
		expect(subjectOf(pki.admin.cert).sort()).toEqual(['CN=admin', 'O=system:masters']);
		expect(admin.checkPrivateKey(createPrivateKey(pki.admin.key))).toBe(true);
		expect(pki.serviceAccount.privateKey).not.toBe(pki.ca.key);
		expect(ca.checkPrivateKey(createPrivateKey(pki.serviceAccount.privateKey))).toBe(false);
		expect(Buffer.from(pki.encryptionKey, 'base64')).toHaveLength(32);
	});

	it.skipIf(cannotRun('pki.test.ts (openssl verify)', hasOpenssl() ? undefined : 'the openssl command is not installed (Debian package openssl)'))('certificates pass openssl verify and carry the expected extensions', async () => {
		const {pki, dir} = await setup();
		writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
		for (const [name, pem] of [['apiserver', pki.apiserver.master1!.cert], ['cm', pki.controllerManager.master1!.cert], ['admin', pki.admin.cert]] as const) {
			writeFileSync(join(dir, `${name}.pem`), pem);
			expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, `${name}.pem`)], {encoding: 'utf8'})).toContain(': OK');
		}
		const text = execFileSync('openssl', ['x509', '-in', join(dir, 'apiserver.pem'), '-noout', '-text'], {encoding: 'utf8'});
		expect(text).toContain('CA:FALSE');
		expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
		expect(text).toContain('DNS:kubernetes.default.svc.cluster.local');
		expect(text).toContain('IP Address:10.254.0.1');
		expect(text).toContain('X509v3 Authority Key Identifier');
	});

	it('keeps everything on a second run, files 0600 in a 0700 directory', async () => {
		const first = await setup();
		const again = await ensurePki(first.profile, first.state);
		expect(again.changes).toEqual([]);
		expect(again.pki).toEqual(first.pki);
		expect(statSync(first.state.path).mode & 0o777).toBe(0o700);
		for (const f of readdirSync(first.state.path, {withFileTypes: true})) {
			if (f.isFile()) expect(statSync(join(first.state.path, f.name)).mode & 0o777, f.name).toBe(0o600);
		}
	});

	it('remembers verified certificates, yet still re-issues one whose key or signer changed', async () => {
		const first = await setup();
		expect(existsSync(join(first.state.path, 'pki-verified.json'))).toBe(true);
		// Another valid key in place of the admin key: the remembered check must not hide it.
		writeFileSync(join(first.state.path, 'admin-key.pem'), generateEcKeyPair().privateKey);
		// A certificate (with its own key) that the profile's CA did not sign.
		const otherKey = generateEcKeyPair().privateKey;
		writeFileSync(join(first.state.path, 'proxy-client.pem'), createCaCertificate('other', otherKey, 30));
		writeFileSync(join(first.state.path, 'proxy-client-key.pem'), otherKey);
		const {changes} = await ensurePki(first.profile, first.state);
		expect(changes.map((c) => `${c.action} ${c.item}: ${c.reason}`).sort()).toEqual([
			'reissued admin certificate: the stored key does not match the certificate',
			expect.stringMatching(/^reissued proxy-client certificate: /),
		]);
		expect((await ensurePki(first.profile, first.state)).changes).toEqual([]);
	});

	it('moves a state directory from before the front-proxy CA to it: the proxy-client certificate is re-issued from it, nothing else', async () => {
		const first = await setup();
		// As an older version left it: proxy-client signed by the cluster CA, no front-proxy CA.
		const keys = generateEcKeyPair();
		writeFileSync(join(first.state.path, 'proxy-client.pem'), issueCertificate({commonName: 'aggregator', clientAuth: true, validityDays: 365}, keys.publicKey, {certPem: first.pki.ca.cert, keyPem: first.pki.ca.key}));
		writeFileSync(join(first.state.path, 'proxy-client-key.pem'), keys.privateKey);
		for (const f of ['front-proxy-ca.pem', 'front-proxy-ca-key.pem']) rmSync(join(first.state.path, f));
		const {pki, changes} = await ensurePki(first.profile, first.state);
		expect(changes.map((c) => `${c.action} ${c.item}`).sort()).toEqual(['created front-proxy CA', 'reissued proxy-client certificate']);
		expect(new X509Certificate(pki.proxyClient.cert).verify(new X509Certificate(pki.frontProxyCa.cert).publicKey)).toBe(true);
		expect(pki.ca).toEqual(first.pki.ca);
		expect(pki.apiserver).toEqual(first.pki.apiserver);
	});

	it('a new node creates only its own certificates: no other master\'s is re-issued', async () => {
		const first = await setup();
		const grown = ProfileSchema.parse({...baseProfile({apiserver: {extraSans: ['k8s.example.com', '198.18.0.100']}}), nodes: [...baseProfile().nodes, {name: 'master4', ip: '198.18.0.14'}]});
		const {pki, changes} = await ensurePki(grown, first.state);
		expect(changes.map((c) => `${c.action} ${c.item}`).sort()).toEqual(
			['created master4 apiserver certificate', 'created master4 kube-controller-manager certificate', 'created master4 kube-scheduler certificate'].sort(),
		);
		expect(new X509Certificate(pki.apiserver.master4!.cert).checkIP('198.18.0.14')).toBe('198.18.0.14');
		for (const node of ['master1', 'master2', 'master3']) expect(pki.apiserver[node], node).toEqual(first.pki.apiserver[node]);
		expect(pki.controllerManager.master1).toEqual(first.pki.controllerManager.master1);
		expect(pki.ca).toEqual(first.pki.ca);
	});

	it('a shared name (an extra SAN) re-issues every master\'s apiserver certificate, keeping a backup of each', async () => {
		const first = await setup();
		const changed = ProfileSchema.parse(baseProfile({apiserver: {extraSans: ['k8s.example.com', '198.18.0.100', 'lb.example.com']}}));
		const {changes} = await ensurePki(changed, first.state);
		expect(changes.map((c) => `${c.action} ${c.item}`)).toEqual(['master1', 'master2', 'master3'].map((n) => `reissued ${n} apiserver certificate`));
		expect(readdirSync(join(first.state.path, 'backup')).filter((f) => f.endsWith('kube-apiserver.pem'))).toHaveLength(3);
	});

	it('re-issues a certificate close to expiry but never replaces the CA or the encryption key', async () => {
		const first = await setup();
		const later = new Date(Date.now() + 340 * 86_400_000);
		const {changes, pki} = await ensurePki(first.profile, first.state, later);
		expect(changes.length).toBeGreaterThan(0);
		expect(changes.every((c) => c.action === 'reissued' && /expires in/.test(c.reason ?? ''))).toBe(true);
		expect(pki.ca).toEqual(first.pki.ca);
		expect(pki.encryptionKey).toBe(first.pki.encryptionKey);
	});

	it('signs with a CA brought by the user, RSA included', async () => {
		const dir = tempDir();
		if (hasOpenssl()) {
			execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca-key.pem'), '-out', join(dir, 'ca.pem'), '-days', '30', '-subj', '/CN=user-ca'], {stdio: 'pipe'});
		} else {
			const keys = generateEcKeyPair();
			writeFileSync(join(dir, 'ca-key.pem'), keys.privateKey);
			writeFileSync(join(dir, 'ca.pem'), createCaCertificate('user-ca', keys.privateKey, 30));
		}
		const profile = ProfileSchema.parse(baseProfile({pki: {caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), certValidityDays: 20}}));
		const state = StateDir.open(join(dir, 'state'));
		const {pki} = await ensurePki(profile, state);
		const ca = new X509Certificate(pki.ca.cert);
		expect(new X509Certificate(pki.apiserver.master1!.cert).verify(ca.publicKey)).toBe(true);
		expect(new X509Certificate(pki.apiserver.master1!.cert).issuer).toBe('CN=user-ca');
		if (hasOpenssl()) {
			// OpenSSL builds the chain through the key identifiers too: AKI must equal the CA's SKI.
			writeFileSync(join(dir, 'leaf.pem'), pki.apiserver.master1!.cert);
			expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], {encoding: 'utf8'})).toContain('OK');
			const text = (pem: string) => execFileSync('openssl', ['x509', '-noout', '-text'], {input: pem, encoding: 'utf8'});
			const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text(pki.ca.cert))?.[1];
			expect(ski).toBeDefined();
			expect(text(pki.apiserver.master1!.cert)).toMatch(new RegExp(`Authority Key Identifier:\\s*\\n\\s*(keyid:)?${ski}`));
		}
		expect(existsSync(join(state.path, 'ca.pem'))).toBe(false);
		// The brought CA keeps its role for the cluster's certificates; the front-proxy CA is the tool's own, kept.
		const frontProxy = new X509Certificate(pki.frontProxyCa.cert);
		expect(frontProxy.subject).toBe('CN=front-proxy-ca');
		expect(new X509Certificate(pki.proxyClient.cert).verify(frontProxy.publicKey)).toBe(true);
		expect(new X509Certificate(pki.proxyClient.cert).verify(ca.publicKey)).toBe(false);
		expect(readFileSync(join(state.path, 'front-proxy-ca.pem'), 'utf8')).toBe(pki.frontProxyCa.cert);
		expect((await ensurePki(profile, state)).pki.frontProxyCa).toEqual(pki.frontProxyCa);
	});

	it('issues from two CAs in turn, each certificate naming and signed by its own CA', () => {
		// Two CAs with the same name: only the key identifiers and signatures tell them apart,
		// so a CA parsed once and reused for the other would show here.
		const cas = [generateEcKeyPair(), generateEcKeyPair()].map((k) => ({certPem: createCaCertificate('kubernetes-ca', k.privateKey, 30), keyPem: k.privateKey}));
		for (const signer of [cas[0]!, cas[1]!, cas[0]!, cas[1]!]) {
			const leaf = new X509Certificate(issueCertificate({commonName: 'admin', clientAuth: true, validityDays: 10}, generateEcKeyPair().publicKey, signer));
			const ca = new X509Certificate(signer.certPem);
			const other = new X509Certificate((signer === cas[0] ? cas[1] : cas[0])!.certPem);
			expect(leaf.verify(ca.publicKey)).toBe(true);
			expect(leaf.verify(other.publicKey)).toBe(false);
			expect(leaf.checkIssued(ca)).toBe(true);
			expect(leaf.checkIssued(other)).toBe(false);
		}
	});

	it('lets other work run between certificates while a first run issues them', async () => {
		// SSH handshakes begun beside the preparation progress meanwhile: count the turns the
		// event loop gets while the PKI of a fresh state directory is made.
		let turns = 0;
		let stop = false;
		const tick = () => {
			turns++;
			if (!stop) setImmediate(tick);
		};
		setImmediate(tick);
		const {changes} = await ensurePki(ProfileSchema.parse(baseProfile()), StateDir.open(join(tempDir(), 'state')));
		stop = true;
		const issued = changes.filter((c) => c.action === 'created' && /certificate/.test(c.item)).length;
		expect(issued).toBeGreaterThanOrEqual(5);
		expect(turns).toBeGreaterThanOrEqual(issued);
	});
});

describe('a CA the tool created and kept, near its end', () => {
	// A state directory whose kept CA (or front-proxy CA) has `caDays` days left.
	function stateWithCa(stem: 'ca' | 'front-proxy-ca', caDays: number) {
		const state = StateDir.open(join(tempDir(), 'state'));
		const keys = generateEcKeyPair();
		state.write(`${stem}-key.pem`, keys.privateKey);
		state.write(`${stem}.pem`, createCaCertificate(stem === 'ca' ? 'kubernetes-ca' : 'front-proxy-ca', keys.privateKey, caDays));
		return state;
	}

	for (const [stem, item] of [['ca', 'the CA'], ['front-proxy-ca', 'the front-proxy CA']] as const) {
		it(`${item}: refused when it ends before the leaves it would issue, naming pki.certValidityDays and what fits`, async () => {
			const state = stateWithCa(stem, 100);
			const profile = ProfileSchema.parse(baseProfile());
			const refused = await ensurePki(profile, state).then(
				() => undefined,
				(error: unknown) => error,
			);
			expect(refused).toMatchObject({name: 'UserError', exitCode: 2});
			expect((refused as Error).message).toMatch(new RegExp(`^pki\\.certValidityDays: ${item} in .*${stem}\\.pem expires on .*pki\\.certValidityDays: 365`));
			expect((refused as {hint: string}).hint).toMatch(/at most 99\b/);
			// Nothing was issued with it.
			expect(state.read('kubernetes.pem')).toBeUndefined();
		});

		it(`${item}: accepted when the leaves fit inside it`, async () => {
			const state = stateWithCa(stem, 100);
			const profile = ProfileSchema.parse(baseProfile({pki: {certValidityDays: 99}}));
			const {pki} = await ensurePki(profile, state);
			const leaf = new X509Certificate(stem === 'ca' ? pki.apiserver.master1!.cert : pki.proxyClient.cert);
			expect(new Date(leaf.validTo) <= new Date(new X509Certificate(state.read(`${stem}.pem`)!).validTo)).toBe(true);
		});
	}
});
