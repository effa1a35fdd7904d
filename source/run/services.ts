import type {ProfileNode} from '../profile/schema.js';
import {CONTROL_PLANE, SERVICES, type LeaderElected, type ServiceName} from '../cluster/services.js';
import type {NodeSession} from './node-session.js';
import {StepError} from './step-error.js';

/** Health as seen from this machine: the runner waits on it, the status screen shows it. */
export interface HealthProbe {
	serviceHealthy(node: ProfileNode, service: ServiceName): Promise<{ok: boolean; detail: string}>;
	/** The release the node's apiserver serves (`/version` gitVersion); absent: not checked. */
	servedVersion?(node: ProfileNode): Promise<string | undefined>;
	/** Who holds the service's Lease and when they last renewed it; undefined: nobody (or expired). Absent: not checked. */
	leaseRenewal?(service: LeaderElected): Promise<{holder: string; renewTime: string} | undefined>;
	/**
	 * Hands the service's Lease over when `goneHolder` (an instance just stopped) still
	 * holds it (lease.ts handedOverLease). Resolves to whether it was handed over; absent:
	 * the Lease is left to expire.
	 */
	handOverLease?(service: LeaderElected, goneHolder: string): Promise<boolean>;
	/**
	 * An apiserver that joins a serving control plane is one of the cluster (add-master/joined-apiserver.ts):
	 * resolves to a line for the log, throws naming the check that failed. Absent: not checked.
	 */
	joined?(node: ProfileNode): Promise<string>;
	/** holderIdentity of each Lease, undefined when nobody holds it (or it expired). */
	leaseHolders(): Promise<Partial<Record<'kube-controller-manager' | 'kube-scheduler', string>>>;
}

/** What the health gate waits on, as shown to the user: `/readyz on :6443`. */
export const HEALTH_ENDPOINT = Object.fromEntries(SERVICES.map((s) => [s, `${CONTROL_PLANE[s].healthPath} on :${CONTROL_PLANE[s].port}`])) as Record<ServiceName, string>;

/** What waiting on one service of one node needs (see restartAndWait and watchStable). */
interface ServiceWatch {
	session: NodeSession;
	node: ProfileNode;
	service: ServiceName;
	health: HealthProbe;
	onWaiting: (message: string) => void;
	/** How often health is polled (default 250 ms). */
	pollMs?: number;
}

/**
 * Restart a service and wait until it answers healthy. Fails fast, with the journal, when
 * systemd reports the unit failed or restarting instead of waiting out the timeout.
 */
export async function restartAndWait(options: ServiceWatch & {timeoutMs: number; afterRestart?: () => Promise<void>}): Promise<void> {
	const {session, node, service, health, timeoutMs, onWaiting} = options;
	// The probe is one HTTPS request on a kept-alive connection: polling it often costs
	// little and ends the wait within a quarter second of the service answering (a 1 s poll
	// lost about half a second per service on average). The unit check only needs to catch
	// a unit that failed or waits to be restarted, and costs far more: an SSH session plus a
	// systemctl process, 25-30 ms of CPU on the node (measured on the lab), and a first
	// install runs nine services that take 10-20 s to answer on a busy machine. So it runs
	// 1 s after the restart (a bad flag exits at once), then 2 s later, then every 4 s: a
	// crash loop spends RestartSec (5 s or 10 s in our units) in auto-restart each round,
	// which a check every 4 s cannot step over.
	const pollMs = options.pollMs ?? 250;
	let unitCheckMs = Math.max(pollMs, 1000);
	await session.restart(service);
	await options.afterRestart?.();
	const started = Date.now();
	let last = 'no answer yet';
	let unitCheckedAt = started;
	while (Date.now() - started < timeoutMs) {
		await sleep(pollMs);
		const result = await health.serviceHealthy(node, service).catch((e: Error) => ({ok: false, detail: e.message}));
		if (result.ok) return;
		last = result.detail;
		if (Date.now() - unitCheckedAt < unitCheckMs) continue;
		unitCheckedAt = Date.now();
		unitCheckMs = nextUnitCheckMs(unitCheckMs, pollMs);
		const unit = await session.unitState(service);
		if (unit.active === 'failed' || unit.sub === 'auto-restart') {
			throw new StepError(
				`${service} on ${node.name} exited instead of starting (ActiveState=${unit.active}, SubState=${unit.sub}, NRestarts=${unit.restarts})`,
				`read the journal below; run \`journalctl -u ${service} -n 100\` on ${node.ip} for more`,
				await session.journalTail(service),
			);
		}
		onWaiting(`waiting for ${HEALTH_ENDPOINT[service]} (${Math.round((Date.now() - started) / 1000)}s): ${last}`);
	}
	throw new StepError(
		`${service} on ${node.name} did not become healthy within ${Math.round(timeoutMs / 1000)}s (${HEALTH_ENDPOINT[service]}: ${last})`,
		/UNABLE_TO_VERIFY|CERT_|SELF_SIGNED|ALTNAME/.test(last)
			? `the certificate ${service} serves does not verify against the cluster CA (${HEALTH_ENDPOINT[service]}): check pki.caCert and the SANs; re-run apply to re-issue from the kept CA`
			: service === 'kube-apiserver'
				? 'check that etcd is reachable with the configured client certificate and that the node IP is right'
				: 'check that the apiserver on this node is ready and the kubeconfig points at it',
		await session.journalTail(service),
	);
}

