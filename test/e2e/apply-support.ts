import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa, type ResultPromise} from 'execa';
import YAML from 'yaml';
import {adminTlsOf} from '../../scripts/configmap-probe.js';
import {request} from '../../scripts/secret-probe.js';
import type {RunEvent} from '../../source/run/events.js';

/**
 * What the end-to-end tests need around the lab: run the built CLI, read its NDJSON
 * events, run commands on nodes, and ask apiservers over HTTPS with the admin cert.
 */
export const repoRoot = new URL('../../', import.meta.url).pathname;
export const cli = `${repoRoot}dist/source/cli/main.js`;
export const labScript = `${repoRoot}scripts/lab.sh`;
/** Shared by the e2e files: the status suite reuses what the apply suite installed. */
export const e2eWork = '/var/tmp/k8s-master-setup-e2e';
export const NODES = ['lab-m1', 'lab-m2', 'lab-m3'];
export const UNITS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/** No control plane on the nodes, nothing of Kubernetes in etcd. */
export async function resetLab(): Promise<void> {
	await Promise.all(
		NODES.map((n) =>
			nodeSsh(
				n,
				`systemctl disable --now ${UNITS.join(' ')} 2>/dev/null; rm -rf /opt/k8s /etc/kubernetes /data/k8s /var/lib/k8s-master-setup /etc/systemd/system/kube-*.service; systemctl daemon-reload`,
			),
		),
	);
	await execa('bash', [labScript, 'etcdctl', 'del', '--prefix', '/registry']);
}

export function applyArgs(env: Record<string, string>, profilePath: string, stateDir: string): string[] {
	return ['--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes', '--json'];
}

export async function labEnv(): Promise<Record<string, string>> {
	const {stdout} = await execa('bash', [labScript, 'env']);
	return Object.fromEntries(
		stdout
			.split('\n')
			.map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l))
			.filter((m): m is RegExpExecArray => m !== null)
			.map((m) => [m[1] as string, (m[2] as string).replace(/^"|"$/g, '')]),
	);
}

export function nodeSsh(name: string, command: string, options: {reject?: boolean} = {}) {
	return execa('bash', [labScript, 'ssh', name, command], {reject: options.reject ?? true});
}

export function startApply(args: string[]): ResultPromise<{reject: false; all: true}> {
	return execa('node', [cli, 'apply', ...args], {reject: false, all: true});
}

export function parseEvents(stdout: string): RunEvent[] {
	return stdout
		.split('\n')
		.filter((l) => l.startsWith('{'))
		.map((l) => JSON.parse(l) as RunEvent);
}

/** systemd's view of a unit: ActiveState, NRestarts, ActiveEnterTimestampMonotonic. */
export async function unitState(node: string, unit: string): Promise<Record<string, string>> {
	const {stdout} = await nodeSsh(node, `systemctl show ${unit} -p ActiveState -p SubState -p NRestarts -p ActiveEnterTimestampMonotonic`);
	return Object.fromEntries(stdout.split('\n').map((l) => l.split('=', 2) as [string, string]));
}

/**
 * Each unit's run on each node, keyed `node unit`: its InvocationID (new at every start,
 * whoever started it) and NRestarts (systemd's own automatic restarts only).
 */
export async function unitRuns(): Promise<Record<string, {invocation: string; restarts: number; active: string}>> {
	const out: Record<string, {invocation: string; restarts: number; active: string}> = {};
	await Promise.all(
		NODES.map(async (node) => {
			const {stdout} = await nodeSsh(node, `for u in ${UNITS.join(' ')}; do echo "$u $(systemctl show -P InvocationID $u) $(systemctl show -P NRestarts $u) $(systemctl show -P ActiveState $u)"; done`);
			for (const line of stdout.trim().split('\n')) {
				const [unit, invocation = '', restarts = '', active = ''] = line.split(' ');
				out[`${node} ${unit}`] = {invocation, restarts: Number(restarts), active};
			}
		}),
	);
	return out;
}

/**
 * A unit apply did not restart between two unitRuns: the same run, or a new one that
 * systemd started itself (NRestarts grew; a controller-manager or scheduler exits on
 * purpose when it loses its Lease, and Restart= brings it back).
 */
export function notRestartedByApply(before: {invocation: string; restarts: number}, after: {invocation: string; restarts: number}): boolean {
	return before.invocation === after.invocation || after.restarts > before.restarts;
}

/**
 * Every file apply manages on a node, one line each: path, inode, mtime and ctime (ns),
 * mode and sha256. A file written again, even with the same bytes, gets a new inode (the
 * atomic rename) or mtime; a chmod moves the ctime.
 */
