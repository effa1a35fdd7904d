/**
 * `npm run bench`: wall time of the whole `k8s-master-setup render` process for 3 nodes,
 * with a fresh state directory (CA, keys, certificates created) and with an existing one
 * (everything reused), median of 11 runs each (`--runs N`), of the shipped CLI (the bundle,
 * dist/k8s-master-setup.mjs; `--cli tsc` for dist/source/cli/main.js); then, when cfssl, cfssljson and kubectl are
 * installed, the guide's own sequence (4 x cfssl gencert, 8 x kubectl config, sed per node).
 * The binaries are small stand-in scripts: binary hashing is cached per file and is not what
 * this measures.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {reportMetrics} from './bench-metrics.js';

const {values: args} = parseArgs({options: {runs: {type: 'string', default: '11'}, cli: {type: 'string', default: 'bundle'}}});
const RUNS = Math.max(1, Number(args.runs));
const GUIDE_SECONDS = 0.9;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = args.cli === 'tsc' ? join(root, 'dist', 'source', 'cli', 'main.js') : join(root, 'dist', 'k8s-master-setup.mjs');
const work = mkdtempSync(join(tmpdir(), 'k8s-bench-'));

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(run: () => void): number {
	const start = performance.now();
	run();
	return (performance.now() - start) / 1000;
}

function withoutExtraCa(): NodeJS.ProcessEnv {
	const env = {...process.env};
	delete env['NODE_EXTRA_CA_CERTS'];
	return env;
}

function setup(): string {
	const bin = join(work, 'bin');
	mkdirSync(bin);
	for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
		writeFileSync(join(bin, name), '#!/bin/sh\necho "Kubernetes v1.37.2"\n');
		chmodSync(join(bin, name), 0o755);
	}
	const profile = join(work, 'profile.yaml');
	writeFileSync(
		profile,
		[
			'name: bench',
			'kubernetesVersion: "1.37"',
			'binaries: ./bin',
			'nodes:',
			...[1, 2, 3].map((i) => `  - {name: master${i}, ip: 198.18.0.1${i}}`),
			'etcd:',
			'  endpoints: [https://198.18.0.11:2379, https://198.18.0.12:2379, https://198.18.0.13:2379]',
		].join('\n') + '\n',
	);
	return profile;
}

function render(profile: string, stateDir: string, out: string): void {
	const r = spawnSync(process.execPath, [cli, 'render', '--profile-file', profile, '--state-dir', stateDir, '--out', out], {encoding: 'utf8'});
	if (r.status !== 0) throw new Error(`render failed (${r.status}): ${r.stderr}`);
}

function which(command: string): string | undefined {
	try {
		return execFileSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'}).trim() || undefined;
	} catch {
		return undefined;
	}
}

/** The guide's steps for one render's worth of files, as a shell script. */
function guideScript(dir: string, kubectl: string): string {
	const csr = (cn: string, o: string, hosts: string[]) => JSON.stringify({CN: cn, hosts, key: {algo: 'rsa', size: 2048}, names: [{C: 'CN', ST: 'BeiJing', L: 'BeiJing', O: o, OU: 'opsnull'}]});
	const ips = ['198.18.0.11', '198.18.0.12', '198.18.0.13'];
	writeFileSync(join(dir, 'kubernetes-csr.json'), csr('kubernetes-master', 'k8s', ['127.0.0.1', ...ips, '10.254.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.cluster.local']));
	writeFileSync(join(dir, 'proxy-client-csr.json'), csr('aggregator', 'k8s', []));
	writeFileSync(join(dir, 'kube-controller-manager-csr.json'), csr('system:kube-controller-manager', 'system:kube-controller-manager', ['127.0.0.1', ...ips]));
	writeFileSync(join(dir, 'kube-scheduler-csr.json'), csr('system:kube-scheduler', 'system:kube-scheduler', ['127.0.0.1', ...ips]));
	const gencert = (name: string) => `cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes ${name}-csr.json 2>/dev/null | cfssljson -bare ${name}`;
	const kubeconfig = (c: string) => [
		`${kubectl} config set-cluster kubernetes --certificate-authority=ca.pem --embed-certs=true --server=https://##NODE_IP##:6443 --kubeconfig=${c}.kubeconfig >/dev/null`,
		`${kubectl} config set-credentials system:${c} --client-certificate=${c}.pem --client-key=${c}-key.pem --embed-certs=true --kubeconfig=${c}.kubeconfig >/dev/null`,
		`${kubectl} config set-context system:${c} --cluster=kubernetes --user=system:${c} --kubeconfig=${c}.kubeconfig >/dev/null`,
		`${kubectl} config use-context system:${c} --kubeconfig=${c}.kubeconfig >/dev/null`,
	];
	return [
		'set -e',
		`cd ${dir}`,
		'rm -f *.kubeconfig',
		...['kubernetes', 'proxy-client', 'kube-controller-manager', 'kube-scheduler'].map(gencert),
		...kubeconfig('kube-controller-manager'),
		...kubeconfig('kube-scheduler'),
		...ips.flatMap((ip) => ['kube-controller-manager', 'kube-scheduler'].map((c) => `sed -e "s/##NODE_IP##/${ip}/" ${c}.kubeconfig > ${c}-${ip}.kubeconfig`)),
		...ips.map((ip) => `sed -e "s/##NODE_IP##/${ip}/" kubernetes-csr.json > unit-${ip}.service`),
	].join('\n');
}

