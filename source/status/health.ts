import {encryptionProblems} from './encryption.js';
import {etcdProblems} from './etcd.js';
import {storedSecretsProblems} from './stored-secrets.js';
import {EXIT} from '../exit-codes.js';
import {CONTROL_PLANE, serviceByKey, type ServiceName} from '../cluster/services.js';
import {nearestExpiry} from './certificates.js';
import type {Health, HttpProbe, LeaseStatus, NodeStatus, Problem, StatusSnapshot, UnitStatus} from './json-schema.js';

/**
 * Pure assessment of a snapshot: the state of every node × component cell, the problems
 * worst first (each with what to look at), and the overall health with its exit code:
 * 0 healthy; 1 degraded (something is wrong but the control plane serves: an apiserver is
 * ready and both Leases are held); 2 down (no apiserver ready, or a Lease without a holder).
 * Certificates expiring within `certWarningDays` make a warning (exit code 1).
 */

export type Component = 'apiserver' | 'controllerManager' | 'scheduler';
export const COMPONENTS: readonly Component[] = ['apiserver', 'controllerManager', 'scheduler'];
export const COMPONENT_UNIT = Object.fromEntries(COMPONENTS.map((c) => [c, serviceByKey(c).unit])) as Record<Component, ServiceName>;
export const DEFAULT_CERT_WARNING_DAYS = 30;
/** Automatic restarts this recent (the unit came back less than this long ago) count as degraded. */
const RECENT_RESTART_MS = 10 * 60_000;

export type CellState = 'ok' | 'degraded' | 'failed' | 'unreachable' | 'unknown';

export interface CellAssessment {
	state: CellState;
	/** One line: why the cell is not ok (empty when ok). */
	reason: string;
	hint: string;
}

export interface AssessOptions {
	certWarningDays?: number;
	/** For "restarted recently"; default: the snapshot's timestamp. */
	now?: number;
}

export interface Assessment extends Health {
	cells: Map<string, Record<Component, CellAssessment>>;
}

const SEVERITY_RANK: Record<Problem['severity'], number> = {down: 0, failed: 1, degraded: 2, warning: 3};

export function assessSnapshot(snapshot: StatusSnapshot, options: AssessOptions = {}): Assessment {
	const certWarningDays = options.certWarningDays ?? DEFAULT_CERT_WARNING_DAYS;
	const now = options.now ?? Date.parse(snapshot.timestamp);
	const problems: Array<Problem & {order: number}> = [];
	const add = (p: Problem) => problems.push({...p, order: problems.length});
	const cells = new Map<string, Record<Component, CellAssessment>>();

	for (const node of snapshot.nodes) {
		const row = {} as Record<Component, CellAssessment>;
		for (const component of COMPONENTS) {
			const cell = assessCell(node, component, now);
			row[component] = cell;
			if (cell.state === 'ok' || cell.state === 'unreachable') continue;
			add({
				severity: cell.state === 'failed' ? 'failed' : 'degraded',
				node: node.name,
				component,
				message: `${node.name}: ${COMPONENT_UNIT[component]} ${cell.reason}`,
				hint: cell.hint,
			});
		}
		cells.set(node.name, row);
		if (isUnreachable(node)) {
			add({
				severity: 'failed',
				node: node.name,
				component: 'ssh',
				message: `${node.name}: unreachable (SSH: ${node.ssh.detail ?? node.ssh.state}; no HTTPS answer on any port)`,
				hint: `check that ${node.ip} is up and reachable: \`ssh ${node.ip}\`, \`ping ${node.ip}\``,
			});
		} else if (node.ssh.state !== 'ok') {
			add({
				severity: 'degraded',
				node: node.name,
				component: 'ssh',
				message: `${node.name}: SSH ${node.ssh.state} (${node.ssh.detail ?? 'no detail'}); systemd state and certificate files unknown`,
				hint: `check sshd and sudo on ${node.ip}: \`ssh ${node.ip} sudo -n true\``,
			});
		}
		const nearest = nearestExpiry(node.certificates);
		if (nearest && nearest.daysLeft < certWarningDays) {
			const soon = node.certificates.filter((c) => c.daysLeft < certWarningDays).length;
			const expired = nearest.daysLeft < 0;
			add({
				severity: expired ? 'failed' : 'warning',
				node: node.name,
				component: 'certificates',
				message: `${node.name}: ${nearest.source} ${expired ? `expired ${-nearest.daysLeft} days ago` : `expires in ${nearest.daysLeft} days`}${soon > 1 ? ` (${soon} certificates below ${certWarningDays} days)` : ''}`,
				hint: 'renew: re-issue the certificates from the kept CA and roll the services with `k8s-master-setup apply` (readme: "Renewing certificates")',
			});
		}
	}

	const ready = snapshot.nodes.filter((n) => n.apiserver.readyz.state === 'ok');
	if (snapshot.nodes.length > 0 && ready.length === 0) {
		add({
			severity: 'down',
			node: null,
			component: 'apiserver',
			message: 'no kube-apiserver is ready: the control plane does not serve',
			hint: firstApiserverHint(snapshot.nodes),
		});
	}
	for (const lease of [snapshot.leases.controllerManager, snapshot.leases.scheduler]) {
		const p = leaseProblem(lease, ready.length > 0, snapshot.nodes);
		if (p) add(p);
	}
	for (const p of [...etcdProblems(snapshot.etcd, snapshot.nodes), ...encryptionProblems(snapshot), ...storedSecretsProblems(snapshot.storedSecrets)]) add(p);

	problems.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.order - b.order);
	const sorted: Problem[] = problems.map(({order: _order, ...p}) => p);
	const status: Health['status'] = sorted.some((p) => p.severity === 'down') ? 'down' : sorted.length > 0 ? 'degraded' : 'healthy';
	return {
		status,
		exitCode: status === 'down' ? EXIT.failed : status === 'degraded' ? EXIT.degraded : EXIT.ok,
		certWarningDays,
		problems: sorted,
		cells,
	};
}

