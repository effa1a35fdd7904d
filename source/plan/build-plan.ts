import {createHash} from 'node:crypto';
import type {Profile, ProfileNode, StackedEtcd, StepName} from '../profile/schema.js';
import type {Pki} from '../pki/types.js';
import {renderAuditPolicy, renderEncryptionConfig, renderSchedulerConfig} from '../render/config-files.js';
import {apiserverUrl, renderAdminKubeconfig, renderKubeconfig} from '../render/kubeconfig.js';
import {clientEndpoint} from '../profile/client-endpoint.js';
import {baseUrl} from '../cluster/client.js';
import {targetPaths, type TargetPaths} from '../render/paths.js';
import {renderApiserverUnit, renderControllerManagerUnit, renderEtcdUnit, renderSchedulerUnit} from '../render/systemd-unit.js';
import type {Binaries} from './binaries.js';
import {stackedMembers} from '../etcd/members.js';
import {initialMembersOf, withBootstraps, type BootstrapRecord} from '../etcd/member-bootstrap.js';
import type {StackedEtcdBinaries} from '../etcd/stacked-binaries.js';
import type {StackedEtcdPki} from '../pki/types.js';
import type {IdentityRole, NodePlan, Plan, PlannedFile, ServiceName} from './types.js';

const APISERVER: ServiceName = 'kube-apiserver';
const CONTROLLER_MANAGER: ServiceName = 'kube-controller-manager';
const SCHEDULER: ServiceName = 'kube-scheduler';
const ALL: ServiceName[] = [APISERVER, CONTROLLER_MANAGER, SCHEDULER];

/**
 * The whole desired state: every file on every node, with mode, the step that writes it,
 * its sha256 and which services restart when it changes. Pure: the PKI and the binaries'
 * hashes are read by the caller (preparePlan).
 */
export function buildPlan(profile: Profile, pki: Pki, binaries: Binaries, etcdBinaries?: StackedEtcdBinaries, bootstraps?: BootstrapRecord): Plan {
	const paths = targetPaths(profile);
	const stacked = stackedEtcdOf(profile, pki, etcdBinaries, bootstraps);
	return {
		profile,
		kubernetesRelease: binaries.release,
		nodes: profile.nodes.map((node) => {
			const plan = buildNodePlan(profile, node, pki, binaries, paths);
			if (stacked) addMemberFiles(plan, stacked, paths);
			return plan;
		}),
		adminKubeconfig: renderAdminKubeconfig({servers: adminServers(profile), endpoint: profile.apiserver.endpoint !== undefined, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key}),
		...(stacked
			? {
					etcd: {
						version: stacked.binaries.version,
						members: stackedMembers(profile.nodes),
						client: {ca: stacked.pki.ca.cert, cert: stacked.pki.toolClient.cert, key: stacked.pki.toolClient.key, caSource: 'the etcd CA in the state directory (etcd/ca.pem)', certSource: "the tool's etcd client certificate in the state directory"},
					},
				}
			: {}),
	};
}

interface Stacked {
	profile: Profile;
	etcd: StackedEtcd;
	pki: StackedEtcdPki;
	binaries: StackedEtcdBinaries;
	/** Each member's first-start flags (member-bootstrap.ts): kept, so an added master changes no old member's unit. */
	bootstraps: BootstrapRecord;
}

function stackedEtcdOf(profile: Profile, pki: Pki, binaries: StackedEtcdBinaries | undefined, bootstraps: BootstrapRecord | undefined): Stacked | undefined {
	if (profile.etcd.mode !== 'stacked') return undefined;
	if (!pki.stackedEtcd || !binaries) throw new Error('a stacked etcd needs its PKI and binaries (prepare.ts)');
	return {profile, etcd: profile.etcd, pki: pki.stackedEtcd, binaries, bootstraps: withBootstraps(bootstraps ?? {}, profile.nodes)};
}

/**
 * A stacked etcd member's files on its master (etcd.mode: stacked): the etcd binaries, the
 * etcd CA certificate (never its key), the member's server and peer pairs, the apiserver's
 * etcd client pair, and the member's unit. The unit's --initial-cluster and
 * --initial-cluster-state are the member's recorded first start (member-bootstrap.ts): etcd
 * reads them only then, from an empty data dir, and they never change afterwards.
 */
