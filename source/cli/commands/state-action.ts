import {existsSync, readFileSync} from 'node:fs';
import {formatError, UserError} from '../../errors.js';
import {EXIT} from '../../exit-codes.js';
import type {Profile} from '../../profile/schema.js';
import {readNodeFiles} from '../../run/state-recover/read-node-files.js';
import {pathsToRead, recoverState, type NodeFiles} from '../../run/state-recover/recovered-state.js';
import {StateDir, defaultStateDir} from '../../state/state-dir.js';
import {connectNode, type NodeAccessOptions} from '../shared/connect.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {connectTimeoutMs, profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {lockStateDir} from '../shared/state-lock.js';
import {shellQuote} from '../../remote/shell.js';

export interface StateRecoverOptions extends ProfileChoice, NodeAccessOptions {
	stateDir?: string;
	from: string;
}

export function stateRecoverOptions(raw: Record<string, unknown>): StateRecoverOptions {
	return {...(raw as unknown as StateRecoverOptions), ...profileChoice(raw as ProfileChoice), connectTimeoutMs: connectTimeoutMs(raw)};
}

/** Files whose presence means the state directory already holds a cluster's material: recover never writes over them. */
const HELD = ['ca.pem', 'ca-key.pem', 'brought-ca.pem', 'front-proxy-ca.pem', 'sa.key', 'encryption-key', 'kubernetes.pem'];

export async function runStateRecover(options: StateRecoverOptions): Promise<number> {
	const profile = await loadProfileFromOptions(options);
	const from = profile.nodes.find((n) => n.name === options.from);
	if (!from) throw new UserError(`--from: ${JSON.stringify(options.from)} is not a node of profile "${profile.name}"`, `name one of: ${profile.nodes.map((n) => n.name).join(', ')}`);
	const stateDir = options.stateDir ?? defaultStateDir(profile.name);
	const lock = lockStateDir(stateDir, 'state recover');
	try {
		const held = HELD.filter((f) => existsSync(`${stateDir}/${f}`));
		if (held.length > 0) {
			throw new UserError(
				`${stateDir} already holds a cluster's material (${held.join(', ')}); recover writes only into a state directory without keys`,
				'move it aside (or pass --state-dir with a new directory) and run state recover again; nothing was written',
			);
		}
		const read = await readMasters(profile, options);
		const source = read.find((r) => r.node === from.name);
		if (!source || 'error' in source) {
			process.stderr.write(`${from.name}: ${source && 'error' in source ? source.error : 'not read'}\nnothing was written\n`);
			return EXIT.failed;
		}
		const others = read.filter((r): r is NodeFiles & {node: string} => r !== source && !('error' in r));
		for (const r of read) if ('error' in r) process.stderr.write(`${r.node}: not read (${r.error})\n`);
		const broughtCa = profile.pki.caCert === undefined ? undefined : readFileSync(profile.pki.caCert, 'utf8');
		const result = recoverState(profile, source, others, broughtCa);
		if (result.problems.length > 0) {
			for (const p of result.problems) process.stderr.write(`✗ ${p}\n`);
			process.stderr.write('nothing was written\n');
			return EXIT.invalid;
		}
		const state = StateDir.deferred(stateDir);
		for (const [name, content] of result.files) state.write(name, content);
		state.commit();
		const out = [`recovered into ${stateDir}:`, ...result.recovered.map((l) => `  ✓ ${l}`), 'not recovered:', ...result.missing.map((l) => `  - ${l}`)];
		const profileArg = options.profileFile !== undefined ? `--profile-file ${shellQuote(options.profileFile)}` : `--profile ${shellQuote(profile.name)}`;
		const stateArg = options.stateDir !== undefined ? ` --state-dir ${shellQuote(options.stateDir)}` : '';
		out.push(`next: k8s-master-setup apply ${profileArg}${stateArg} --dry-run   (should change nothing on the nodes)`);
		process.stdout.write(`${out.join('\n')}\n`);
		return EXIT.ok;
	} finally {
		lock.release();
	}
}

/** Every master side by side; one that does not answer is named, not fatal (only the --from node is needed). */
async function readMasters(profile: Profile, options: StateRecoverOptions): Promise<Array<NodeFiles | {node: string; error: string}>> {
	const paths = pathsToRead(profile);
	return Promise.all(
		profile.nodes.map(async (node) => {
			try {
				const transport = await connectNode(profile, node, options);
				try {
					return {...(await readNodeFiles(transport, paths)), node: node.name};
				} finally {
					await transport.close().catch(() => undefined);
				}
			} catch (error) {
				return {node: node.name, error: formatError(error).split('\n')[0] ?? 'failed'};
			}
		}),
	);
}
