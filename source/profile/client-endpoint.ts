import type {Profile} from './schema.js';
import {parseClientEndpoint} from './values.js';

/** apiserver.endpoint of a validated profile, parsed (undefined: none given). */
export function clientEndpoint(profile: Profile): {host: string; port: number} | undefined {
	const value = profile.apiserver.endpoint;
	if (value === undefined) return undefined;
	const parsed = parseClientEndpoint(value);
	if ('problem' in parsed) throw new Error(`internal: apiserver.endpoint was not validated: ${parsed.problem}`);
	return parsed;
}
