import {UserError} from '../../errors.js';
import {loadProfileByName, loadProfileFile} from '../../profile/load.js';
import type {Profile} from '../../profile/schema.js';

/** --profile-file or --profile, validated (exit 2 naming the field on a bad one). */
export async function loadProfileFromOptions(options: {profileFile?: string; profile?: string}): Promise<Profile> {
	if (options.profileFile !== undefined) return loadProfileFile(options.profileFile);
	if (options.profile !== undefined) return loadProfileByName(options.profile);
	throw new UserError('no profile given', 'pass --profile-file FILE (YAML or JSON) or --profile NAME (saved by the wizard)');
}
