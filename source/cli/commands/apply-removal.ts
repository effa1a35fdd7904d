// apply's part in removing a master that left the profile (run/remove-master/): chosen and
// refused before anything is written, described by a dry run, asked about with the rest of
// the run (or --remove-nodes without a question), and carried out once the profile's
// masters converged. Its lines go to stderr, whatever the output mode.
import {rmSync} from 'node:fs';
import {join} from 'node:path';
import type {AdminCredentials} from '../../cluster/admin-credentials.js';
import {UserError} from '../../errors.js';
import type {Profile} from '../../profile/schema.js';
import {describeRemoval, judgeRemoval} from '../../run/remove-master/removal-plan.js';
import {httpsClusterView} from '../../run/remove-master/https-cluster-view.js';
import {removeMaster} from '../../run/remove-master/remove-master.js';
import {finishedWithRemoval, removalEvents, type RunFinished} from '../../run/remove-master/removal-events.js';
import type {EventSink} from '../../run/events.js';
import type {HealthProbe} from '../../run/services.js';
import {describeFailure} from '../../run/step-error.js';
import {nodesLeftProfile, type InstalledNode, type InstalledNodesFile} from '../../state/installed-nodes-file.js';
import {connectNode, type NodeAccessOptions} from '../shared/connect.js';
import {lockingConnect} from '../shared/cluster-lock.js';
import {httpsEtcdProbe} from '../../etcd/https-etcd-probe.js';
import {etcdMember, stackedMembers} from '../../etcd/members.js';
import {dropBootstrap, MEMBER_BOOTSTRAP_FILE, parseBootstrapRecord, serializeBootstrapRecord} from '../../etcd/member-bootstrap.js';
import type {EtcdClientCredentials} from '../../snapshot/etcd-https.js';
import {StateDir} from '../../state/state-dir.js';

export interface RemovalOptions extends NodeAccessOptions {
	dryRun?: boolean;
	/** --remove-nodes: remove without a question (required when apply does not ask). */
	removeNodes?: boolean;
	forgetUnreachable?: boolean;
	purge?: boolean;
}

/** The master this run removes, or undefined; throws (exit 2) when the run may not remove it as asked. */
export function plannedRemoval(installed: InstalledNodesFile, profile: Profile, options: RemovalOptions, asking: boolean): InstalledNode | undefined {
	const departed = nodesLeftProfile(installed.recorded, profile.nodes);
	if (departed.length === 0) return undefined;
	const many = judgeRemoval(departed, profile.nodes, new Map(profile.nodes.map((n) => [n.name, true])));
	if (many) throw new UserError(many.message, `${many.hint}; nothing was changed`);
	const gone = departed[0]!;
	if (!options.dryRun && !asking && !options.removeNodes) {
		throw new UserError(
			`${gone.name} (${gone.ip}) left the profile: this run would remove it from the cluster, which needs --remove-nodes when apply does not ask`,
			`see what it does with --dry-run, then add --remove-nodes; or put ${gone.name} back into the profile's nodes; nothing was changed`,
		);
	}
	return gone;
}

/** Before the run: every installed master of the profile must serve, and one must (the last master is never removed). */
export async function refuseUnsafeRemoval(gone: InstalledNode, profile: Profile, installed: InstalledNodesFile, health: HealthProbe): Promise<void> {
	const known = new Set(installed.recorded.map((n) => n.name));
	const masters = profile.nodes.filter((n) => known.has(n.name));
	const ready = new Map(await Promise.all(masters.map(async (n) => [n.name, (await health.serviceHealthy(n, 'kube-apiserver').catch(() => ({ok: false}))).ok] as const)));
	const problem = judgeRemoval([gone], masters, ready);
	if (problem) throw new UserError(problem.message, `${problem.hint}; nothing was changed`);
}

export function printRemovalPlan(gone: InstalledNode, options: RemovalOptions, profile: Profile): void {
	process.stderr.write(`\n${describeRemoval(gone, options.purge === true, profile.etcd.mode === 'stacked').join('\n')}\n`);
}

