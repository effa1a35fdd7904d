import {readFile} from 'node:fs/promises';
// ssh2 is CommonJS: Node's ESM loader exposes only its default export.
import ssh2 from 'ssh2';
import type {AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware} from 'ssh2';

/**
 * Public-key authentication the way `ssh` does it without a password prompt: the
 * agent's keys first (SSH_AUTH_SOCK), then each identity file in order. Every attempt
 * is recorded so an auth failure can say exactly what was tried.
 */
export interface AuthPlan {
	handler: AuthHandlerMiddleware;
	/** Filled in while authenticating: `agent (SSH_AUTH_SOCK)`, `publickey ~/.ssh/id_ed25519`, … */
	methodsTried: string[];
	/** The identity files that were loaded and offered. */
	identityFiles: string[];
	/** Identity files that could not be used, with the reason. */
	identityProblems: string[];
}

export interface AuthSources {
	user: string;
	identityFiles: readonly string[];
	/** Whether the identity files were configured (missing ones are then reported). */
	identityFilesConfigured: boolean;
	/** Agent socket; default process.env.SSH_AUTH_SOCK; false: no agent. */
	agentSocket?: string | false;
	/** Passphrase for encrypted identity files. */
	passphrase?: string;
}

interface Candidate {
	describe: string;
	auth: AnyAuthMethod | (() => Promise<AnyAuthMethod | undefined>);
}

export function planAuth(sources: AuthSources): AuthPlan {
	const plan: AuthPlan = {handler: () => false, methodsTried: [], identityFiles: [], identityProblems: []};
	const username = sources.user;
	const agent = sources.agentSocket === false ? undefined : (sources.agentSocket ?? process.env['SSH_AUTH_SOCK']);
	const candidates: Candidate[] = [];
	if (agent) {
		candidates.push({describe: `agent (${agent})`, auth: {type: 'agent', username, agent}});
	}
	for (const file of sources.identityFiles) {
		candidates.push({
			describe: `publickey ${file}`,
			auth: async (): Promise<AnyAuthMethod | undefined> => {
				let key: Buffer;
				try {
					key = await readFile(file);
				} catch (error) {
					const code = (error as NodeJS.ErrnoException).code;
					// Default identity files that do not exist are simply not there; configured ones are worth a word.
					if (code !== 'ENOENT' || sources.identityFilesConfigured) {
						plan.identityProblems.push(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
					}
					return undefined;
				}
				const parsed = ssh2.utils.parseKey(key, sources.passphrase);
				if (parsed instanceof Error) {
					plan.identityProblems.push(
						`${file}: ${/encrypted|passphrase/i.test(parsed.message) ? 'needs a passphrase (load it into ssh-agent)' : parsed.message}`,
					);
					return undefined;
				}
				plan.identityFiles.push(file);
				return {type: 'publickey', username, key, ...(sources.passphrase ? {passphrase: sources.passphrase} : {})};
			},
		});
	}

	let next = 0;
	plan.handler = (_methodsLeft, _partialSuccess, callback) => {
		const tryNext = (): void => {
			const candidate = candidates[next++];
			if (!candidate) {
				callback(false as unknown as AuthenticationType);
				return;
			}
			if (typeof candidate.auth !== 'function') {
				plan.methodsTried.push(candidate.describe);
				callback(candidate.auth);
				return;
			}
			candidate.auth().then(
				(auth) => {
					if (auth) {
						plan.methodsTried.push(candidate.describe);
						callback(auth);
					} else {
						tryNext();
					}
				},
				() => tryNext(),
			);
		};
		tryNext();
	};
	return plan;
}
