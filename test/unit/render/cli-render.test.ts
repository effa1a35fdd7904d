import {spawnSync} from 'node:child_process';
import {X509Certificate, createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {stringify} from 'yaml';
import {generateEcKeyPair} from '../../../source/pki/keys.js';
import {createCaCertificate} from '../../../source/pki/x509.js';
import {baseProfile, cliPath, ensureBuilt, repoRoot, workspace} from './fixtures.js';

beforeAll(() => ensureBuilt(), 180_000);

function render(ws: {file: string; stateDir: string; outDir: string; dir: string}, extra: string[] = []) {
	const r = spawnSync(process.execPath, [cliPath, 'render', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--out', ws.outDir, ...extra], {
		cwd: ws.dir,
		encoding: 'utf8',
		env: {...process.env, XDG_STATE_HOME: join(ws.dir, 'xdg-state'), XDG_CACHE_HOME: join(ws.dir, 'xdg-cache')},
	});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

function snapshot(dir: string): Map<string, string> {
	const out = new Map<string, string>();
	const walk = (d: string) => {
		for (const e of readdirSync(d, {withFileTypes: true})) {
			const p = join(d, e.name);
			if (e.isDirectory()) walk(p);
			else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex') + ` ${(statSync(p).mode & 0o777).toString(8)}`);
		}
	};
	walk(dir);
	return out;
}

describe('k8s-master-setup render (built CLI)', () => {
	it('writes every node\'s files with target modes, manifests and the admin kubeconfig', () => {
		const ws = workspace();
		const r = render(ws);
		expect(r.stderr).toContain('created CA');
		expect(r.code).toBe(0);
		for (const node of ['master1', 'master2', 'master3']) {
			const root = join(ws.outDir, node);
			expect(statSync(join(root, 'etc/kubernetes/cert/kubernetes-key.pem')).mode & 0o777).toBe(0o600);
			expect(statSync(join(root, 'etc/kubernetes/cert/kubernetes.pem')).mode & 0o777).toBe(0o644);
			expect(statSync(join(root, 'opt/k8s/bin/kube-apiserver')).mode & 0o777).toBe(0o755);
			expect(statSync(join(root, 'etc/kubernetes/encryption-config.yaml')).mode & 0o777).toBe(0o600);
			const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
			expect(manifest.files.map((f: {path: string}) => f.path).sort()).toEqual([
				'/etc/kubernetes/audit-policy.yaml',
				...['ca', 'front-proxy-ca', 'kube-controller-manager', 'kube-scheduler', 'kubernetes', 'proxy-client'].flatMap((c) => [`/etc/kubernetes/cert/${c}-key.pem`, `/etc/kubernetes/cert/${c}.pem`]),
				'/etc/kubernetes/cert/sa.key',
				'/etc/kubernetes/cert/sa.pub',
				'/etc/kubernetes/encryption-config.yaml',
				'/etc/kubernetes/kube-controller-manager.kubeconfig',
				'/etc/kubernetes/kube-scheduler.kubeconfig',
				'/etc/kubernetes/kube-scheduler.yaml',
				...['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((s) => `/etc/systemd/system/${s}.service`),
				...['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((b) => `/opt/k8s/bin/${b}`),
			].sort());
			for (const f of manifest.files) {
				const onDisk = readFileSync(join(root, f.path));
				expect(createHash('sha256').update(onDisk).digest('hex'), f.path).toBe(f.sha256);
				expect((statSync(join(root, f.path)).mode & 0o777).toString(8).padStart(4, '0'), f.path).toBe(f.mode);
			}
			expect(readFileSync(join(root, 'etc/systemd/system/kube-apiserver.service'), 'utf8')).toContain(`--bind-address=198.18.0.1${node.at(-1)}`);
		}
		expect(statSync(join(ws.outDir, 'admin.kubeconfig')).mode & 0o777).toBe(0o600);
		expect(statSync(ws.stateDir).mode & 0o777).toBe(0o700);
		// Secrets are never printed.
		const key = readFileSync(join(ws.stateDir, 'encryption-key'), 'utf8').trim();
		expect(r.stdout + r.stderr).not.toContain(key);
		expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY');
	});

	it('is idempotent: a second render with the same state writes byte-identical files and creates nothing', () => {
		const ws = workspace();
		expect(render(ws).code).toBe(0);
		const first = snapshot(ws.outDir);
		const again = render(ws);
		expect(again.code).toBe(0);
		expect(again.stderr).toBe('');
		expect(snapshot(ws.outDir)).toEqual(first);
	});

	it('uses the default state dir under XDG_STATE_HOME when --state-dir is not given', () => {
		const ws = workspace();
		const r = spawnSync(process.execPath, [cliPath, 'render', '--profile-file', ws.file, '--out', ws.outDir], {encoding: 'utf8', env: {...process.env, XDG_STATE_HOME: join(ws.dir, 'xdg')}});
		expect(r.status).toBe(0);
		expect(existsSync(join(ws.dir, 'xdg', 'k8s-master-setup', 'lab', 'ca-key.pem'))).toBe(true);
	});

	it('refuses binaries of another minor (exit 2, names binaries and the fix), writing no state', () => {
		const ws = workspace(baseProfile({kubernetesVersion: '1.37'}), {release: 'v1.35.0'});
		const r = render(ws);
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/binaries: kube-apiserver .* is v1\.35\.0, but kubernetesVersion is "1\.37"/);
		expect(existsSync(ws.stateDir)).toBe(false);
		expect(existsSync(ws.outDir)).toBe(false);
	});

	it('--help lists render and its options', () => {
		const r = spawnSync(process.execPath, [cliPath, 'render', '--help'], {encoding: 'utf8', cwd: repoRoot});
		expect(r.status).toBe(0);
		for (const o of ['--profile-file', '--profile <name>', '--state-dir', '--out']) expect(r.stdout).toContain(o);
	});
});

/** One test per kind of bad input: exit 2, the field on stderr, nothing written. */
describe('render rejects an invalid profile and writes nothing', () => {
	const expired = () => {
		const keys = generateEcKeyPair();
		return {key: keys.privateKey, cert: createCaCertificate('old-ca', keys.privateKey, 1, new Date(Date.now() - 30 * 86_400_000))};
	};
	const cases: Array<{name: string; field: RegExp; profile?: unknown; raw?: string; file?: string; setup?: (dir: string) => unknown}> = [
		{name: 'malformed YAML', field: /malformed YAML\n  line \d+, column \d+/, raw: 'name: lab\nnodes:\n  - {name: master1, ip: [\n'},
		{name: 'malformed JSON', field: /malformed JSON\n  line 2, column \d+/, file: 'profile.json', raw: '{"name": "lab",\n "nodes": [,]\n}'},
		{name: 'unknown field', field: /nodes\[0\]\.hostname/, profile: baseProfile({nodes: [{name: 'master1', ip: '198.18.0.11', hostname: 'x'} as never]})},
		{name: 'invalid IP', field: /nodes\[1\]\.ip.*IPv4/, profile: baseProfile({nodes: [{name: 'master1', ip: '198.18.0.11'}, {name: 'master2', ip: '198.18.0.300'}]})},
		{name: 'duplicate node name', field: /nodes\[1\]\.name.*duplicates/, profile: baseProfile({nodes: [{name: 'master1', ip: '198.18.0.11'}, {name: 'master1', ip: '198.18.0.12'}]})},
		{name: 'duplicate node IP', field: /nodes\[1\]\.ip.*duplicates/, profile: baseProfile({nodes: [{name: 'master1', ip: '198.18.0.11'}, {name: 'master2', ip: '198.18.0.11'}]})},
		{name: 'service and pod CIDR overlap', field: /network\.podCidr.*overlaps/, profile: baseProfile({network: {serviceCidr: '10.254.0.0/16', podCidr: '10.0.0.0/8'}})},
		{name: 'node IP inside the service CIDR', field: /nodes\[0\]\.ip.*inside network\.serviceCidr/, profile: baseProfile({network: {serviceCidr: '198.18.0.0/24', podCidr: '172.30.0.0/16'}})},
		{name: 'bad NodePort range', field: /network\.nodePortRange/, profile: baseProfile({network: {nodePortRange: '32767-30000'}})},
		{name: 'bad encryption key', field: /encryption\.key.*base64/, profile: baseProfile({encryption: {key: Buffer.alloc(20).toString('base64')}})},
		{name: 'CA cert without key', field: /pki\.caKey.*required/, profile: baseProfile({pki: {caCert: './ca.pem'}}), setup: (d) => writeFileSync(join(d, 'ca.pem'), expired().cert)},
		{
			name: 'CA key not matching the cert',
			field: /pki\.caKey.*does not match/,
			profile: baseProfile({pki: {caCert: './ca.pem', caKey: './other-key.pem'}}),
			setup: (d) => {
				const k = generateEcKeyPair();
				writeFileSync(join(d, 'ca.pem'), createCaCertificate('ca', k.privateKey, 10));
				writeFileSync(join(d, 'other-key.pem'), generateEcKeyPair().privateKey);
			},
		},
		{
			name: 'expired CA',
			field: /pki\.caCert.*expired/,
			profile: baseProfile({pki: {caCert: './ca.pem', caKey: './ca-key.pem'}}),
			setup: (d) => {
				const ca = expired();
				writeFileSync(join(d, 'ca.pem'), ca.cert);
				writeFileSync(join(d, 'ca-key.pem'), ca.key);
			},
		},
		{name: 'unreadable CA file', field: /pki\.caCert.*does not exist/, profile: baseProfile({pki: {caCert: './nope.pem', caKey: './nope-key.pem'}})},
		{name: 'unsupported Kubernetes version', field: /kubernetesVersion.*one of 1\.31/, profile: baseProfile({kubernetesVersion: '1.30' as never})},
		{name: 'empty node list', field: /nodes.*at least one/, profile: baseProfile({nodes: []})},
		{name: 'etcd endpoint not https', field: /etcd\.endpoints\[1\].*https/, profile: baseProfile({etcd: {endpoints: ['https://198.18.0.11:2379', 'http://198.18.0.12:2379']}})},
		{name: 'removed flag in extraArgs', field: /apiserver\.extraArgs\.insecure-port.*removed/, profile: baseProfile({apiserver: {extraArgs: {'insecure-port': '0'}}})},
		// Strict values (issue 15): each refused at its field, nothing written.
		{name: 'node name not a DNS label', field: /nodes\[0\]\.name.*DNS label/, profile: baseProfile({nodes: [{name: 'Master_1', ip: '198.18.0.11'}]})},
		{name: 'node name longer than 63', field: /nodes\[0\]\.name.*DNS label/, profile: baseProfile({nodes: [{name: 'm'.repeat(64), ip: '198.18.0.11'}]})},
		...(
			[
				['loopback', '127.0.0.1', /loopback/],
				['unspecified', '0.0.0.0', /this network/],
				['multicast', '224.0.0.5', /multicast/],
				['broadcast', '255.255.255.255', /broadcast/],
				['link-local', '169.254.1.1', /link-local/],
			] as const
		).map(([kind, ip, why]) => ({name: `node IP ${kind}`, field: new RegExp(`nodes\\[0\\]\\.ip.*${ip.replace(/\./g, '\\.')} is .*${why.source}`), profile: baseProfile({nodes: [{name: 'master1', ip}]})})),
		{name: 'CIDR with host bits', field: /network\.serviceCidr.*10\.254\.1\.0\/16 has host bits set; the network is 10\.254\.0\.0\/16/, profile: baseProfile({network: {serviceCidr: '10.254.1.0/16'}})},
		{name: 'service CIDR /8', field: /network\.serviceCidr.*between \/12 and \/28/, profile: baseProfile({network: {serviceCidr: '10.0.0.0/8'}})},
		{name: 'service CIDR /29', field: /network\.serviceCidr.*between \/12 and \/28/, profile: baseProfile({network: {serviceCidr: '10.254.0.0/29'}})},
		{name: 'cluster domain with a trailing dot', field: /network\.clusterDomain.*must not end with "\."/, profile: baseProfile({network: {clusterDomain: 'cluster.local.'}})},
		{name: 'cluster domain in upper case', field: /network\.clusterDomain.*lower case/, profile: baseProfile({network: {clusterDomain: 'Cluster.Local'}})},
		{name: 'cluster domain longer than 253', field: /network\.clusterDomain.*253/, profile: baseProfile({network: {clusterDomain: Array(6).fill('a'.repeat(50)).join('.')}})},
		{name: 'extra SAN a mistyped IP (4 parts)', field: /apiserver\.extraSans\[0\].*"192\.168\.1\.300" looks like a mistyped IP address/, profile: baseProfile({apiserver: {extraSans: ['192.168.1.300']}})},
		{name: 'extra SAN a mistyped IP (3 parts)', field: /apiserver\.extraSans\[1\].*"10\.0\.0" looks like a mistyped IP address/, profile: baseProfile({apiserver: {extraSans: ['k8s.example.com', '10.0.0']}})},
		{name: 'extra SAN neither IP nor name', field: /apiserver\.extraSans\[0\].*is not a DNS name/, profile: baseProfile({apiserver: {extraSans: ['k8s_example.com']}})},
		{name: 'etcd endpoint with a path (shell)', field: /etcd\.endpoints\[0\].*nothing after the port/, profile: baseProfile({etcd: {endpoints: ['https://198.18.0.11:2379/$(id>/tmp/x)']}})},
		{name: 'etcd endpoint with a query', field: /etcd\.endpoints\[0\].*nothing after the port/, profile: baseProfile({etcd: {endpoints: ['https://198.18.0.11:2379?x=1']}})},
		{name: 'etcd endpoint with a user', field: /etcd\.endpoints\[0\].*no user name/, profile: baseProfile({etcd: {endpoints: ['https://root@198.18.0.11:2379']}})},
		{name: 'etcd endpoint without a port', field: /etcd\.endpoints\[0\].*the port is required/, profile: baseProfile({etcd: {endpoints: ['https://198.18.0.11']}})},
		{name: 'etcd endpoint host with shell characters', field: /etcd\.endpoints\[0\].*must be exactly https:\/\/HOST:PORT/, profile: baseProfile({etcd: {endpoints: ['https://a;{touch,x}:2379']}})},
		{name: 'etcd endpoint host a mistyped IP', field: /etcd\.endpoints\[0\].*mistyped IP/, profile: baseProfile({etcd: {endpoints: ['https://198.18.0.311:2379']}})},
		{name: 'duplicate etcd endpoint', field: /etcd\.endpoints\[2\].*duplicates etcd\.endpoints\[0\]/, profile: baseProfile({etcd: {endpoints: ['https://198.18.0.11:2379', 'https://198.18.0.12:2379', 'https://198.18.0.11:2379']}})},
		{name: 'relative path', field: /paths\.binDir.*absolute/, profile: baseProfile({paths: {binDir: 'opt/k8s/bin'}})},
		{name: 'path escaping with ..', field: /paths\.configDir.*normalised: \/x/, profile: baseProfile({paths: {configDir: '/etc/../../x'}})},
		{name: 'path with a quote', field: /paths\.binDir.*only letters, digits/, profile: baseProfile({paths: {binDir: "/opt/k8s'; id; '"}})},
		{name: 'path not normalised', field: /paths\.dataDir.*normalised: \/data\/k8s/, profile: baseProfile({paths: {dataDir: '/data//k8s/'}})},
		{name: 'path a system directory', field: /paths\.certDir.*is a system directory/, profile: baseProfile({paths: {certDir: '/etc'}})},
		{name: 'path the root directory', field: /paths\.dataDir.*is a system directory/, profile: baseProfile({paths: {dataDir: '/'}})},
		{name: 'newline in an extraArgs value', field: /controllerManager\.extraArgs\.v.*control character \(U\+000A, a newline\)/, profile: baseProfile({controllerManager: {extraArgs: {v: '2\nExecStartPre=/bin/id'}}})},
		{name: 'extraArgs beyond the unit line limit', field: /scheduler\.extraArgs\.feature-gates.*line limit is 1 MiB/, profile: baseProfile({scheduler: {extraArgs: {'feature-gates': 'A=true,'.repeat(150_000)}}})},
		{name: 'extraArgs name with "--"', field: /apiserver\.extraArgs\.--v.*without "--"/, profile: baseProfile({apiserver: {extraArgs: {'--v': '2'}}})},
		{name: 'owned flag secure-port', field: /apiserver\.extraArgs\.secure-port.*is set by the tool/, profile: baseProfile({apiserver: {extraArgs: {'secure-port': '7443'}}})},
		{name: 'owned flag encryption-provider-config', field: /apiserver\.extraArgs\.encryption-provider-config.*is set by the tool/, profile: baseProfile({apiserver: {extraArgs: {'encryption-provider-config': '/tmp/enc.yaml'}}})},
		{name: 'owned flag naming a managed file', field: /controllerManager\.extraArgs\.tls-cert-file.*names \/etc\/kubernetes\/cert\/kube-controller-manager\.pem/, profile: baseProfile({controllerManager: {extraArgs: {'tls-cert-file': '/tmp/x.pem'}}})},
		{name: 'authorization-mode without RBAC', field: /apiserver\.extraArgs\.authorization-mode.*must include RBAC/, profile: baseProfile({apiserver: {extraArgs: {'authorization-mode': 'AlwaysAllow'}}})},
		{name: 'anonymous-auth=true', field: /apiserver\.extraArgs\.anonymous-auth.*must stay false/, profile: baseProfile({apiserver: {extraArgs: {'anonymous-auth': 'true'}}})},
		{name: 'all-zero encryption key', field: /encryption\.key.*all zero bytes/, profile: baseProfile({encryption: {key: Buffer.alloc(32).toString('base64')}})},
		{
			name: 'brought CA expiring before the leaves',
			field: /pki\.caCert.*expires on .*before the certificates it would issue \(pki\.certValidityDays: 365.*set pki\.certValidityDays to at most 1\b/,
			profile: baseProfile({pki: {caCert: './ca.pem', caKey: './ca-key.pem'}}),
			setup: (d) => {
				const k = generateEcKeyPair();
				writeFileSync(join(d, 'ca.pem'), createCaCertificate('ca', k.privateKey, 2));
				writeFileSync(join(d, 'ca-key.pem'), k.privateKey);
			},
		},
		{name: 'unknown YAML tag', field: /malformed YAML\n  line 1, column 7: Unresolved tag: !include/, raw: 'name: !include lab\n'},
		{name: 'YAML alias bomb', field: /profile\.yaml: Excessive alias count/, raw: ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n')},
	];

	it.each(cases)('$name', ({field, profile, raw, file, setup}) => {
		const ws = workspace(profile ?? {}, {...(raw ? {raw} : {}), ...(file ? {file} : {})});
		setup?.(ws.dir);
		const r = render(ws);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toMatch(field);
		expect(r.stderr).toContain('nothing was written');
		expect(existsSync(ws.stateDir)).toBe(false);
		expect(existsSync(ws.outDir)).toBe(false);
		expect(existsSync(join(ws.dir, 'xdg-state'))).toBe(false);
	});
});

/** The kept encryption key and CA are never replaced by a profile value. */
describe('render refuses to replace what the state directory keeps', () => {
	const rewrite = (ws: {file: string}, profile: unknown) => writeFileSync(ws.file, stringify(profile));

	it('a different encryption.key: exit 2 naming encryption.key, the kept key and every node\'s file unchanged', () => {
		const ws = workspace();
		expect(render(ws).code).toBe(0);
		const keptKey = readFileSync(join(ws.stateDir, 'encryption-key'), 'utf8');
		const state = snapshot(ws.stateDir);
		const out = snapshot(ws.outDir);
		const other = Buffer.alloc(32, 7).toString('base64');
		rewrite(ws, baseProfile({encryption: {key: other}}));
		const r = render(ws);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toContain('error: encryption.key: differs from the key kept in');
		expect(r.stderr).toContain('remove encryption.key from the profile to keep using the kept key');
		expect(r.stderr).not.toContain(keptKey.trim());
		expect(r.stderr).not.toContain(other);
		expect(readFileSync(join(ws.stateDir, 'encryption-key'), 'utf8')).toBe(keptKey);
		expect(snapshot(ws.stateDir)).toEqual(state);
		expect(snapshot(ws.outDir)).toEqual(out);
	});

	it('a brought CA other than the one the state was built with: exit 2 with both SHA-256 fingerprints', () => {
		const ws = workspace();
		const ca = (name: string) => {
			const keys = generateEcKeyPair();
			const cert = createCaCertificate('user-ca', keys.privateKey, 3650);
			writeFileSync(join(ws.dir, `${name}.pem`), cert);
			writeFileSync(join(ws.dir, `${name}-key.pem`), keys.privateKey);
			return new X509Certificate(cert).fingerprint256;
		};
		const first = ca('ca');
		const second = ca('other');
		rewrite(ws, baseProfile({pki: {caCert: './ca.pem', caKey: './ca-key.pem'}}));
		expect(render(ws).code).toBe(0);
		const state = snapshot(ws.stateDir);
		rewrite(ws, baseProfile({pki: {caCert: './other.pem', caKey: './other-key.pem'}}));
		const r = render(ws);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toContain('error: pki.caCert: ');
		expect(r.stderr).toContain(first);
		expect(r.stderr).toContain(second);
		expect(snapshot(ws.stateDir)).toEqual(state);
	});
});

describe('render --out never writes through a symbolic link', () => {
	it('a linked directory or file below --out: exit 2 naming it, nothing written where it points', () => {
		const ws = workspace();
		const elsewhere = join(ws.dir, 'elsewhere');
		mkdirSync(elsewhere);
		mkdirSync(join(ws.outDir, 'master1'), {recursive: true});
		symlinkSync(elsewhere, join(ws.outDir, 'master1', 'etc'));
		const r = render(ws);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toContain(`render --out: ${join(ws.outDir, 'master1', 'etc')} is a symbolic link (to ${elsewhere})`);
		expect(readdirSync(elsewhere)).toEqual([]);

		rmSync(join(ws.outDir, 'master1', 'etc'));
		writeFileSync(join(elsewhere, 'kubeconfig'), 'theirs\n');
		symlinkSync(join(elsewhere, 'kubeconfig'), join(ws.outDir, 'admin.kubeconfig'));
		const again = render(ws);
		expect(again.code, again.stderr).toBe(2);
		expect(again.stderr).toContain(`${join(ws.outDir, 'admin.kubeconfig')} is a symbolic link`);
		expect(readFileSync(join(elsewhere, 'kubeconfig'), 'utf8')).toBe('theirs\n');
	});
});
