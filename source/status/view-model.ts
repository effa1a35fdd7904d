import {changeLine} from './change.js';
import {clientsLine, departedLine} from './clients.js';
import {encryptionLine} from './encryption.js';
import {etcdLine} from './etcd.js';
import {storedSecretsLine} from './stored-secrets.js';
import {nearestExpiry} from './certificates.js';
import {terminalSafe} from '../terminal-text.js';
import {assessSnapshot, COMPONENTS, isUnreachable, type AssessOptions, type CellState, type Component} from './health.js';
import type {Health, Problem, StatusReport, StatusSnapshot} from './json-schema.js';

/**
 * Pure: a snapshot → what the dashboard and the plain table show. A row per node, a cell per
 * component with its state and leader mark, days to the nearest certificate expiry, and a
 * banner with the worst problem and what to look at.
 */

export const COMPONENT_LABELS: Record<Component, string> = {apiserver: 'APISERVER', controllerManager: 'CTRL-MGR', scheduler: 'SCHEDULER'};

export interface CellView {
	component: Component;
	state: CellState;
	/** Holds this component's Lease (controller-manager, scheduler). */
	leader: boolean;
	reason: string;
	hint: string;
}

export type CertState = 'ok' | 'warning' | 'expired' | 'unknown';

export interface RowView {
	node: string;
	ip: string;
	unreachable: boolean;
	cells: CellView[];
	/** Days to the nearest expiry of any certificate seen for this node; null when none was read. */
	certDaysLeft: number | null;
	certSource: string | null;
	certState: CertState;
	version: string | null;
	/** Sum of systemd's automatic restarts over the three units (null when unknown). */
	restarts: number | null;
}

export interface BannerView {
	severity: Problem['severity'];
	message: string;
	hint: string;
	/** Further problems not shown in the banner. */
	more: number;
}

export interface DashboardViewModel {
	profile: string;
	timestamp: string;
	durationMs: number;
	status: Health['status'];
	exitCode: Health['exitCode'];
	columns: Array<{component: Component; label: string}>;
	rows: RowView[];
	banner: BannerView | null;
	problems: Problem[];
	leases: {controllerManager: string | null; scheduler: string | null};
	/** The line about a rolling change that has not run to its end (change.ts), or null. */
	change: string | null;
	/** How clients reach the apiservers (clients.ts), or null when not probed. */
	clients: string | null;
	/** Masters installed here that the profile no longer names, or null. */
	departed: string | null;
	/** Which provider and key the masters' encryption configs write with (encryption.ts), or null when unknown. */
	encryption: string | null;
	/** status --encryption: how the Secrets are stored in etcd, or null when not counted. */
	storedSecrets: string | null;
	/**
	 * A stacked etcd (etcd.ts): its summary line, then a line per etcd problem (the dashboard's
	 * banner shows only the worst problem of all); null for an external etcd (not probed).
	 */
	etcd: Array<{text: string; severity: Problem['severity'] | null}> | null;
}

export function buildViewModel(remoteSnapshot: StatusSnapshot, options: AssessOptions = {}): DashboardViewModel {
	// Hostnames, unit states, Lease holders and error details come from nodes: shown, never obeyed.
	const snapshot = terminalSafe(remoteSnapshot);
	const health = assessSnapshot(snapshot, options);
	const leaderOf = (component: Component): string | null => {
		if (component === 'apiserver') return null;
		const lease = snapshot.leases[component];
		return lease.state === 'held' ? lease.holderNode : null;
	};
	const rows: RowView[] = snapshot.nodes.map((node) => {
		const assessed = health.cells.get(node.name)!;
		const nearest = nearestExpiry(node.certificates);
		const restartCounts = Object.values(node.units).map((u) => u?.nRestarts ?? null);
		return {
			node: node.name,
			ip: node.ip,
			unreachable: isUnreachable(node),
			cells: COMPONENTS.map((component) => ({
				component,
				state: assessed[component].state,
				leader: leaderOf(component) === node.name,
				reason: assessed[component].reason,
				hint: assessed[component].hint,
			})),
			certDaysLeft: nearest?.daysLeft ?? null,
			certSource: nearest?.source ?? null,
			certState: nearest === undefined ? 'unknown' : nearest.daysLeft < 0 ? 'expired' : nearest.daysLeft < health.certWarningDays ? 'warning' : 'ok',
			version: node.apiserver.version,
			restarts: restartCounts.every((r) => r === null) ? null : restartCounts.reduce<number>((sum, r) => sum + (r ?? 0), 0),
		};
	});
	const worst = health.problems[0];
	return {
		profile: snapshot.profile,
		timestamp: snapshot.timestamp,
		durationMs: snapshot.durationMs,
		status: health.status,
		exitCode: health.exitCode,
		columns: COMPONENTS.map((component) => ({component, label: COMPONENT_LABELS[component]})),
		rows,
		banner: worst ? {severity: worst.severity, message: worst.message, hint: worst.hint, more: health.problems.length - 1} : null,
		problems: health.problems,
		leases: {controllerManager: leaderOf('controllerManager'), scheduler: leaderOf('scheduler')},
		change: snapshot.change ? changeLine(snapshot.change) : null,
		clients: snapshot.clients ? clientsLine(snapshot.clients, snapshot.nodes.map((n) => n.name)) : null,
		departed: departedLine(snapshot.departed ?? []),
		encryption: encryptionLine(snapshot),
		storedSecrets: snapshot.storedSecrets ? storedSecretsLine(snapshot.storedSecrets) : null,
		etcd: snapshot.etcd
			? [{text: etcdLine(snapshot.etcd), severity: null}, ...health.problems.filter((p) => p.component === 'etcd').map((p) => ({text: p.message, severity: p.severity}))]
			: null,
	};
}

/** What `status --json` prints: the snapshot plus its assessment. */
export function buildReport(snapshot: StatusSnapshot, options: AssessOptions = {}): StatusReport {
	const {cells: _cells, ...health} = assessSnapshot(snapshot, options);
	return {...snapshot, change: snapshot.change ?? null, clients: snapshot.clients ?? {endpoint: null, answers: null, detail: null}, departed: snapshot.departed ?? [], etcd: snapshot.etcd ?? null, health};
}
