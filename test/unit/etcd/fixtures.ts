import {ProfileSchema, type Profile, type ProfileInput} from '../../../source/profile/schema.js';
import {baseProfile} from '../render/fixtures.js';

/** The render fixtures' three masters with a stacked etcd (etcd.mode unset: no endpoints). */
export function stackedInput(etcd: Record<string, unknown> = {}, overrides: Partial<ProfileInput> = {}): ProfileInput {
	const {etcd: _external, ...rest} = baseProfile(overrides);
	return {...rest, etcd: {binaries: '/srv/etcd-v3.6.5-linux-amd64.tar.gz', ...etcd}} as ProfileInput;
}

export function stackedProfile(etcd: Record<string, unknown> = {}, overrides: Partial<ProfileInput> = {}): Profile {
	return ProfileSchema.parse(stackedInput(etcd, overrides));
}
