import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import YAML from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {generateEcKeyPair} from '../../source/pki/keys.js';
import {issueCertificate} from '../../source/pki/x509.js';
import type {RunEvent} from '../../source/run/events.js';
import {cannotRun} from '../require-or-skip.js';
import {
	adminCreds,
	applyArgs,
	e2eWork,
	NODES,
	resetLab,
	UNITS,
	canRunLab,
	get,
	labEnv,
	labScript,
	managedFiles,
	nodeSsh,
	notRestartedByApply,
	parseEvents,
	sha256File,
	startApply,
	unitRuns,
	unitState,
	waitFor,
	type AdminCreds,
} from './apply-support.js';

/**
 * The whole job on real nodes: three booted Debian containers with systemd and OpenSSH,
 * a real 3-member etcd with TLS, the real Kubernetes binaries built from the Go module
 * proxy. Runs in CI on this machine; skips only where the lab cannot exist at all.
 */
const skip = cannotRun('e2e apply', canRunLab());
/** The other release of CI's matrix, for the skew refusal. */
const OTHER_RELEASE = process.env.LAB_K8S_VERSION === '1.31.13' ? '1.37.2' : '1.31.13';
const OTHER_BINARIES = `/var/cache/k8s-master-setup/kubernetes/v${OTHER_RELEASE}`;
const skipOther = skip || cannotRun('e2e apply: version skew refusal', existsSync(`${OTHER_BINARIES}/.complete`) ? undefined : `the binaries of ${OTHER_RELEASE} are not built (scripts/build-kubernetes.sh ${OTHER_RELEASE})`);