/** SSH gave nothing and no port answered at all (a refused or timed-out connection everywhere). */
export function isUnreachable(node: NodeStatus): boolean {
	if (node.ssh.state === 'ok') return false;
	const silent = (p: HttpProbe) => p.state === 'timeout' || p.state === 'error';
	return [node.apiserver.livez, node.apiserver.readyz, node.controllerManager.healthz, node.scheduler.healthz].every(silent);
}

export function assessCell(node: NodeStatus, component: Component, now: number): CellAssessment {
	if (isUnreachable(node)) return {state: 'unreachable', reason: 'node unreachable', hint: `check that ${node.ip} is up`};
	const unitName = COMPONENT_UNIT[component];
	const unit = node.units[unitName];
	const journal = `look at \`journalctl -u ${unitName} -n 50\` on ${node.ip}`;
	if (unit) {
		const fromUnit = assessUnit(unit, journal, node.ip, now);
		if (fromUnit) return fromUnit;
	}
	const http = component === 'apiserver' ? assessApiserverHttp(node, journal) : assessHealthz(node[component].healthz, component, journal, node.ip);
	if (http.state !== 'ok') return http;
	if (unit && unit.nRestarts !== null && unit.nRestarts > 0 && unit.since !== null && now - Date.parse(unit.since) < RECENT_RESTART_MS) {
		return {state: 'degraded', reason: `restarted recently (NRestarts=${unit.nRestarts}, up since ${unit.since})`, hint: journal};
	}
	// SSH down but the service answers: ok as far as we can see.
	return {state: 'ok', reason: '', hint: ''};
}

function assessUnit(unit: UnitStatus, journal: string, ip: string, _now: number): CellAssessment | undefined {
	const restarts = unit.nRestarts === null ? '' : `, NRestarts=${unit.nRestarts}`;
	if (unit.loadState === 'not-found') {
		return {state: 'failed', reason: 'is not installed (no systemd unit)', hint: `apply the profile again: \`k8s-master-setup apply\` (unit missing on ${ip})`};
	}
	switch (unit.activeState) {
		case 'active':
		case 'reloading':
			return undefined;
		case 'failed':
			return {state: 'failed', reason: `failed (ActiveState=failed${unit.result ? `, Result=${unit.result}` : ''}${restarts})`, hint: journal};
		case 'inactive':
			return {state: 'failed', reason: `stopped (ActiveState=inactive, SubState=${unit.subState})`, hint: `start it with \`systemctl start ${unit.unit}\` on ${ip}; ${journal}`};
		case 'activating':
			return {
				state: 'failed',
				reason: unit.subState === 'auto-restart' ? `is crash-looping (SubState=auto-restart${restarts})` : `is starting (SubState=${unit.subState}${restarts})`,
				hint: journal,
			};
		case 'deactivating':
			return {state: 'degraded', reason: `is stopping (SubState=${unit.subState})`, hint: journal};
		default:
			return {state: 'unknown', reason: `has ActiveState=${unit.activeState}`, hint: journal};
	}
}

