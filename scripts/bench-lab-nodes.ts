// The lab as the lab benchmarks use it (bench-lab.ts, bench-rotation.ts, bench-membership.ts,
// bench-stacked.ts): its environment from `scripts/lab.sh env`, nodes cleared of what the tool
// placed, and a reset that also empties etcd's /registry.
import {join} from 'node:path';
import {execa} from 'execa';

const repo = new URL('../../', import.meta.url).pathname;
export const labScript = join(repo, 'scripts', 'lab.sh');
// The executable as users run it (`npx k8s-master-setup`, the package's bin): the bundle
// behind its launcher, not the unbundled tsc output.
export const benchCli = join(repo, 'dist', 'k8s-master-setup.mjs');
const UNITS = 'kube-apiserver kube-controller-manager kube-scheduler';

export async function labEnv(): Promise<Record<string, string>> {
	const {stdout} = await execa('bash', [labScript, 'env']);
	return Object.fromEntries([...stdout.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] as string, (m[2] as string).replace(/^"|"$/g, '')]));
}

/**
 * The control plane and every file the tool placed off the nodes; `etcd`: a stacked etcd's
 * member too (its unit, data and certificates), for machines as bare as before any install.
 */
export async function clearLabNodes(nodes: readonly string[], {etcd = false}: {etcd?: boolean} = {}): Promise<void> {
	const units = etcd ? `${UNITS} etcd` : UNITS;
	const extra = etcd ? ' /var/lib/etcd /etc/etcd /etc/systemd/system/etcd.service' : '';
	await Promise.all(
		nodes.map((n) =>
			execa('bash', [labScript, 'ssh', n, `systemctl disable --now ${units} 2>/dev/null; rm -rf /opt/k8s /etc/kubernetes /data/k8s /var/lib/k8s-master-setup /etc/systemd/system/kube-*.service${extra}; systemctl daemon-reload`], {reject: false}),
		),
	);
}

/** clearLabNodes, and the lab etcd's /registry emptied: a control plane can start from nothing. */
export async function resetLabNodes(nodes: readonly string[]): Promise<void> {
	await clearLabNodes(nodes);
	await execa('bash', [labScript, 'etcdctl', 'del', '--prefix', '/registry']);
}