export async function managedFiles(node: string): Promise<string[]> {
	const {stdout} = await nodeSsh(
		node,
		`{ find /opt/k8s/bin /etc/kubernetes /var/lib/k8s-master-setup -type f; ls -1 /etc/systemd/system/kube-*.service; } | sort | while IFS= read -r f; do echo "$f $(stat -c '%i %.9Y %.9Z %a' "$f") $(sha256sum < "$f" | cut -c1-64)"; done`,
	);
	return stdout.trim().split('\n');
}

export interface AdminCreds {
	ca: string;
	cert: string;
	key: string;
}

/** The admin kubeconfig's TLS material (scripts/configmap-probe.ts). */
export const adminCreds = adminTlsOf;

/** One HTTPS request to the lab (scripts/secret-probe.ts). */
export const get = request;

export function sha256File(path: string): string {
	return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const v = await fn();
			if (v !== undefined) return v;
		} catch (error) {
			last = error;
		}
		await new Promise((r) => setTimeout(r, everyMs));
	}
	throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function canRunLab(): string | undefined {
	if (process.platform !== 'linux') return 'the lab needs Linux (systemd-nspawn, network namespaces)';
	if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, systemd-nspawn)';
	return undefined;
}

/**
 * The lab with a converged control plane for the suites that build on one (status,
 * rollout): the apply suite's cluster when it was installed from this lab's binaries (CI
 * runs the suites once per Kubernetes version, in either file order), else a fresh install.
 * Returns the lab's environment; the apply's output is in the failure message.
 */
export async function labWithCluster(profilePath: string, stateDir: string): Promise<Record<string, string>> {
	await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
	const env = await labEnv();
	const current = existsSync(profilePath) && readFileSync(profilePath, 'utf8').includes(`binaries: ${env.LAB_K8S_BINARIES}`);
	if (!current || !existsSync(join(stateDir, 'admin.kubeconfig'))) {
		await resetLab();
		rmSync(e2eWork, {recursive: true, force: true});
		mkdirSync(e2eWork, {recursive: true});
		writeFileSync(profilePath, readFileSync(env.LAB_PROFILE as string));
	}
	// Converge (a no-op when the apply suite just ran) so every service is up.
	let run = await startApply(applyArgs(env, profilePath, stateDir));
	if (run.exitCode === 2 && /belongs to a cluster this state directory did not build/.test(run.all ?? '')) {
		// Something else installed the lab since (a benchmark, another state): start afresh.
		await resetLab();
		rmSync(stateDir, {recursive: true, force: true});
		writeFileSync(profilePath, readFileSync(env.LAB_PROFILE as string));
		run = await startApply(applyArgs(env, profilePath, stateDir));
	}
	if (run.exitCode !== 0) throw new Error(`the lab's control plane did not converge (exit ${run.exitCode}):\n${run.all}`);
	return env;
}

/** Sets (or, with undefined, removes) one apiserver extra argument in a profile file. */
export function setApiserverArg(profilePath: string, name: string, value: string | undefined): void {
	const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
	const extraArgs = {...profile.apiserver?.extraArgs};
	if (value === undefined) delete extraArgs[name];
	else extraArgs[name] = value;
	profile.apiserver = {...profile.apiserver, extraArgs};
	writeFileSync(profilePath, YAML.stringify(profile));
}

/** A node as bare as before any install: the control plane, a stacked etcd member and every file the tool placed, gone. */
export function bareNode(name: string) {
	return nodeSsh(name, `systemctl disable --now ${UNITS.join(' ')} etcd 2>/dev/null; rm -rf /opt/k8s /etc/kubernetes /data/k8s /var/lib/k8s-master-setup /var/lib/etcd /var/lib/etcd.* /etc/etcd /etc/systemd/system/kube-*.service /etc/systemd/system/etcd.service; systemctl daemon-reload`, {reject: false});
}

/** The stacked suites' start: a lab of `size` nodes, its own etcd taken off, `nodes` bare, `work` empty. */
export async function bareStackedLab(size: number, nodes: readonly string[], work: string): Promise<Record<string, string>> {
	await execa('bash', [labScript, 'up', String(size)], {stdio: 'inherit'});
	const env = await labEnv();
	await execa('bash', [labScript, 'etcd-off'], {stdio: 'inherit'});
	await Promise.all(nodes.map(bareNode));
	rmSync(work, {recursive: true, force: true});
	mkdirSync(work, {recursive: true});
	return env;
}

/** The stacked suites' end: the tool's members gone from `nodes`, the lab's own etcd back (empty) for the other suites. */
export async function putLabEtcdBack(nodes: readonly string[]): Promise<void> {
	await Promise.all(nodes.map(bareNode));
	await execa('bash', [labScript, 'etcd', '--reset'], {stdio: 'inherit'});
}