/**
 * After a restart in a rolling change: the service must stay healthy through a window
 * (every poll ok) and systemd must not have restarted it meanwhile. A service that
 * becomes ready and then crashes (a bad setting read late, a certificate it loads on
 * first use) fails here, on its own node, before the next node is touched.
 */
export async function watchStable(options: ServiceWatch & {windowMs: number}): Promise<void> {
	const {session, node, service, health, windowMs} = options;
	const pollMs = options.pollMs ?? 250;
	const window = `${windowMs >= 1000 ? `${Math.round(windowMs / 1000)}s` : `${windowMs} ms`} stability window`;
	const restartsAtStart = await session.unitState(service);
	const started = Date.now();
	let lastNote = 0;
	while (Date.now() - started < windowMs) {
		await sleep(Math.min(pollMs, Math.max(0, windowMs - (Date.now() - started))));
		const h = await health.serviceHealthy(node, service).catch((e: Error) => ({ok: false, detail: e.message}));
		if (!h.ok) {
			throw new StepError(
				`${service} on ${node.name} was healthy, then failed ${HEALTH_ENDPOINT[service]} within the ${window}: ${h.detail}`,
				`read the journal below; run \`journalctl -u ${service} -n 100\` on ${node.ip} for more`,
				await session.journalTail(service),
			);
		}
		if (Date.now() - lastNote >= 1000) {
			lastNote = Date.now();
			options.onWaiting(`healthy; watching for ${Math.max(0, Math.round((windowMs - (Date.now() - started)) / 1000))}s more (${window})`);
		}
	}
	const restartsAtEnd = await session.unitState(service);
	if (restartsAtEnd.restarts !== restartsAtStart.restarts || restartsAtEnd.active !== 'active') {
		throw new StepError(
			`${service} on ${node.name} was restarted by systemd within the ${window} (NRestarts ${restartsAtStart.restarts} → ${restartsAtEnd.restarts}, now ${restartsAtEnd.active})`,
			`read the journal below; run \`journalctl -u ${service} -n 100\` on ${node.ip} for more`,
			await session.journalTail(service),
		);
	}
}

/** Below the shortest RestartSec of our units (5 s), so a crash loop cannot slip between two checks. */
export const UNIT_CHECK_MAX_MS = 4000;

/** The wait before the next unit check: doubling from 1 s up to UNIT_CHECK_MAX_MS. */
export function nextUnitCheckMs(currentMs: number, pollMs: number): number {
	return Math.min(currentMs * 2, Math.max(pollMs, UNIT_CHECK_MAX_MS));
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
