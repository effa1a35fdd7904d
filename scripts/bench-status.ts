import {readAdminCredentials, type AdminCredentials} from '../source/cluster/admin-credentials.js';
import {existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {parseArgs} from 'node:util';
import {connectNode} from '../source/cli/shared/connect.js';
import {loadProfileFile} from '../source/profile/load.js';
import type {Profile} from '../source/profile/schema.js';
import type {Transport} from '../source/remote/transport.js';
import {defaultStateDir} from '../source/state/state-dir.js';
import {buildViewModel} from '../source/status/view-model.js';
import {createStatusProber} from '../source/status/probes.js';
import {reportMetrics, reportSkipped} from './bench-metrics.js';

/**
 * Status refresh benchmark (issue 6, "Performance"): connects once to every node of a
 * profile (connections kept, as `status` keeps them), then times full refreshes — systemd
 * + certificate files over SSH, the HTTPS probes and the Leases — for the first 1, 3 and N
 * nodes. Targets: 3 nodes under 1 s; growth from 1 to N nodes sub-linear (far below N×).
 *
 *   node dist/scripts/bench-status.js [--profile-file F] [--state-dir D] [--nodes N]
 *        [--refreshes K] [--known-hosts F] [--accept-new-host-keys] [--json]
 *
 * Defaults: the lab's profile (/var/lib/k8s-master-setup-lab/profile.yaml, known_hosts next
 * to it) and the profile's state directory (ca.pem, admin.pem, admin-key.pem, written by
 * `apply`). Without them it says what is missing and exits 0: a benchmark, not a test.
 * 20 nodes: `scripts/lab.sh up 20`, apply the lab profile, then `--nodes 20`.
 */

const LAB_PROFILE = '/var/lib/k8s-master-setup-lab/profile.yaml';

interface SizeResult {
	nodes: number;
	refreshes: number;
	medianMs: number;
	minMs: number;
	maxMs: number;
	status: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function skip(why: string): never {
	console.log(`bench-status: skipped: ${why}`);
	reportSkipped('status', why);
	process.exit(0);
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			'profile-file': {type: 'string', default: LAB_PROFILE},
			'state-dir': {type: 'string'},
			nodes: {type: 'string'},
			refreshes: {type: 'string', default: '5'},
			'known-hosts': {type: 'string'},
			'accept-new-host-keys': {type: 'boolean', default: false},
			'timeout-ms': {type: 'string', default: '3000'},
			json: {type: 'boolean', default: false},
		},
	});
	const profileFile = values['profile-file'];
	if (!existsSync(profileFile)) skip(`no profile at ${profileFile} (start the lab: scripts/lab.sh up, or pass --profile-file)`);
	const profile = await loadProfileFile(profileFile);
	const wanted = values.nodes === undefined ? profile.nodes.length : Number(values.nodes);
	if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`--nodes must be a whole number >= 1 (got ${values.nodes})`);
	if (wanted > profile.nodes.length) {
		skip(`--nodes ${wanted} but ${profileFile} lists ${profile.nodes.length} nodes (for 20: scripts/lab.sh up 20, then apply the profile)`);
	}
	const refreshes = Math.max(1, Number(values.refreshes));
	const stateDir = values['state-dir'] ?? defaultStateDir(profile.name);
	if (!existsSync(stateDir)) skip(`no state directory ${stateDir}: apply the profile first, or pass --state-dir DIR (the one apply used)`);
	let admin: AdminCredentials;
	try {
		admin = readAdminCredentials(profile, stateDir);
	} catch (error) {
		skip((error as Error).message);
	}
	const labKnownHosts = join(dirname(profileFile), 'known_hosts');
	const knownHosts = values['known-hosts'] ?? (existsSync(labKnownHosts) ? labKnownHosts : undefined);

	const benchProfile: Profile = {...profile, nodes: profile.nodes.slice(0, wanted)};
	const connectStarted = performance.now();
	const connections = new Map<string, Transport | Error>();
	await Promise.all(
		benchProfile.nodes.map(async (node) => {
			try {
				connections.set(node.name, await connectNode(benchProfile, node, {knownHosts, acceptNewHostKeys: values['accept-new-host-keys']}));
			} catch (error) {
				connections.set(node.name, error instanceof Error ? error : new Error(String(error)));
			}
		}),
	);
	const connectMs = performance.now() - connectStarted;
	const unreachable = [...connections].filter(([, c]) => c instanceof Error).map(([n, c]) => `${n} (${(c as Error).message})`);

	const sizes = [...new Set([1, Math.min(3, wanted), wanted])];
	const results: SizeResult[] = [];
	try {
		for (const size of sizes) {
			const sub: Profile = {...benchProfile, nodes: benchProfile.nodes.slice(0, size)};
			const prober = createStatusProber({profile: sub, admin, timeoutMs: Number(values['timeout-ms'])});
			try {
				// A warm-up refresh opens the kept HTTPS connections, as the dashboard's first refresh does.
				await prober.probe(connections);
				const times: number[] = [];
				let status = '';
				for (let i = 0; i < refreshes; i++) {
					const started = performance.now();
					const snap = await prober.probe(connections);
					times.push(performance.now() - started);
					status = buildViewModel(snap).status;
				}
				results.push({nodes: size, refreshes, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), status});
			} finally {
				prober.close();
			}
		}
	} finally {
		await Promise.allSettled([...connections.values()].map((c) => (c instanceof Error ? undefined : c.close())));
	}

	const one = results[0]!;
	const all = results.at(-1)!;
	const growth = all.medianMs / one.medianMs;
	const three = results.find((r) => r.nodes === 3);
	const metrics = [];
	if (three) metrics.push({name: 'status refresh, 3 nodes (connections kept)', value: three.medianMs, unit: 'ms', target: '< 1000 ms', pass: three.medianMs < 1000, note: `median of ${three.refreshes}; ${three.status}${unreachable.length > 0 ? `; unreachable: ${unreachable.join(', ')}` : ''}`});
	if (wanted > 1) {
		metrics.push({name: `status refresh growth, 1 → ${wanted} nodes`, value: growth, unit: '×', target: `< ${wanted} × (sub-linear)`, pass: growth < wanted, note: wanted < 20 ? 'the issue asks for 20 nodes: scripts/lab.sh up 20' : ''});
	}
	reportMetrics(...metrics);
	if (values.json) {
		console.log(JSON.stringify({profile: profile.name, connectMs, unreachable, results, growth, nodes: wanted}));
		return;
	}
	console.log(`status refresh benchmark · profile ${profile.name} · ${wanted} nodes · connect (once, kept) ${connectMs.toFixed(0)} ms`);
	if (unreachable.length > 0) console.log(`  unreachable over SSH: ${unreachable.join(', ')}`);
	for (const r of results) {
		console.log(
			`  ${String(r.nodes).padStart(3)} node${r.nodes === 1 ? ' ' : 's'}: median ${r.medianMs.toFixed(1)} ms (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}) over ${r.refreshes} refreshes · ${r.status}`,
		);
	}
	if (three) console.log(`  3 nodes under 1 s: ${three.medianMs < 1000 ? 'yes' : 'NO'} (${three.medianMs.toFixed(0)} ms)`);
	if (wanted > 1) {
		console.log(
			`  growth 1 → ${wanted} nodes: ×${growth.toFixed(2)} for ×${wanted} the nodes: ${growth < wanted ? 'sub-linear' : 'NOT sub-linear'}${wanted < 20 ? ' (the issue asks for 20 nodes: scripts/lab.sh up 20)' : ''}`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(`bench-status: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
