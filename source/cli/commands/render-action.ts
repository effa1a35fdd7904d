import type {Profile} from '../../profile/schema.js';
import {defaultStateDir} from '../../state/state-dir.js';
import {describeTakeover, lockStateDir} from '../shared/state-lock.js';
import {prepare} from '../../plan/prepare.js';
import {writeRenderOutput} from '../../plan/write-output.js';
import {WORKER_PROXY_FILES} from '../../render/worker-proxy.js';
import {UserError} from '../../errors.js';
import {profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';

export interface RenderOptions extends ProfileChoice {
	stateDir?: string;
	out: string;
}

/** Commander's raw strings → RenderOptions: the profile first, then where to write. */
export function renderOptions(raw: Record<string, unknown>): RenderOptions {
	const profile = profileChoice(raw as ProfileChoice);
	if (typeof raw['out'] !== 'string' || raw['out'] === '') throw new UserError('render needs --out DIR', 'name the directory to write the files into');
	return {...(raw as Omit<RenderOptions, 'out'>), ...profile, out: raw['out']};
}

export async function runRender(options: RenderOptions): Promise<void> {
	const profile = await loadProfileFromOptions(options);
	// One run per state directory: two at once would each make a CA (state-lock.ts).
	const lock = lockStateDir(options.stateDir ?? defaultStateDir(profile.name), 'render');
	try {
		const takeover = describeTakeover(lock);
		if (takeover) process.stderr.write(`${takeover}\n`);
		await render(options, profile);
	} finally {
		lock.release();
	}
}

async function render(options: RenderOptions, profile: Profile): Promise<void> {
	const {plan, stateDir} = await prepare({
		profile,
		...(options.stateDir ? {stateDir: options.stateDir} : {}),
		onPkiChange: (c) =>
			process.stderr.write(`${c.action} ${c.item}${c.reason ? `: ${c.reason}` : ''}${c.backup ? ` (previous copy: ${c.backup})` : ''}\n`),
	});
	const written = writeRenderOutput(plan, options.out);
	process.stdout.write(
		`rendered ${written} files for ${plan.nodes.length} node(s), Kubernetes ${plan.kubernetesRelease}, into ${options.out}\n` +
			`a node-local apiserver proxy for workers (every master's :6443 on 127.0.0.1:8443): ${WORKER_PROXY_FILES.nginx}, ${WORKER_PROXY_FILES.haproxy}\n` +
			`state: ${stateDir}\n`,
	);
}