function addMemberFiles(plan: NodePlan, stacked: Stacked, paths: TargetPaths): void {
	const {node} = plan;
	const e = paths.etcd;
	const member = (path: string, content: string, step: StepName, secret = false): void => {
		plan.files.push({...contentFile(path, content, secret ? 0o600 : 0o644, step, secret, []), member: true});
	};
	for (const [name, file] of Object.entries(stacked.binaries.files)) {
		const path = e.bin[name as keyof typeof e.bin];
		plan.files.push({path, mode: 0o755, step: 'binaries', localPath: file.localPath, sha256: file.sha256, size: file.size, secret: false, services: [], ...(name === 'etcd' ? {member: true as const} : {})});
	}
	const server = stacked.pki.server[node.name]!;
	const peer = stacked.pki.peer[node.name]!;
	member(e.ca, stacked.pki.ca.cert, 'certificates');
	member(e.server, server.cert, 'certificates');
	member(e.serverKey, server.key, 'certificates', true);
	member(e.peer, peer.cert, 'certificates');
	member(e.peerKey, peer.key, 'certificates', true);
	plan.files.push(contentFile(paths.cert.apiserverEtcdClient, stacked.pki.apiserverClient.cert, 0o644, 'certificates', false, [APISERVER]));
	plan.files.push(contentFile(paths.cert.apiserverEtcdClientKey, stacked.pki.apiserverClient.key, 0o600, 'certificates', true, [APISERVER]));
	const bootstrap = stacked.bootstraps[node.name]!;
	plan.etcdBootstrap = bootstrap.clusterState;
	const unit = renderEtcdUnit({
		etcd: stacked.etcd,
		clusterToken: stacked.profile.name,
		node,
		paths,
		initialMembers: initialMembersOf(bootstrap),
		clusterState: bootstrap.clusterState,
		etcdMinor: stacked.binaries.minor,
		kubernetesVersion: stacked.profile.kubernetesVersion,
		etcdVersion: stacked.binaries.version,
	});
	member(e.unit, unit, 'etcd');
	// The member's data: etcd refuses a data dir others can read.
	plan.directories.push({path: e.certDir, mode: 0o700}, {path: stacked.etcd.dataDir, mode: 0o700});
}

/** The client endpoint when there is one (`kubernetes`), else every master by name. */
function adminServers(profile: Profile): Array<{name: string; server: string}> {
	const endpoint = clientEndpoint(profile);
	if (endpoint) return [{name: 'kubernetes', server: baseUrl(endpoint)}];
	return profile.nodes.map((n) => ({name: n.name, server: apiserverUrl(n.ip)}));
}

