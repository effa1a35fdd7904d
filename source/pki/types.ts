import type {EncryptionKey} from './encryption-keyring.js';
import type {EncryptionSetting} from './encryption-setting.js';
/** PEM certificate and its PEM private key. */
export interface CertKeyPair {
	cert: string;
	/** Secret: never printed. */
	key: string;
}

/**
 * Everything the plan needs from the local PKI state, as PEM text. Loaded (or created)
 * by ensurePki; buildPlan only reads it.
 */
export interface Pki {
	/** The cluster CA. Its key goes to the nodes too: the controller-manager signs kubelet CSRs with it, as in the guide. */
	ca: CertKeyPair;
	/** Signs only the proxy-client certificate; the apiserver's --requestheader-client-ca-file. Its key stays local. */
	frontProxyCa: CertKeyPair;
	/** True when the CA is the user's (profile pki.caCert/caKey), false when this tool created it. */
	caFromProfile: boolean;
	/** Per node name: kube-apiserver serving cert, also its etcd and kubelet client cert (as in the guide). */
	apiserver: Record<string, CertKeyPair>;
	/** Front-proxy client cert (CN aggregator) for the aggregation layer. */
	proxyClient: CertKeyPair;
	/** The user's admin identity (O system:masters), local only. */
	admin: CertKeyPair;
	/** Per node name: client cert for the apiserver and serving cert on 10257. */
	controllerManager: Record<string, CertKeyPair>;
	/** Per node name: client cert for the apiserver and serving cert on 10259. */
	scheduler: Record<string, CertKeyPair>;
	/** Signs and verifies service-account tokens; separate from the CA. */
	serviceAccount: {privateKey: string; publicKey: string};
	/** base64 of 16/24/32 bytes (32 for secretbox). Secret. */
	encryptionKey: string;
	/** The provider and key name Secrets are written with (encryption-setting.ts). */
	encryption: EncryptionSetting;
	/** The keys the config also reads with, after the writer's (an encryption rotation; encryption-keyring.ts). */
	encryptionReaders?: EncryptionKey[];
	/** Contents of profile etcd.caFile / certFile / keyFile, when given. */
	etcd: {ca?: string; cert?: string; key?: string};
	/** The stacked etcd's PKI (etcd.mode: stacked), absent for an external etcd. */
	stackedEtcd?: StackedEtcdPki;
}

/** Kept in the state directory under etcd/ and nodes/<name>/ (pki/etcd-specs.ts). */
export interface StackedEtcdPki {
	/** Signs every etcd certificate and nothing else; its key never leaves this machine. */
	ca: CertKeyPair;
	/** Per node name: the member's serving certificate on 2379. */
	server: Record<string, CertKeyPair>;
	/** Per node name: the member's peer certificate on 2380. */
	peer: Record<string, CertKeyPair>;
	/** CN kube-apiserver-etcd-client: every apiserver's --etcd-certfile. */
	apiserverClient: CertKeyPair;
	/** CN k8s-master-setup-etcd-client: the tool's own client (health, members, snapshots); local only. */
	toolClient: CertKeyPair;
}

export interface PkiChange {
	/** e.g. "CA", "apiserver certificate", "master2 kube-scheduler certificate" */
	item: string;
	action: 'created' | 'reissued';
	reason?: string;
	/** State-relative path of the kept copy of what was replaced. */
	backup?: string;
}
