// The named profiles the wizard saves (`--profile NAME`): one JSON file kept by conf,
// mode 0600 (a profile may hold the encryption key), in
// $XDG_CONFIG_HOME/k8s-master-setup/profiles.json (default ~/.config/…; conf's own
// choice), or in $K8S_MASTER_SETUP_CONFIG_DIR when set. Entries are stored as given
// (ProfileInput); whoever reads one validates it.
import type {ProfileInput} from './schema.js';

async function openStore(env: NodeJS.ProcessEnv = process.env) {
	const {default: Conf} = await import('conf');
	return new Conf<Record<string, ProfileInput>>({
		projectName: 'k8s-master-setup',
		configName: 'profiles',
		configFileMode: 0o600,
		accessPropertiesByDotNotation: false,
		...(env.K8S_MASTER_SETUP_CONFIG_DIR ? {cwd: env.K8S_MASTER_SETUP_CONFIG_DIR} : {}),
	});
}

/** The store's file (it need not exist yet). */
export async function profileStorePath(env: NodeJS.ProcessEnv = process.env): Promise<string> {
	return (await openStore(env)).path;
}

export async function storedProfileNames(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
	return Object.keys((await openStore(env)).store).sort();
}

/** The entry as stored (not validated), or undefined. */
export async function readStoredProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ProfileInput | undefined> {
	const store = await openStore(env);
	return store.has(name) ? store.get(name) : undefined;
}

export async function writeStoredProfile(name: string, input: ProfileInput, env: NodeJS.ProcessEnv = process.env): Promise<string> {
	const store = await openStore(env);
	store.set(name, JSON.parse(JSON.stringify(input)) as ProfileInput);
	return store.path;
}

/** Removes the entry; false when there was none. */
export async function removeStoredProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
	const store = await openStore(env);
	if (!store.has(name)) return false;
	store.delete(name);
	return true;
}
