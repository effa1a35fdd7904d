// The lab as the lab benchmarks use it (bench-lab.ts, bench-rotation.ts): its environment
// from `scripts/lab.sh env`, and a reset that takes the control plane and every file the
// tool placed off the nodes and empties etcd's /registry.
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

export async function resetLabNodes(nodes: readonly string[]): Promise<void> {
	await Promise.all(
		nodes.map((n) =>
			execa('bash', [labScript, 'ssh', n, `systemctl disable --now ${UNITS} 2>/dev/null; rm -rf /opt/k8s /etc/kubernetes /data/k8s /var/lib/k8s-master-setup /etc/systemd/system/kube-*.service; systemctl daemon-reload`], {reject: false}),
		),
	);
	await execa('bash', [labScript, 'etcdctl', 'del', '--prefix', '/registry']);
}
