import {ProfileError, UserError} from '../../errors.js';
import {loadProfileByName, loadProfileFile} from '../../profile/load.js';
import type {Profile} from '../../profile/schema.js';
import {placedFileFlagProblems} from '../../render/owned-flags.js';

/**
 * --profile-file or --profile, validated (exit 2 naming the field on a bad one), including
 * the extraArgs rule that needs the rendered flags (a flag naming a file the tool places).
 */
export async function loadProfileFromOptions(options: {profileFile?: string; profile?: string}): Promise<Profile> {
	const profile = await loadGiven(options);
	const problems = placedFileFlagProblems(profile);
	if (problems.length > 0) throw new ProfileError(problems, options.profileFile ?? `profile "${options.profile}"`);
	return profile;
}

function loadGiven(options: {profileFile?: string; profile?: string}): Promise<Profile> {
	if (options.profileFile !== undefined) return loadProfileFile(options.profileFile);
	if (options.profile !== undefined) return loadProfileByName(options.profile);
	throw new UserError('no profile given', 'pass --profile-file FILE (YAML or JSON) or --profile NAME (saved by the wizard)');
}
