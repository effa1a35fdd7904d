// A client of the Secrets API for the rotation's e2e test and benchmark: every 200 ms a random
// seeded Secret read through one master, a new Secret written through the next and read back
// through the third. A request that finds its master restarting (no connection, or 503
// "apiserver is shutting down" with Retry-After, which client-go retries) goes to the next
// master, as a client behind a load balancer would; every other answer counts, so a failed
// read is an apiserver answering with an error, never a master stopped for its restart.
import https from 'node:https';

export interface AdminTls {
	ca: string;
	cert: string;
	key: string;
}

export interface SecretProbe {
	reads: number;
	writes: number;
	failures: string[];
	/** Requests that went on to the next master (one restarting). */
	failedOver: number;
	/** Each read's latency and when it ended (performance.now()). */
	readMs: Array<{at: number; ms: number}>;
	stop: () => Promise<void>;
}

/** One HTTPS request (5 s timeout unless told) with the given TLS material; never a status as an error. Also the e2e suites' `get`. */
export function request(
	url: string,
	tls: {ca: string; cert?: string; key?: string},
	init: {method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number} = {},
): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		const headers = {...(init.body ? {'content-type': 'application/json'} : {}), ...init.headers};
		const req = https.request(url, {method: init.method ?? 'GET', ...tls, timeout: init.timeoutMs ?? 5000, headers}, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (c: string) => (body += c));
			res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
		});
		req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
		req.on('error', reject);
		req.end(init.body);
	});
}

async function through(ips: readonly string[], first: number, path: string, tls: AdminTls, probe: SecretProbe, init: {method?: string; body?: string} = {}) {
	let last: unknown;
	for (let k = 0; k < ips.length; k++) {
		const ip = ips[(first + k) % ips.length]!;
		try {
			const answer = await request(`https://${ip}:6443${path}`, tls, init);
			if (answer.status === 503 && answer.body.includes('apiserver is shutting down')) {
				last = new Error(`${ip}: ${answer.body.slice(0, 120)}`);
				probe.failedOver++;
				continue;
			}
			return {ip, ...answer};
		} catch (error) {
			last = error;
			probe.failedOver++;
		}
	}
	throw last;
}

/** Starts the probe; `seeded` maps namespace/name to the value of its `v` key. */
export function probeSecrets(id: string, ips: readonly string[], tls: AdminTls, seeded: ReadonlyMap<string, string>): SecretProbe {
	const probe: SecretProbe = {reads: 0, writes: 0, failures: [], failedOver: 0, readMs: [], stop: async () => undefined};
	const names = [...seeded.keys()];
	let running = true;
	const loop = (async () => {
		for (let i = 0; running; i++) {
			const started = Date.now();
			try {
				const pick = names[Math.floor(Math.random() * names.length)]!;
				const [ns, name] = pick.split('/') as [string, string];
				const t = performance.now();
				const r = await through(ips, i, `/api/v1/namespaces/${ns}/secrets/${name}`, tls, probe);
				probe.readMs.push({at: performance.now(), ms: performance.now() - t});
				probe.reads++;
				if (r.status !== 200) probe.failures.push(`read ${pick} via ${r.ip}: HTTP ${r.status} ${r.body.slice(0, 120)}`);
				else if (Buffer.from((JSON.parse(r.body) as {data: {v: string}}).data.v, 'base64').toString() !== seeded.get(pick)) probe.failures.push(`read ${pick} via ${r.ip}: not its data`);
				const written = `e2e-probe-${id}-${i}`;
				const body = JSON.stringify({apiVersion: 'v1', kind: 'Secret', metadata: {name: written}, stringData: {v: written}});
				const w = await through(ips, i + 1, '/api/v1/namespaces/default/secrets', tls, probe, {method: 'POST', body});
				probe.writes++;
				if (w.status !== 201) probe.failures.push(`write ${written} via ${w.ip}: HTTP ${w.status} ${w.body.slice(0, 120)}`);
				const back = await through(ips, i + 2, `/api/v1/namespaces/default/secrets/${written}`, tls, probe);
				probe.reads++;
				if (back.status !== 200) probe.failures.push(`read back ${written} via ${back.ip}: HTTP ${back.status} ${back.body.slice(0, 120)}`);
			} catch (error) {
				probe.failures.push(`no master answered: ${(error as Error).message}`);
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

/** The 99th percentile of the reads' latencies (only those that ended within [from, to], when given). */
export function p99(reads: SecretProbe['readMs'], from = -Infinity, to = Infinity): number {
	const sorted = reads.filter((r) => r.at >= from && r.at <= to).map((r) => r.ms).sort((x, y) => x - y);
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

/** `count` Secrets in `namespaces` namespaces (created), 25 at a time over the masters; returns namespace/name → value. */
export async function seedSecrets(ips: readonly string[], tls: AdminTls, count: number, namespaces: number, prefix = 'e2e-rot'): Promise<Map<string, string>> {
	for (let n = 0; n < namespaces; n++) {
		const r = await request(`https://${ips[0]}:6443/api/v1/namespaces`, tls, {method: 'POST', body: JSON.stringify({apiVersion: 'v1', kind: 'Namespace', metadata: {name: `${prefix}-${n}`}})});
		if (r.status !== 201 && r.status !== 409) throw new Error(`namespace ${prefix}-${n}: HTTP ${r.status} ${r.body}`);
	}
	const seeded = new Map<string, string>();
	const all = Array.from({length: count}, (_, i) => ({ns: `${prefix}-${i % namespaces}`, name: `s-${i}`, v: `value ${i} ${Math.random()}`}));
	for (let i = 0; i < all.length; i += 25) {
		await Promise.all(
			all.slice(i, i + 25).map(async (s, j) => {
				const r = await request(`https://${ips[j % ips.length]}:6443/api/v1/namespaces/${s.ns}/secrets`, tls, {method: 'POST', body: JSON.stringify({apiVersion: 'v1', kind: 'Secret', metadata: {name: s.name}, stringData: {v: s.v}})});
				if (r.status !== 201) throw new Error(`seeding ${s.ns}/${s.name}: HTTP ${r.status} ${r.body}`);
				seeded.set(`${s.ns}/${s.name}`, s.v);
			}),
		);
	}
	return seeded;
}
