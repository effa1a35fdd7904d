import type {Profile} from '../../source/profile/schema.js';

/**
 * The schema refuses loopback node addresses (a master needs one the other masters reach,
 * and the `kubernetes` Service's endpoints may not be loopback). Tests whose "nodes" are
 * servers on this machine give the validated profile loopback addresses afterwards.
 */
export function withNodeIps(profile: Profile, ips: readonly string[]): Profile {
	return {...profile, nodes: profile.nodes.map((n, i) => ({...n, ip: ips[i] ?? n.ip}))};
}
