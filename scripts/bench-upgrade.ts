/**
 * bench:lab's upgrade rows: the rolling upgrade 1.36.3 → the lab's release on 3 nodes,
 * beside the guide's way (its procedure re-run with the new binaries: every node's
 * services stopped, the files copied, started again). A probe reads every apiserver's
 * /readyz every 100 ms during each; printed per way: the wall time, the fewest ready
 * apiservers seen and the longest time with none ready. Target (issue 14): zero seconds
 * without a ready apiserver, never fewer than 2 ready, at a wall time no longer than the
 * guide's way. Then the same upgrade with --stability-window 0 (`--no-window-row` leaves it
 * out), not a default: it shows how much of apply's time is the gate's watching.
 */
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {request} from 'node:https';
import {join} from 'node:path';
import {parseDocument} from 'yaml';
import type {RunEvent} from '../source/run/events.js';
import {upgradeBreakdown} from './upgrade-breakdown.js';

export const UPGRADE_FROM = '1.36.3';

interface Creds {
	ca: string;
	cert: string;
	key: string;
}

export interface UpgradeBench {
	env: Record<string, string>;
	names: string[];
	ips: string[];
	guideEnv: Record<string, string>;
	work: string;
	cli: string;
	guideScript: string;
	reset: (nodes: string[]) => Promise<void>;
	timed: (what: string, command: string, args: string[], env?: Record<string, string>) => Promise<{seconds: number; output: string}>;
}

export async function upgradeRows(b: UpgradeBench): Promise<void> {
	const from = `/var/cache/k8s-master-setup/kubernetes/v${UPGRADE_FROM}`;
	if (!existsSync(`${from}/.complete`)) {
		console.log(`upgrade rows skipped: Kubernetes ${UPGRADE_FROM} is not built (scripts/build-kubernetes.sh ${UPGRADE_FROM})`);
		return;
	}
	const to = b.env.LAB_K8S_BINARIES as string;
	const target = /v[\d.]+$/.exec(to)?.[0] ?? to;

	// The guide's way: install the old release with its procedure, then run it again with the new binaries.
	await b.reset(b.names);
	const guideWork = join(b.work, 'guide-upgrade');
	await b.timed(`guide (install ${UPGRADE_FROM})`, 'bash', [b.guideScript], {...b.guideEnv, BIN_DIR: from, PATH: `${from}:${process.env.PATH}`, WORK_DIR: guideWork});
	const guideCreds: Creds = {ca: readFileSync(join(b.env.LAB_PKI as string, 'ca.pem'), 'utf8'), cert: readFileSync(join(guideWork, 'admin.pem'), 'utf8'), key: readFileSync(join(guideWork, 'admin-key.pem'), 'utf8')};
	const guideProbe = probe(b.ips, guideCreds);
	const guide = await b.timed(`guide (upgrade to ${target})`, 'bash', [b.guideScript], {...b.guideEnv, WORK_DIR: guideWork, STOP_SERVICES_FIRST: '1'});
	const guideSeen = await guideProbe();

	// apply: install the old release, then change the profile's release and apply again.
	const profile = join(b.work, 'profile-upgrade.yaml');
	const state = join(b.work, 'state-upgrade');
	const setRelease = (binaries: string, minor: string) => {
		const doc = parseDocument(readFileSync(b.env.LAB_PROFILE as string, 'utf8'));
		doc.set('binaries', binaries);
		doc.set('kubernetesVersion', minor);
		writeFileSync(profile, doc.toString());
	};
	const args = ['apply', '--profile-file', profile, '--state-dir', state, '--known-hosts', b.env.LAB_KNOWN_HOSTS as string, '--yes'];
	const applyUpgrade = async (what: string, extra: string[] = []) => {
		await b.reset(b.names);
		rmSync(state, {recursive: true, force: true});
		setRelease(from, UPGRADE_FROM.split('.').slice(0, 2).join('.'));
		await b.timed(`apply (install ${UPGRADE_FROM})`, b.cli, args);
		setRelease(to, target.replace(/^v/, '').split('.').slice(0, 2).join('.'));
		const applyProbe = probe(b.ips, adminFromKubeconfig(join(state, 'admin.kubeconfig')));
		const run = await b.timed(what, b.cli, [...args, '--json', ...extra]);
		const seen = await applyProbe();
		return {seconds: run.seconds, seen, events: run.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as RunEvent)};
	};
	const apply = await applyUpgrade(`apply (upgrade to ${target})`);
	// The same upgrade without the gate's watching (not a default): what the stability
	// windows cost against what the tool's own work costs, for reading a MISS.
	const unwatched = process.argv.includes('--no-window-row') ? undefined : await applyUpgrade(`apply (upgrade to ${target}, --stability-window 0)`, ['--stability-window', '0']);

	const line = (name: string, s: number, seen: Seen, extra = '') =>
		console.log(`${name.padEnd(42)} ${s.toFixed(2).padStart(8)} s  fewest ready ${seen.minReady}/${b.ips.length}, longest with none ready ${(seen.longestNoneMs / 1000).toFixed(2)} s (${seen.samples} samples)${extra}`);
	console.log(`\nupgrade ${UPGRADE_FROM} -> ${target}, ${b.ips.length} nodes, /readyz of every apiserver every 100 ms:`);
	line('guide procedure re-run (stop, copy, start)', guide.seconds, guideSeen);
	const pass = apply.seen.longestNoneMs === 0 && apply.seen.minReady >= 2 && apply.seconds <= guide.seconds;
	line('apply, rolling upgrade', apply.seconds, apply.seen, `; target: 0 s none ready, >= 2 ready, wall <= the guide's ${pass ? 'PASS' : 'MISS'}`);
	if (unwatched) line('apply, rolling upgrade, --stability-window 0', unwatched.seconds, unwatched.seen, ' (not a default: the windows left out)');
	console.log('where the rolling upgrade spent its time (from its --json events):');
	for (const l of upgradeBreakdown(apply.events)) console.log(l);
}