function assessApiserverHttp(node: NodeStatus, journal: string): CellAssessment {
	const {livez, readyz, failingChecks} = node.apiserver;
	if (livez.state === 'untrusted' || readyz.state === 'untrusted') {
		return untrusted(`:${CONTROL_PLANE['kube-apiserver'].port}`, (livez.state === 'untrusted' ? livez : readyz).detail, node.ip);
	}
	if (livez.state !== 'ok') return {state: 'failed', reason: `/livez ${describe(livez)}`, hint: journal};
	if (readyz.state === 'ok') return {state: 'ok', reason: '', hint: ''};
	if (readyz.state === 'failed' && failingChecks.length > 0) {
		const names = failingChecks.map((c) => (c.reason ? `${c.name} (${c.reason})` : c.name)).join(', ');
		const etcd = failingChecks.some((c) => c.name === 'etcd' || c.name.startsWith('etcd'));
		return {
			state: 'degraded',
			reason: `not ready: failing ${names}`,
			hint: etcd
				? `etcd is failing: check that the etcd endpoints in its --etcd-servers (the node's own member, when it hosts one) answer from ${node.ip} (\`etcdctl endpoint health\`); ${journal}`
				: journal,
		};
	}
	return {state: 'degraded', reason: `not ready: /readyz ${describe(readyz)}`, hint: journal};
}

function assessHealthz(probe: HttpProbe, component: Component, journal: string, ip: string): CellAssessment {
	const port = `:${serviceByKey(component).port}`;
	if (probe.state === 'ok') return {state: 'ok', reason: '', hint: ''};
	if (probe.state === 'untrusted') return untrusted(port, probe.detail, ip);
	return {state: 'failed', reason: `${port}/healthz ${describe(probe)}`, hint: journal};
}

function untrusted(port: string, detail: string | null, ip: string): CellAssessment {
	return {
		state: 'degraded',
		reason: `${port} serves a certificate the cluster CA does not verify (${detail ?? 'untrusted'})`,
		hint: `re-issue it from the cluster CA with ${ip} among its SANs: \`k8s-master-setup apply\``,
	};
}

function describe(p: HttpProbe): string {
	if (p.state === 'timeout') return 'timed out';
	if (p.state === 'failed') return `answered HTTP ${p.httpStatus ?? '?'}`;
	return `${p.state}${p.detail ? ` (${p.detail})` : ''}`;
}

function firstApiserverHint(nodes: readonly NodeStatus[]): string {
	const etcdFailing = nodes.some((n) => n.apiserver.failingChecks.some((c) => c.name.startsWith('etcd')));
	const first = nodes.find((n) => !isUnreachable(n)) ?? nodes[0]!;
	return etcdFailing
		? `the apiservers report etcd failing: check etcd first (\`etcdctl endpoint health\`), then \`journalctl -u kube-apiserver -n 50\` on ${first.ip}`
		: `look at \`journalctl -u kube-apiserver -n 50\` on ${first.ip}`;
}

function leaseProblem(lease: LeaseStatus, anyReady: boolean, nodes: readonly NodeStatus[]): Problem | undefined {
	const unit = lease.name;
	const hintNodes = nodes.map((n) => n.ip).join(', ');
	switch (lease.state) {
		case 'held':
			if (lease.holderNode === null) {
				return {
					severity: 'warning',
					node: null,
					component: 'lease',
					message: `${unit} Lease is held by ${lease.holderIdentity}, which is not a node of this profile`,
					hint: `another ${unit} elects against this cluster; find it by hostname ${lease.holderIdentity?.split('_')[0] ?? ''}`,
				};
			}
			return undefined;
		case 'expired':
			return {
				severity: 'down',
				node: null,
				component: 'lease',
				message: `no ${unit} leads: the Lease held by ${lease.holderIdentity} expired (renewed ${lease.renewTime ?? 'never'})`,
				hint: `look at \`journalctl -u ${unit} -n 50\` on ${hintNodes}`,
			};
		case 'absent':
			return {
				severity: 'down',
				node: null,
				component: 'lease',
				message: `no ${unit} Lease holder${lease.detail ? ` (${lease.detail})` : ''}`,
				hint: `no ${unit} has been elected: look at \`journalctl -u ${unit} -n 50\` on ${hintNodes}`,
			};
		case 'unknown':
			// Without a ready apiserver the "down" problem already says it all.
			if (!anyReady) return undefined;
			return {
				severity: 'degraded',
				node: lease.readFrom,
				component: 'lease',
				message: `${unit} Lease could not be read (${lease.detail ?? 'no detail'})`,
				hint: 'check that the admin credentials may read leases in kube-system',
			};
	}
}