/** After a run that converged the profile's masters: the removal itself. Returns whether it succeeded. */
export async function removeDeparted(args: {
	gone: InstalledNode;
	profile: Profile;
	options: RemovalOptions;
	stateDir: string;
	admin: AdminCredentials;
	health: HealthProbe;
	installed: InstalledNodesFile;
	/** A stacked etcd's client (the plan's): the removed master's member leaves the cluster first. */
	etcdClient?: EtcdClientCredentials;
	signal: AbortSignal;
	emit: EventSink;
	/** Also write each line and the failure to stderr (false under the grid, which shows them and owns the terminal). */
	stderr: boolean;
}): Promise<boolean> {
	const {gone, profile, options} = args;
	const events = removalEvents(gone.name, args.emit);
	const say = (line: string) => {
		if (args.stderr) process.stderr.write(`${gone.name}: ${line}\n`);
		events.say(line);
	};
	const cluster = httpsClusterView(profile, args.admin, args.health);
	const member = etcdMember(gone);
	const probe = profile.etcd.mode === 'stacked' && args.etcdClient ? httpsEtcdProbe([...stackedMembers(profile.nodes), member], args.etcdClient) : undefined;
	const locking = lockingConnect((node) => connectNode(profile, node, options, args.signal), 'exclusive', 'apply (removing a master)');
	if (args.stderr) process.stderr.write(`${gone.name}: removing ${gone.name} (${gone.ip}), which left the profile\n`);
	try {
		await removeMaster({
			profile,
			gone,
			purge: options.purge === true,
			forgetUnreachable: options.forgetUnreachable === true,
			connect: () => locking.connect({...profile.nodes[0]!, name: gone.name, ip: gone.ip, ssh: undefined} as Profile['nodes'][number]),
			cluster,
			...(probe ? {etcd: {probe, member, remaining: profile.nodes.map((n) => n.name)}} : {}),
			forget: () => {
				args.installed.forget([gone.name]);
				// Its member left: a master added later under its name joins anew (member-bootstrap.ts).
				if (probe) forgetBootstrap(args.stateDir, gone.name);
				// Its own certificates were issued for it alone.
				rmSync(join(args.stateDir, 'nodes', gone.name), {recursive: true, force: true});
			},
			report: events.report,
			say,
		});
		return true;
	} catch (error) {
		const {cause, hint} = describeFailure(error);
		if (args.stderr) process.stderr.write(`✗ removing ${gone.name}: ${cause}\n${hint ? `  → ${hint}\n` : ''}`);
		return false;
	} finally {
		cluster.close();
		probe?.close();
	}
}

/** Removing the master that left the profile, into a run's events; `stderr`: its lines there too (not under the grid). */
export interface Removal {
	node: string;
	run(emit: EventSink, stderr: boolean): Promise<boolean>;
}

/** A sink that keeps the runner's run-finished back; `take` hands it over. */
export function holdRunFinished(sink: EventSink): {emit: EventSink; take(): RunFinished | undefined} {
	let held: RunFinished | undefined;
	return {
		emit: (e) => (e.type === 'run-finished' ? void (held = e) : sink(e)),
		take: () => held,
	};
}

/**
 * The removal, when there is one (undefined also after a run that did not converge), then
 * the held run-finished with it counted. Returns whether the removal succeeded.
 */
export async function runRemoval(removal: Removal | undefined, emit: EventSink, finished: RunFinished | undefined, stderr: boolean): Promise<boolean | undefined> {
	if (!removal) {
		if (finished) emit(finished);
		return undefined;
	}
	const started = Date.now();
	const ok = await removal.run(emit, stderr);
	if (finished) emit(finishedWithRemoval(finished, {node: removal.node, ok, durationMs: Date.now() - started}));
	return ok;
}

function forgetBootstrap(stateDir: string, name: string): void {
	const state = StateDir.open(stateDir);
	const text = state.read(MEMBER_BOOTSTRAP_FILE);
	if (text === undefined) return;
	state.write(MEMBER_BOOTSTRAP_FILE, serializeBootstrapRecord(dropBootstrap(parseBootstrapRecord(text, state.file(MEMBER_BOOTSTRAP_FILE)), name)));
}
