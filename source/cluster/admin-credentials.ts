import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {UserError} from '../errors.js';
import type {Profile} from '../profile/schema.js';

/** The admin client identity (O system:masters) and the cluster CA, as PEM text. */
export interface AdminCredentials {
	caPem: string;
	certPem: string;
	keyPem: string;
}

/**
 * The admin client identity and the cluster CA, read from the profile's state directory
 * (the CA from pki.caCert when the profile brings its own). Read-only: status must never
 * create or change PKI material.
 */
export function readAdminCredentials(profile: Profile, stateDir: string): AdminCredentials {
	const caPath = profile.pki.caCert ?? join(stateDir, 'ca.pem');
	const certPath = join(stateDir, 'admin.pem');
	const keyPath = join(stateDir, 'admin-key.pem');
	for (const path of [caPath, certPath, keyPath]) {
		if (!existsSync(path)) {
			throw new UserError(
				`${path} does not exist: this profile has not been applied or rendered with this state directory`,
				'run `k8s-master-setup apply` for the profile first, or pass the --state-dir it used',
			);
		}
	}
	return {caPem: readFileSync(caPath, 'utf8'), certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8')};
}
