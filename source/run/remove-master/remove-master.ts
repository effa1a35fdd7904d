// Removing a master that left the profile, once the profile's masters converged and serve:
// its scheduler, controller-manager and apiserver stopped gracefully (the apiserver takes its
// own address out of the `kubernetes` EndpointSlice on the way down), the cluster's view
// waited on (the EndpointSlice, and both Leases held by other masters), its apiserver
// identity Lease deleted, then every file the tool placed there removed and the node
// forgotten. Steps as data (REMOVAL_STEPS): each one's start and end go to `report` (apply
// turns them into the run's events: the grid's removal row, the plain lines, NDJSON), what a
// step did to `say`. The node and the cluster are reached through the small interfaces below,
// so the order and the waits are tested on fakes and on the lab.
import type {Profile} from '../../profile/schema.js';
import {sh} from '../../remote/shell.js';
import type {Transport} from '../../remote/transport.js';
import type {InstalledNode} from '../../state/installed-nodes-file.js';
import {resetScript} from '../reset/reset-plan.js';
import {StepError} from '../step-error.js';
import {mapHolderToNode} from '../../cluster/lease.js';
import type {EtcdClusterProbe} from '../../etcd/https-etcd-probe.js';
import type {EtcdMember} from '../../etcd/members.js';
import {leaveCluster} from '../etcd-member/leave-member.js';
import {goneFromCluster, identityLeasesOf, type RemovalStepName} from './removal-plan.js';

export interface ClusterView {
	/** Addresses in the `kubernetes` EndpointSlice, read through a master of the profile. */
	sliceAddresses(): Promise<string[]>;
	leaseHolders(): Promise<Partial<Record<'kube-controller-manager' | 'kube-scheduler', string>>>;
	/** The kube-system Leases labelled apiserver.kubernetes.io/identity=kube-apiserver, as the API lists them (JSON). */
	identityLeases(): Promise<string>;
	deleteLease(name: string): Promise<void>;
	/** Clear the Lease's holder when it is still `holder` (an instance just stopped), as the rollout does (lease-hand-over.ts). */
	handOverLease?(service: 'kube-controller-manager' | 'kube-scheduler', holder: string): Promise<boolean>;
}

/** A step's start and end; a failed step's error is also what removeMaster throws. */
export type RemovalReport =
	| {step: RemovalStepName; status: 'started' | 'done'}
	| {step: RemovalStepName; status: 'skipped'; reason: string}
	| {step: RemovalStepName; status: 'failed'; error: unknown};

export interface RemovalContext {
	profile: Profile;
	gone: InstalledNode;
	purge: boolean;
	/** --forget-unreachable: a node that cannot be reached is forgotten anyway (with a warning). */
	forgetUnreachable: boolean;
	connect(): Promise<Transport>;
	cluster: ClusterView;
	/** Forget the node in the state directory (installed-nodes.json, its certificates). */
	forget(): void;
	report(report: RemovalReport): void;
	/** A line of what the current step did. */
	say(line: string): void;
	/**
	 * A stacked etcd (etcd.mode: stacked): the removed master's member leaves the cluster
	 * (leave-member.ts) before its files go, with its data dir.
	 */
	etcd?: {probe: EtcdClusterProbe; member: EtcdMember; remaining: readonly string[]};
	/** How long the EndpointSlice and the Leases may take (default 90 s). */
	timeoutMs?: number;
	pollMs?: number;
}