describe.skipIf(skip)('apply on the lab', () => {
	let env: Record<string, string>;
	let work: string;
	let profilePath: string;
	let stateDir: string;
	let admin: AdminCreds;
	let ips: Record<string, string>;
	const args = () => applyArgs(env, profilePath, stateDir);
	// The first install, made here so that every test below can also run alone (-t NAME).
	let firstRun: Awaited<ReturnType<typeof startApply>>;
	let firstSeconds = 0;

	beforeAll(async () => {
		const t0 = Date.now();
		await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
		env = await labEnv();
		ips = Object.fromEntries((env.LAB_NODES ?? '').trim().split(/\s+/).map((p) => p.split('=') as [string, string]));
		await resetLab();
		rmSync(e2eWork, {recursive: true, force: true});
		mkdirSync(e2eWork, {recursive: true});
		work = e2eWork;
		stateDir = join(work, 'state');
		profilePath = join(work, 'profile.yaml');
		writeFileSync(profilePath, readFileSync(env.LAB_PROFILE as string));
		console.log(`lab ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
		const t1 = Date.now();
		firstRun = await startApply(args());
		firstSeconds = (Date.now() - t1) / 1000;
		if (existsSync(join(stateDir, 'admin.kubeconfig'))) admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
	});

	afterAll(async () => {
		// Leave the lab running for the next suite and for people to look at.
	});

	it('installs the control plane on three nodes', () => {
		const run = firstRun;
		const first = parseEvents(run.stdout);
		console.log(`first apply: ${firstSeconds.toFixed(1)}s, exit ${run.exitCode}`);
		const failures = first.filter((e) => e.type === 'step-failed');
		expect(failures, JSON.stringify(failures, null, 2) + run.stderr).toEqual([]);
		expect(run.exitCode).toBe(0);
		expect(first.at(-1)).toMatchObject({type: 'run-finished', ok: true});
	});

	it('leaves every unit active with no restarts', async () => {
		for (const node of NODES) {
			for (const unit of UNITS) {
				const s = await unitState(node, unit);
				expect(`${node} ${unit} ${s.ActiveState} ${s.NRestarts}`).toBe(`${node} ${unit} active 0`);
			}
		}
	});

	it('serves /readyz?verbose on every apiserver with the admin cert, 401 without a cert', async () => {
		for (const node of NODES) {
			const ok = await get(`https://${ips[node]}:6443/readyz?verbose`, admin);
			expect(ok.status, ok.body).toBe(200);
			expect(ok.body).toContain('[+]etcd ok');
			const anonymous = await get(`https://${ips[node]}:6443/readyz`, {ca: admin.ca});
			expect(anonymous.status).toBe(401);
		}
	});

	it('trusts impersonation headers only from the front-proxy CA: a cluster-CA-signed aggregator certificate is just user "aggregator"', async () => {
		const clientOf = (signer: {certPem: string; keyPem: string}) => {
			const keys = generateEcKeyPair();
			return {cert: issueCertificate({commonName: 'aggregator', clientAuth: true, validityDays: 1}, keys.publicKey, signer), key: keys.privateKey};
		};
		const labPki = YAML.parse(readFileSync(profilePath, 'utf8')).pki as {caCert: string; caKey: string};
		const clusterSigned = clientOf({certPem: readFileSync(labPki.caCert, 'utf8'), keyPem: readFileSync(labPki.caKey, 'utf8')});
		const frontProxySigned = clientOf({certPem: readFileSync(join(stateDir, 'front-proxy-ca.pem'), 'utf8'), keyPem: readFileSync(join(stateDir, 'front-proxy-ca-key.pem'), 'utf8')});
		const impersonate = {headers: {'X-Remote-User': 'e2e-impersonated', 'X-Remote-Group': 'system:masters'}};
		const url = `https://${ips['lab-m1']}:6443/api/v1/namespaces/kube-system/secrets`;
		const refused = await get(url, {ca: admin.ca, ...clusterSigned}, impersonate);
		expect(refused.status, refused.body).toBe(403);
		expect(refused.body).toContain('User \\"aggregator\\" cannot list resource \\"secrets\\"');
		// The aggregation layer's own path still works: the front-proxy CA's client may assert a user.
		const accepted = await get(url, {ca: admin.ca, ...frontProxySigned}, impersonate);
		expect(accepted.status, accepted.body).toBe(200);
		// And extension API servers learn that CA from the apiserver.
		const cm = await get(`https://${ips['lab-m1']}:6443/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication`, admin);
		expect(JSON.parse(cm.body).data['requestheader-client-ca-file']).toContain(readFileSync(join(stateDir, 'front-proxy-ca.pem'), 'utf8').trim().split('\n')[1]);
	});

	it("talks to etcd through its own node's member only (etcd.apiserverEndpoints: local)", async () => {
		for (const node of NODES) {
			// Peers of the apiserver's established connections to etcd's client port.
			const {stdout} = await nodeSsh(node, `ss -Htnp state established '( dport = :2379 )' | grep '"kube-apiserver"' | awk '{print $4}' | sort | uniq -c`);
			const peers = stdout.trim().split('\n').map((line) => line.trim().split(/\s+/)[1]);
			expect(`${node} ${peers.join(' ')}`).toBe(`${node} ${ips[node]}:2379`);
		}
	});

	it('answers /healthz on 10257 and 10259 on every node', async () => {
		for (const node of NODES) {
			for (const port of [10257, 10259]) {
				const r = await get(`https://${ips[node]}:${port}/healthz`, {ca: admin.ca});
				expect(`${node}:${port} ${r.status} ${r.body}`).toBe(`${node}:${port} 200 ok`);
			}
		}
	});

	const leaseHolder = async (name: string) => {
		const r = await get(`https://${ips['lab-m1']}:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, admin);
		if (r.status !== 200) return undefined;
		const identity: string = JSON.parse(r.body).spec?.holderIdentity ?? '';
		return identity.split('_')[0] || undefined;
	};

	it('has both Leases held by lab nodes', async () => {
		for (const lease of ['kube-controller-manager', 'kube-scheduler']) {
			expect(NODES).toContain(await leaseHolder(lease));
		}
	});

	it("binds system:kubelet-api-admin to the apiserver's kubelet client user (kubernetes-master)", async () => {
		const r = await get(`https://${ips['lab-m3']}:6443/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kube-apiserver:kubelet-apis`, admin);
		expect(r.status, r.body).toBe(200);
		const binding = JSON.parse(r.body);
		expect(binding.roleRef).toMatchObject({kind: 'ClusterRole', name: 'system:kubelet-api-admin'});
		expect(binding.subjects).toEqual(expect.arrayContaining([expect.objectContaining({kind: 'User', name: 'kubernetes-master'})]));
		const done = parseEvents(firstRun.stdout).filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done' && e.step === 'verify');
		expect(done.flatMap((e) => e.changed)).toEqual(['ClusterRoleBinding kube-apiserver:kubelet-apis created']);
	});

	it('stores Secrets encrypted with secretbox (a new profile\'s default) under the state\'s key name in etcd', async () => {
		const secret = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 'e2e-secret'}, stringData: {password: 'hunter2'}};
		const created = await get(`https://${ips['lab-m2']}:6443/api/v1/namespaces/default/secrets`, admin, {method: 'POST', body: JSON.stringify(secret)});
		expect(created.status, created.body).toBe(201);
		const raw = await execa('bash', [labScript, 'etcdctl', 'get', '/registry/secrets/default/e2e-secret', '--print-value-only'], {encoding: 'buffer'});
		const value = Buffer.from(raw.stdout).toString('latin1');
		const {keyName} = JSON.parse(readFileSync(join(stateDir, 'encryption.json'), 'utf8'));
		expect(keyName).toMatch(/^key-\d{8}$/);
		expect(value.startsWith(`k8s:enc:secretbox:v1:${keyName}:`)).toBe(true);
		expect(value).not.toContain('hunter2');
	});

	it('writes audit log entries on every node', async () => {
		for (const node of NODES) {
			const {stdout} = await nodeSsh(node, 'wc -l < /data/k8s/k8s/kube-apiserver/audit.log');
			expect(Number(stdout.trim()), node).toBeGreaterThan(0);
		}
	});

	const allFiles = async () => Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await managedFiles(n)] as const)));

	it('re-run writes no file and restarts no service', async () => {
		// Converge first (a no-op after the install; not when this test runs after another).
		expect((await startApply(args())).exitCode).toBe(0);
		const filesBefore = await allFiles();
		const runsBefore = await unitRuns();
		for (const node of NODES) {
			const paths = filesBefore[node]!.map((l) => l.split(' ')[0]);
			expect(paths, node).toEqual(expect.arrayContaining(['/opt/k8s/bin/kube-apiserver', '/etc/kubernetes/cert/ca.pem', '/etc/systemd/system/kube-scheduler.service']));
		}
		const t0 = Date.now();
		const run = await startApply(args());
		console.log(`re-run apply: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
		expect(run.exitCode, run.all).toBe(0);
		// The nodes themselves: the same inode, mtime, ctime, mode and content for every file...
		expect(await allFiles()).toEqual(filesBefore);
		// ...and the same run of every unit.
		expect(await unitRuns()).toEqual(runsBefore);
		const events = parseEvents(run.stdout);
		const done = events.filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done');
		expect(done.flatMap((e) => e.changed)).toEqual([]);
	});

	// The other release of CI's matrix (1.31.13 beside 1.37.2): from either one the other is
	// more than one minor away, a skip up or a downgrade, both refused by the skew policy.
	it.skipIf(skipOther)('refuses a release more than one minor away (exit 2, kubernetesVersion named) and changes nothing', async () => {
		const other = OTHER_RELEASE;
		const otherDir = OTHER_BINARIES;
		expect((await startApply(args())).exitCode).toBe(0);
		const filesBefore = await allFiles();
		const runsBefore = await unitRuns();
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		const refusedPath = join(work, 'profile-other-release.yaml');
		writeFileSync(refusedPath, YAML.stringify({...profile, kubernetesVersion: other.split('.').slice(0, 2).join('.'), binaries: otherDir}));
		const run = await startApply(applyArgs(env, refusedPath, stateDir));
		expect(run.exitCode, run.all).toBe(2);
		const failed = parseEvents(run.stdout).filter((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
		expect(failed.map((f) => f.step)).toEqual(['preflight', 'preflight', 'preflight']);
		expect(failed[0]?.cause).toMatch(other === '1.31.13' ? /runs kube-apiserver v1\.37\.2: kubernetesVersion v1\.31\.13 is a minor downgrade/ : /runs kube-apiserver v1\.31\.13: kubernetesVersion v1\.37\.2 skips 1\.32/);
		expect(await allFiles()).toEqual(filesBefore);
		expect(await unitRuns()).toEqual(runsBefore);
	});

	it('restarts a stopped kube-scheduler on the next apply, and only it', async () => {
		expect((await startApply(args())).exitCode).toBe(0);
		await nodeSsh('lab-m2', 'systemctl stop kube-scheduler');
		try {
			const before = await unitRuns();
			expect(before['lab-m2 kube-scheduler']?.active).toBe('inactive');
			const run = await startApply(args());
			expect(run.exitCode, run.all).toBe(0);
			const after = await unitRuns();
			for (const key of Object.keys(before)) {
				if (key === 'lab-m2 kube-scheduler') {
					expect(after[key]?.active, key).toBe('active');
					expect(after[key]?.invocation, key).not.toBe(before[key]?.invocation);
				} else {
					expect(after[key], key).toEqual(before[key]);
				}
			}
			const restarting = parseEvents(run.stdout).filter((e): e is Extract<RunEvent, {type: 'log'}> => e.type === 'log' && e.line.startsWith('restarting'));
			expect(restarting.map((e) => `${e.node} ${e.line}`)).toEqual(['lab-m2 restarting kube-scheduler: not running']);
		} finally {
			await nodeSsh('lab-m2', 'systemctl start kube-scheduler');
		}
	});

	it('restarts only the apiservers after an apiserver setting changes, one node at a time', async () => {
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		profile.apiserver = {...profile.apiserver, extraArgs: {'event-ttl': '24h'}};
		const before = await unitRuns();
		writeFileSync(profilePath, YAML.stringify(profile));
		// Watch readiness of all three apiservers while apply rolls them.
		let minReady = 3;
		let watching = true;
		const watcher = (async () => {
			while (watching) {
				const ready = await Promise.all(NODES.map((n) => get(`https://${ips[n]}:6443/readyz`, admin).then((r) => r.status === 200, () => false)));
				minReady = Math.min(minReady, ready.filter(Boolean).length);
				await new Promise((r) => setTimeout(r, 100));
			}
		})();
		const run = await startApply(args());
		watching = false;
		await watcher;
		expect(run.exitCode, run.all).toBe(0);
		const after = await unitRuns();
		for (const key of Object.keys(before)) {
			if (key.endsWith('kube-apiserver')) expect(after[key]?.invocation, key).not.toBe(before[key]?.invocation);
			// The others may have been restarted by systemd (a lost Lease), never by apply.
			else expect(notRestartedByApply(before[key]!, after[key]!), `${key}: ${JSON.stringify({before: before[key], after: after[key]})}`).toBe(true);
		}
		expect(minReady).toBeGreaterThanOrEqual(2);
		// Each apiserver runs with the new setting: systemd reloaded the changed unit before the restart.
		for (const n of NODES) {
			const {stdout} = await nodeSsh(n, "tr '\\0' ' ' < /proc/$(systemctl show -P MainPID kube-apiserver)/cmdline; systemctl show -p NeedDaemonReload kube-apiserver");
			expect(stdout, n).toContain('--event-ttl=24h');
			expect(stdout, n).toContain('NeedDaemonReload=no');
		}
		// The apiserver steps did not overlap: each started after the previous finished.
		const events = parseEvents(run.stdout);
		const spans = NODES.map((n) => ({
			start: (events.find((e) => e.type === 'step-started' && e.node === n && e.step === 'apiserver') as RunEvent).at,
			end: (events.find((e) => e.type === 'step-done' && e.node === n && e.step === 'apiserver') as RunEvent).at,
		})).sort((a, b) => a.start - b.start);
		expect(spans[1]!.start).toBeGreaterThanOrEqual(spans[0]!.end);
		expect(spans[2]!.start).toBeGreaterThanOrEqual(spans[1]!.end);
	});

	it('moves the controller-manager Lease to another node within 60 s when its holder stops', async () => {
		const holder = (await leaseHolder('kube-controller-manager')) as string;
		expect(NODES).toContain(holder);
		const t0 = Date.now();
		await nodeSsh(holder, 'systemctl stop kube-controller-manager');
		try {
			const next = await waitFor('a new holder', async () => {
				const h = await leaseHolder('kube-controller-manager');
				return h && h !== holder ? h : undefined;
			}, 60_000);
			console.log(`Lease moved from ${holder} to ${next} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
			expect(NODES).toContain(next);
		} finally {
			await nodeSsh(holder, 'systemctl start kube-controller-manager');
		}
	});

	it('converges after being killed in the middle of the binaries step', async () => {
		// Make the binaries step do real work: the nodes lose their binaries' current content.
		await Promise.all(NODES.map((n) => nodeSsh(n, 'for f in /opt/k8s/bin/*; do cp $f /opt/k8s/changed && printf x >> /opt/k8s/changed && mv -f /opt/k8s/changed $f; done')));
		// Kill once a known number of bytes of a binary are on lab-m1: a loop on the node
		// watches the temporary file the upload writes (ssh-upload.ts) and reports its size.
		const placedBytes = 4 << 20;
		const watch = nodeSsh(
			'lab-m1',
			`timeout 120 sh -c 'while :; do for f in /opt/k8s/bin/.*.k8s-master-setup.tmp.*; do s=$(stat -c %s "$f" 2>/dev/null) && [ "$s" -ge ${placedBytes} ] && { echo "$f $s"; exit 0; }; done; sleep 0.01; done'`,
			{reject: false},
		);
		const child = startApply(args());
		const seen = await Promise.race([watch.then((r) => r.stdout.trim()), child.then(() => '')]);
		child.kill('SIGKILL');
		const killed = await child;
		console.log(`killed apply with ${seen || 'no temporary file'} on lab-m1`);
		expect(seen, 'apply ended before a binary was half-placed').toMatch(/^\/opt\/k8s\/bin\/\.kube-[a-z-]+\.k8s-master-setup\.tmp\.\S+ \d+$/);
		expect(Number(seen.split(' ')[1])).toBeGreaterThanOrEqual(placedBytes);
		expect(killed.signal).toBe('SIGKILL');
		await watch;
		// Every binary is whole: either the old content or the new, never a mix.
		const binDir = env.LAB_K8S_BINARIES as string;
		const whole = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((b) => sha256File(join(binDir, b))));
		for (const node of NODES) {
			const {stdout} = await nodeSsh(node, 'cd /opt/k8s/bin && for f in kube-apiserver kube-controller-manager kube-scheduler kubectl; do printf "%s %s\\n" "$(sha256sum < $f | cut -d" " -f1)" "$(tail -c 1 $f)"; done');
			for (const line of stdout.trim().split('\n')) {
				const [sum, last] = line.split(' ');
				expect(whole.has(sum as string) || last === 'x', `${node}: ${line}`).toBe(true);
			}
		}
		const again = await startApply(args());
		expect(again.exitCode, again.all).toBe(0);
		for (const node of NODES) {
			const {stdout} = await nodeSsh(node, 'sha256sum /opt/k8s/bin/kube-apiserver /opt/k8s/bin/kubectl | cut -d" " -f1; ls -a /opt/k8s/bin');
			const [api, kubectl, ...listing] = stdout.trim().split('\n');
			expect(whole.has(api as string) && whole.has(kubectl as string), node).toBe(true);
			expect(listing.filter((f) => f.includes('tmp')), node).toEqual([]);
		}
		for (const node of NODES) for (const unit of UNITS) expect((await unitState(node, unit)).ActiveState, `${node} ${unit}`).toBe('active');
	});
});
