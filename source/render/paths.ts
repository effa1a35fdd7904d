import {posix} from 'node:path';
import type {Profile} from '../profile/schema.js';

/** Every absolute path on a node, from the profile's `paths` (defaults are the guide's). */
export interface TargetPaths {
	binDir: string;
	certDir: string;
	configDir: string;
	unitDir: string;
	dataDir: string;
	bin: {apiserver: string; controllerManager: string; scheduler: string; kubectl: string};
	cert: {
		ca: string;
		caKey: string;
		frontProxyCa: string;
		frontProxyCaKey: string;
		apiserver: string;
		apiserverKey: string;
		proxyClient: string;
		proxyClientKey: string;
		controllerManager: string;
		controllerManagerKey: string;
		scheduler: string;
		schedulerKey: string;
		serviceAccountKey: string;
		serviceAccountPub: string;
		etcdCa: string;
		etcdClient: string;
		etcdClientKey: string;
		/** Stacked etcd: the apiserver's etcd client certificate (CN kube-apiserver-etcd-client). */
		apiserverEtcdClient: string;
		apiserverEtcdClientKey: string;
	};
	/**
	 * A stacked etcd member's files (etcd.mode: stacked). A group of its own, not in bin/cert/unit:
	 * those lists are what `reset` removes, and beside an external etcd the guide runs its own
	 * etcd.service on the same masters, which must never be touched.
	 */
	etcd: {
		bin: {etcd: string; etcdctl: string; etcdutl: string};
		unit: string;
		/** <certDir>/etcd, as kubeadm's pki/etcd: the member's own certificates and the etcd CA certificate. */
		certDir: string;
		/** The etcd CA certificate (never its key): the members' and the apiserver's trust. */
		ca: string;
		server: string;
		serverKey: string;
		peer: string;
		peerKey: string;
	};
	encryptionConfig: string;
	auditPolicy: string;
	controllerManagerKubeconfig: string;
	schedulerKubeconfig: string;
	schedulerConfig: string;
	unit: {apiserver: string; controllerManager: string; scheduler: string};
	workDir: {apiserver: string; controllerManager: string; scheduler: string};
	auditLog: string;
}

export function targetPaths(profile: Profile): TargetPaths {
	const {binDir, certDir, configDir, unitDir, dataDir} = profile.paths;
	const b = (f: string) => posix.join(binDir, f);
	const c = (f: string) => posix.join(certDir, f);
	const e = (f: string) => posix.join(configDir, f);
	const d = (f: string) => posix.join(dataDir, f);
	return {
		binDir,
		certDir,
		configDir,
		unitDir,
		dataDir,
		bin: {apiserver: b('kube-apiserver'), controllerManager: b('kube-controller-manager'), scheduler: b('kube-scheduler'), kubectl: b('kubectl')},
		cert: {
			ca: c('ca.pem'),
			caKey: c('ca-key.pem'),
			// kubeadm's name.
			frontProxyCa: c('front-proxy-ca.pem'),
			frontProxyCaKey: c('front-proxy-ca-key.pem'),
			// The guide's file names, so an existing guide install is recognisable.
			apiserver: c('kubernetes.pem'),
			apiserverKey: c('kubernetes-key.pem'),
			proxyClient: c('proxy-client.pem'),
			proxyClientKey: c('proxy-client-key.pem'),
			controllerManager: c('kube-controller-manager.pem'),
			controllerManagerKey: c('kube-controller-manager-key.pem'),
			scheduler: c('kube-scheduler.pem'),
			schedulerKey: c('kube-scheduler-key.pem'),
			serviceAccountKey: c('sa.key'),
			serviceAccountPub: c('sa.pub'),
			etcdCa: c('etcd-ca.pem'),
			etcdClient: c('etcd-client.pem'),
			etcdClientKey: c('etcd-client-key.pem'),
			// kubeadm's name.
			apiserverEtcdClient: c('apiserver-etcd-client.pem'),
			apiserverEtcdClientKey: c('apiserver-etcd-client-key.pem'),
		},
		etcd: {
			bin: {etcd: b('etcd'), etcdctl: b('etcdctl'), etcdutl: b('etcdutl')},
			unit: posix.join(unitDir, 'etcd.service'),
			certDir: c('etcd'),
			ca: c('etcd/ca.pem'),
			server: c('etcd/server.pem'),
			serverKey: c('etcd/server-key.pem'),
			peer: c('etcd/peer.pem'),
			peerKey: c('etcd/peer-key.pem'),
		},
		encryptionConfig: e('encryption-config.yaml'),
		auditPolicy: e('audit-policy.yaml'),
		controllerManagerKubeconfig: e('kube-controller-manager.kubeconfig'),
		schedulerKubeconfig: e('kube-scheduler.kubeconfig'),
		schedulerConfig: e('kube-scheduler.yaml'),
		unit: {
			apiserver: posix.join(unitDir, 'kube-apiserver.service'),
			controllerManager: posix.join(unitDir, 'kube-controller-manager.service'),
			scheduler: posix.join(unitDir, 'kube-scheduler.service'),
		},
		workDir: {apiserver: d('kube-apiserver'), controllerManager: d('kube-controller-manager'), scheduler: d('kube-scheduler')},
		auditLog: d('kube-apiserver/audit.log'),
	};
}