export async function removeMaster(ctx: RemovalContext): Promise<void> {
	const {gone} = ctx;
	// Reaching the node is the first step's: nothing is stopped on a node that cannot be reached.
	ctx.report({step: 'stop-services', status: 'started'});
	const transport = await ctx.connect().catch((error: Error) => error);
	if (transport instanceof Error) return forgetUnreachable(ctx, transport);
	try {
		await finish(ctx, 'stop-services', () => stopServices(ctx, transport));
		await step(ctx, 'wait-gone', () => waitGone(ctx));
		await step(ctx, 'delete-lease', () => deleteIdentityLeases(ctx));
		await step(ctx, 'remove-files', async () => {
			if (ctx.etcd) await leaveEtcd(ctx, ctx.etcd, () => stopEtcd(ctx, transport));
			const r = await transport.exec(resetScript(ctx.profile, {purge: ctx.purge, withEtcd: ctx.etcd !== undefined}), {timeoutMs: 120_000});
			if (r.code !== 0) throw new StepError(`removing the tool's files on ${gone.name} failed (exit ${r.code})`, `run k8s-master-setup reset --node ${gone.name} once it is fixed`, r.stderr);
			ctx.say(`removed ${r.stdout.split('\n').filter((l) => l.startsWith('removed ')).length} files and directories on ${gone.name}${ctx.purge ? ' (binaries included)' : ' (binaries kept)'}`);
		});
	} finally {
		await transport.close().catch(() => undefined);
	}
	await step(ctx, 'forget', async () => {
		ctx.forget();
		ctx.say(`${gone.name} removed and forgotten in the state directory`);
	});
}

/**
 * The member leaves (leadership moved, member remove), then `stop` (its unit stopped on the node, or
 * for a node that cannot be reached only a line saying what stays); its data dir goes with the files.
 */
async function leaveEtcd(ctx: RemovalContext, etcd: NonNullable<RemovalContext['etcd']>, stop: () => Promise<void>): Promise<void> {
	await leaveCluster(etcd.probe, etcd.member, {
		say: ctx.say,
		stop,
		// The reset script that follows removes the data dir with the member's unit and certificates.
		wipe: async () => undefined,
		remaining: etcd.remaining,
		...(ctx.timeoutMs !== undefined ? {timeoutMs: ctx.timeoutMs} : {}),
		...(ctx.pollMs !== undefined ? {pollMs: ctx.pollMs} : {}),
	});
}

/** Stops and disables the member's unit on its node. */
async function stopEtcd(ctx: RemovalContext, transport: Transport): Promise<void> {
	const r = await transport.exec(sh`systemctl disable --now --quiet etcd`, {timeoutMs: 120_000});
	if (r.code !== 0) throw new StepError(`stopping etcd on ${ctx.gone.name} failed (exit ${r.code})`, 'look at the unit with systemctl status etcd on the node', r.stderr);
	ctx.say(`stopped etcd on ${ctx.gone.name}`);
}

async function step(ctx: RemovalContext, name: RemovalStepName, run: () => Promise<void>): Promise<void> {
	ctx.report({step: name, status: 'started'});
	await finish(ctx, name, run);
}

/** The end of a started step: done, or failed with the error it throws on. */
async function finish(ctx: RemovalContext, name: RemovalStepName, run: () => Promise<void>): Promise<void> {
	try {
		await run();
	} catch (error) {
		ctx.report({step: name, status: 'failed', error});
		throw error;
	}
	ctx.report({step: name, status: 'done'});
}

async function stopServices(ctx: RemovalContext, transport: Transport): Promise<void> {
	// One at a time, the leader-elected ones first: the apiserver they talk to goes last.
	for (const service of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver'] as const) {
		const r = await transport.exec(sh`systemctl stop ${service}`, {timeoutMs: 120_000});
		if (r.code !== 0) throw new StepError(`stopping ${service} on ${ctx.gone.name} failed (exit ${r.code})`, 'look at the unit with systemctl status on the node', r.stderr);
		ctx.say(`stopped ${service} on ${ctx.gone.name}`);
		if (service !== 'kube-apiserver') await handOver(ctx, service);
	}
}

