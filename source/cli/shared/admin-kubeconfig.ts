import {join} from 'node:path';
import {writeFileAtomic} from '../../state/state-dir.js';

/**
 * The admin kubeconfig (O system:masters) lives in the profile's state directory, 0600,
 * rewritten only when its content changes.
 */
export async function writeAdminKubeconfig(stateDir: string, content: string): Promise<string> {
	const path = join(stateDir, 'admin.kubeconfig');
	writeFileAtomic(path, content, 0o600);
	return path;
}
