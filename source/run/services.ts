import type {ProfileNode} from '../profile/schema.js';
import type {ServiceName} from '../plan/types.js';
import type {Transport} from '../remote/transport.js';
import {appliedMarkerPath, APPLIED_DIR} from './remote-state.js';
import {StepError, tail} from './step-error.js';

/** Health as seen from this machine: the runner waits on it, the status screen shows it. */
export interface HealthProbe {
	serviceHealthy(node: ProfileNode, service: ServiceName): Promise<{ok: boolean; detail: string}>;
	/** holderIdentity of each Lease, undefined when nobody holds it (or it expired). */
	leaseHolders(): Promise<Partial<Record<'kube-controller-manager' | 'kube-scheduler', string>>>;
}

export const HEALTH_ENDPOINT: Record<ServiceName, string> = {
	'kube-apiserver': '/readyz on :6443',
	'kube-controller-manager': '/healthz on :10257',
	'kube-scheduler': '/healthz on :10259',
};

export async function systemctl(transport: Transport, args: string): Promise<void> {
	const r = await transport.exec(`systemctl ${args}`, {timeoutMs: 60_000});
	if (r.code !== 0) throw new StepError(`systemctl ${args} failed on ${transport.node}`, 'look at the unit with systemctl status on the node', tail(r.stderr || r.stdout));
}

export async function journalTail(transport: Transport, service: ServiceName, lines = 20): Promise<string> {
	const r = await transport.exec(`journalctl -u ${service} -n ${lines} --no-pager -o cat`, {timeoutMs: 10_000}).catch(() => undefined);
	return r ? tail(r.stdout, lines) : '';
}

/**
 * Restart a service and wait until it answers healthy. Fails fast, with the journal, when
 * systemd reports the unit failed or restarting instead of waiting out the timeout.
 */
export async function restartAndWait(options: {
	transport: Transport;
	node: ProfileNode;
	service: ServiceName;
	health: HealthProbe;
	timeoutMs: number;
	onWaiting: (message: string) => void;
	pollMs?: number;
}): Promise<void> {
	const {transport, node, service, health, timeoutMs, onWaiting} = options;
	// The probe is one HTTPS request on a kept-alive connection: polling it often costs
	// little and ends the wait within a quarter second of the service answering (a 1 s poll
	// lost about half a second per service on average). The unit check is an SSH round trip
	// and only needs to catch a crash loop, so it runs at most once a second.
	const pollMs = options.pollMs ?? 250;
	const unitCheckMs = Math.max(pollMs, 1000);
	// Unit files may have changed: one round trip and one reload (`enable` reloads the
	// manager again unless told not to, and a reload costs a second or more on a busy node).
	await systemctl(transport, `daemon-reload && systemctl enable ${service} --quiet --no-reload && systemctl restart ${service} --no-block`);
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
		const unit = await transport.exec(`systemctl show ${service} -p ActiveState -p SubState -p NRestarts`, {timeoutMs: 10_000});
		if (/ActiveState=failed|SubState=auto-restart/.test(unit.stdout)) {
			throw new StepError(
				`${service} on ${node.name} exited instead of starting (${unit.stdout.trim().replace(/\n/g, ', ')})`,
				`read the journal below; run \`journalctl -u ${service} -n 100\` on ${node.ip} for more`,
				await journalTail(transport, service),
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
		await journalTail(transport, service),
	);
}

export async function writeAppliedMarker(transport: Transport, service: ServiceName, digest: string): Promise<void> {
	const path = appliedMarkerPath(service);
	const r = await transport.exec(`mkdir -p ${APPLIED_DIR} && printf '%s\\n' ${digest} > ${path}.tmp && mv -f ${path}.tmp ${path}`);
	if (r.code !== 0) throw new StepError(`could not record the started inputs of ${service}`, undefined, tail(r.stderr));
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