function guideBaseline(): number | string {
	const missing = ['cfssl', 'cfssljson'].filter((c) => !which(c));
	const kubectl = ['/var/cache/k8s-master-setup/kubernetes/v1.37.2/kubectl'].find((p) => existsSync(p)) ?? which('kubectl');
	if (!kubectl) missing.push('kubectl');
	if (missing.length > 0) return `guide baseline skipped: ${missing.join(', ')} not found`;
	const dir = join(work, 'guide');
	mkdirSync(dir);
	writeFileSync(join(dir, 'ca-csr.json'), JSON.stringify({CN: 'kubernetes-ca', key: {algo: 'rsa', size: 2048}, names: [{C: 'CN', O: 'k8s'}], ca: {expiry: '876000h'}}));
	writeFileSync(join(dir, 'ca-config.json'), JSON.stringify({signing: {default: {expiry: '87600h'}, profiles: {kubernetes: {usages: ['signing', 'key encipherment', 'server auth', 'client auth'], expiry: '876000h'}}}}));
	execFileSync('sh', ['-c', `cd ${dir} && cfssl gencert -initca ca-csr.json 2>/dev/null | cfssljson -bare ca`]);
	const script = join(dir, 'guide.sh');
	writeFileSync(script, guideScript(dir, kubectl!));
	const times = Array.from({length: 3}, () => timed(() => execFileSync('bash', [script], {stdio: 'pipe'})));
	return median(times);
}

function main(): void {
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
	const profile = setup();
	const fresh = Array.from({length: RUNS}, (_, i) => timed(() => render(profile, join(work, `fresh-state-${i}`), join(work, `fresh-out-${i}`))));
	const kept = join(work, 'kept-state');
	render(profile, kept, join(work, 'kept-out'));
	const again = Array.from({length: RUNS}, () => timed(() => render(profile, kept, join(work, 'kept-out'))));
	const node = median(Array.from({length: RUNS}, () => timed(() => execFileSync(process.execPath, ['-e', '']))));
	// Node 20 reads NODE_EXTRA_CA_CERTS at every process start (about 0.1 s for a full system
	// bundle on a slow machine): say so, since it is in every number here and not the tool's.
	const extraCa = process.env['NODE_EXTRA_CA_CERTS'];
	const nodeBare = extraCa
		? median(Array.from({length: RUNS}, () => timed(() => execFileSync(process.execPath, ['-e', ''], {env: withoutExtraCa()}))))
		: undefined;
	const baseline = guideBaseline();
	const f = (s: number) => `${s.toFixed(3)} s`;
	const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
	const startNote = `node -e '' alone: ${f(node)}${nodeBare !== undefined ? `, ${f(nodeBare)} without NODE_EXTRA_CA_CERTS (set here: ${extraCa})` : ''}`;
	// The issue's targets are multiples of the guide's own time ("about 0.9 s on this
	// machine" when it was written). Timed in the same run, on the same machine in the same
	// state, the guide is the fair yardstick; without cfssl/kubectl, the issue's 0.9 s is.
	const guide = typeof baseline === 'number' ? baseline : GUIDE_SECONDS;
	const guideNote = typeof baseline === 'number' ? `the guide's sequence timed in this run, ${f(baseline)}` : `the issue's ${GUIDE_SECONDS} s (${baseline})`;
	console.log(`render, 3 nodes, median of ${RUNS} (whole process of ${cli.slice(root.length + 1)}; ${startNote})`);
	const freshOk = median(fresh) <= 0.6 * guide;
	const againOk = median(again) <= 0.2 * guide;
	console.log(`  fresh state dir:    ${f(median(fresh))} = ${(median(fresh) / guide).toFixed(2)}x ${guideNote} (target <= 0.6x) ${verdict(freshOk)}   runs: ${fresh.map((s) => s.toFixed(3)).join(' ')}`);
	console.log(`  existing state dir: ${f(median(again))} = ${(median(again) / guide).toFixed(2)}x ${guideNote} (target <= 0.2x) ${verdict(againOk)}   runs: ${again.map((s) => s.toFixed(3)).join(' ')}`);
	console.log(`  against the issue's fixed ${GUIDE_SECONDS} s: fresh ${f(median(fresh))} vs <= ${f(0.6 * GUIDE_SECONDS)}, existing ${f(median(again))} vs <= ${f(0.2 * GUIDE_SECONDS)}`);
	reportMetrics(
		{name: 'render, 3 nodes, fresh state dir', value: median(fresh), unit: 's', target: `<= 0.6x guide (${f(0.6 * guide)})`, pass: freshOk, note: `median of ${RUNS}; guide: ${guideNote}; ${startNote}`},
		{name: 'render, 3 nodes, existing state dir', value: median(again), unit: 's', target: `<= 0.2x guide (${f(0.2 * guide)})`, pass: againOk, note: `median of ${RUNS}; guide: ${guideNote}; ${startNote}`},
	);
	if (typeof baseline !== 'number') console.log(baseline);
	rmSync(work, {recursive: true, force: true});
}

main();
