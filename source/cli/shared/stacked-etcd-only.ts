// The `etcd` commands work on the etcd the tool runs (etcd.mode: stacked); an external one
// is refused with exit 2 and what to do where that etcd runs.
import {UserError} from '../../errors.js';
import type {Profile, StackedEtcd} from '../../profile/schema.js';

/** The profile's stacked etcd; else a refusal saying the tool does not `verb` an etcd it does not run. */
export function stackedEtcdOnly(profile: Profile, verb: string, instead: string): StackedEtcd {
	if (profile.etcd.mode === 'stacked') return profile.etcd;
	throw new UserError(
		`profile "${profile.name}" uses an external etcd (etcd.mode: external): this tool does not run that etcd, so it does not ${verb} it`,
		`${instead}; \`etcd ${verb}\` is for etcd.mode: stacked`,
	);
}
