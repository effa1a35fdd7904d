// The membership probe of the e2e suite and bench:lab's add/remove rows: every 200 ms a
// ConfigMap written through one master (in turn) and read back through the next, counting
// every failed request and the longest time without a good round trip. Unlike the rotation's
// Secret probe it does not go on to another master: the masters it is given must all serve
// throughout (the ones an add or a removal leaves alone).
import {readFileSync} from 'node:fs';
import YAML from 'yaml';
import {request, type AdminTls} from './secret-probe.js';

export interface ConfigMapProbe {
	requests: number;
	failures: string[];
	longestGapMs: number;
	/** Each write's time to its answer (ms), in order: bench:lab's p99 rows. */
	writeMs: number[];
	stop: () => Promise<void>;
}

/** The q-quantile (0..1) of `xs` by nearest rank; NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
	if (xs.length === 0) return NaN;
	const sorted = [...xs].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The admin kubeconfig's CA, client certificate and key (the tool writes them inline). */
export function adminTlsOf(kubeconfigPath: string): AdminTls {
	const kc = YAML.parse(readFileSync(kubeconfigPath, 'utf8'));
	const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
	return {
		ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
		cert: b64(kc.users[0].user['client-certificate-data']),
		key: b64(kc.users[0].user['client-key-data']),
	};
}

// A write may wait out etcd's own request timeout (7 s: a proposal dropped while leadership
// moves) before the apiserver answers: the probe waits longer, so a failure says what etcd said.
const REQUEST_TIMEOUT_MS = 10_000;
/** When a failure happened (UTC time of day) and how long its round had taken: to set beside the run's events. */
const stamp = (started: number) => `${new Date().toISOString().slice(11, 23)} after ${Date.now() - started} ms`;

export function probeConfigMap(ips: readonly string[], tls: AdminTls, name = 'e2e-membership-probe'): ConfigMapProbe {
	const probe: ConfigMapProbe = {requests: 0, failures: [], longestGapMs: 0, writeMs: [], stop: async () => undefined};
	let running = true;
	let lastOk = Date.now();
	const base = (ip: string) => `https://${ip}:6443/api/v1/namespaces/default/configmaps`;
	const loop = (async () => {
		for (let i = 0; running; i++) {
			const started = Date.now();
			const value = String(i);
			const writeIp = ips[i % ips.length]!;
			const readIp = ips[(i + 1) % ips.length]!;
			try {
				const body = JSON.stringify({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name}, data: {i: value}});
				let w = await request(`${base(writeIp)}/${name}`, tls, {method: 'PUT', body, timeoutMs: REQUEST_TIMEOUT_MS});
				if (w.status === 404) w = await request(base(writeIp), tls, {method: 'POST', body, timeoutMs: REQUEST_TIMEOUT_MS});
				probe.writeMs.push(Date.now() - started);
				probe.requests++;
				if (w.status !== 200 && w.status !== 201) probe.failures.push(`${stamp(started)}: write via ${writeIp}: HTTP ${w.status} ${w.body.slice(0, 120)}`);
				const r = await request(`${base(readIp)}/${name}`, tls, {timeoutMs: REQUEST_TIMEOUT_MS});
				probe.requests++;
				if (r.status !== 200) probe.failures.push(`${stamp(started)}: read via ${readIp}: HTTP ${r.status} ${r.body.slice(0, 120)}`);
				else if ((JSON.parse(r.body) as {data?: {i?: string}}).data?.i !== value) probe.failures.push(`${stamp(started)}: read via ${readIp}: not the value just written`);
				else {
					probe.longestGapMs = Math.max(probe.longestGapMs, Date.now() - lastOk);
					lastOk = Date.now();
				}
			} catch (error) {
				probe.failures.push(`${stamp(started)}: via ${writeIp}/${readIp}: ${(error as Error).message}`);
			}
			await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - started))));
		}
	})();
	probe.stop = async () => {
		running = false;
		await loop;
	};
	return probe;
}