/** A node that cannot be reached: refused, or under --forget-unreachable forgotten without being cleaned. */
async function forgetUnreachable(ctx: RemovalContext, cause: Error): Promise<void> {
	const {gone} = ctx;
	if (!ctx.forgetUnreachable) {
		const error = new StepError(
			`${gone.name} (${gone.ip}) cannot be reached to remove it: ${cause.message}`,
			`bring it back and run again, or forget it with --forget-unreachable (its services, if they run, keep the cluster's keys; its client certificates stay valid until they expire)`,
		);
		ctx.report({step: 'stop-services', status: 'failed', error});
		throw error;
	}
	ctx.say(`warning: ${gone.name} is unreachable and is forgotten without being cleaned; whatever runs there keeps the cluster's keys, and its client certificates stay valid until they expire (pki.certValidityDays after ${gone.appliedAt.slice(0, 10)})`);
	const reason = `${gone.name} is unreachable (--forget-unreachable)`;
	ctx.report({step: 'stop-services', status: 'skipped', reason});
	ctx.report({step: 'wait-gone', status: 'skipped', reason});
	await step(ctx, 'delete-lease', () => deleteIdentityLeases(ctx));
	// Its files stay, but a stacked member must leave: a voter that never answers again would
	// count against the quorum for good (and refuse every later add while it is "down").
	const unreachableStays = async () =>
		ctx.say(`${gone.name}'s files, etcd unit and data dir stay on it (unreachable): should it come back, its member stops itself (removed from the cluster); wipe the machine before it joins again`);
	if (ctx.etcd) await step(ctx, 'remove-files', () => leaveEtcd(ctx, ctx.etcd!, unreachableStays));
	else ctx.report({step: 'remove-files', status: 'skipped', reason});
	await step(ctx, 'forget', async () => ctx.forget());
}

async function waitGone(ctx: RemovalContext): Promise<void> {
	const timeoutMs = ctx.timeoutMs ?? 90_000;
	const started = Date.now();
	let last = 'not read yet';
	for (;;) {
		const seen = await Promise.all([ctx.cluster.sliceAddresses(), ctx.cluster.leaseHolders()]).then(
			([slice, holders]) => goneFromCluster(ctx.gone, slice, holders),
			(e: Error) => ({gone: false as const, waiting: e.message}),
		);
		if (seen.gone) {
			ctx.say(`${ctx.gone.ip} left the kubernetes EndpointSlice and both Leases are held by other masters (${((Date.now() - started) / 1000).toFixed(1)} s)`);
			return;
		}
		last = seen.waiting;
		if (Date.now() - started >= timeoutMs) {
			throw new StepError(`${ctx.gone.name} is stopped but still in the cluster's view after ${Math.round(timeoutMs / 1000)} s: ${last}`, 'check the other masters (status): a Lease needs a controller-manager and a scheduler that run; the EndpointSlice is kept by the apiservers');
		}
		await new Promise((r) => setTimeout(r, ctx.pollMs ?? 500));
	}
}

async function deleteIdentityLeases(ctx: RemovalContext): Promise<void> {
	const names = identityLeasesOf(await ctx.cluster.identityLeases().catch(() => '{}'), ctx.gone.hostname, ctx.gone.name);
	for (const name of names) {
		await ctx.cluster.deleteLease(name);
		ctx.say(`deleted the apiserver identity Lease kube-system/${name} of ${ctx.gone.name}`);
	}
}

/**
 * A stopped controller-manager that led leaves its Lease to expire (15 s without a leader):
 * handed over instead, when the removed node's instance still holds it. A failure only costs
 * the wait.
 */
async function handOver(ctx: RemovalContext, service: 'kube-controller-manager' | 'kube-scheduler'): Promise<void> {
	if (!ctx.cluster.handOverLease) return;
	const holder = (await ctx.cluster.leaseHolders().catch(() => ({}) as Record<string, string | undefined>))[service];
	if (holder === undefined || mapHolderToNode(holder, [{name: ctx.gone.name, hostname: ctx.gone.hostname}]) !== ctx.gone.name) return;
	if (await ctx.cluster.handOverLease(service, holder).catch(() => false)) ctx.say(`handed the ${service} Lease over: its holder was the instance just stopped`);
}