function buildNodePlan(profile: Profile, node: ProfileNode, pki: Pki, binaries: Binaries, paths: TargetPaths): NodePlan {
	const files: PlannedFile[] = [];
	const binary = (path: string, name: keyof Binaries['files'], services: ServiceName[]) => {
		const {localPath, sha256, size} = binaries.files[name];
		files.push({path, mode: 0o755, step: 'binaries', localPath, sha256, size, secret: false, services});
	};
	const add = (path: string, content: string, step: StepName, services: ServiceName[], secret = false, identity?: IdentityRole) =>
		files.push({...contentFile(path, content, secret ? 0o600 : 0o644, step, secret, services), ...(identity ? {identity} : {})});

	binary(paths.bin.apiserver, 'kube-apiserver', [APISERVER]);
	binary(paths.bin.controllerManager, 'kube-controller-manager', [CONTROLLER_MANAGER]);
	binary(paths.bin.scheduler, 'kube-scheduler', [SCHEDULER]);
	binary(paths.bin.kubectl, 'kubectl', []);

	const c = paths.cert;
	const controllerManager = pki.controllerManager[node.name]!;
	const scheduler = pki.scheduler[node.name]!;
	add(c.ca, pki.ca.cert, 'certificates', ALL, false, 'cluster CA');
	add(c.frontProxyCa, pki.frontProxyCa.cert, 'certificates', ALL, false, 'front-proxy CA');
	// No service reads it (nothing restarts for it): it is there, as kubeadm puts it on every
	// control-plane node, so that a lost state directory can be rebuilt from any master
	// (`state recover`); the cluster CA's key is there already and signs far more.
	add(c.frontProxyCaKey, pki.frontProxyCa.key, 'certificates', [], true);
	// The controller-manager signs kubelet CSRs with the CA (--cluster-signing-key-file), as in the guide.
	add(c.caKey, pki.ca.key, 'certificates', [CONTROLLER_MANAGER], true);
	const apiserver = pki.apiserver[node.name]!;
	add(c.apiserver, apiserver.cert, 'certificates', [APISERVER]);
	add(c.apiserverKey, apiserver.key, 'certificates', [APISERVER], true);
	add(c.proxyClient, pki.proxyClient.cert, 'certificates', [APISERVER]);
	add(c.proxyClientKey, pki.proxyClient.key, 'certificates', [APISERVER], true);
	add(c.controllerManager, controllerManager.cert, 'certificates', [CONTROLLER_MANAGER]);
	add(c.controllerManagerKey, controllerManager.key, 'certificates', [CONTROLLER_MANAGER], true);
	add(c.scheduler, scheduler.cert, 'certificates', [SCHEDULER]);
	add(c.schedulerKey, scheduler.key, 'certificates', [SCHEDULER], true);
	add(c.serviceAccountPub, pki.serviceAccount.publicKey, 'certificates', [APISERVER], false, 'service-account public key');
	add(c.serviceAccountKey, pki.serviceAccount.privateKey, 'certificates', [APISERVER, CONTROLLER_MANAGER], true);
	if (pki.etcd.ca !== undefined) add(c.etcdCa, pki.etcd.ca, 'certificates', [APISERVER]);
	if (pki.etcd.cert !== undefined) add(c.etcdClient, pki.etcd.cert, 'certificates', [APISERVER]);
	if (pki.etcd.key !== undefined) add(c.etcdClientKey, pki.etcd.key, 'certificates', [APISERVER], true);

	add(paths.encryptionConfig, renderEncryptionConfig(pki.encryptionKey, pki.encryption, pki.encryptionReaders), 'configs', [APISERVER], true, 'encryption config');
	add(paths.auditPolicy, renderAuditPolicy(), 'configs', [APISERVER]);
	// Each node's components talk to that node's own apiserver, as in the guide.
	const server = apiserverUrl(node.ip);
	const kubeconfig = (user: string, pair: {cert: string; key: string}) =>
		renderKubeconfig({server, caCert: pki.ca.cert, user, clientCert: pair.cert, clientKey: pair.key});
	add(paths.controllerManagerKubeconfig, kubeconfig('system:kube-controller-manager', controllerManager), 'configs', [CONTROLLER_MANAGER], true);
	add(paths.schedulerKubeconfig, kubeconfig('system:kube-scheduler', scheduler), 'configs', [SCHEDULER], true);
	add(paths.schedulerConfig, renderSchedulerConfig(paths), 'configs', [SCHEDULER]);

	add(paths.unit.apiserver, renderApiserverUnit(profile, node, paths), 'apiserver', [APISERVER]);
	add(paths.unit.controllerManager, renderControllerManagerUnit(profile, node, paths), 'controller-manager', [CONTROLLER_MANAGER]);
	add(paths.unit.scheduler, renderSchedulerUnit(profile, node, paths), 'scheduler', [SCHEDULER]);

	return {
		node,
		directories: [
			{path: paths.binDir, mode: 0o755},
			// Keys live here: only root may list it.
			{path: paths.certDir, mode: 0o700},
			{path: paths.configDir, mode: 0o755},
			{path: paths.unitDir, mode: 0o755},
			// The audit log records request metadata: root only.
			{path: paths.workDir.apiserver, mode: 0o700},
			// systemd fails a unit whose WorkingDirectory is missing (status=200/CHDIR).
			{path: paths.workDir.controllerManager, mode: 0o755},
			{path: paths.workDir.scheduler, mode: 0o755},
		],
		files,
	};
}

function contentFile(path: string, text: string, mode: number, step: StepName, secret: boolean, services: ServiceName[]): PlannedFile {
	const content = Buffer.from(text);
	return {path, mode, step, content, sha256: createHash('sha256').update(content).digest('hex'), size: content.length, secret, services};
}