interface Seen {
	minReady: number;
	longestNoneMs: number;
	samples: number;
}

/** Polls every apiserver's /readyz every 100 ms until the returned function is called. */
function probe(ips: string[], creds: Creds): () => Promise<Seen> {
	let stopped = false;
	const seen: Seen = {minReady: ips.length, longestNoneMs: 0, samples: 0};
	let noneSince: number | undefined;
	const loop = (async () => {
		while (!stopped) {
			const at = performance.now();
			const ready = (await Promise.all(ips.map((ip) => readyz(ip, creds)))).filter(Boolean).length;
			seen.samples++;
			seen.minReady = Math.min(seen.minReady, ready);
			if (ready === 0) {
				noneSince ??= at;
				seen.longestNoneMs = Math.max(seen.longestNoneMs, performance.now() - noneSince);
			} else noneSince = undefined;
			await new Promise((r) => setTimeout(r, 100));
		}
	})();
	return async () => {
		stopped = true;
		await loop;
		return seen;
	};
}

function readyz(ip: string, creds: Creds): Promise<boolean> {
	return new Promise((resolve) => {
		const req = request({host: ip, port: 6443, path: '/readyz', ca: creds.ca, cert: creds.cert, key: creds.key, agent: false, timeout: 1000}, (res) => {
			res.resume();
			resolve(res.statusCode === 200);
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(false));
		req.end();
	});
}

function adminFromKubeconfig(path: string): Creds {
	const doc = parseDocument(readFileSync(path, 'utf8')).toJS() as {
		clusters: Array<{cluster: {'certificate-authority-data': string}}>;
		users: Array<{user: {'client-certificate-data': string; 'client-key-data': string}}>;
	};
	const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
	return {ca: b64(doc.clusters[0]?.cluster['certificate-authority-data']), cert: b64(doc.users[0]?.user['client-certificate-data']), key: b64(doc.users[0]?.user['client-key-data'])};
}
