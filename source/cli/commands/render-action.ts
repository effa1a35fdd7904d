import {UserError} from '../../errors.js';
import {prepare} from '../../plan/prepare.js';
import {loadProfileByName, loadProfileFile} from '../../profile/load.js';
import type {Profile} from '../../profile/schema.js';
import {writeRenderOutput} from '../../render/write-output.js';
import type {RenderOptions} from './render.js';

export async function loadProfileFromOptions(options: {profileFile?: string; profile?: string}): Promise<Profile> {
	if (options.profileFile !== undefined) return loadProfileFile(options.profileFile);
	if (options.profile !== undefined) return loadProfileByName(options.profile);
	throw new UserError('no profile given', 'pass --profile-file FILE (YAML or JSON) or --profile NAME (saved by the wizard)');
}

export async function runRender(options: RenderOptions): Promise<void> {
	const profile = await loadProfileFromOptions(options);
	const {plan, stateDir} = await prepare({
		profile,
		...(options.stateDir ? {stateDir: options.stateDir} : {}),
		onPkiChange: (c) =>
			process.stderr.write(`${c.action} ${c.item}${c.reason ? `: ${c.reason}` : ''}${c.backup ? ` (previous copy: ${c.backup})` : ''}\n`),
	});
	const written = writeRenderOutput(plan, options.out);
	process.stdout.write(
		`rendered ${written} files for ${plan.nodes.length} node(s), Kubernetes ${plan.kubernetesRelease}, into ${options.out}\nstate: ${stateDir}\n`,
	);
}
