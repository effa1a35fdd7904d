import {X509Certificate, createPrivateKey} from 'node:crypto';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {buildPlan} from '../../../source/plan/build-plan.js';
import type {Binaries} from '../../../source/plan/binaries.js';
import {ensurePki} from '../../../source/pki/ensure.js';
import {ProfileSchema} from '../../../source/profile/schema.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {baseProfile, tempDir} from './fixtures.js';

const binaries: Binaries = {
	release: 'v1.35.0',
	acceptedFlags: {},
	files: Object.fromEntries(
		['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((n) => [n, {localPath: `/bin/${n}`, sha256: 'ab'.repeat(32), size: 10}]),
	) as Binaries['files'],
};

async function plan(overrides: Parameters<typeof baseProfile>[0] = {}) {
	const profile = ProfileSchema.parse(baseProfile(overrides));
	const {pki} = await ensurePki(profile, StateDir.open(join(tempDir(), 'state')));
	return {profile, pki, plan: buildPlan(profile, pki, binaries)};
}

const text = (p: ReturnType<typeof plan>['plan'], node: number, path: string) => {
	const file = p.nodes[node]!.files.find((f) => f.path === path);
	if (!file?.content) throw new Error(`${path} not planned`);
	return file.content.toString('utf8');
};

function checkKubeconfig(yamlText: string, server: string, user: string, caPem: string, context = user) {
	const config = parse(yamlText);
	expect(config).toMatchObject({apiVersion: 'v1', kind: 'Config', 'current-context': context});
	expect(config.clusters[0].cluster.server).toBe(server);
	const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
	expect(ca).toBe(caPem);
	const u = config.users.find((x: {name: string}) => x.name === user).user;
	const cert = new X509Certificate(Buffer.from(u['client-certificate-data'], 'base64'));
	const key = createPrivateKey(Buffer.from(u['client-key-data'], 'base64'));
	expect(cert.checkPrivateKey(key)).toBe(true);
	expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
	return cert;
}

describe('rendered artifacts', () => {
	it('encryption-config.yaml: EncryptionConfiguration v1, secretbox under a key named for the day it was made, then identity, 0600 secret', async () => {
		const {plan: p, pki} = await plan();
		const config = parse(text(p, 0, '/etc/kubernetes/encryption-config.yaml'));
		expect(config.apiVersion).toBe('apiserver.config.k8s.io/v1');
		expect(config.kind).toBe('EncryptionConfiguration');
		expect(config.resources[0].resources).toEqual(['secrets']);
		expect(Object.keys(config.resources[0].providers[0])).toEqual(['secretbox']);
		expect(config.resources[0].providers[0].secretbox.keys).toEqual([{name: expect.stringMatching(/^key-\d{8}$/), secret: pki.encryptionKey}]);
		expect(pki.encryption).toEqual({provider: 'secretbox', keyName: config.resources[0].providers[0].secretbox.keys[0].name});
		expect(config.resources[0].providers[1]).toEqual({identity: {}});
		const file = p.nodes[0]!.files.find((f) => f.path.endsWith('encryption-config.yaml'))!;
		expect(file.mode).toBe(0o600);
		expect(file.secret).toBe(true);
	});

	it('audit-policy.yaml: audit.k8s.io/v1 Policy with the guide\'s rules', async () => {
		const {plan: p} = await plan();
		const policy = parse(text(p, 0, '/etc/kubernetes/audit-policy.yaml'));
		expect(policy.apiVersion).toBe('audit.k8s.io/v1');
		expect(policy.kind).toBe('Policy');
		// Each rule by what it matches, in order (the first match decides the level).
		type Rule = {level: string; verbs?: string[]; users?: string[]; userGroups?: string[]; resources?: Array<{group: string; resources?: string[]}>; nonResourceURLs?: string[]};
		const matches = (r: Rule) => {
			const named = [...(r.resources ?? []).flatMap((g) => g.resources ?? []), ...(r.nonResourceURLs ?? [])];
			const groups = (r.resources ?? []).filter((g) => !g.resources).map((g) => g.group);
			const what = named.length > 0 ? named.join(',') : groups.length === 1 ? groups[0] : groups.length > 1 ? 'the built-in API groups' : '*';
			return `${r.level} ${(r.verbs ?? ['*']).join(',')} ${what} by ${[...(r.users ?? []), ...(r.userGroups ?? [])].join(',') || 'anyone'}`;
		};
		expect((policy.rules as Rule[]).map(matches)).toEqual([
			'None watch endpoints,services,services/status by system:kube-proxy',
			'None get nodes,nodes/status by system:nodes',
			'None get,update endpoints by system:kube-controller-manager,system:kube-scheduler,system:serviceaccount:kube-system:endpoint-controller',
			'None get namespaces,namespaces/status,namespaces/finalize by system:apiserver',
			'None get,list metrics.k8s.io by system:kube-controller-manager',
			'None * /healthz*,/version,/swagger* by anyone',
			'None * events by anyone',
			'Request update,patch nodes/status,pods/status by kubelet,system:node-problem-detector,system:serviceaccount:kube-system:node-problem-detector',
			'Request update,patch nodes/status,pods/status by system:nodes',
			'Request deletecollection * by system:serviceaccount:kube-system:namespace-controller',
			'Metadata * secrets,configmaps,tokenreviews by anyone',
			'Request get,list,watch the built-in API groups by anyone',
			'RequestResponse * the built-in API groups by anyone',
			'Metadata * * by anyone',
		]);
		expect(policy.rules.at(-1)).toEqual({level: 'Metadata', omitStages: ['RequestReceived']});
	});

	it('kube-scheduler.yaml: KubeSchedulerConfiguration v1 without removed fields', async () => {
		const {plan: p} = await plan();
		const config = parse(text(p, 0, '/etc/kubernetes/kube-scheduler.yaml'));
		expect(config.apiVersion).toBe('kubescheduler.config.k8s.io/v1');
		expect(config.kind).toBe('KubeSchedulerConfiguration');
		expect(config.clientConnection).toEqual({kubeconfig: '/etc/kubernetes/kube-scheduler.kubeconfig', qps: 100, burst: 200});
		expect(config.leaderElection).toEqual({leaderElect: true});
		for (const gone of ['bindTimeoutSeconds', 'hardPodAffinitySymmetricWeight', 'healthzBindAddress', 'metricsBindAddress']) expect(config).not.toHaveProperty(gone);
	});

	it('kubeconfigs embed matching cert/key pairs and point at the node\'s own apiserver', async () => {
		const {plan: p, pki} = await plan();
		const cm = checkKubeconfig(text(p, 1, '/etc/kubernetes/kube-controller-manager.kubeconfig'), 'https://198.18.0.12:6443', 'system:kube-controller-manager', pki.ca.cert);
		expect(cm.subject).toContain('CN=system:kube-controller-manager');
		expect(cm.checkIP('198.18.0.12')).toBe('198.18.0.12');
		const sched = checkKubeconfig(text(p, 2, '/etc/kubernetes/kube-scheduler.kubeconfig'), 'https://198.18.0.13:6443', 'system:kube-scheduler', pki.ca.cert);
		expect(sched.subject).toContain('CN=system:kube-scheduler');
		const admin = checkKubeconfig(p.adminKubeconfig, 'https://198.18.0.11:6443', 'admin', pki.ca.cert, 'admin@master1');
		expect(admin.subject).toContain('O=system:masters');
	});

	it('admin kubeconfig: one context per master without an endpoint, the endpoint alone with one', async () => {
		const {plan: p} = await plan();
		const perMaster = parse(p.adminKubeconfig);
		expect(perMaster.contexts).toEqual(['master1', 'master2', 'master3'].map((n) => ({name: `admin@${n}`, context: {cluster: n, user: 'admin'}})));
		expect(perMaster.clusters.map((c: {name: string; cluster: {server: string}}) => [c.name, c.cluster.server])).toEqual([
			['master1', 'https://198.18.0.11:6443'],
			['master2', 'https://198.18.0.12:6443'],
			['master3', 'https://198.18.0.13:6443'],
		]);
		const {plan: withEndpoint, pki} = await plan({apiserver: {endpoint: 'k8s.example.com:8443'}});
		checkKubeconfig(withEndpoint.adminKubeconfig, 'https://k8s.example.com:8443', 'admin', pki.ca.cert);
		expect(parse(withEndpoint.adminKubeconfig).clusters).toHaveLength(1);
		// Every serving certificate carries the endpoint's host.
		const serving = new X509Certificate(text(withEndpoint, 2, '/etc/kubernetes/cert/kubernetes.pem'));
		expect(serving.checkHost('k8s.example.com')).toBe('k8s.example.com');
		const {plan: byIp} = await plan({apiserver: {endpoint: '[fd00::10]'}});
		expect(parse(byIp.adminKubeconfig).clusters[0].cluster.server).toBe('https://[fd00::10]:6443');
		expect(new X509Certificate(text(byIp, 0, '/etc/kubernetes/cert/kubernetes.pem')).checkIP('fd00::10')).toBe('fd00::10');
	});

	it.each([
		['https://k8s.example.com', /no scheme/],
		['k8s.example.com:99999', /the port is 1-65535/],
		['k8s..example', /host "k8s..example"/],
		['[not-v6]:443', /must be HOST or HOST:PORT/],
	])('apiserver.endpoint %s is refused naming the field', (endpoint, message) => {
		const parsed = ProfileSchema.safeParse(baseProfile({apiserver: {endpoint}}));
		expect(parsed.success).toBe(false);
		const issue = parsed.error!.issues[0]!;
		expect(issue.path).toEqual(['apiserver', 'endpoint']);
		expect(issue.message).toMatch(message);
	});

	it('the plan: modes, secrets, steps and the services each file restarts', async () => {
		const {plan: p, pki} = await plan();
		expect(p.kubernetesRelease).toBe('v1.35.0');
		const files = new Map(p.nodes[0]!.files.map((f) => [f.path, f]));
		expect(files.get('/opt/k8s/bin/kube-apiserver')).toMatchObject({mode: 0o755, step: 'binaries', localPath: '/bin/kube-apiserver', services: ['kube-apiserver']});
		expect(files.get('/opt/k8s/bin/kubectl')!.services).toEqual([]);
		expect(files.get('/etc/kubernetes/cert/kubernetes-key.pem')).toMatchObject({mode: 0o600, secret: true, step: 'certificates', services: ['kube-apiserver']});
		expect(files.get('/etc/kubernetes/cert/ca.pem')!.services).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
		expect(files.get('/etc/kubernetes/cert/sa.key')!.services).toEqual(['kube-apiserver', 'kube-controller-manager']);
		expect(files.get('/etc/kubernetes/cert/front-proxy-ca.pem')).toMatchObject({mode: 0o644, secret: false, services: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']});
		// Its key goes too, as kubeadm places it, so `state recover` can rebuild the state from any
		// master (which holds the cluster CA's key already); no service reads it, none restarts for it.
		expect(p.nodes[0]!.files.filter((f) => f.content?.toString().includes(pki.frontProxyCa.key.trim())).map((f) => [f.path, f.mode, f.secret, f.services])).toEqual([
			['/etc/kubernetes/cert/front-proxy-ca-key.pem', 0o600, true, []],
		]);
		// The cluster's identity: what a state directory that did not build the cluster would replace.
		expect(p.nodes[0]!.files.filter((f) => f.identity).map((f) => [f.path, f.identity])).toEqual([
			['/etc/kubernetes/cert/ca.pem', 'cluster CA'],
			['/etc/kubernetes/cert/front-proxy-ca.pem', 'front-proxy CA'],
			['/etc/kubernetes/cert/sa.pub', 'service-account public key'],
			['/etc/kubernetes/encryption-config.yaml', 'encryption config'],
		]);
		expect(files.get('/etc/systemd/system/kube-scheduler.service')).toMatchObject({mode: 0o644, step: 'scheduler', services: ['kube-scheduler']});
		for (const f of p.nodes[0]!.files) {
			expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
			expect((f.content === undefined) !== (f.localPath === undefined)).toBe(true);
			if (/-key\.pem$|\.key$|kubeconfig$/.test(f.path)) expect(f.mode, f.path).toBe(0o600);
		}
		expect(p.nodes[0]!.directories).toContainEqual({path: '/etc/kubernetes/cert', mode: 0o700});
		expect(p.nodes[0]!.directories).toContainEqual({path: '/data/k8s/k8s/kube-apiserver', mode: 0o700});
	});
});
